// Complete validation of a search result file (`search --json`, what `pbft-check merge` reads), in
// the style of trace files (sim/trace-validate.ts, the combinators of sim/validate.ts): every field
// merge reads or prints, with its type and range, the configuration as makeConfig accepts it.
// Errors are one-line UsageErrors naming the file and the field path.
import { makeConfig } from '../automata/config.ts';
import { UsageError } from './cli-usage.ts';
import { isReachTotals } from './search-reach.ts';
import { RESULT_FORMAT, RESULT_VERSION, type SearchResult } from './search-result.ts';
import { CONFIG } from './trace-validate.ts';
import { array, Bad, bool, int, nat, NO_SIZES, nonNegative, nullOr, object, oneOf, optional, str, want, type Check } from './validate.ts';

const deadline = optional(int(1));
const CHECKS = object({
  invariants: array(str),
  chain: bool,
  relations: optional(array(str)),
  liveness: optional(object({ bounds: optional(object({ L1: deadline, L2: deadline, L3: deadline })) })),
});

const config: Check = (v, p, z) => {
  object(CONFIG)(v, p, z);
  try {
    makeConfig(v as object);
  } catch (e) {
    throw new Bad(p, `is rejected: ${e instanceof Error ? e.message : String(e)}`);
  }
};

const shards: Check = (v, p, z) => {
  object({ count: int(1), indices: array(int(1)) })(v, p, z);
  const s = v as { count: number; indices: number[] };
  const bad = s.indices.find((i) => i > s.count);
  if (bad !== undefined) throw new Bad(`${p}.indices`, `names shard ${bad} of ${s.count}`);
};

const reach: Check = (v, p) => {
  if (!isReachTotals(v)) want(p, v, 'reach totals (whole numbers runs, alive, adopted, and views by view number)');
};

const RESULT = {
  format: oneOf(RESULT_FORMAT),
  version: oneOf(RESULT_VERSION),
  mode: oneOf('search', 'simulate'),
  search: object({
    seed: str,
    strategy: str,
    faults: nullOr(nat),
    faultyReplicas: nullOr(array(nat)),
    faultyClients: nullOr(array(nat)),
    stepsPerRun: int(1),
    checks: CHECKS,
    shrinkBudget: nat,
    config,
  }),
  runsRequested: nullOr(int(1)),
  shards: nullOr(shards),
  runs: nat,
  steps: nat,
  seconds: nonNegative,
  stepsPerSecond: nonNegative,
  violations: nat,
  violation: nullOr(
    object({
      run: nat,
      id: str,
      step: int(-1),
      message: str,
      plan: str,
      foundLength: nat,
      shrunkLength: nat,
      shrinks: nat,
      minimizedLength: nat,
      trace: str,
      foundAfterMs: optional(nonNegative),
      shrinkMs: optional(nonNegative),
      minimizeMs: optional(nonNegative),
    }),
  ),
  reach: optional(reach),
};

/** The parsed file j as a search result, or a one-line UsageError naming `source` and the field. */
export function validateResult(j: unknown, source: string): SearchResult {
  try {
    object(RESULT)(j, '', NO_SIZES);
    return j as SearchResult;
  } catch (e) {
    if (!(e instanceof Bad)) throw new UsageError(`${source}: unexpected ${e instanceof Error ? e.message : String(e)}`);
    throw new UsageError(`${source}: ${e.path === '' ? '' : `field '${e.path}' `}${e.what}`);
  }
}
