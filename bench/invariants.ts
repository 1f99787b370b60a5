// Steps per second with every invariant (and the end-to-end property) checked after every step,
// measured over a window of steps starting 1,000 and 20,000 steps into a run, for A and A_gc on
// the default configuration. The whole run is checked (incremental evaluation needs to see every
// step); only the window is timed.
import type { Variant } from '../automata/config.ts';
import { InvariantChecker } from '../invariants/check.ts';
import { systemInvariants } from '../invariants/registry.ts';
import { runRandom } from '../sim/scheduler.ts';

export function checkedRate(variant: Variant, start: number, window: number, seed: string): number {
  let checker: InvariantChecker | undefined;
  let t0 = 0;
  runRandom({
    config: { variant },
    seed,
    steps: start + window,
    onStart: (u) => {
      checker = new InvariantChecker(u, { invariants: systemInvariants(u.config.readings) });
    },
    onStep: (k, a, s) => {
      if (k === start) t0 = performance.now();
      const found = checker!.afterStep(k, a, s);
      if (found.length > 0) throw new Error(`violation of ${found[0]!.id} at step ${k} (seed ${seed})`);
      return true;
    },
  });
  return window / ((performance.now() - t0) / 1000);
}

export function benchInvariants(): void {
  const window = 500;
  console.log(`\nall invariants checked every step, window of ${window} steps, median of 3 seeds`);
  for (const variant of ['A', 'Agc'] as const) {
    const at = (start: number) => {
      const rates = ['i0', 'i1', 'i2'].map((seed) => checkedRate(variant, start, window, seed)).sort((a, b) => a - b);
      return rates[1]!;
    };
    const r1 = at(1_000);
    const r20 = at(20_000);
    const name = variant === 'Agc' ? 'A_gc' : 'A   ';
    console.log(
      `  ${name}  at 1,000: ${Math.round(r1).toLocaleString('en-US')} steps/s   at 20,000: ${Math.round(r20).toLocaleString('en-US')} steps/s   (ratio ${(r20 / r1).toFixed(2)})`,
    );
  }
}
