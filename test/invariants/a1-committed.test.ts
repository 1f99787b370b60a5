// Invariants A.1.10, A.1.11, A.1.12 (Appendix A.1): they hold along random runs of A, and each
// reports exactly its own id, with the right witnesses, on a state built to falsify it.
// f = 1 throughout: |R| = 4, primary(v) = v mod 4, 2f = 2 prepares, 2f + 1 = 3 commits.
import { describe, expect, it } from 'vitest';
import { cloneSystem, initialSystem, type SystemState } from '../../automata/compose.ts';
import type { Message, Payload, Request } from '../../automata/messages.ts';
import { Universe } from '../../automata/universe.ts';
import { preparedAt } from '../../automata/aux-functions.ts';
import { committedCandidates } from '../../automata/replica-common.ts';
import {
  A1_COMMITTED,
  A_1_10,
  A_1_11,
  A_1_12,
  certifiedPrepared,
  committedByN,
  committedFacts,
  incrementalDigests,
  lastDeltaWork,
  preparedFacts,
} from '../../invariants/a1-committed.ts';
import { DeltaTracker, touchedNs, type Delta } from '../../invariants/delta.ts';
import type { SystemInvariant, Violation } from '../../invariants/types.ts';
import { runRandom } from '../../sim/scheduler.ts';

const mkU = () => new Universe({ variant: 'A', f: 1, clients: 2, service: 'log' });
const req = (u: Universe, o: string, t: number, c: number): Request => u.interner.request(o, t, c);
const pp = (u: Universe, v: number, n: number, m: Payload) => u.interner.prePrepare(v, n, m, u.primary(v));
const prep = (u: Universe, v: number, n: number, m: Payload, j: number) => u.interner.prepare(v, n, u.interner.digest(m), j);
const com = (u: Universe, v: number, n: number, m: Payload, j: number) => u.interner.commit(v, n, u.interner.digest(m), j);

/** Adds to in_i the pre-prepare of primary(v) for (m, v, n) and the prepares of the two backups ≠ primary(v). */
function forgePrepared(u: Universe, s: SystemState, i: number, m: Payload, v: number, n: number): void {
  const p = u.primary(v);
  const backups = [0, 1, 2, 3].filter((k) => k !== p).slice(0, 2);
  add(s, i, pp(u, v, n, m), ...backups.map((k) => prep(u, v, n, m, k)));
}
/** Adds to in_i 2f+1 commits for (m, v, n) and, to make the first conjunct true, the pre-prepare of primary(v) (or m itself). */
function forgeCommitted(u: Universe, s: SystemState, i: number, m: Request | null, v: number, n: number, via: 'pp' | 'request' = 'pp'): void {
  add(s, i, ...[0, 1, 2].map((k) => com(u, v, n, m, k)));
  if (via === 'pp') add(s, i, pp(u, v, n, m));
  else add(s, i, m!);
}
function add(s: SystemState, i: number, ...ms: Message[]): void {
  for (const m of ms) s.replicas[i]!.in.add(m);
}
const checkAll = (u: Universe, s: SystemState): Violation[] => A1_COMMITTED.flatMap((inv) => inv.check(u, s));
const ids = (vs: Violation[]) => vs.map((v) => v.id);

describe('registry', () => {
  it('one entry per conjunct, subject A', () => {
    expect(A1_COMMITTED.map((x) => x.id)).toEqual(['A.1.10', 'A.1.11', 'A.1.12']);
    for (const [xs, fam] of [
      [A_1_10, 'A.1.10'],
      [A_1_11, 'A.1.11'],
      [A_1_12, 'A.1.12'],
    ] as const) {
      expect(xs).toHaveLength(1);
      expect(xs[0]!.family).toBe(fam);
      expect(xs[0]!.subject).toBe('A');
    }
  });
});

