// Named attack strategies: seeded policies that bias the scheduler without leaving the model
// (every action drawn is still an enabled action of the composition; faulty nodes stay within
// unforgeability). A strategy chooses the faulty nodes when the user did not, how they behave
// (the Byzantine tactics of automata/byzantine-replica.ts), the scheduler's family weights, when
// failures happen, and what the network holds back. Swarm mode mixes several at random per run.
import { SilentStandIn, type StandInFactory } from '../automata/byzantine.ts';
import { ByzantineClient } from '../automata/byzantine-client.ts';
import { ByzantineReplica, CollusionBoard, EVEN_TACTICS, REPLICA_TACTICS, type TacticWeights } from '../automata/byzantine-replica.ts';
import type { ConfigInput } from '../automata/config.ts';
import type { Weights } from '../automata/enabled.ts';
import type { Message } from '../automata/messages.ts';
import type { DrawerOptions } from './drawer.ts';
import { SeededRng } from './rng.ts';
import type { RunOptions } from './scheduler.ts';

/** What a strategy sets for one run. */
export interface StrategyPlan {
  /** The strategies it came from (one, or a swarm's picks), and knob values, for the report. */
  picked: string[];
  /** Faulty replicas and clients when the user named none. */
  faultyReplicas: number[];
  faultyClients: number[];
  /** The step at which they fail (0: at the start). */
  failAt: number;
  /** Faulty replicas stop (a crash) instead of acting Byzantine. */
  silent: boolean;
  tactics: TacticWeights;
  /** Probability that a faulty client relays a seen message rather than sending its own request. */
  clientRelay: number;
  weights: Partial<Weights>;
  /** Two groups of nodes whose messages to each other wait during [from, from + length). */
  partition: { groups: [number[], number[]]; from: number; length: number } | null;
  /**
   * A correct replica that loses every message sent to it during [from, from + length); the
   * view-change timer then expires, and the new view brings it the state (update-state-nv, Fig 2-9).
   */
  laggard: { replica: number; from: number; length: number } | null;
  /** Non-faulty clients may issue a request before the last one's reply (clientsWaitForReply off). */
  overlapping: boolean;
}

/** The system's size, and how many replicas fail (the fault budget; f unless said). */
export interface Sizes {
  f: number;
  n: number;
  clients: number;
  faults?: number;
}

export interface Strategy {
  name: string;
  description: string;
  /** The plan for a run of f = `f` with `n` replicas and `clients` clients, drawn with rng. */
  plan(rng: SeededRng, sizes: Sizes): StrategyPlan;
}

// The tactics added after the first strategies default to 0, not to `rest`: those plans draw as they did.
const LATER_TACTICS: readonly string[] = ['certificate', 'lying-view-change'];
const tactics = (w: Partial<TacticWeights>, rest = 0.2): TacticWeights =>
  Object.fromEntries(REPLICA_TACTICS.map((t) => [t, w[t] ?? (LATER_TACTICS.includes(t) ? 0 : rest)])) as unknown as TacticWeights;

/** f replicas among 0..n-1 other than those given, chosen with rng. */
function someReplicas(rng: SeededRng, n: number, count: number, first: number[] = []): number[] {
  const out = [...first];
  while (out.length < count) {
    const i = rng.int(n);
    if (!out.includes(i)) out.push(i);
  }
  return out.sort((a, b) => a - b);
}

const base = (picked: string, faultyReplicas: number[]): StrategyPlan => ({
  picked: [picked],
  faultyReplicas,
  faultyClients: [],
  failAt: 0,
  silent: false,
  tactics: EVEN_TACTICS,
  clientRelay: 0.2,
  weights: {},
  partition: null,
  laggard: null,
  overlapping: false,
});

/**
 * A plan with a lagging replica. With f faulty replicas and one that lags, a quorum of 2f + 1
 * forms only if some faulty replica follows the protocol, so the faulty ones mimic correct
 * replicas more often: the others then move on, and the laggard needs their state.
 */
