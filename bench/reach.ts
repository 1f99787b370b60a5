// The reach figure of `npm run bench`: 30 swarm runs of 20,000 steps on the default configuration
// (A_gc, f = 1, 2 clients), seeds reach-0..29: how many still make progress in their second half
// (a correct replica executes a request or a non-faulty client gets its reply), in how many a
// correct replica adopts a state through update-state-nv (Fig 2-9), and the median of the highest
// view reached. The checks do not change what a run does, so the runs are unchecked.
import { runRandom } from '../sim/scheduler.ts';
import { RunStats } from '../sim/stats.ts';
import { planFor, planRunOptions } from '../sim/strategies.ts';

const RUNS = 30;
const STEPS = 20_000;

export interface Reach {
  alive: number;
  adopted: number;
  medianView: number;
  seconds: number;
}

export function measureReach(runs = RUNS, steps = STEPS): Reach {
  const t0 = performance.now();
  let alive = 0;
  let adopted = 0;
  const views: number[] = [];
  for (let k = 0; k < runs; k++) {
    const seed = `reach-${k}`;
    const plan = planFor('swarm', seed, { f: 1, n: 4, clients: 2 });
    const r = runRandom({ ...planRunOptions(plan, { variant: 'Agc' }), seed, steps });
    if (r.stats.progressedInSecondHalf(steps)) alive++;
    if (r.stats.stateAdoptions > 0) adopted++;
    views.push(RunStats.viewsReached(r.state));
  }
  views.sort((a, b) => a - b);
  return { alive, adopted, medianView: views[Math.floor(views.length / 2)]!, seconds: (performance.now() - t0) / 1000 };
}

export function benchReach(): void {
  const r = measureReach();
  console.log(`reach: ${r.alive} of ${RUNS} swarm runs progress in their second half; state adopted in ${r.adopted} of ${RUNS}; views reached median ${r.medianView} (A_gc, ${STEPS.toLocaleString('en-US')} steps, seeds reach-0..${RUNS - 1}, ${r.seconds.toFixed(0)} s)`);
}
