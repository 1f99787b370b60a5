// The deterministic scheduler: a seeded random walk over the enabled actions of A or A_gc that
// records every executed action explicitly. Same seed and configuration, same trace.
import type { Action } from '../automata/actions.ts';
import type { StandInFactory } from '../automata/byzantine.ts';
import { silentStandIns } from '../automata/byzantine.ts';
import { initialSystem, step, type SystemState } from '../automata/compose.ts';
import type { Config } from '../automata/config.ts';
import { drawAction, DEFAULT_WEIGHTS, type Weights } from '../automata/enabled.ts';
import { Universe } from '../automata/universe.ts';
import { SeededRng } from './rng.ts';
import { RunStats } from './stats.ts';

export interface RunOptions {
  config?: Partial<Config>;
  seed?: string | number;
  /** Number of steps to take (failure inputs at the start count as steps). */
  steps: number;
  weights?: Partial<Weights>;
  standIns?: StandInFactory;
  /** Called after every step, with the step's index; return false to stop the run. */
  onStep?: (index: number, a: Action, s: SystemState) => boolean | void;
}

export interface RunResult {
  universe: Universe;
  state: SystemState;
  trace: Action[];
  stats: RunStats;
  /** True when the run stopped before `steps` because nothing was enabled. */
  quiescent: boolean;
}

export const DEFAULT_SEED = 'pbft-check';

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
  const rng = new SeededRng(opts.seed ?? DEFAULT_SEED);
  const weights: Weights = { ...DEFAULT_WEIGHTS, ...opts.weights };
  const standIns = opts.standIns ?? silentStandIns;
  const stats = new RunStats(u);
  const trace: Action[] = [];
  const take = (a: Action): boolean => {
    stats.before(s, a);
    step(u, s, a, standIns);
    stats.after(s, a);
    trace.push(a);
    return opts.onStep?.(trace.length - 1, a, s) !== false;
  };
  let quiescent = false;
  for (const a of initialFailures(u)) if (trace.length < opts.steps && !take(a)) return { universe: u, state: s, trace, stats, quiescent };
  while (trace.length < opts.steps) {
    const a = drawAction(u, s, rng, weights);
    if (a === null) {
      quiescent = true;
      break;
    }
    if (!take(a)) break;
  }
  return { universe: u, state: s, trace, stats, quiescent };
}
