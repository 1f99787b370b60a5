// Shared by the per-strategy safety tests: runs of a strategy with f faulty replicas, every
// invariant, the end-to-end property, agreement and the chain of simulations checked each step.
import { expect, it } from 'vitest';
import { CHECK_EVERYTHING, runChecked } from '../../sim/checks.ts';
import { planFor, planRunOptions } from '../../sim/strategies.ts';

export const SAFETY_SEEDS = 100;
export const SAFETY_STEPS = 2_000;

/** The first finding of each run that has one ("seed: id at step: message"), and the steps run. */
export function safetyRuns(strategy: string, seeds = SAFETY_SEEDS, steps = SAFETY_STEPS): { failures: string[]; steps: number; byzantineSends: number } {
  const failures: string[] = [];
  let total = 0;
  let byzantineSends = 0;
  for (let k = 0; k < seeds; k++) {
    const seed = `safety-${strategy}-${k}`;
    const plan = planFor(strategy, seed, { f: 1, n: 4, clients: 2 });
    const { r, violation: v } = runChecked(
      {
        ...planRunOptions(plan, { variant: 'Agc' }),
        seed,
        steps,
        onStep: (_, a, s) => {
          if (a.kind === 'SEND' && s.standIns[a.x] !== null) byzantineSends++;
        },
      },
      CHECK_EVERYTHING,
    );
    if (v !== null) failures.push(`${seed}: ${v.id} ${v.step < 0 ? 'at the start' : `at step ${v.step}`}: ${v.message}`);
    total += r.trace.length;
  }
  return { failures, steps: total, byzantineSends };
}

/** The test of one strategy: no finding, every step run, and (when its faulty replicas are Byzantine) Byzantine sends. */
export function safetyCase(strategy: string, byzantine: boolean): void {
  it(`${strategy}: ${byzantine ? 'Byzantine sends, ' : ''}no finding in ${SAFETY_SEEDS} seeds × ${SAFETY_STEPS} steps`, () => {
    const r = safetyRuns(strategy);
    expect(r.failures).toEqual([]);
    expect(r.steps).toBe(SAFETY_SEEDS * SAFETY_STEPS);
    if (byzantine) expect(r.byzantineSends).toBeGreaterThan(SAFETY_SEEDS);
  }, 300_000);
}
