// Invariants A.1.8 and A.1.9 (invariants/a1-views.ts): they hold along random runs of A, and each
// conjunct reports exactly itself, with its witnesses, on a state built to falsify it; the
// incremental evaluation (checkDelta) reports a corruption made after the tracker has seen the
// state exactly as check does (agreement along runs and cost: a1-prepared-delta.test.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { preparedAt } from '../../automata/aux-functions.ts';
import { initialSystem, step, type SystemState } from '../../automata/compose.ts';
import type { Message, Request } from '../../automata/messages.ts';
import type { Universe } from '../../automata/universe.ts';
import { A1_PREPARED, preparedFacts, preparedIn, tripleKey } from '../../invariants/a1-prepared.ts';
import { A1_VIEWS, A_1_8, A_1_9, lastPreparedB, lastPreparedBAll } from '../../invariants/a1-views.ts';
import { DeltaTracker } from '../../invariants/delta.ts';
import type { SystemInvariant, Violation } from '../../invariants/types.ts';
import { runRandom } from '../../sim/scheduler.ts';
import { cert, mkU, newViewFor, pp, req, vc } from '../replica-a/helpers.ts';

const ALL: SystemInvariant[] = [...A1_PREPARED, ...A1_VIEWS];
const A_1_8_1 = A_1_8.find((x) => x.id === 'A.1.8(1)')!;
const A_1_8_2 = A_1_8.find((x) => x.id === 'A.1.8(2)')!;

const report = (u: Universe, s: SystemState): Violation[] => ALL.flatMap((inv) => inv.check(u, s));
const idsOf = (vs: readonly Violation[]) => [...new Set(vs.map((v) => v.id))].sort();
const add = (s: SystemState, i: number, ms: readonly Message[]) => {
  for (const m of ms) s.replicas[i]!.in.add(m);
};
const fail = (u: Universe, s: SystemState, ...is: number[]) => {
  for (const i of is) step(u, s, { kind: 'REPLICA-FAILURE', i });
};

function setup() {
  const u = mkU();
  const s = initialSystem(u);
  const a: Request = req(u, 'a', 1, 0);
  const b: Request = req(u, 'b', 1, 1);
  return { u, s, a, b };
}

// ---------------------------------------------------------------- random runs of A

const SEEDS = [2, 3, 'a'] as const;
const CONFIGS = [{ faultyReplicas: [] as number[] }, { faultyReplicas: [3] }];

interface RunSummary {
  violations: Violation[];
  checks: number;
  withOwnViewChange: number;
  withNewView: number;
  /** Checks with some (m, v, n) prepared at f+1 non-faulty replicas and a later-view pre-prepare at n in a non-faulty log. */
  withLaterPrePrepare: number;
  /** last-prepared-b (word for word) and its bulk form disagreed. */
  lastPreparedBMismatches: string[];
}
const runs = new Map<string, RunSummary>();

beforeAll(() => {
  for (const seed of SEEDS)
    for (const cfg of CONFIGS) {
      let u!: Universe;
      const sum: RunSummary = { violations: [], checks: 0, withOwnViewChange: 0, withNewView: 0, withLaterPrePrepare: 0, lastPreparedBMismatches: [] };
      runRandom({
        config: { variant: 'A', ...cfg },
        seed,
        steps: 1500,
        onStart: (uu) => {
          u = uu;
        },
        onStep: (i, _a, s) => {
          if ((i + 1) % 10 !== 0) return;
          sum.checks++;
          for (const inv of A1_VIEWS) sum.violations.push(...inv.check(u, s));
          const correct = s.replicas.filter((r) => !r.faulty);
          if (correct.some((r) => [...r.in.viewChangesByV.values()].some((vcs) => [...vcs].some((x) => x.j === r.i)))) sum.withOwnViewChange++;
          if (correct.some((r) => r.in.newViewsByV.size > 0)) sum.withNewView++;
          const strong = [...preparedFacts(u, s).values()].filter((x) => x.replicas.length > u.f);
          if (correct.some((r) => strong.some((x) => [...r.in.prePreparesAt(x.n)].some((p) => p.v > x.v && p.signer === u.primary(p.v)))))
            sum.withLaterPrePrepare++;
          // last-prepared-b: the bulk form agrees with the definition for every b up to view_i + 1
          if ((i + 1) % 100 === 0)
            for (const r of correct) {
              const prepared = preparedIn(u, r.in);
              for (let bb = 0; bb <= r.view + 1; bb++) {
                const bulk = lastPreparedBAll(prepared, bb);
                for (const t of prepared) {
                  const word = lastPreparedB(u, t.m, t.v, t.n, r.in, bb);
                  if (word !== bulk.has(tripleKey(t.m, t.v, t.n))) sum.lastPreparedBMismatches.push(`${i}/r${r.i}/b=${bb}/${tripleKey(t.m, t.v, t.n)}`);
                }
                for (const k of bulk.keys()) if (!prepared.some((t) => tripleKey(t.m, t.v, t.n) === k)) sum.lastPreparedBMismatches.push(`${i}/r${r.i}/${k}`);
              }
            }
        },
      });
      runs.set(`${seed}/${cfg.faultyReplicas.join(',')}`, sum);
    }
});

