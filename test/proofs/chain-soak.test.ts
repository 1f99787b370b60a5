// The whole proof of Theorem A.2.5 run over many executions: 200 seeds × 2,000 steps of A_gc with
// no faulty replica and 200 with f = 1 faulty replica (which one varies with the seed, the first
// primary included), the chain A_gc → A → S' → S checked at every step (H, A's invariants on the
// copy, G and F), with the corrected readings. No finding may come up.
import { describe, expect, it } from 'vitest';
import { ChainSimulation } from '../../proofs/chain.ts';
import type { SimulationFinding } from '../../proofs/paired-f.ts';
import { runRandom } from '../../sim/scheduler.ts';

const SEEDS = 200;
const STEPS = 2_000;

function soak(faulty: (seed: number) => number[]) {
  const found: { seed: number; f: SimulationFinding }[] = [];
  let steps = 0;
  let abstractSteps = 0;
  let catchUps = 0;
  for (let seed = 0; seed < SEEDS && found.length === 0; seed++) {
    let chain!: ChainSimulation;
    const r = runRandom({
      config: { variant: 'Agc', faultyReplicas: faulty(seed) },
      seed: `chain-soak-${seed}`,
      steps: STEPS,
      onStart: (u, x) => {
        chain = new ChainSimulation(u);
        for (const f of chain.start(x)) found.push({ seed, f });
      },
      beforeStep: (k, a, x) => chain.before(k, a, x),
      onStep: (k, a, x) => {
        for (const f of chain.after(k, a, x)) found.push({ seed, f });
        if (chain.h!.alpha.some((b) => b.kind === 'EXECUTE') && a.kind !== 'EXECUTE') catchUps++;
        return found.length === 0;
      },
    });
    steps += r.trace.length;
    abstractSteps = chain.abstractSteps;
  }
  return { found, steps, abstractSteps, catchUps };
}

describe('the chain A_gc → A → S′ → S over 200 seeds × 2,000 steps', () => {
  it('holds with no faulty replica', () => {
    const r = soak(() => []);
    expect(r.found.map(({ seed, f }) => `seed ${seed}: ${f.id} at ${f.step}: ${f.message}`)).toEqual([]);
    expect(r.steps).toBe(SEEDS * STEPS);
    expect(r.abstractSteps).toBeGreaterThan(0);
  }, 120_000);

  it('holds with f = 1 faulty replica, and new views make lagging replicas catch up', () => {
    const r = soak((seed) => [seed % 4]);
    expect(r.found.map(({ seed, f }) => `seed ${seed}: ${f.id} at ${f.step}: ${f.message}`)).toEqual([]);
    expect(r.steps).toBe(SEEDS * STEPS);
    expect(r.catchUps).toBeGreaterThan(0);
  }, 120_000);
});
