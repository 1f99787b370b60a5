// The reach figure of `npm run bench`: 30 swarm runs of 20,000 steps on the default configuration
// (A_gc, f = 1, 2 clients), seeds reach-0..29: how many still make progress in their second half
// (a correct replica executes a request or a non-faulty client gets its reply), in how many a
// correct replica adopts a state through update-state-nv (Fig 2-9), and the median of the highest
// view reached. The checks do not change what a run does, so the runs are unchecked.
import { runRandom } from '../sim/scheduler.ts';
import { addReach, medianView, noReach, type ReachTotals } from '../sim/search-reach.ts';
import { planFor, planRunOptions } from '../sim/strategies.ts';

const RUNS = 30;
const STEPS = 20_000;

export function measureReach(runs = RUNS, steps = STEPS): { reach: ReachTotals; seconds: number } {
  const t0 = performance.now();
  const reach = noReach();
  for (let k = 0; k < runs; k++) {
    const seed = `reach-${k}`;
    const plan = planFor('swarm', seed, { f: 1, n: 4, clients: 2 });
    const r = runRandom({ ...planRunOptions(plan, { variant: 'Agc' }), seed, steps });
    addReach(reach, r.stats.reach(r.state, steps));
  }
  return { reach, seconds: (performance.now() - t0) / 1000 };
}

export function benchReach(): void {
  const { reach: r, seconds } = measureReach();
  console.log(`reach: ${r.alive} of ${RUNS} swarm runs progress in their second half; state adopted in ${r.adopted} of ${RUNS}; views reached median ${medianView(r)} (A_gc, ${STEPS.toLocaleString('en-US')} steps, seeds reach-0..${RUNS - 1}, ${seconds.toFixed(0)} s)`);
}