describe('the enumerations of prepared and committed facts are those of the model', () => {
  it.each([
    { seed: 2, faulty: [] as number[] },
    { seed: 5, faulty: [3] },
  ])('seed $seed, faulty replicas $faulty: preparedAt and committedCandidates over every n', ({ seed, faulty }) => {
    let u: Universe | undefined;
    let nonEmpty = 0;
    const key = (m: Payload, v: number, n: number) => `${m === null ? 'null' : m.id}|${v}|${n}`;
    runRandom({
      config: { variant: 'A', faultyReplicas: faulty },
      seed,
      steps: 1500,
      onStart: (uu) => {
        u = uu;
      },
      onStep: (k, _a, s) => {
        if ((k + 1) % 50 !== 0) return;
        for (const st of s.replicas) {
          const ns = [...st.in.ppByN.keys(), ...st.in.commitsByN.keys()];
          const expPrep = ns.flatMap((n) => preparedAt(u!, n, st.in).map((x) => key(x.m, x.v, n)));
          const expCom = ns.flatMap((n) => committedCandidates(u!, st, n).map((x) => key(x.m, x.v, n)));
          const gotPrep = preparedFacts(u!, st).map((pp) => key(pp.m, pp.v, pp.n));
          const gotCom = committedFacts(u!, st).map((x) => key(x.m, x.v, x.n));
          expect(new Set(gotPrep)).toEqual(new Set(expPrep));
          expect(gotPrep.length).toBe(new Set(gotPrep).size);
          expect(new Set(gotCom)).toEqual(new Set(expCom));
          expect(gotCom.length).toBe(new Set(gotCom).size);
          if (gotCom.length > 0) nonEmpty++;
        }
      },
    });
    expect(nonEmpty).toBeGreaterThan(0);
  });
});

describe.each([
  ['A.1.10', A_1_10[0]!],
  ['A.1.11', A_1_11[0]!],
  ['A.1.12', A_1_12[0]!],
] as [string, SystemInvariant][])('%s holds along random runs of A', (_id, inv) => {
  it.each([
    { seed: 1, faulty: [] as number[] },
    { seed: 2, faulty: [] },
    { seed: 3, faulty: [] },
    { seed: 1, faulty: [3] },
    { seed: 2, faulty: [3] },
    { seed: 3, faulty: [3] },
  ])('seed $seed, faulty replicas $faulty', ({ seed, faulty }) => {
    const found: Violation[] = [];
    let checks = 0;
    let r0: Universe | undefined;
    const r = runRandom({
      config: { variant: 'A', faultyReplicas: faulty },
      seed,
      steps: 1500,
      onStep: (k, _a, s) => {
        if ((k + 1) % 10 !== 0) return;
        checks++;
        found.push(...inv.check(r0!, s));
      },
      onStart: (u) => {
        r0 = u;
      },
    });
    expect(found).toEqual([]);
    expect(checks).toBe(150);
    // not vacuous: requests were committed and prepared at f+1 correct replicas
    expect(committedByN(r.universe, r.state).size).toBeGreaterThan(0);
    expect(certifiedPrepared(r.universe, r.state).size).toBeGreaterThan(0);
  });
});

