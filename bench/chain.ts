// Steps per second with the chain of simulations checked at every step, timed over 500 steps
// starting 1,000 and 20,000 steps into a chained run (median of 3 seeds):
// - A with the chain A → S' → S (relations G and F);
// - A_gc with the full proof of Theorem A.2.5: A_gc's invariants (A.2.3, A.2.4 and the end-to-end
//   property), H to a copy of A, A's invariants on the copy, G to S' and F to S.
import type { Variant } from '../automata/config.ts';
import { InvariantChecker } from '../invariants/check.ts';
import { systemInvariants } from '../invariants/registry.ts';
import { ChainSimulation } from '../proofs/chain.ts';
import { runRandom } from '../sim/scheduler.ts';

function chainedRate(variant: Variant, start: number, window: number, seed: string): number {
  let chain: ChainSimulation | undefined;
  let checker: InvariantChecker | null = null;
  let t0 = 0;
  runRandom({
    config: { variant },
    seed,
    steps: start + window,
    onStart: (u) => {
      chain = new ChainSimulation(u);
      if (variant === 'Agc') checker = new InvariantChecker(u, { invariants: systemInvariants(u.config.readings) });
    },
    beforeStep: (k, a, s) => {
      if (k === start) t0 = performance.now();
      chain!.before(k, a, s);
    },
    onStep: (k, a, s) => {
      const found = [...chain!.after(k, a, s), ...(checker?.afterStep(k, a, s) ?? [])];
      if (found.length > 0) throw new Error(`${found[0]!.id} at step ${k} (${variant}, seed ${seed})`);
    },
  });
  return window / ((performance.now() - t0) / 1000);
}

export function benchChain(): void {
  const window = 500;
  const show = (x: number) => Math.round(x).toLocaleString('en-US');
  console.log(`\nchain of simulations checked every step, window of ${window} steps, median of 3 seeds`);
  for (const [variant, name] of [
    ['A', 'A     (G, F)                                  '],
    ['Agc', 'A_gc  (its invariants, H, A\'s invariants, G, F)'],
  ] as const) {
    const at = (start: number) => ['c0', 'c1', 'c2'].map((seed) => chainedRate(variant, start, window, seed)).sort((a, b) => a - b)[1]!;
    const r1 = at(1_000);
    const r20 = at(20_000);
    console.log(`  ${name}  at 1,000: ${show(r1)} steps/s   at 20,000: ${show(r20)} steps/s   (ratio ${(r20 / r1).toFixed(2)})`);
  }
}