function withLaggard(plan: StrategyPlan, laggard: NonNullable<StrategyPlan['laggard']>): StrategyPlan {
  return { ...plan, laggard, tactics: { ...plan.tactics, mimic: plan.tactics.mimic + MIMIC_WITH_LAGGARD } };
}
const MIMIC_WITH_LAGGARD = 3;

/** A lagging stretch for one of the correct replicas, drawn with rng. */
function someLaggard(rng: SeededRng, n: number, faulty: number[]): NonNullable<StrategyPlan['laggard']> {
  const correct = Array.from({ length: n }, (_, i) => i).filter((i) => !faulty.includes(i));
  return { replica: correct[rng.int(correct.length)]!, from: 200 + rng.int(2000), length: 400 + rng.int(1600) };
}

export const STRATEGIES: readonly Strategy[] = [
  {
    name: 'random',
    description: 'f random Byzantine replicas using every tactic evenly',
    plan: (rng, { f, n, faults = f }) => ({ ...base('random', someReplicas(rng, n, faults)), weights: { byzantine: 10, 'view-change': 0.004 } }),
  },
  {
    name: 'equivocating-primary',
    description: "the primary of view 0 is Byzantine and sends different requests for the same sequence number to different backups; the other faulty replicas back it",
    plan: (rng, { f, n, faults = f }) => ({
      ...base('equivocating-primary', someReplicas(rng, n, faults, [0])),
      tactics: tactics({ 'pre-prepare': 4, prepare: 1, commit: 1, back: 6, relay: 0.5 }, 0.1),
      weights: { byzantine: 20, 'view-change': 0.001 },
    }),
  },
  {
    name: 'silent-primary',
    description: 'the primary of view 0 crashes mid-run, which forces view changes',
    plan: (rng, { f, n, faults = f }) => ({ ...base('silent-primary', someReplicas(rng, n, faults, [0])), silent: true, failAt: 50 + rng.int(400) }),
  },
  {
    name: 'view-change-storm',
    description: 'view changes are frequent and Byzantine replicas send view-changes for ever higher views',
    plan: (rng, { f, n, faults = f }) => ({
      ...base('view-change-storm', someReplicas(rng, n, faults)),
      tactics: tactics({ 'view-change': 4, 'new-view': 2, relay: 1 }),
      weights: { 'view-change': 0.2, byzantine: 10 },
    }),
  },
  {
    name: 'lying-checkpoints',
    description: 'Byzantine replicas send checkpoints with stale or wrong digests, and view-changes carrying them',
    plan: (rng, { f, n, faults = f }) => ({
      ...base('lying-checkpoints', someReplicas(rng, n, faults)),
      tactics: tactics({ checkpoint: 5, 'view-change': 1 }),
      weights: { byzantine: 10, 'view-change': 0.006, garbage: 20 },
    }),
  },
  {
    name: 'crafted-new-view',
    description: 'the primary of view 1 is Byzantine and sends new-views with crafted O and N',
    plan: (rng, { f, n, faults = f }) => ({
      ...base('crafted-new-view', someReplicas(rng, n, faults, [1 % n])),
      tactics: tactics({ 'new-view': 5, 'pre-prepare': 1, 'view-change': 1 }),
      weights: { byzantine: 10, 'view-change': 0.1 },
    }),
  },
  {
    name: 'replay-flood',
    description: 'the network duplicates, redirects and replays old messages, and faulty replicas resend what they saw',
    plan: (rng, { f, n, faults = f }) => ({
      ...base('replay-flood', someReplicas(rng, n, faults)),
      tactics: tactics({ relay: 5 }, 0.1),
      weights: { misbehave: 15, byzantine: 10 },
    }),
  },
  {
    name: 'colluding-primary-client',
    description: 'the primary of view 0 and a client are Byzantine: the client sends requests with odd timestamps, the primary orders them and equivocates',
    plan: (rng, { f, n, faults = f }) => ({
      ...base('colluding-primary-client', someReplicas(rng, n, faults, [0])),
      faultyClients: [0],
      clientRelay: 0.05,
      tactics: tactics({ 'pre-prepare': 4, prepare: 1, commit: 1, back: 4 }),
      weights: { byzantine: 15 },
    }),
  },
  {
    name: 'nested-messages',
    description:
      'Byzantine replicas nest seen and own messages wherever the thesis allows any: pre-prepares of non-requests, view-changes with C built from seen checkpoints, new-views with any choice of V',
    plan: (rng, { f, n, faults = f }) => ({
      ...base('nested-messages', someReplicas(rng, n, faults)),
      tactics: tactics({ nest: 5, 'view-change': 1, 'new-view': 1, relay: 1 }),
      weights: { byzantine: 10, 'view-change': 0.1 },
    }),
  },
  {
    name: 'lagging-replica',
    description: 'a correct replica loses every message for a stretch of steps, then a view change brings it the state (update-state-nv); f random Byzantine replicas',
    plan: (rng, { f, n, faults = f }) => {
      const p = base('lagging-replica', someReplicas(rng, n, faults));
      return withLaggard(p, someLaggard(rng, n, p.faultyReplicas));
    },
  },
  {
    name: 'overlapping-requests',
    description: 'non-faulty clients issue requests without waiting for replies, with f random Byzantine replicas',
    plan: (rng, { f, n, faults = f }) => ({ ...base('overlapping-requests', someReplicas(rng, n, faults)), overlapping: true }),
  },
  {
    name: 'partition',
    description: 'messages between two groups of replicas are held back for a stretch of steps, with f replicas crashed',
    plan: (rng, { f, n, faults = f }) => {
      const split = 1 + rng.int(n - 1);
      const shuffled = Array.from({ length: n }, (_, i) => ({ i, k: rng.float() }))
        .sort((a, b) => a.k - b.k)
        .map((x) => x.i);
      return {
        ...base('partition', someReplicas(rng, n, faults)),
        silent: true,
        partition: { groups: [shuffled.slice(0, split), shuffled.slice(split)], from: rng.int(500), length: 200 + rng.int(800) },
      };
    },
  },
];

