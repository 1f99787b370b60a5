// The prefix of an explore preset: a short, deterministic, fault-free run that brings the system
// to where the interesting part starts (a request executed everywhere, a view change done), so
// that the exhaustive search spends its depth there. Each phase takes, step by step, the first
// enabled action (automata/enabled.ts's stable order) of the first family in its order that has
// one, until its goal holds. Only enabled actions are taken: the prefix is an execution of the
// composition, and a violation's trace replays it.
import type { Action } from '../automata/actions.ts';
import type { StandInFactory } from '../automata/byzantine.ts';
import { initialSystem, step, type SystemState } from '../automata/compose.ts';
import { enabledIn, type Family } from '../automata/enabled.ts';
import type { Universe } from '../automata/universe.ts';
import { leavesAlone } from './explore-step.ts';

/** A prefix that cannot reach its goal in this configuration (a preset's options overridden, say). */
export class PrefixError extends Error {}

export interface PrefixPhase {
  /** What the phase drives towards, for messages. */
  readonly goal: string;
  /** The families it takes actions from, most preferred first. */
  readonly order: readonly Family[];
  /** Which of their actions it may take (default: all). */
  readonly allow?: (a: Action, s: SystemState) => boolean;
  /** When the phase is over; without it, when nothing of its order is left to take (quiescence). */
  readonly done?: (u: Universe, s: SystemState) => boolean;
}

/** Every message in flight delivered and every step it enables taken, no new request: a quiet state to start from. */
export const QUIESCE: PrefixPhase = { goal: 'quiescence', order: ['protocol', 'garbage', 'receive', 'send', 'reply'] };

/** Normal-case work first (internal steps, deliveries, sends), a new request last: a synchronous run. */
export const NORMAL_ORDER: readonly Family[] = ['protocol', 'garbage', 'receive', 'send', 'reply', 'request'];

/** The actions of the phases, in order, from the initial state of u. Throws if a phase gets stuck or runs past maxSteps. */
export function drivePrefix(u: Universe, phases: readonly PrefixPhase[], standIns: StandInFactory, maxSteps = 2000): Action[] {
  const s = initialSystem(u);
  const out: Action[] = [];
  for (const phase of phases) {
    while (!(phase.done?.(u, s) ?? false)) {
      if (out.length >= maxSteps) throw new PrefixError(`'${phase.goal}' not reached in ${maxSteps} steps`);
      const a = firstAction(u, s, phase);
      if (a === undefined && phase.done === undefined) break;
      if (a === undefined) throw new PrefixError(`'${phase.goal}' not reached: nothing left to take after ${out.length} steps`);
      step(u, s, a, standIns);
      out.push(a);
    }
  }
  return out;
}

function firstAction(u: Universe, s: SystemState, phase: PrefixPhase): Action | undefined {
  for (const f of phase.order) {
    const a = enabledIn(u, s, f).find((x) => !idle(u, s, x) && (phase.allow?.(x, s) ?? true));
    if (a !== undefined) return a;
  }
  return undefined;
}

/** Steps that would keep a synchronous run from moving on: a garbage collection that removes nothing, a proxy resending a request still on the wire. */
function idle(u: Universe, s: SystemState, a: Action): boolean {
  if (leavesAlone(s, a)) return true;
  return a.kind === 'SEND' && a.x >= u.n && s.wire.hasMessage(a.m);
}