describe('A.1.8 and A.1.9 hold along random runs of A (1500 steps, checked every 10)', () => {
  for (const inv of A1_VIEWS)
    it(`${inv.id} holds (seeds ${SEEDS.join(', ')}; with and without replica 3 stopped)`, () => {
      for (const [key, sum] of runs) {
        expect(sum.checks, key).toBe(150);
        expect(sum.violations.filter((v) => v.id === inv.id), key).toEqual([]);
      }
    });

  it('the runs exercise the antecedents (own view-changes, new-views, later pre-prepares after f+1 prepared)', () => {
    const total = (k: 'withOwnViewChange' | 'withNewView' | 'withLaterPrePrepare') => [...runs.values()].reduce((x, r) => x + r[k], 0);
    expect(total('withOwnViewChange')).toBeGreaterThan(200);
    expect(total('withNewView')).toBeGreaterThan(200);
    expect(total('withLaterPrePrepare')).toBeGreaterThan(200);
  });

  it('lastPreparedBAll agrees with last-prepared-b as defined, on the states of the runs', () => {
    for (const [key, sum] of runs) expect(sum.lastPreparedBMismatches, key).toEqual([]);
  });
});

// ---------------------------------------------------------------- last-prepared-b

describe('last-prepared-b(m, v, n, i, b)', () => {
  it('is the last prepared certificate at n with a view below b, if unique', () => {
    const { u, s, a, b } = setup();
    add(s, 1, [...cert(u, 0, 1, a, [1, 2]), ...cert(u, 2, 1, b, [1, 3]), ...cert(u, 1, 2, a, [0, 2]), ...cert(u, 1, 2, b, [0, 2])]);
    const M = s.replicas[1]!.in;
    expect(lastPreparedB(u, a, 0, 1, M, 0)).toBe(false); // v < b fails
    expect(lastPreparedB(u, a, 0, 1, M, 1)).toBe(true);
    expect(lastPreparedB(u, a, 0, 1, M, 2)).toBe(true); // nothing prepared at view 1 for n = 1
    expect(lastPreparedB(u, a, 0, 1, M, 3)).toBe(false); // b prepared at view 2 < 3
    expect(lastPreparedB(u, b, 2, 1, M, 3)).toBe(true);
    expect(lastPreparedB(u, b, 0, 1, M, 3)).toBe(false); // not prepared at view 0
    expect(lastPreparedB(u, a, 1, 2, M, 2)).toBe(false); // two requests prepared at (1, 2)
    expect(preparedAt(u, 2, M)).toHaveLength(2);
    expect([...lastPreparedBAll(preparedIn(u, M), 3).keys()]).toEqual([tripleKey(b, 2, 1)]);
    expect([...lastPreparedBAll(preparedIn(u, M), 2).keys()]).toEqual([tripleKey(a, 0, 1)]);
  });
});

// ---------------------------------------------------------------- A.1.8(1)

