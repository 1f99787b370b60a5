// Named small configurations for explore (`--preset NAME`): each puts the exhaustive search where
// a part of the protocol happens within a few minutes: garbage collection, a second view change,
// a misbehaving network, a faulty primary. A preset may start from a deterministic prefix
// (sim/explore-prefix.ts); its depth is where the part it names is reached (README: what each
// reached, measured).
import type { Action } from '../automata/actions.ts';
import { hasNewView } from '../automata/aux-functions.ts';
import type { ConfigInput } from '../automata/config.ts';
import type { Universe } from '../automata/universe.ts';
import type { StandInFactory } from '../automata/byzantine.ts';
import { correctReplicas } from '../invariants/types.ts';
import { drivePrefix, NORMAL_ORDER, QUIESCE, type PrefixPhase } from './explore-prefix.ts';

export interface ExplorePreset {
  readonly name: string;
  /** One line for --help. */
  readonly summary: string;
  /** Over explore's defaults (EXPLORE_DEFAULTS). */
  readonly config: ConfigInput;
  readonly depth: number;
  readonly misbehaveBudget?: number;
  readonly prefix?: readonly PrefixPhase[];
}

/** Every non-faulty replica has executed sequence number n. */
const executedEverywhere = (n: number): PrefixPhase => ({
  goal: `request ${n} executed at every non-faulty replica`,
  order: NORMAL_ORDER,
  done: (_u, s) => correctReplicas(s).every((r) => r.lastExec >= n),
});

/** Every non-faulty replica is in view v with its new-view (the view change to v done), taking no view change beyond v. */
const inView = (v: number): PrefixPhase => ({
  goal: `every non-faulty replica in view ${v} with its new-view`,
  order: ['view-change', ...NORMAL_ORDER],
  allow: (a: Action) => (a.kind === 'SEND-VIEW-CHANGE' || a.kind === 'SEND-NEW-VIEW' ? a.v <= v : true),
  done: (u: Universe, s) => correctReplicas(s).every((r) => r.view === v && hasNewView(u, v, r.in)),
});

/** Quiescence but for checkpoint messages, which stay in out_i: the state just before stable checkpoints form. */
const HOLD_CHECKPOINTS: PrefixPhase = { ...QUIESCE, goal: 'quiescence but for checkpoints', allow: (a) => !(a.kind === 'SEND' && a.m.tag === 'CHECKPOINT') };

export const EXPLORE_PRESETS: readonly ExplorePreset[] = [
  {
    name: 'normal',
    summary: 'the default: one client, one request, views 0 and 1, a reliable network',
    config: {},
    depth: 12,
  },
  {
    name: 'gc',
    summary: 'checkpoints every request (chkpt-int 1, L 2), from request 1 executed everywhere: stable checkpoints and garbage collection, with a view change',
    config: { chkptInt: 1, L: 2, maxRequestsPerClient: 2 },
    depth: 9,
    prefix: [executedEverywhere(1), HOLD_CHECKPOINTS],
  },
  {
    name: 'view-change',
    summary: 'views up to 2, from request 1 executed, the view change to 1 done and the view-changes for 2 taken: the second view change',
    config: { maxView: 2, maxRequestsPerClient: 2 },
    depth: 11,
    prefix: [executedEverywhere(1), QUIESCE, inView(1), QUIESCE],
  },
  {
    name: 'network',
    summary: "MC's loss, duplication and replay, at most 2 misbehaviours on a path: the normal case on a bad network",
    config: { network: { loss: true, duplicate: true, replay: true } },
    depth: 10,
    misbehaveBudget: 2,
  },
  {
    name: 'faulty-primary',
    summary: 'replica 0 (the primary of view 0) faulty, sending from the menu: equivocation and a view change away from it',
    config: { faultyReplicas: [0] },
    depth: 10,
  },
];

export function presetNamed(name: string): ExplorePreset | undefined {
  return EXPLORE_PRESETS.find((p) => p.name === name);
}

/** The prefix of actions a preset starts from, in u (none for most). */
export function presetPrefix(p: ExplorePreset, standIns: StandInFactory): (u: Universe) => readonly Action[] {
  return (u) => (p.prefix === undefined ? [] : drivePrefix(u, p.prefix, standIns));
}
