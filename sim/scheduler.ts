// The deterministic scheduler: a seeded random walk over the enabled actions of A or A_gc that
// records every executed action explicitly. Same seed and configuration, same trace.
import type { Action } from '../automata/actions.ts';
import type { Message } from '../automata/messages.ts';
import type { StandInFactory } from '../automata/byzantine.ts';
import { silentStandIns } from '../automata/byzantine.ts';
import { initialSystem, step, whyDisabled, type SystemState } from '../automata/compose.ts';
import type { ConfigInput } from '../automata/config.ts';
import type { Rng, Weights } from '../automata/enabled.ts';
import { Universe } from '../automata/universe.ts';
import { DEFAULT_TIMEOUT, Drawer } from './drawer.ts';
import { SeededRng } from './rng.ts';
import { StableScheduler, type StableOptions } from './stable-scheduler.ts';
import { RunStats } from './stats.ts';
import { ActionDecoder, type Json } from './trace-json.ts';
import { OutWatch, Renaming, redirectDelivery } from './minimize-rename.ts';
import './variants.ts'; // the catalog of protocol variants, so that config.mutants can name them

export interface RunOptions {
  config?: ConfigInput;
  seed?: string | number;
  /** The source of the draws (default: a SeededRng of seed); the property-based search passes its schedule. */
  rng?: Rng;
  /** Number of steps to take (failure inputs at the start count as steps). */
  steps: number;
  weights?: Partial<Weights>;
  /** See DrawBias. */
  patience?: number;
  catchUp?: number;
  /**
   * The shortest view-change timer in steps (Section 2.3.5, liveness; sim/drawer.ts): after this
   * many steps without progress or a view change (more when executions are slow, doubled per view
   * without progress), view changes are drawn with the catch-up weight.
   */
  timeout?: number;
  standIns?: StandInFactory;
  /** Deliveries the network adversary holds back at a step (see DrawBias.held), e.g. a partition. */
  holdBack?: (step: number, m: Message, x: number) => boolean;
  /** Deliveries the network adversary loses at a step (see DrawBias.lost), e.g. to a lagging replica. */
  lose?: (step: number, m: Message, x: number) => boolean;
  /** See DrawerOptions.ahead. */
  ahead?: number;
  /** A step at which the view-change timer expires whatever the progress. */
  timerExpiresAt?: number;
  /** The step at which the configured failures happen (default 0: the run begins with them). */
  failAt?: number;
  /**
   * Stabilize the run at step `gst` (sim/stable-scheduler.ts): the adversarial part ends there
   * (`steps` bounds it), then the stabilized scheduler runs for at most `horizon` steps, or until
   * nothing is left to do. Its faulty nodes draw from a generator of `seed`.
   */
  stabilize?: Stabilize;
  /**
   * Take these actions (trace JSON) instead of drawing the adversarial part, skipping any that is
   * not enabled when its turn comes; the configured failures are then not taken on their own.
   * The liveness minimizer replays shortened prefixes with it.
   */
  prefix?: readonly Json[];
  /**
   * With the prefix: what each of its actions added to out_i when it was last run (trace JSON).
   * The prefix is then taken with the minimizer's renaming (sim/minimize-rename.ts): a message a
   * replica now builds differently is named by later actions in place of the old one; and the
   * result records what every step added (`added`), for the next candidate.
   */
  prefixAdded?: readonly (readonly Json[])[];
  /** Called at GST with the state the stabilized part starts from. */
  onStabilize?: (k: number, s: SystemState, stable: StableScheduler) => void;
  /** Called once before the first step. */
  onStart?: (u: Universe, s: SystemState) => void;
  /** Called before every step, with the step's index, the action and the state it applies to. */
  beforeStep?: (index: number, a: Action, s: SystemState) => void;
  /** Called after every step, with the step's index; return false to stop the run. */
  onStep?: (index: number, a: Action, s: SystemState) => boolean | void;
}

export interface RunResult {
  universe: Universe;
  state: SystemState;
  trace: Action[];
  stats: RunStats;
  /** True when the run stopped before `steps` because nothing was enabled (after GST: nothing left to do). */
  quiescent: boolean;
  /** With prefixAdded: the messages each step added to out_i. */
  added?: Message[][];
}

