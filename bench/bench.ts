// npm run bench: random-walk steps per second of the composed system on the default
// configuration (f = 1, 2 clients, log service), for A and for A_gc, over 20,000 steps, then the
// reach of long swarm runs, the checkers' figures, the chain's, explore's and the search's (bench/*.ts).
// Each figure is the median of several runs with different seeds, after a warm-up run.
import type { Variant } from '../automata/config.ts';
import { runRandom } from '../sim/scheduler.ts';
import { benchChain } from './chain.ts';
import { benchExplore } from './explore.ts';
import { benchInvariants } from './invariants.ts';
import { benchReach } from './reach.ts';
import { benchSearch } from './search.ts';

const STEPS = 20_000;
const REPEATS = 5;

function measure(variant: Variant, seed: string): number {
  const t0 = performance.now();
  const r = runRandom({ config: { variant }, seed, steps: STEPS });
  const seconds = (performance.now() - t0) / 1000;
  return r.trace.length / seconds;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

console.log(`random walk, default configuration, ${STEPS} steps, median of ${REPEATS} seeds (node ${process.version})`);
for (const variant of ['A', 'Agc'] as const) {
  measure(variant, 'warm-up');
  const rates = Array.from({ length: REPEATS }, (_, k) => measure(variant, `bench-${k}`));
  const name = variant === 'Agc' ? 'A_gc' : 'A   ';
  console.log(`  ${name}  ${Math.round(median(rates)).toLocaleString('en-US')} steps/s  (runs: ${rates.map((x) => Math.round(x)).join(', ')})`);
}

benchReach();
benchInvariants();
benchChain();
benchExplore();
await benchSearch();