describe('A.1.10: two requests prepared at f+1 correct replicas each, same n', () => {
  it('is reported with both sets, both pre-prepares, the view and n', () => {
    const u = mkU();
    const s = initialSystem(u);
    const a = req(u, 'a', 1, 0);
    const b = req(u, 'b', 1, 1);
    forgePrepared(u, s, 0, a, 0, 1);
    forgePrepared(u, s, 1, a, 0, 1);
    forgePrepared(u, s, 2, b, 1, 1);
    forgePrepared(u, s, 3, b, 1, 1);
    const vs = checkAll(u, s);
    expect(ids(vs)).toEqual(['A.1.10']);
    expect(vs[0]!.witness).toMatchObject({ replicas: [0, 1, 2, 3], clients: [0, 1], view: 0, n: 1 });
    expect(vs[0]!.witness.messages).toEqual([pp(u, 0, 1, a), pp(u, 1, 1, b)]);
  });

  it('the null request counts as an m', () => {
    const u = mkU();
    const s = initialSystem(u);
    const a = req(u, 'a', 1, 0);
    for (const i of [0, 1]) forgePrepared(u, s, i, a, 0, 2);
    for (const i of [2, 3]) forgePrepared(u, s, i, null, 1, 2);
    const vs = checkAll(u, s);
    expect(ids(vs)).toEqual(['A.1.10']);
    expect(vs[0]!.witness).toMatchObject({ replicas: [0, 1, 2, 3], clients: [0], view: 0, n: 2 });
    expect(vs[0]!.witness.messages).toEqual([pp(u, 0, 2, a), pp(u, 1, 2, null)]);
  });

  it('the same request in two views is no violation', () => {
    const u = mkU();
    const s = initialSystem(u);
    const a = req(u, 'a', 1, 0);
    for (const i of [0, 1]) forgePrepared(u, s, i, a, 0, 1);
    for (const i of [2, 3]) forgePrepared(u, s, i, a, 1, 1);
    expect(checkAll(u, s)).toEqual([]);
  });

  it('hypotheses: f+1 replicas, non-faulty, n-faulty ≤ f', () => {
    const u = mkU();
    const a = req(u, 'a', 1, 0);
    const b = req(u, 'b', 1, 1);
    // only f replicas prepared b
    let s = initialSystem(u);
    for (const i of [0, 1, 2]) forgePrepared(u, s, i, a, 0, 1);
    forgePrepared(u, s, 3, b, 1, 1);
    expect(checkAll(u, s)).toEqual([]);
    // f+1 prepared b, but one of them is faulty
    s = initialSystem(u);
    for (const i of [0, 1]) forgePrepared(u, s, i, a, 0, 1);
    for (const i of [2, 3]) forgePrepared(u, s, i, b, 1, 1);
    s.replicas[3]!.faulty = true;
    expect(checkAll(u, s)).toEqual([]);
    // R = R' = {0, 1}: reported while n-faulty ≤ f, not once n-faulty > f
    s = initialSystem(u);
    for (const i of [0, 1]) forgePrepared(u, s, i, a, 0, 1), forgePrepared(u, s, i, b, 1, 1);
    s.replicas[2]!.faulty = true;
    const vs = checkAll(u, s);
    expect(ids(vs)).toEqual(['A.1.10']);
    expect(vs[0]!.witness).toMatchObject({ replicas: [0, 1], view: 0, n: 1 });
    s.replicas[3]!.faulty = true;
    expect(checkAll(u, s)).toEqual([]);
  });
});