export interface Stabilize {
  gst: number;
  horizon: number;
  seed: string;
  options?: StableOptions;
}

export const DEFAULT_SEED = 'pbft-check';
export { DEFAULT_TIMEOUT };

/** The actions every run begins with: the configured failures. */
export function initialFailures(u: Universe): Action[] {
  return [
    ...u.config.faultyReplicas.map((i): Action => ({ kind: 'REPLICA-FAILURE', i })),
    ...u.config.faultyClients.map((c): Action => ({ kind: 'CLIENT-FAILURE', c })),
  ];
}

export function runRandom(opts: RunOptions): RunResult {
  const u = new Universe(opts.config);
  const s = initialSystem(u);
  const rng = opts.rng ?? new SeededRng(opts.seed ?? DEFAULT_SEED);
  const failAt = opts.failAt ?? 0;
  // Failures come at failAt, taken explicitly below, not drawn earlier.
  const drawer = new Drawer(u, { ...opts, noFailureDraws: failAt > 0 });
  const standIns = opts.standIns ?? silentStandIns;
  const stats = new RunStats(u);
  const trace: Action[] = [];
  const watch = opts.prefixAdded === undefined ? null : new OutWatch();
  const added: Message[][] = [];
  /** Takes a; `observed` sees the step before the caller's onStep does. */
  const take = (a: Action, observed?: (k: number) => void): boolean => {
    opts.beforeStep?.(trace.length, a, s);
    stats.before(s, a);
    watch?.before(s);
    step(u, s, a, standIns);
    if (watch !== null) added.push(watch.after(s));
    stats.after(s, a);
    trace.push(a);
    observed?.(trace.length - 1);
    return opts.onStep?.(trace.length - 1, a, s) !== false;
  };
  opts.onStart?.(u, s);
  let quiescent = false;
  const fail = () => {
    for (const a of initialFailures(u)) if (trace.length < opts.steps && !take(a)) return false;
    return true;
  };
  const st = opts.stabilize;
  let stopped = false;
  if (opts.prefix !== undefined) {
    const dec = new ActionDecoder(u);
    const renaming = opts.prefixAdded === undefined ? null : new Renaming(u);
    for (const [k, j] of opts.prefix.entries()) {
      const a = renaming === null ? dec.action(j) : redirectDelivery(u, s, renaming.action(dec.action(j)));
      if (whyDisabled(u, s, a) !== null) continue;
      const goOn = take(a);
      const before = opts.prefixAdded?.[k] ?? [];
      if (renaming !== null && (before.length > 0 || added[added.length - 1]!.length > 0)) renaming.learn(before.map((m) => dec.message(m)), added[added.length - 1]!);
      if (!goOn) {
        stopped = true;
        break;
      }
    }
  } else if (failAt === 0 && !fail()) return { universe: u, state: s, trace, stats, quiescent };
  const adversarial = opts.prefix !== undefined ? trace.length : st === undefined ? opts.steps : Math.min(opts.steps, st.gst);
  while (trace.length < adversarial && !stopped) {
    if (failAt > 0 && trace.length === failAt && !fail()) {
      stopped = true;
      break;
    }
    const a = drawer.draw(s, rng, trace.length);
    if (a === null) {
      quiescent = true;
      break;
    }
    if (!take(a)) {
      stopped = true;
      break;
    }
  }
  if (st !== undefined && !stopped) {
    const gst = trace.length;
    const stable = new StableScheduler(u, s, new SeededRng(`${st.seed}/stable`), gst, st.options);
    opts.onStabilize?.(gst, s, stable);
    quiescent = false;
    while (trace.length < gst + st.horizon) {
      const a = stable.next(s);
      if (a === null) {
        quiescent = true;
        break;
      }
      if (!take(a, (k) => stable.observe(k, a, s))) break;
    }
  }
  return { universe: u, state: s, trace, stats, quiescent, ...(watch === null ? {} : { added }) };
}
