// npm run swarm-coverage -- [--minutes M] [--steps N]
// Swarm runs of the default configuration (A_gc, f = 1, 2 clients) with everything checked (the
// invariants, the end-to-end property, agreement, and the chain of simulations), seed after seed
// for a time budget; prints the merged coverage report and the milestones never reached.
import { parseArgs } from 'node:util';
import { CHECK_EVERYTHING, runChecked } from '../sim/checks.ts';
import { coverageHooks, emptyCoverage, formatCoverage, mergeCoverage } from '../sim/coverage.ts';
import { describePlan, planFor, planRunOptions } from '../sim/strategies.ts';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, steps: { type: 'string', default: '2000' } } });
const budget = Number(values.minutes) * 60_000;
const steps = Number(values.steps);
const t0 = performance.now();
let total = emptyCoverage();
let runs = 0;
const mixes = new Map<string, number>();
let failure: string | null = null;
while (performance.now() - t0 < budget && failure === null) {
  const seed = `swarm-${runs}`;
  const plan = planFor('swarm', seed, { f: 1, n: 4, clients: 2 });
  mixes.set(plan.picked.join(' + '), (mixes.get(plan.picked.join(' + ')) ?? 0) + 1);
  const cov = coverageHooks();
  const { violation: v } = runChecked({ ...planRunOptions(plan, { variant: 'Agc' }), seed, steps, ...cov.hooks }, CHECK_EVERYTHING);
  if (v !== null) failure = `${seed} (${describePlan(plan)}): ${v.id} at step ${v.step}: ${v.message}`;
  total = mergeCoverage(total, cov.report());
  runs++;
}
const secs = (performance.now() - t0) / 1000;
console.log(`swarm, A_gc, f = 1, 2 clients: ${runs} runs × ${steps} steps in ${secs.toFixed(0)} s, everything checked every step: ${failure ?? 'no violation'}`);
console.log(`mixes: ${mixes.size} distinct (${[...mixes].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, n]) => `${k}: ${n}`).join('; ')}; …)`);
console.log(formatCoverage(total));
process.exitCode = failure === null ? 0 : 1;