/** The plan of a run without a strategy: faulty nodes (as configured) stop. */
export function noStrategy(): StrategyPlan {
  return { ...base('none', []), picked: [], silent: true };
}

/**
 * Strategies aimed at one attack, outside the swarm's mix (the swarm draws from STRATEGIES by
 * index, so adding one there would change every seeded plan). The kill matrix tries them on a
 * variant the swarm did not kill.
 */
export const TARGETED_STRATEGIES: readonly Strategy[] = [
  {
    name: 'assembled-certificates',
    description:
      'the primary of view 0 is Byzantine: it equivocates, prepares its own pre-prepares, and sends view-changes whose P is a prepared certificate it assembled from what it saw (with its own prepare); view changes are frequent',
    plan: (rng, { f, n, faults = f }) => ({
      ...base('assembled-certificates', someReplicas(rng, n, faults, [0])),
      tactics: tactics({ 'pre-prepare': 3, prepare: 2, back: 3, certificate: 4, 'view-change': 1, relay: 0.5 }, 0.1),
      weights: { byzantine: 20, 'view-change': 0.01 },
    }),
  },
  {
    name: 'lying-view-changes',
    description:
      "Byzantine replicas send view-changes whose stable checkpoint is a lie certified by their own checkpoint alone, at a checkpoint number ahead of the others, while acting correctly otherwise; view changes are frequent",
    plan: (rng, { f, n, faults = f }) => ({
      ...base('lying-view-changes', someReplicas(rng, n, faults)),
      tactics: tactics({ 'lying-view-change': 3, mimic: 3, checkpoint: 0.5, relay: 0.5 }, 0.05),
      weights: { byzantine: 10, 'view-change': 0.02 },
    }),
  },
];