describe('A.1.11: two correct replicas with commit certificates for different requests at the same n', () => {
  it('is reported with both replicas, the evidence of committed, the view and n', () => {
    const u = mkU();
    const s = initialSystem(u);
    const a = req(u, 'a', 1, 0);
    const b = req(u, 'b', 1, 1);
    forgeCommitted(u, s, 0, a, 0, 1);
    forgeCommitted(u, s, 1, b, 1, 1, 'request');
    const vs = checkAll(u, s);
    expect(ids(vs)).toEqual(['A.1.11']);
    expect(vs[0]!.witness).toMatchObject({ replicas: [0, 1], clients: [0, 1], view: 0, n: 1 });
    expect(vs[0]!.witness.messages).toEqual([pp(u, 0, 1, a), b]);
  });

  it('i = j: one replica with two certificates; null against a request', () => {
    const u = mkU();
    const s = initialSystem(u);
    const a = req(u, 'a', 1, 0);
    forgeCommitted(u, s, 2, a, 0, 3);
    forgeCommitted(u, s, 2, null, 1, 3);
    const vs = checkAll(u, s);
    expect(ids(vs)).toEqual(['A.1.11']);
    expect(vs[0]!.witness).toMatchObject({ replicas: [2], clients: [0], view: 0, n: 3 });
    expect(vs[0]!.witness.messages).toEqual([pp(u, 0, 3, a), pp(u, 1, 3, null)]);
  });

  it('needs both conjuncts of committed: 2f+1 commits, and m or a pre-prepare for (n, m) in any view', () => {
    const u = mkU();
    const a = req(u, 'a', 1, 0);
    const b = req(u, 'b', 1, 1);
    // 2f+1 commits for b in view 1, but neither b nor a pre-prepare for it in in_1
    const s = initialSystem(u);
    forgeCommitted(u, s, 0, a, 0, 1);
    add(s, 1, ...[0, 1, 2].map((k) => com(u, 1, 1, b, k)));
    expect(checkAll(u, s)).toEqual([]);
    // b itself in in_1, but only 2f commits
    const s2 = initialSystem(u);
    forgeCommitted(u, s2, 0, a, 0, 1);
    add(s2, 1, b, ...[0, 1].map((k) => com(u, 1, 1, b, k)));
    expect(checkAll(u, s2)).toEqual([]);
    // ∃ v' : the pre-prepare may be of another view than the commits
    add(s, 1, pp(u, 2, 1, b));
    const vs = checkAll(u, s);
    expect(ids(vs)).toEqual(['A.1.11']);
    expect(vs[0]!.witness).toMatchObject({ replicas: [0, 1], view: 0, n: 1, detail: "i = 0, v = 0; j = 1, v' = 1" });
    expect(vs[0]!.witness.messages).toEqual([pp(u, 0, 1, a), pp(u, 2, 1, b)]);
    // with the third commit, m ∈ in_j is the first conjunct
    add(s2, 1, com(u, 1, 1, b, 3));
    const vs2 = checkAll(u, s2);
    expect(ids(vs2)).toEqual(['A.1.11']);
    expect(vs2[0]!.witness.messages).toEqual([pp(u, 0, 1, a), b]);
  });

  it('hypotheses: i and j non-faulty, n-faulty ≤ f', () => {
    const u = mkU();
    const a = req(u, 'a', 1, 0);
    const b = req(u, 'b', 1, 1);
    const build = () => {
      const s = initialSystem(u);
      forgeCommitted(u, s, 0, a, 0, 1);
      forgeCommitted(u, s, 1, b, 1, 1);
      return s;
    };
    let s = build();
    s.replicas[1]!.faulty = true;
    expect(checkAll(u, s)).toEqual([]);
    s = build();
    s.replicas[3]!.faulty = true;
    expect(ids(checkAll(u, s))).toEqual(['A.1.11']);
    s.replicas[2]!.faulty = true;
    expect(checkAll(u, s)).toEqual([]);
  });
});