describe('A.1.8(1) on built states', () => {
  it('holds for the view-change SEND-VIEW-CHANGE builds, even after a later-view certificate', () => {
    const { u, s, a, b } = setup();
    add(s, 1, cert(u, 0, 1, a, [1, 2]));
    step(u, s, { kind: 'SEND-VIEW-CHANGE', v: 1, i: 1 });
    expect(report(u, s)).toEqual([]);
    add(s, 1, cert(u, 1, 1, b, [2, 3])); // a certificate for view 1 = b does not count
    expect(report(u, s)).toEqual([]);
  });

  it('i has a certificate its own view-change leaves out', () => {
    const { u, s, a } = setup();
    const m = vc(u, 1, [], 1);
    add(s, 1, [...cert(u, 0, 1, a, [1, 2]), m]);
    const vs = report(u, s);
    expect(idsOf(vs)).toEqual(['A.1.8(1)']);
    expect(vs).toHaveLength(1);
    expect(vs[0]!.witness).toMatchObject({ replicas: [1], view: 0, n: 1, messages: [m, pp(u, 0, 1, a, 0)], clients: [0] });
    expect(vs[0]!.message).toContain('last-prepared-b(m, 0, 1, 1, 1) holds but last-prepared(m, 0, 1, P) does not');
  });

  it('i’s own view-change carries a certificate i does not have', () => {
    const { u, s, a } = setup();
    const m = vc(u, 2, cert(u, 1, 3, a, [0, 2]), 1);
    add(s, 1, [m]);
    const vs = report(u, s);
    expect(idsOf(vs)).toEqual(['A.1.8(1)']);
    expect(vs).toHaveLength(1);
    expect(vs[0]!.witness).toMatchObject({ replicas: [1], view: 1, n: 3, messages: [m, pp(u, 1, 3, a, 1)] });
    expect(vs[0]!.message).toContain('last-prepared(m, 1, 3, P) holds but last-prepared-b(m, 1, 3, 1, 2) does not');
  });

  it('view-changes signed by others, and a faulty replica’s log, are not checked', () => {
    const { u, s, a } = setup();
    add(s, 1, [...cert(u, 0, 1, a, [1, 2]), vc(u, 1, [], 2)]);
    expect(A_1_8_1.check(u, s)).toEqual([]);
    add(s, 1, [vc(u, 1, [], 1)]);
    expect(A_1_8_1.check(u, s)).toHaveLength(1);
    fail(u, s, 1);
    expect(A_1_8_1.check(u, s)).toEqual([]);
  });
});

// ---------------------------------------------------------------- A.1.8(2)

describe('A.1.8(2) on built states', () => {
  const newView = (u: Universe, a: Request) => {
    // view 1: r0 prepared a at (0, 2); nothing at n = 1, so N = {⟨PRE-PREPARE, 1, 0, null⟩, ⟨…, 1, 1, null⟩}
    const V = [vc(u, 1, cert(u, 0, 2, a, [1, 2]), 0), vc(u, 1, [], 2), vc(u, 1, [], 3)];
    return newViewFor(u, 1, V);
  };

  it('a new-view from primary(v) in in_i without its O ∪ N', () => {
    const { u, s, a } = setup();
    const nv = newView(u, a);
    expect(nv.O).toEqual([pp(u, 1, 2, a, 1)]);
    expect(nv.N.length).toBeGreaterThan(0);
    add(s, 0, [nv, nv.N[0]!]);
    const vs = report(u, s);
    expect(idsOf(vs)).toEqual(['A.1.8(2)']);
    expect(vs).toHaveLength(1);
    expect(vs[0]!.witness).toMatchObject({ replicas: [0], view: 1 });
    expect(vs[0]!.witness.messages).toEqual([nv, ...[...nv.O, ...nv.N].filter((x) => x !== nv.N[0])]);
  });

  it('a reachable state (seed 2) corrupted by removing one pre-prepare of a new-view’s O ∪ N', () => {
    const r = runRandom({ config: { variant: 'A' }, seed: 2, steps: 1500 });
    const { universe: u, state: s } = r;
    expect(report(u, s)).toEqual([]);
    const st = s.replicas.find((x) => x.in.newViewsByV.size > 0)!;
    const nv = [...[...st.in.newViewsByV.values()][0]!][0]!;
    const victim = [...nv.O, ...nv.N][0]!;
    st.in.delete(victim);
    const vs = A_1_8_2.check(u, s);
    expect(vs).toHaveLength(1);
    expect(vs[0]!.witness).toMatchObject({ replicas: [st.i], view: nv.v, messages: [nv, victim] });
    expect(idsOf(report(u, s))).toContain('A.1.8(2)');
  });

  it('holds with O ∪ N in the log; new-views not signed by primary(v) and faulty logs are not checked', () => {
    const { u, s, a } = setup();
    const nv = newView(u, a);
    add(s, 0, [nv, ...nv.O, ...nv.N]);
    expect(report(u, s)).toEqual([]);
    add(s, 2, [u.interner.newView(1, nv.V, nv.O, nv.N, 3)]);
    expect(A_1_8_2.check(u, s)).toEqual([]);
    add(s, 3, [nv]);
    expect(A_1_8_2.check(u, s)).toHaveLength(1);
    fail(u, s, 3);
    expect(A_1_8_2.check(u, s)).toEqual([]);
  });
});

// ---------------------------------------------------------------- A.1.9