export const STRATEGY_NAMES: readonly string[] = [...STRATEGIES.map((s) => s.name), ...TARGETED_STRATEGIES.map((s) => s.name), 'swarm'];

export class StrategyError extends Error {}

/** The plan of a named strategy, or of a swarm (a random mix of two or three), for one seed. */
export function planFor(name: string, seed: string, sizes: Sizes): StrategyPlan {
  const rng = new SeededRng(`strategy|${name}|${seed}`);
  if (name !== 'swarm') {
    const s = [...STRATEGIES, ...TARGETED_STRATEGIES].find((x) => x.name === name);
    if (s === undefined) throw new StrategyError(`no strategy '${name}'; choose one of ${STRATEGY_NAMES.join(', ')}`);
    return s.plan(rng, sizes);
  }
  const count = 2 + rng.int(2);
  const chosen: Strategy[] = [];
  while (chosen.length < count) {
    const s = STRATEGIES[rng.int(STRATEGIES.length)]!;
    if (!chosen.includes(s)) chosen.push(s);
  }
  const plan = mergePlans(chosen.map((s) => s.plan(rng, sizes)), sizes.faults ?? sizes.f);
  // Knobs of the mix, so that state transfer and overlapping requests are common.
  if (plan.laggard !== null && plan.faultyReplicas.includes(plan.laggard.replica)) plan.laggard = null;
  const lagged = plan.laggard === null && rng.float() < 0.5 ? withLaggard(plan, someLaggard(rng, sizes.n, plan.faultyReplicas)) : plan;
  return rng.float() < 0.3 ? { ...lagged, overlapping: true } : lagged;
}

/** A mix: faulty replicas from the first plans up to the fault budget, summed tactics, the larger weight of each family. */
function mergePlans(plans: StrategyPlan[], budget: number): StrategyPlan {
  const faulty: number[] = [];
  for (const p of plans) for (const i of p.faultyReplicas) if (faulty.length < budget && !faulty.includes(i)) faulty.push(i);
  const weights: Record<string, number> = {};
  for (const p of plans) for (const [k, w] of Object.entries(p.weights)) weights[k] = Math.max(weights[k] ?? 0, w as number);
  const sum = (k: (typeof REPLICA_TACTICS)[number]) => plans.reduce((t, p) => t + p.tactics[k], 0);
  return {
    picked: plans.flatMap((p) => p.picked),
    faultyReplicas: faulty.sort((a, b) => a - b),
    faultyClients: [...new Set(plans.flatMap((p) => p.faultyClients))].sort((a, b) => a - b),
    failAt: Math.max(...plans.map((p) => p.failAt)),
    silent: plans.every((p) => p.silent),
    tactics: Object.fromEntries(REPLICA_TACTICS.map((k) => [k, sum(k)])) as unknown as TacticWeights,
    clientRelay: Math.min(...plans.map((p) => p.clientRelay)),
    weights: weights as Partial<Weights>,
    partition: plans.find((p) => p.partition !== null)?.partition ?? null,
    laggard: plans.find((p) => p.laggard !== null)?.laggard ?? null,
    overlapping: plans.some((p) => p.overlapping),
  };
}

/** The stand-ins a plan makes: Byzantine (or silent) replicas, Byzantine clients. */
export function planStandIns(plan: StrategyPlan): StandInFactory {
  // The faulty replicas of one run (one universe) are one adversary: they share a board.
  const boards = new WeakMap<object, CollusionBoard>();
  return (u, node) => {
    if (node >= u.n) return new ByzantineClient(node - u.n, plan.clientRelay);
    if (plan.silent) return new SilentStandIn();
    let board = boards.get(u);
    if (board === undefined) boards.set(u, (board = new CollusionBoard()));
    return new ByzantineReplica(node, plan.tactics, board);
  };
}