describe('A.1.12: committed at a correct replica, another request prepared at f+1 correct replicas', () => {
  it('is reported with i, R′, the evidence and the pre-prepare, the view and n', () => {
    const u = mkU();
    const s = initialSystem(u);
    const a = req(u, 'a', 1, 0);
    const b = req(u, 'b', 1, 1);
    forgeCommitted(u, s, 0, a, 0, 1);
    forgePrepared(u, s, 1, b, 1, 1);
    forgePrepared(u, s, 2, b, 1, 1);
    const vs = checkAll(u, s);
    expect(ids(vs)).toEqual(['A.1.12']);
    expect(vs[0]!.witness).toMatchObject({ replicas: [0, 1, 2], clients: [0, 1], view: 0, n: 1 });
    expect(vs[0]!.witness.messages).toEqual([pp(u, 0, 1, a), pp(u, 1, 1, b)]);
  });

  it('the same request committed and prepared is no violation; a different n neither', () => {
    const u = mkU();
    const s = initialSystem(u);
    const a = req(u, 'a', 1, 0);
    const b = req(u, 'b', 1, 1);
    forgeCommitted(u, s, 0, a, 0, 1);
    for (const i of [1, 2]) forgePrepared(u, s, i, a, 1, 1), forgePrepared(u, s, i, b, 1, 2);
    expect(checkAll(u, s)).toEqual([]);
  });

  it('hypotheses: i non-faulty, f+1 non-faulty in R′, n-faulty ≤ f', () => {
    const u = mkU();
    const a = req(u, 'a', 1, 0);
    const b = req(u, 'b', 1, 1);
    // i faulty
    let s = initialSystem(u);
    forgeCommitted(u, s, 0, a, 0, 1);
    for (const i of [1, 2]) forgePrepared(u, s, i, b, 1, 1);
    s.replicas[0]!.faulty = true;
    expect(checkAll(u, s)).toEqual([]);
    // one of R' faulty
    s = initialSystem(u);
    forgeCommitted(u, s, 0, a, 0, 1);
    for (const i of [1, 2]) forgePrepared(u, s, i, b, 1, 1);
    s.replicas[2]!.faulty = true;
    expect(checkAll(u, s)).toEqual([]);
    // i ∈ R' = {0, 1}: reported while n-faulty ≤ f, not once n-faulty > f
    s = initialSystem(u);
    forgeCommitted(u, s, 0, a, 0, 1);
    for (const i of [0, 1]) forgePrepared(u, s, i, b, 1, 1);
    s.replicas[3]!.faulty = true;
    const vs = checkAll(u, s);
    expect(ids(vs)).toEqual(['A.1.12']);
    expect(vs[0]!.witness).toMatchObject({ replicas: [0, 1], view: 0, n: 1 });
    s.replicas[2]!.faulty = true;
    expect(checkAll(u, s)).toEqual([]);
  });
});

// ---------------------------------------------------------------- incremental evaluation (checkDelta)

/** One cache per conjunct, as InvariantChecker keeps them. */
const newCaches = () => A1_COMMITTED.map(() => new Map<string, unknown>());
/** checkDelta of every conjunct on (s, delta), each compared with check(u, s); returns checkDelta's results. */
function agree(u: Universe, s: SystemState, delta: Delta, caches: Map<string, unknown>[]): Violation[][] {
  return A1_COMMITTED.map((inv, x) => {
    const got = inv.checkDelta!(u, s, delta, caches[x]!);
    expect(got, `${inv.id}`).toEqual(inv.check(u, s));
    return got;
  });
}
/** The digest tables of the plain evaluation, to compare with the caches'. */
function plainDigests(u: Universe, s: SystemState) {
  const keys = <T extends { d: string }>(m: Map<number, T[]>) => new Map([...m].map(([n, xs]) => [n, new Set(xs.map((x) => x.d))]));
  return { certified: keys(certifiedPrepared(u, s)), committed: keys(committedByN(u, s)) };
}
/** The caches' digest tables are those of the plain evaluation (none are kept above f faulty). */
function expectTables(u: Universe, s: SystemState, caches: Map<string, unknown>[]): void {
  if (s.replicas.filter((r) => r.faulty).length > u.f) {
    for (const c of caches) expect(incrementalDigests(c)).toBeUndefined();
    return;
  }
  const exp = plainDigests(u, s);
  expect(incrementalDigests(caches[0]!)).toEqual({ certified: exp.certified });
  expect(incrementalDigests(caches[1]!)).toEqual({ committed: exp.committed });
  expect(incrementalDigests(caches[2]!)).toEqual(exp);
}
/** The ids reported by checkDelta (all conjuncts), after the tracker takes in the changes. */
function step(u: Universe, s: SystemState, tracker: DeltaTracker, caches: Map<string, unknown>[]): string[] {
  const found = agree(u, s, tracker.next(s), caches).flatMap(ids);
  expectTables(u, s, caches);
  return found;
}