describe('A.1.9 on built states', () => {
  /** r0 and r1 (f+1 non-faulty) prepared a at (0, 1). */
  const preparedByTwo = () => {
    const t = setup();
    add(t.s, 0, cert(t.u, 0, 1, t.a, [1, 2]));
    add(t.s, 1, cert(t.u, 0, 1, t.a, [1, 2]));
    return t;
  };

  it('a pre-prepare for a later view with a different request, while f+1 non-faulty replicas prepared m', () => {
    const { u, s, a, b } = preparedByTwo();
    const later = pp(u, 1, 1, b, 1);
    add(s, 2, [later]);
    const vs = report(u, s);
    expect(idsOf(vs)).toEqual(['A.1.9']);
    expect(vs).toHaveLength(1);
    expect(vs[0]!.witness).toMatchObject({ replicas: [0, 1, 2], view: 0, n: 1, messages: [later, pp(u, 0, 1, a, 0)], clients: [0, 1] });
    expect(vs[0]!.witness.detail).toContain('i = r2; R = {r0, r1}; v = 0; v\' = 1');
  });

  it('also at a replica of R, with the null request, two views later', () => {
    const { u, s, a } = preparedByTwo();
    const later = pp(u, 2, 1, null, 2);
    add(s, 0, [later]);
    const vs = A_1_9[0]!.check(u, s);
    expect(vs).toHaveLength(1);
    expect(vs[0]!.witness).toMatchObject({ replicas: [0, 1], view: 0, n: 1, messages: [later, pp(u, 0, 1, a, 0)] });
    expect(vs[0]!.witness.detail).toContain("i = r0; R = {r0, r1}; v = 0; v' = 2");
  });

  it('holds for the same request, a pre-prepare not from primary(v′), the same view, or another n', () => {
    const { u, s, a, b } = preparedByTwo();
    add(s, 2, [pp(u, 1, 1, a, 1), pp(u, 1, 1, b, 2), pp(u, 0, 1, b, 0), pp(u, 1, 2, b, 1)]);
    expect(A_1_9[0]!.check(u, s)).toEqual([]);
  });

  it('needs f+1 non-faulty preparers, a non-faulty i and n-faulty ≤ f', () => {
    const t1 = setup();
    add(t1.s, 0, cert(t1.u, 0, 1, t1.a, [1, 2]));
    add(t1.s, 2, [pp(t1.u, 1, 1, t1.b, 1)]);
    expect(A_1_9[0]!.check(t1.u, t1.s)).toEqual([]); // only r0 prepared a
    const t2 = preparedByTwo();
    add(t2.s, 2, [pp(t2.u, 1, 1, t2.b, 1)]);
    fail(t2.u, t2.s, 1); // R = {r0} is no longer enough
    expect(A_1_9[0]!.check(t2.u, t2.s)).toEqual([]);
    const t3 = preparedByTwo();
    add(t3.s, 2, [pp(t3.u, 1, 1, t3.b, 1)]);
    fail(t3.u, t3.s, 2); // i is faulty
    expect(A_1_9[0]!.check(t3.u, t3.s)).toEqual([]);
    const t4 = setup();
    for (const k of [0, 1]) add(t4.s, k, cert(t4.u, 0, 1, t4.a, [1, 2]));
    add(t4.s, 0, [pp(t4.u, 1, 1, t4.b, 1)]);
    expect(A_1_9[0]!.check(t4.u, t4.s)).toHaveLength(1);
    fail(t4.u, t4.s, 2, 3); // n-faulty = 2 > f
    expect(A_1_9[0]!.check(t4.u, t4.s)).toEqual([]);
  });
});

// ---------------------------------------------------------------- incremental evaluation (checkDelta)

/**
 * One DeltaTracker and one cache per conjunct of A.1.4-A.1.9 on state s, fed once (the full first
 * check); `next()` then returns, per conjunct, checkDelta on the changes since and check on s.
 */
function tracked(u: Universe, s: SystemState) {
  const tracker = new DeltaTracker();
  const caches = new Map(ALL.map((inv) => [inv, new Map<string, unknown>()]));
  const feed = (plain: boolean) => {
    const d = tracker.next(s);
    return ALL.map((inv) => ({ id: inv.id, full: d.full, got: inv.checkDelta!(u, s, d, caches.get(inv)!), want: plain ? inv.check(u, s) : [] }));
  };
  return { feed, next: () => feed(true) };
}

/** A reachable state of A (seed 2, 600 steps: view 2, own view-changes, new-views), checked incrementally after every step. */
function trackedRun(steps = 600) {
  let t!: ReturnType<typeof tracked>;
  const r = runRandom({
    config: { variant: 'A' },
    seed: 2,
    steps,
    onStart: (u, s) => {
      t = tracked(u, s);
    },
    onStep: (k) => {
      for (const x of t.feed(false)) if (x.got.length > 0) throw new Error(`${x.id} reported at step ${k}`);
    },
  });
  return { u: r.universe, s: r.state, next: t.next };
}