/** The deliveries a plan's partition holds back at a step. */
export function planHoldBack(plan: StrategyPlan): ((step: number, m: Message, x: number) => boolean) | undefined {
  const p = plan.partition;
  if (p === null) return undefined;
  const [a, b] = p.groups;
  return (step, m, x) => {
    if (step < p.from || step >= p.from + p.length) return false;
    const from = senderOf(m);
    if (from === null) return false;
    return (a.includes(from) && b.includes(x)) || (b.includes(from) && a.includes(x));
  };
}

/** The replica a message comes from, by its signer (requests and replies are not held). */
function senderOf(m: Message): number | null {
  switch (m.tag) {
    case 'PRE-PREPARE':
    case 'NEW-VIEW':
      return m.signer;
    case 'PREPARE':
    case 'COMMIT':
    case 'CHECKPOINT':
    case 'VIEW-CHANGE':
      return m.j;
    default:
      return null;
  }
}

/** One line describing a plan. */
export function describePlan(plan: StrategyPlan): string {
  const parts = [
    `strategy ${plan.picked.join(' + ')}`,
    `faulty replicas ${plan.faultyReplicas.length ? plan.faultyReplicas.join(',') : 'none'}${plan.silent ? ' (silent)' : ''}`,
    `faulty clients ${plan.faultyClients.length ? plan.faultyClients.join(',') : 'none'}`,
  ];
  if (plan.failAt > 0) parts.push(`failing at step ${plan.failAt}`);
  if (plan.laggard) parts.push(`replica ${plan.laggard.replica} loses its messages at steps ${plan.laggard.from}..${plan.laggard.from + plan.laggard.length - 1}`);
  if (plan.overlapping) parts.push('overlapping requests');
  if (plan.partition) parts.push(`partition {${plan.partition.groups[0].join(',')}} | {${plan.partition.groups[1].join(',')}} at steps ${plan.partition.from}..${plan.partition.from + plan.partition.length - 1}`);
  return parts.join('; ');
}


/** Under a strategy, spontaneous view changes stop once the views are this far ahead of progress (DrawerOptions.ahead). */
const VIEWS_AHEAD = 2;

/** How a plan biases the scheduler's draws (sim/drawer.ts): weights, held and lost deliveries, the timer. */
export function planDrawing(plan: StrategyPlan): Pick<DrawerOptions, 'weights' | 'ahead' | 'holdBack' | 'lose' | 'timerExpiresAt'> {
  const holdBack = planHoldBack(plan);
  const lag = plan.laggard;
  return {
    weights: plan.weights,
    ahead: VIEWS_AHEAD,
    ...(holdBack === undefined ? {} : { holdBack }),
    ...(lag === null ? {} : { lose: (step: number, _m: Message, x: number) => x === lag.replica && step >= lag.from && step < lag.from + lag.length, timerExpiresAt: lag.from + lag.length }),
  };
}

/** What a plan sets in a configuration: its faulty nodes, and clients that do not wait when requests overlap. */
export function planConfig(plan: StrategyPlan): Pick<ConfigInput, 'faultyReplicas' | 'faultyClients' | 'clientsWaitForReply'> {
  return { faultyReplicas: plan.faultyReplicas, faultyClients: plan.faultyClients, ...(plan.overlapping ? { clientsWaitForReply: false } : {}) };
}

/** The scheduler options a plan sets: `config` with planConfig, the stand-ins, its draws and failure time. */
export function planRunOptions(plan: StrategyPlan, config: ConfigInput = {}): Pick<RunOptions, 'weights' | 'ahead' | 'holdBack' | 'lose' | 'timerExpiresAt'> & { config: ConfigInput; standIns: StandInFactory; failAt: number } {
  return {
    config: { ...config, ...planConfig(plan) },
    standIns: planStandIns(plan),
    failAt: plan.failAt,
    ...planDrawing(plan),
  };
}