describe('checkDelta: the same violations as check after every step of random runs', () => {
  it.each([
    { seed: 1, faulty: [] as number[], weights: {} },
    { seed: 2, faulty: [3], weights: {} },
    { seed: 3, faulty: [], weights: { 'view-change': 2 } },
    { seed: 4, faulty: [3], weights: { 'view-change': 2 } },
  ])('seed $seed, faulty replicas $faulty, weights $weights', ({ seed, faulty, weights }) => {
    let u: Universe | undefined;
    const tracker = new DeltaTracker();
    const caches = newCaches();
    let steps = 0;
    const r = runRandom({
      config: { variant: 'A', faultyReplicas: faulty },
      seed,
      steps: 1500,
      weights,
      onStart: (uu) => {
        u = uu;
      },
      onStep: (k, _a, s) => {
        steps++;
        agree(u!, s, tracker.next(s), caches);
        if ((k + 1) % 25 !== 0) return;
        // the tables behind the answers, not only the (empty) answers
        expectTables(u!, s, caches);
      },
    });
    expect(steps).toBe(1500);
    expect(incrementalDigests(caches[2]!)!.certified!.size).toBeGreaterThan(0);
    expect(incrementalDigests(caches[2]!)!.committed!.size).toBeGreaterThan(0);
    if (seed >= 3) expect(Math.max(...r.state.replicas.map((x) => x.view))).toBeGreaterThan(2);
  });
});

