// With f = 1 faulty replica under the strategies that make state transfer and overlapping requests
// common, every invariant, the end-to-end property, agreement and the chain A_gc → A → S' → S hold
// over 100 seeds × 2,000 steps (test/adversary/safety.ts).
import { describe } from 'vitest';
import { safetyCase } from './safety.ts';

describe('safety with f faulty replicas under the strategies', () => {
  safetyCase('lagging-replica', true);
  safetyCase('overlapping-requests', true);
});
