// The incremental evaluation of A.1.4-A.1.9 (checkDelta in invariants/a1-prepared.ts and
// invariants/a1-views.ts): along random runs of A it returns exactly what check returns at every
// step, and its work per step is bounded by what the step changed, not by the run's length.
// (Corruptions made after the tracker has seen a state: a1-prepared.test.ts and a1-views.test.ts.)
import { describe, expect, it } from 'vitest';
import type { Message } from '../../automata/messages.ts';
import type { Universe } from '../../automata/universe.ts';
import { A1_PREPARED, deltaWork } from '../../invariants/a1-prepared.ts';
import { A1_VIEWS } from '../../invariants/a1-views.ts';
import { DeltaTracker, type Delta } from '../../invariants/delta.ts';
import type { SystemInvariant } from '../../invariants/types.ts';
import { runRandom } from '../../sim/scheduler.ts';

const ALL: SystemInvariant[] = [...A1_PREPARED, ...A1_VIEWS];

const RUNS = [
  { seed: 2, faultyReplicas: [] as number[], weights: {} },
  { seed: 3, faultyReplicas: [3], weights: {} },
  { seed: 'a', faultyReplicas: [], weights: { 'view-change': 2 } },
  { seed: 'b', faultyReplicas: [3], weights: { 'view-change': 2 } },
];

describe('checkDelta agrees with check at every step of random runs of A (1500 steps)', () => {
  for (const r of RUNS)
    it(`seed ${r.seed}, faulty {${r.faultyReplicas.join(', ')}}, weights ${JSON.stringify(r.weights)}`, () => {
      let u!: Universe;
      const tracker = new DeltaTracker();
      const caches = new Map(ALL.map((inv) => [inv, new Map<string, unknown>()]));
      const mismatches: string[] = [];
      let full = 0;
      let changed = 0;
      runRandom({
        config: { variant: 'A', faultyReplicas: r.faultyReplicas },
        seed: r.seed,
        steps: 1500,
        weights: r.weights,
        onStart: (uu) => {
          u = uu;
        },
        onStep: (k, _a, s) => {
          const d = tracker.next(s);
          if (d.full) full++;
          if (d.inAdded.size > 0) changed++;
          for (const inv of ALL) {
            const got = inv.checkDelta!(u, s, d, caches.get(inv)!);
            const want = inv.check(u, s);
            const show = (vs: typeof got) => JSON.stringify(vs.map((v) => [v.id, v.message]));
            if (show(got) !== show(want)) mismatches.push(`step ${k} ${inv.id}: ${show(got)} vs ${show(want)}`);
          }
        },
      });
      expect(mismatches).toEqual([]);
      expect(full).toBe(1); // only the first check rebuilds: the rest is incremental
      expect(changed).toBeGreaterThan(100);
    });
});

/** The size of what a delta changed in the logs: one per message added or removed, plus the messages a VIEW-CHANGE or NEW-VIEW carries. */
function changeSize(d: Delta): number {
  const weight = (m: Message) =>
    m.tag === 'VIEW-CHANGE' ? 1 + m.P.length : m.tag === 'NEW-VIEW' ? 1 + m.O.length + m.N.length + m.V.reduce((k, x) => k + (x.tag === 'VIEW-CHANGE' ? x.P.length : 0), 0) : 1;
  let k = 0;
  for (const per of [d.inAdded, d.inRemoved]) for (const ms of per.values()) for (const m of ms) k += weight(m);
  return k;
}

describe('the cost of checkDelta does not grow with the run (keys examined, no timing)', () => {
  it('on the late steps of a 3000-step run: bounded per changed message, far below the size of the logs', () => {
    let u!: Universe;
    const tracker = new DeltaTracker();
    const caches = new Map(ALL.map((inv) => [inv, new Map<string, unknown>()]));
    const steps = 3000;
    const late = { steps: 0, work: 0, worst: 0, logs: 0 };
    runRandom({
      config: { variant: 'A' },
      seed: 3,
      steps,
      onStart: (uu) => {
        u = uu;
      },
      onStep: (k, _a, s) => {
        const d = tracker.next(s);
        const before = deltaWork.keys;
        for (const inv of ALL) inv.checkDelta!(u, s, d, caches.get(inv)!);
        if (k < steps - 500) return;
        const w = deltaWork.keys - before;
        late.steps++;
        late.work += w;
        late.worst = Math.max(late.worst, w / (1 + changeSize(d)));
        late.logs = s.replicas.reduce((x, r) => x + r.in.size, 0);
      },
    });
    // Per changed message, a constant of the configuration: at one n a log holds at most one
    // pre-prepare and a few commits per view (views ≤ maxView), for each of |R| replicas.
    const perChange = 4 * (u.config.maxView + 1) * u.n;
    expect(late.steps).toBe(500);
    expect(late.worst).toBeLessThanOrEqual(perChange);
    // check reads every log in full (more than 1,000 messages here); checkDelta a few dozen keys a step
    expect(late.logs).toBeGreaterThan(1000);
    expect(late.work / late.steps).toBeLessThan(60);
  });
});
