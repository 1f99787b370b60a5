// What a search checks at every step, as plain data (so it crosses to worker threads and into
// result files): which invariants (patterns of --invariants; none means all, with the end-to-end
// property and agreement) and whether the chain of simulations runs, with which relations.
// RunChecks evaluates it along an execution and reports the first violation.
import type { Action } from '../automata/actions.ts';
import './variants.ts'; // the catalog of protocol variants, so that config.mutants can name them
import type { SystemState } from '../automata/compose.ts';
import type { Universe } from '../automata/universe.ts';
import { InvariantChecker } from '../invariants/check.ts';
import { backlogOf, defaultBounds, LivenessMonitor, type LivenessBounds } from '../invariants/liveness.ts';
import { selectInvariants, systemInvariants } from '../invariants/registry.ts';
import { ChainSimulation } from '../proofs/chain.ts';
import { runRandom, type RunOptions, type RunResult } from './scheduler.ts';
import type { StableOptions, StableScheduler } from './stable-scheduler.ts';

export interface CheckSpec {
  /** --invariants patterns (ids, families, globs); empty: every invariant. */
  invariants: readonly string[];
  /** Run A's copy (for A_gc), S' and S in lockstep and check H, G, F. */
  chain: boolean;
  /** --relations: relation names or clause ids to report; undefined: all of them. */
  relations?: readonly string[];
  /** Check the liveness properties (invariants/liveness.ts) on the stabilized part of a run. */
  liveness?: LivenessCheck;
}

/** The liveness check: its deadlines, where they are not the configuration's defaults. */
export interface LivenessCheck {
  bounds?: Partial<LivenessBounds>;
}

/** Where a run stabilized and the deadlines its liveness was checked with. */
export interface Stabilized {
  gst: number;
  bounds: LivenessBounds;
  /** How the stabilized part was scheduled (a replay's shadow scheduler needs the same). */
  options: StableOptions;
  /** The longest each obligation was open (LivenessMonitor.worst). */
  worst: LivenessBounds;
}

/** What a trace file records of a stabilized run. */
export function traceStabilized(st: Stabilized | null): { stabilized?: { gst: number; bounds: LivenessBounds; options: StableOptions } } {
  return st === null ? {} : { stabilized: { gst: st.gst, bounds: st.bounds, options: st.options } };
}

export const CHECK_EVERYTHING: CheckSpec = { invariants: [], chain: true };

export interface Violation {
  id: string;
  /** The step after which it was found; -1 for the start states. */
  step: number;
  message: string;
}

export class RunChecks {
  private readonly checker: InvariantChecker;
  private readonly chain: ChainSimulation | null;

  constructor(u: Universe, spec: CheckSpec) {
    this.checker = new InvariantChecker(u, { invariants: selectInvariants(systemInvariants(u.config.readings), spec.invariants) });
    this.chain = spec.chain ? new ChainSimulation(u, spec.relations === undefined ? {} : { relations: spec.relations }) : null;
  }

  /** The start condition of the simulations. */
  start(s: SystemState): Violation | null {
    const f = this.chain?.start(s)[0];
    return f === undefined ? null : { id: f.id, step: -1, message: f.message };
  }

  before(k: number, a: Action, s: SystemState): void {
    this.chain?.before(k, a, s);
  }

  /** The first violation after step k (the chain's first: it explains more). */
  after(k: number, a: Action, s: SystemState): Violation | null {
    const f = this.chain?.after(k, a, s)[0] ?? this.checker.afterStep(k, a, s)[0];
    return f === undefined ? null : { id: f.id, step: k, message: f.message };
  }
}

/**
 * The liveness properties along the stabilized part of a run: started at GST by the scheduler's
 * onStabilize, then fed every step; at the end of a run that had nothing left to do, an open
 * obligation fails. Shared by the checked runs of the search and `pbft-check run`.
 */
export class LivenessWatch {
  private monitor: LivenessMonitor | null = null;
  private stable: StableScheduler | null = null;

  constructor(private readonly check: LivenessCheck) {}

  /** At GST: the deadlines are the configuration's (with the deliveries still owed), or the check's own. */
  stabilize(u: Universe, k: number, s: SystemState, scheduler: StableScheduler): void {
    this.stable = scheduler;
    this.monitor = new LivenessMonitor(u, k, { ...defaultBounds(u, backlogOf(u, s)), ...this.check.bounds });
    this.monitor.start(s);
  }

  /** After step k: the first deadline missed, or a request that can no longer complete. */
  after(k: number, a: Action, s: SystemState): Violation | null {
    const m = this.monitor;
    if (m === null) return null;
    return m.observe(k, a, s) ?? (this.stable!.onlyTimers(s) ? m.stuck(k, s) : null);
  }

  /** When the run has ended: an open obligation fails if the stabilized part ran out of things to do. */
  end(r: RunResult): Violation | null {
    return this.monitor !== null && r.quiescent ? this.monitor.end(r.trace.length - 1, r.state) : null;
  }

  /** Where the run stabilized, or null if it did not reach GST. */
  stabilized(): Stabilized | null {
    const m = this.monitor;
    return m === null ? null : { gst: m.gst, bounds: m.bounds, options: this.stable!.o, worst: m.worst };
  }
}

/**
 * A run of the scheduler with the checks after every step, up to its end or the first violation;
 * with the liveness check and a stabilized run, the liveness properties from GST on too (and at
 * the end, when the stabilized part runs out of things to do). The caller's own hooks in opts run
 * too (before the checks'); its onStep may still stop the run.
 */
export function runChecked(opts: RunOptions, spec: CheckSpec): { r: RunResult; violation: Violation | null; stabilized: Stabilized | null } {
  let checks!: RunChecks;
  let hit: Violation | null = null;
  const live = spec.liveness === undefined ? null : new LivenessWatch(spec.liveness);
  let u!: Universe;
  const r = runRandom({
    ...opts,
    onStart: (universe, s) => {
      u = universe;
      opts.onStart?.(u, s);
      checks = new RunChecks(u, spec);
      hit = checks.start(s);
    },
    onStabilize: (k, s, scheduler) => {
      opts.onStabilize?.(k, s, scheduler);
      live?.stabilize(u, k, s, scheduler);
    },
    beforeStep: (k, a, s) => {
      opts.beforeStep?.(k, a, s);
      checks.before(k, a, s);
    },
    onStep: (k, a, s) => {
      const goOn = opts.onStep?.(k, a, s) !== false;
      hit ??= checks.after(k, a, s) ?? live?.after(k, a, s) ?? null;
      return hit === null && goOn;
    },
  });
  // (assigned in the callbacks: TypeScript's narrowing does not see it)
  if ((hit as Violation | null) === null && live !== null) hit = live.end(r);
  return { r, violation: hit, stabilized: live?.stabilized() ?? null };
}
