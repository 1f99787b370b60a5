// The JSON result of a search command (--json), which is also what `pbft-check merge` combines:
// what was searched (so shards of one search can be recognised), how much, and the violation of
// the lowest run index with where its minimized trace was written.
import type { Config } from '../automata/config.ts';
import type { CheckSpec } from './checks.ts';
import type { SearchLimits, SearchMode, SearchOutcome } from './search-driver.ts';
import type { SearchSpec } from './search.ts';
import type { ReachTotals } from './search-reach.ts';

export const RESULT_FORMAT = 'pbft-check-search-result';
export const RESULT_VERSION = 1;

export interface ResultViolation {
  run: number;
  id: string;
  step: number;
  message: string;
  plan: string;
  /** Steps of the run that found it, after fast-check's shrinking, and after minimization. */
  foundLength: number;
  shrunkLength: number;
  shrinks: number;
  minimizedLength: number;
  trace: string;
  /**
   * Milliseconds from the search's start (this shard's) until the run detected the violation,
   * then spent by fast-check shrinking it (0 for simulate), then by sim/minimize.ts minimizing it.
   * Absent in results written before they were reported.
   */
  foundAfterMs?: number;
  shrinkMs?: number;
  minimizeMs?: number;
}

/** The timing fields of a violation, when the result has them. */
export const TIMING_FIELDS = ['foundAfterMs', 'shrinkMs', 'minimizeMs'] as const;

export interface SearchResult {
  format: typeof RESULT_FORMAT;
  version: number;
  mode: SearchMode;
  /** What decides every run: equal in the shards of one search. */
  search: {
    seed: string;
    strategy: string;
    faults: number | null;
    faultyReplicas: number[] | null;
    faultyClients: number[] | null;
    stepsPerRun: number;
    checks: CheckSpec;
    shrinkBudget: number;
    config: Config;
  };
  /** Runs requested (null: until the time limit) and this result's shards (all: null). */
  runsRequested: number | null;
  shards: { count: number; indices: number[] } | null;
  runs: number;
  steps: number;
  seconds: number;
  stepsPerSecond: number;
  violations: number;
  violation: ResultViolation | null;
  /** The reach of the runs that ended without a violation (absent in results written before it). */
  reach?: ReachTotals;
}

export function searchResult(mode: SearchMode, spec: SearchSpec, limits: SearchLimits, o: SearchOutcome, violation: ResultViolation | null): SearchResult {
  return {
    format: RESULT_FORMAT,
    version: RESULT_VERSION,
    mode,
    search: {
      seed: spec.seed,
      strategy: spec.strategy,
      faults: spec.faults ?? null,
      faultyReplicas: spec.faultyReplicas === undefined ? null : [...spec.faultyReplicas],
      faultyClients: spec.faultyClients === undefined ? null : [...spec.faultyClients],
      stepsPerRun: spec.steps,
      checks: spec.checks,
      shrinkBudget: spec.shrinkBudget,
      config: spec.config,
    },
    runsRequested: Number.isFinite(limits.runs) ? limits.runs : null,
    shards: limits.shard === undefined ? null : { count: limits.shard.count, indices: [limits.shard.index] },
    runs: o.runs,
    steps: o.steps,
    seconds: Number(o.seconds.toFixed(2)),
    stepsPerSecond: Math.round(o.steps / Math.max(o.seconds, 1e-9)),
    violations: o.violations,
    violation,
    reach: o.reach,
  };
}