/** checkDelta and check agree on every conjunct, incrementally; returns the ids that report. */
function agree(rs: ReturnType<ReturnType<typeof tracked>['next']>): string[] {
  for (const r of rs) {
    expect(r.full, r.id).toBe(false);
    expect(r.got, r.id).toEqual(r.want);
  }
  return idsOf(rs.flatMap((r) => r.want));
}

const ownViewChanges = (s: SystemState, i: number) =>
  [...s.replicas[i]!.in.viewChangesByV.values()].flatMap((x) => [...x]).filter((m) => m.j === i).sort((a, b) => a.v - b.v);

describe('incremental evaluation: a corruption after the tracker has seen the state is reported as check reports it', () => {
  it('A.1.8(1): a certificate below an own view-change’s view is added to in_i (reachable state)', () => {
    const { u, s, next } = trackedRun();
    const own = ownViewChanges(s, 1);
    expect(own.length).toBeGreaterThan(0);
    const v = own[0]!.v - 1;
    add(s, 1, cert(u, v, 999, req(u, 'z', 99, 0), [0, 1, 2, 3].filter((k) => k !== u.primary(v)).slice(0, 2)));
    const rs = next();
    expect(agree(rs)).toEqual(['A.1.8(1)']);
    expect(rs.find((r) => r.id === 'A.1.8(1)')!.got).toHaveLength(own.length); // one per own view-change
  });

  it('A.1.8(1): a certificate its own view-change carries is removed from in_i (reachable state)', () => {
    const { s, next } = trackedRun();
    const st = s.replicas[2]!;
    const m = ownViewChanges(s, 2).find((x) => x.P.length > 0)!;
    const p = m.P.find((x) => x.tag === 'PRE-PREPARE')!;
    st.in.delete(p);
    expect(agree(next())).toContain('A.1.8(1)');
  });

  it('A.1.8(1): an own view-change that leaves out i’s certificates is added (reachable state)', () => {
    const { u, s, next } = trackedRun();
    const st = s.replicas[3]!;
    add(s, 3, [vc(u, st.view + 1, [], 3)]);
    expect(agree(next())).toEqual(['A.1.8(1)']);
  });

  it('A.1.8(2): a pre-prepare of a new-view’s O ∪ N is removed (reachable state)', () => {
    const { s, next } = trackedRun();
    const st = s.replicas.find((x) => x.in.newViewsByV.size > 0)!;
    const nv = [...[...st.in.newViewsByV.values()][0]!][0]!;
    st.in.delete([...nv.O, ...nv.N][0]!);
    expect(agree(next())).toContain('A.1.8(2)');
  });

  it('A.1.8(2): a new-view from primary(v) without its O ∪ N is added (built state)', () => {
    const { u, s, a } = setup();
    const t = tracked(u, s);
    t.next();
    const nv = newViewFor(u, 1, [vc(u, 1, cert(u, 0, 2, a, [1, 2]), 0), vc(u, 1, [], 2), vc(u, 1, [], 3)]);
    add(s, 0, [nv, nv.N[0]!]);
    expect(agree(t.next())).toEqual(['A.1.8(2)']);
  });

  it('A.1.9: a later-view pre-prepare with another request is added where f+1 prepared (reachable state)', () => {
    const { u, s, next } = trackedRun();
    const x = [...preparedFacts(u, s).values()].find((f) => f.replicas.length > u.f)!;
    const v = x.v + 1;
    add(s, 0, [pp(u, v, x.n, req(u, 'z', 99, 0), u.primary(v))]);
    expect(agree(next())).toContain('A.1.9');
  });

  it('A.1.9: a fact becomes prepared at f+1 non-faulty replicas after the later pre-prepare (built state)', () => {
    const { u, s, a, b } = setup();
    add(s, 0, cert(u, 0, 1, a, [1, 2]));
    add(s, 2, [pp(u, 1, 1, b, 1)]);
    const t = tracked(u, s);
    expect(A_1_9[0]!.check(u, s)).toEqual([]);
    t.next();
    add(s, 1, cert(u, 0, 1, a, [1, 2]));
    const rs = t.next();
    expect(agree(rs)).toEqual(['A.1.9']);
    expect(rs.find((r) => r.id === 'A.1.9')!.got[0]!.witness).toMatchObject({ replicas: [0, 1, 2], view: 0, n: 1 });
  });
});
