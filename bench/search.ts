// The search figures of `npm run bench`: time to the first counterexample with f + 1 faulty
// replicas (median of 5 seeds), the length of its minimized trace, and the speed-up of two worker
// threads over one on a search that finds nothing, and what the liveness check costs.
import { makeConfig } from '../automata/config.ts';
import { minimize } from '../sim/minimize.ts';
import { runSearch, type SearchLimits } from '../sim/search-driver.ts';
import { DEFAULT_SHRINK_BUDGET, type SearchSpec } from '../sim/search.ts';

const RUNS = 300;
const SEEDS = ['bench-0', 'bench-1', 'bench-2', 'bench-3', 'bench-4'];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function spec(strategy: string, seed: string, faults?: number): SearchSpec {
  return { config: makeConfig({ variant: 'Agc' }), strategy, ...(faults === undefined ? {} : { faults }), steps: 2000, seed, checks: { invariants: [], chain: true }, shrinkBudget: DEFAULT_SHRINK_BUDGET };
}

async function firstCounterexample(strategy: string): Promise<void> {
  const found: number[] = [];
  const lengths: number[] = [];
  const detail: string[] = [];
  for (const seed of SEEDS) {
    const s = spec(strategy, seed, 2);
    const o = await runSearch('search', s, { runs: Infinity, timeLimit: 120, workers: 1 });
    const f = o.finding;
    if (f === null) {
      detail.push(`${seed}: none in ${o.seconds.toFixed(0)} s`);
      continue;
    }
    const t0 = performance.now();
    const m = minimize(f.trace, { checks: s.checks });
    const first = o.seconds - f.shrinkSeconds;
    found.push(first);
    lengths.push(m.trace.actions.length);
    detail.push(`${first.toFixed(1)} s run ${f.run} ${f.id}, ${f.generatedLength}→${f.shrunkLength}→${m.trace.actions.length} (shrink ${f.shrinkSeconds.toFixed(1)} s, minimize ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  const med = found.length === SEEDS.length ? `${median(found).toFixed(1)} s` : `only ${found.length} of ${SEEDS.length} seeds found one`;
  console.log(`  ${strategy}: first counterexample ${med} (median), minimized to ${lengths.length > 0 ? median(lengths) : '-'} actions (median; max ${lengths.length > 0 ? Math.max(...lengths) : '-'})`);
  for (const d of detail) console.log(`    ${d}`);
}

async function workerSpeedup(): Promise<void> {
  const s = spec('swarm', 'bench-workers');
  const limits = (workers: number): SearchLimits => ({ runs: RUNS, workers });
  // Each worker thread warms up its own JIT; so does this thread, first.
  await runSearch('search', s, { runs: 40, workers: 1 });
  const one = await runSearch('search', s, limits(1));
  const two = await runSearch('search', s, limits(2));
  console.log(
    `  --workers 2 over 1: ${(one.seconds / two.seconds).toFixed(2)}x (${RUNS} runs of the default search, chain on, no violation: ${one.seconds.toFixed(1)} s with 1, ${two.seconds.toFixed(1)} s with 2; ${one.steps} steps both: ${one.steps === two.steps})`,
  );
  // The search loop is the hot path: whole runs, everything checked, fast-check included.
  console.log(`  the search loop on one worker: ${Math.round(one.steps / one.seconds).toLocaleString('en-US')} steps/s (A_gc, swarm, every invariant and the whole chain checked every step)`);
}

/** What --liveness costs the search loop: steps per second with and without it (one worker, the same 300 runs' seeds). */
export async function livenessCost(): Promise<void> {
  const plain = spec('swarm', 'bench-liveness');
  const live: SearchSpec = { ...plain, checks: { ...plain.checks, liveness: {} } };
  await runSearch('search', live, { runs: 40, workers: 1 });
  const a = await runSearch('search', plain, { runs: RUNS, workers: 1 });
  const b = await runSearch('search', live, { runs: RUNS, workers: 1 });
  const ra = a.steps / a.seconds;
  const rb = b.steps / b.seconds;
  console.log(
    `  --liveness: ${Math.round(rb).toLocaleString('en-US')} steps/s against ${Math.round(ra).toLocaleString('en-US')} without (${((1 - rb / ra) * 100).toFixed(0)}% less; ${RUNS} runs each, chain on; ${b.steps} steps with it, ${a.steps} without; violations: ${b.finding?.id ?? 'none'}, ${a.finding?.id ?? 'none'})`,
  );
}

export async function benchSearch(): Promise<void> {
  console.log('search, A_gc, f = 1, 2 clients, chain on, one worker, f + 1 = 2 faulty replicas, seeds bench-0..4:');
  await firstCounterexample('equivocating-primary');
  await firstCounterexample('swarm');
  await workerSpeedup();
  await livenessCost();
}
