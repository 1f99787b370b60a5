// Steps per second of A with the chain A → S' → S (relations G and F) checked at every step,
// timed over 500 steps starting 1,000 and 20,000 steps into a chained run (median of 3 seeds).
import { ChainSimulation } from '../proofs/chain.ts';
import { runRandom } from '../sim/scheduler.ts';

function chainedRate(start: number, window: number, seed: string): number {
  let chain: ChainSimulation | undefined;
  let t0 = 0;
  runRandom({
    config: { variant: 'A' },
    seed,
    steps: start + window,
    onStart: (u) => {
      chain = new ChainSimulation(u);
    },
    beforeStep: (k, a, s) => {
      if (k === start) t0 = performance.now();
      chain!.before(k, a, s);
    },
    onStep: (k, a, s) => {
      const found = chain!.after(k, a, s);
      if (found.length > 0) throw new Error(`simulation failure ${found[0]!.id} at step ${k} (seed ${seed})`);
    },
  });
  return window / ((performance.now() - t0) / 1000);
}

export function benchChain(): void {
  const window = 500;
  const at = (start: number) => ['c0', 'c1', 'c2'].map((seed) => chainedRate(start, window, seed)).sort((a, b) => a - b)[1]!;
  const r1 = at(1_000);
  const r20 = at(20_000);
  console.log(`\nchain A → S′ → S (G and F) checked every step, window of ${window} steps, median of 3 seeds`);
  console.log(
    `  A     at 1,000: ${Math.round(r1).toLocaleString('en-US')} steps/s   at 20,000: ${Math.round(r20).toLocaleString('en-US')} steps/s   (ratio ${(r20 / r1).toFixed(2)})`,
  );
}
