// With f = 1 faulty replica under each strategy, every invariant, the end-to-end property,
// agreement and the chain A_gc → A → S' → S hold over 100 seeds × 2,000 steps (test/adversary/safety.ts).
import { describe, expect, it } from 'vitest';
import { SAFETY_SEEDS, SAFETY_STEPS, safetyRuns } from './safety.ts';

describe('safety with f faulty replicas under the strategies', () => {
  it(`lying-checkpoints: Byzantine sends, no finding in ${SAFETY_SEEDS} seeds × ${SAFETY_STEPS} steps`, () => {
    const r = safetyRuns('lying-checkpoints');
    expect(r.failures).toEqual([]);
    expect(r.steps).toBe(SAFETY_SEEDS * SAFETY_STEPS);
    expect(r.byzantineSends).toBeGreaterThan(SAFETY_SEEDS);
  }, 300_000);
  it(`crafted-new-view: Byzantine sends, no finding in ${SAFETY_SEEDS} seeds × ${SAFETY_STEPS} steps`, () => {
    const r = safetyRuns('crafted-new-view');
    expect(r.failures).toEqual([]);
    expect(r.steps).toBe(SAFETY_SEEDS * SAFETY_STEPS);
    expect(r.byzantineSends).toBeGreaterThan(SAFETY_SEEDS);
  }, 300_000);
  it(`replay-flood: Byzantine sends, no finding in ${SAFETY_SEEDS} seeds × ${SAFETY_STEPS} steps`, () => {
    const r = safetyRuns('replay-flood');
    expect(r.failures).toEqual([]);
    expect(r.steps).toBe(SAFETY_SEEDS * SAFETY_STEPS);
    expect(r.byzantineSends).toBeGreaterThan(SAFETY_SEEDS);
  }, 300_000);
});