describe('checkDelta: corruptions made through MessageSet.add and delete are reported as check reports them', () => {
  // A run of A, then forged changes, each followed by tracker.next and checkDelta against check.
  it('on the state of a run, for each conjunct, by adding and then deleting the forged messages', () => {
    let u: Universe | undefined;
    const tracker = new DeltaTracker();
    const caches = newCaches();
    const r = runRandom({
      config: { variant: 'A', faultyReplicas: [3] },
      seed: 7,
      steps: 800,
      onStart: (uu) => {
        u = uu;
      },
      onStep: (k, _a, s) => {
        if ((k + 1) % 25 === 0) expect(step(u!, s, tracker, caches)).toEqual([]);
        else expect(agree(u!, s, tracker.next(s), caches).flatMap(ids)).toEqual([]);
      },
    });
    const s = r.state;
    const del = (i: number, ...ms: Message[]) => ms.forEach((m) => expect(s.replicas[i]!.in.delete(m)).toBe(true));
    const cert = certifiedPrepared(u!, s);
    const n0 = Math.min(...cert.keys());
    const a = cert.get(n0)![0]!.m;
    const b = req(u!, 'forged-b', 900, 1);
    const c = req(u!, 'forged-c', 901, 0);
    const V = 40; // a view no replica has reached; primary(40) = 0
    const top = Math.max(...s.replicas.flatMap((st) => [...st.in.ppByN.keys()])) + 10;

    // A.1.10 (and A.1.12, a is committed at n0): b prepared at n0 by f+1 = 2 correct replicas
    forgePrepared(u!, s, 0, b, V, n0);
    expect(step(u!, s, tracker, caches)).toEqual([]);
    forgePrepared(u!, s, 1, b, V, n0);
    expect(step(u!, s, tracker, caches)).toEqual(['A.1.10', 'A.1.12']);
    del(1, prep(u!, V, n0, b, 1)); // one prepare less: back to f replicas
    expect(step(u!, s, tracker, caches)).toEqual([]);

    // A.1.10 alone, at an n with no commits; completed by the last PREPARE
    for (const i of [0, 1]) forgePrepared(u!, s, i, b, V, top);
    add(s, 1, pp(u!, V + 1, top, c), prep(u!, V + 1, top, c, 2));
    add(s, 2, pp(u!, V + 1, top, c), prep(u!, V + 1, top, c, 2));
    expect(step(u!, s, tracker, caches)).toEqual([]);
    add(s, 1, prep(u!, V + 1, top, c, 3));
    expect(step(u!, s, tracker, caches)).toEqual([]); // c prepared at replica 1 only
    add(s, 2, prep(u!, V + 1, top, c, 3));
    const vs10 = agree(u!, s, tracker.next(s), caches);
    expect(vs10.flatMap(ids)).toEqual(['A.1.10']);
    expect(vs10[0]![0]!.witness).toMatchObject({ replicas: [0, 1, 2], n: top });
    del(2, prep(u!, V + 1, top, c, 3));
    expect(step(u!, s, tracker, caches)).toEqual([]);

    // A.1.11 alone, at an n with no prepared certificate: b committed at replica 0; commits for c
    // at replica 2 without c; adding the request c makes it committed there; deleting it (as
    // EXECUTE does) makes it not committed again
    const n2 = top + 2;
    forgeCommitted(u!, s, 0, b, V, n2);
    add(s, 2, ...[0, 1, 2].map((k) => com(u!, V + 1, n2, c, k)));
    expect(step(u!, s, tracker, caches)).toEqual([]);
    add(s, 2, c);
    const vs11 = agree(u!, s, tracker.next(s), caches);
    expect(vs11.flatMap(ids)).toEqual(['A.1.11']);
    expect(vs11[1]![0]!.witness).toMatchObject({ replicas: [0, 2], n: n2 });
    expect(vs11[1]![0]!.witness.messages).toEqual([pp(u!, V, n2, b), c]);
    del(2, c);
    expect(step(u!, s, tracker, caches)).toEqual([]);
    // deleted and added back within one step: committed again; the reverse: not committed
    add(s, 2, c);
    del(2, c);
    add(s, 2, c);
    expect(step(u!, s, tracker, caches)).toEqual(['A.1.11']);
    del(2, c);
    add(s, 2, c);
    del(2, c);
    expect(step(u!, s, tracker, caches)).toEqual([]);
    // c committed at n0, where a is prepared at f+1 correct replicas: A.1.11 and A.1.12
    add(s, 1, ...[0, 1, 2].map((k) => com(u!, V, n0, c, k)), pp(u!, V + 8, n0, c));
    expect(step(u!, s, tracker, caches)).toEqual(['A.1.11', 'A.1.12']);
    del(1, pp(u!, V + 8, n0, c));
    expect(step(u!, s, tracker, caches)).toEqual([]);

    // the request c (whose commits at n0 are still in in_1) committed at n0 again, through m ∈ in_1
    add(s, 1, c);
    expect(step(u!, s, tracker, caches)).toEqual(['A.1.11', 'A.1.12']);
    del(1, c);
    expect(step(u!, s, tracker, caches)).toEqual([]);

    // A.1.12 alone: e committed at replica 1, a (or b) prepared at f+1 correct replicas
    const n1 = top + 1;
    const e = req(u!, 'forged-e', 903, 1);
    forgeCommitted(u!, s, 1, e, V, n1, 'request');
    for (const i of [0, 2]) forgePrepared(u!, s, i, a === null ? b : a, V + 4, n1);
    expect(step(u!, s, tracker, caches)).toEqual(['A.1.12']);
    // still failing after an unrelated step: reported again, as check does
    add(s, 0, req(u!, 'unrelated', 902, 1));
    expect(step(u!, s, tracker, caches)).toEqual(['A.1.12']);
    del(1, e);
    expect(step(u!, s, tracker, caches)).toEqual([]);
  });

  it('from the initial state, with faulty flags changing (delta.full) and with logs replaced', () => {
    const u = mkU();
    const s = initialSystem(u);
    const tracker = new DeltaTracker();
    const caches = newCaches();
    const a = req(u, 'a', 1, 0);
    const b = req(u, 'b', 1, 1);
    expect(step(u, s, tracker, caches)).toEqual([]);
    forgeCommitted(u, s, 0, a, 0, 1);
    expect(step(u, s, tracker, caches)).toEqual([]);
    forgeCommitted(u, s, 1, b, 1, 1);
    forgePrepared(u, s, 2, b, 1, 1);
    expect(step(u, s, tracker, caches)).toEqual(['A.1.11']);
    forgePrepared(u, s, 3, b, 1, 1);
    expect(step(u, s, tracker, caches)).toEqual(['A.1.11', 'A.1.12']);
    // faulty flags: one faulty replica among the certified set, then more than f
    s.replicas[3]!.faulty = true;
    expect(step(u, s, tracker, caches)).toEqual(['A.1.11']);
    s.replicas[2]!.faulty = true;
    expect(step(u, s, tracker, caches)).toEqual([]);
    forgePrepared(u, s, 0, b, 1, 1); // nothing is checked above f
    expect(step(u, s, tracker, caches)).toEqual([]);
    s.replicas[2]!.faulty = false;
    expect(step(u, s, tracker, caches)).toEqual(['A.1.11', 'A.1.12']);
    s.replicas[3]!.faulty = false;
    expect(step(u, s, tracker, caches)).toEqual(['A.1.11', 'A.1.12']);
    for (const i of [1, 2]) forgePrepared(u, s, i, a, 0, 1);
    // A.1.12: committed a against certified b, committed b against certified a
    expect(step(u, s, tracker, caches)).toEqual(['A.1.10', 'A.1.11', 'A.1.12', 'A.1.12']);
    // a state whose logs are other MessageSets (a clone): the cache is rebuilt
    const s2 = cloneSystem(s);
    const t2 = new DeltaTracker();
    t2.next(s); // a tracker that has seen a state, then is given another one
    expect(agree(u, s2, t2.next(s2), caches).flatMap(ids)).toEqual(['A.1.10', 'A.1.11', 'A.1.12', 'A.1.12']);
  });
});

describe('checkDelta: the work per step depends on the step, not on the run', () => {
  it('late in a run, each step examines its own messages and at most the n they touch', () => {
    let u: Universe | undefined;
    const tracker = new DeltaTracker();
    const caches = newCaches();
    const late = { steps: 0, messages: 0, ns: 0, maxNs: 0 };
    const r = runRandom({
      config: { variant: 'A' },
      steps: 4000,
      onStart: (uu) => {
        u = uu;
      },
      onStep: (k, _a, s) => {
        const delta = tracker.next(s);
        for (const [x, inv] of A1_COMMITTED.entries()) {
          expect(inv.checkDelta!(u!, s, delta, caches[x]!)).toEqual([]);
          if (k < 3000) continue;
          // the n a step can change: those of its PRE-PREPAREs, PREPAREs and COMMITs, and one per
          // request added or removed (the n where a commit certificate has its digest)
          let messages = 0;
          let bound = 0;
          for (const st of s.replicas) {
            const changed = [...(delta.inAdded.get(st.i) ?? []), ...(delta.inRemoved.get(st.i) ?? [])];
            messages += changed.length;
            bound += touchedNs(delta, st.i).size + changed.filter((m) => m.tag === 'REQUEST').length;
          }
          const work = lastDeltaWork(caches[x]!)!;
          expect(work.messages).toBe(messages);
          expect(work.ns).toBeLessThanOrEqual(bound);
          late.messages += work.messages;
          late.ns += work.ns;
          late.maxNs = Math.max(late.maxNs, work.ns);
        }
        if (k >= 3000) late.steps++;
      },
    });
    expect(late.steps).toBe(1000);
    // the plain evaluation visits every n with facts, with all their messages, at every step
    const ns = new Set([...certifiedPrepared(r.universe, r.state).keys(), ...committedByN(r.universe, r.state).keys()]);
    expect(ns.size).toBeGreaterThan(10);
    expect(late.ns / (3 * late.steps)).toBeLessThan(1);
    expect(late.maxNs).toBeLessThan(ns.size);
  });
});
