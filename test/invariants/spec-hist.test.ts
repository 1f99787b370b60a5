// Invariants A.1.17 and A.1.18 of S' (Def A.1.13) and prefix (Def A.1.16): they hold along seeded
// random walks of S', and each reports exactly its own id, with the right witnesses, on a state
// built to falsify it.
import { describe, expect, it } from 'vitest';
import { reqKey } from '../../automata/spec.ts';
import { histLastRepT, initialSpecHist, specHistEnabled, specHistStep, type HistEntry, type SpecHistAction, type SpecHistState } from '../../automata/spec-hist.ts';
import { Universe } from '../../automata/universe.ts';
import { A_1_17, A_1_18, prefix } from '../../invariants/spec-hist.ts';
import type { SpecHistInvariant, Violation } from '../../invariants/types.ts';
import { SeededRng } from '../../sim/rng.ts';

const SPEC_HIST_INVARIANTS: SpecHistInvariant[] = [...A_1_17, ...A_1_18];
const mkU = () => new Universe({ f: 1, clients: 3, service: 'log' });
const checkAll = (u: Universe, s: SpecHistState): Violation[] => SPEC_HIST_INVARIANTS.flatMap((inv) => inv.check(u, s));
const ids = (vs: Violation[]) => vs.map((v) => v.id);
const e = (n: number, o: string, t: number, c: number): HistEntry => ({ n, o, t, c });

/**
 * A seeded random walk of S': the enabled locally controlled actions (specHistEnabled) and the
 * inputs REQUEST(o)_c, CLIENT-FAILURE_c, and FAULTY-REQUEST(o, t, c) of faulty clients (with t
 * around last-req_c, so stale, current and future timestamps all occur).
 */
function walk(u: Universe, seed: number, steps: number, onStep: (s: SpecHistState) => void): SpecHistState {
  const s = initialSpecHist(u);
  const rng = new SeededRng(`spec-hist-${seed}`);
  const pick = <T,>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
  for (let k = 0; k < steps; k++) {
    const x = rng.float();
    const c = rng.int(u.clients);
    let a: SpecHistAction;
    if (x < 0.25) a = { kind: 'REQUEST', o: pick(u.ops), c };
    else if (x < 0.253) a = { kind: 'CLIENT-FAILURE', c };
    else if (x < 0.33 && s.faultyClient[c]) a = { kind: 'FAULTY-REQUEST', o: pick(u.ops), t: rng.int(s.lastReq[c]! + 4), c };
    else a = pick(specHistEnabled(u, s, u.ops));
    specHistStep(u, s, a);
    onStep(s);
  }
  return s;
}

describe('prefix (Def A.1.16)', () => {
  it('removes the tuples whose first component is greater than n, keeping the order', () => {
    const h = [e(1, 'a', 1, 0), e(3, 'b', 1, 1), e(2, 'c', 2, 0), e(5, 'd', 2, 1)];
    expect(prefix(h, 2)).toEqual([e(1, 'a', 1, 0), e(2, 'c', 2, 0)]);
    expect(prefix(h, 0)).toEqual([]);
    expect(prefix(h, -1)).toEqual([]);
    expect(prefix(h, 5)).toEqual(h);
    expect(prefix([], 3)).toEqual([]);
    expect(h).toHaveLength(4); // not changed
  });
});

describe('registry', () => {
  it("one entry per conjunct, subject S'", () => {
    expect(SPEC_HIST_INVARIANTS.map((x) => x.id)).toEqual(['A.1.17', 'A.1.18(1)', 'A.1.18(2)']);
    expect(A_1_17.map((x) => x.family)).toEqual(['A.1.17']);
    expect(A_1_18.map((x) => x.family)).toEqual(['A.1.18', 'A.1.18']);
    for (const x of SPEC_HIST_INVARIANTS) expect(x.subject).toBe("S'");
  });
});

describe.each(SPEC_HIST_INVARIANTS.map((x) => [x.id, x] as [string, SpecHistInvariant]))('%s holds along random walks of S′', (_id, inv) => {
  it.each([1, 2, 3, 4, 5])('seed %i, 2000 steps', (seed) => {
    const u = mkU();
    const found: Violation[] = [];
    const s = walk(u, seed, 2000, (s) => found.push(...inv.check(u, s)));
    expect(found).toEqual([]);
    // not vacuous
    expect(s.hist.length).toBeGreaterThan(50);
    expect(s.seqno).toBeGreaterThan(s.hist.length);
  });

});

describe('the random walks', () => {
  it('reach faulty clients with triples and tuples whose t > last-req_c (A.1.18 not applied there)', () => {
    const u = mkU();
    let inAhead = 0;
    let histAhead = 0;
    for (const seed of [1, 2, 3, 4, 5])
      walk(u, seed, 2000, (s) => {
        for (const x of s.in.values()) if (s.faultyClient[x.c] && x.t > s.lastReq[x.c]!) inAhead++;
        for (const x of s.hist) if (s.faultyClient[x.c] && x.t > s.lastReq[x.c]!) histAhead++;
      });
    expect(inAhead).toBeGreaterThan(0);
    expect(histAhead).toBeGreaterThan(0);
  });
});

/** REQUEST(a)_0, EXECUTE, REQUEST(b)_1, EXECUTE-NULL, EXECUTE: hist = ⟨1, a, 1, 0⟩⟨3, b, 1, 1⟩. */
function small(u: Universe): SpecHistState {
  const s = initialSpecHist(u);
  for (const a of [
    { kind: 'REQUEST', o: 'a', c: 0 },
    { kind: 'EXECUTE', o: 'a', t: 1, c: 0 },
    { kind: 'REQUEST', o: 'b', c: 1 },
    { kind: 'EXECUTE-NULL' },
    { kind: 'EXECUTE', o: 'b', t: 1, c: 1 },
  ] as SpecHistAction[])
    specHistStep(u, s, a);
  expect(s.hist).toEqual([e(1, 'a', 1, 0), e(3, 'b', 1, 1)]);
  expect(checkAll(u, s)).toEqual([]);
  return s;
}

describe('A.1.17: a tuple with a stale timestamp', () => {
  it('is reported with the client and the tuple’s n', () => {
    const u = mkU();
    const s = small(u);
    s.hist.push(e(4, 'c', 1, 0)); // t = 1 = last-rep-t(prefix(hist, 3))(c0)
    const vs = checkAll(u, s);
    expect(ids(vs)).toEqual(['A.1.17']);
    expect(vs[0]!.witness).toMatchObject({ clients: [0], n: 4 });
    expect(vs[0]!.message).toContain('last-rep-t(prefix(hist, 3))(c0) = 1');
  });

  it('applies to faulty clients too, and t = 0 is stale at λ', () => {
    const u = mkU();
    const s = small(u);
    s.faultyClient[2] = true;
    s.hist.push(e(4, 'c', 0, 2));
    const vs = checkAll(u, s);
    expect(ids(vs)).toEqual(['A.1.17']);
    expect(vs[0]!.witness).toMatchObject({ clients: [2], n: 4 });
  });

  it('only the prefix up to n − 1 counts, also when the first components do not increase', () => {
    const u = mkU();
    // ⟨0, c, 1, 0⟩ appended after ⟨1, a, 1, 0⟩: the earlier tuple now has a stale t, the later not
    const s = small(u);
    s.hist.push(e(0, 'c', 1, 0));
    let vs = checkAll(u, s);
    expect(ids(vs)).toEqual(['A.1.17']);
    expect(vs[0]!.witness).toMatchObject({ clients: [0], n: 1 });
    expect(vs[0]!.message).toContain('hist[0]');
    // equal first components: prefix(hist, n − 1) excludes both
    const s2 = small(u);
    s2.hist.push(e(3, 'c', 1, 1));
    expect(checkAll(u, s2)).toEqual([]);
    // a larger t later in the sequence but with a larger n is not in the prefix
    const s3 = small(u);
    s3.faultyClient[1] = true; // A.1.17 has no hypothesis on the client; this keeps A.1.18 out of the way
    s3.hist.splice(0, 0, e(9, 'z', 5, 1)); // ⟨9, z, 5, 1⟩ first: prefix(hist, 2) of ⟨3, b, 1, 1⟩ omits it
    expect(checkAll(u, s3)).toEqual([]);
    s3.hist.push(e(10, 'y', 4, 1)); // prefix(hist, 9) = whole hist; last c1 tuple in it is ⟨3, b, 1, 1⟩: 4 > 1 holds
    expect(checkAll(u, s3)).toEqual([]);
    s3.hist.push(e(11, 'x', 4, 1)); // now the last c1 tuple of prefix(hist, 10) has t = 4
    vs = checkAll(u, s3);
    expect(ids(vs)).toEqual(['A.1.17']);
    expect(vs[0]!.witness).toMatchObject({ clients: [1], n: 11 });
  });

  it('agrees with last-rep-t of Def A.1.13 evaluated on prefix', () => {
    const u = mkU();
    const s = walk(u, 7, 600, () => undefined);
    s.hist.forEach((x) => expect(x.t).toBeGreaterThan(histLastRepT(u, prefix(s.hist, x.n - 1))[x.c]!));
    expect(A_1_17[0]!.check(u, s)).toEqual([]);
  });
});

describe('A.1.18(1): a tuple of hist with t > last-req_c for a non-faulty client', () => {
  it('is reported with the client and n; not for a faulty client', () => {
    const u = mkU();
    const s = small(u);
    s.hist.push(e(4, 'c', 2, 1)); // last-req_1 = 1
    const vs = checkAll(u, s);
    expect(ids(vs)).toEqual(['A.1.18(1)']);
    expect(vs[0]!.witness).toMatchObject({ clients: [1], n: 4 });
    expect(vs[0]!.message).toContain('last-req_c = 1');
    s.faultyClient[1] = true;
    expect(checkAll(u, s)).toEqual([]);
  });

  it('t = last-req_c is allowed', () => {
    const u = mkU();
    const s = small(u);
    specHistStep(u, s, { kind: 'REQUEST', o: 'c', c: 1 });
    s.hist.push(e(4, 'c', 2, 1));
    expect(checkAll(u, s)).toEqual([]);
  });
});

describe('A.1.18(2): a triple of in with t > last-req_c for a non-faulty client', () => {
  it('is reported with the client; not for a faulty client', () => {
    const u = mkU();
    const s = small(u);
    s.in.set(reqKey('c', 5, 2), { o: 'c', t: 5, c: 2 }); // last-req_2 = 0
    const vs = checkAll(u, s);
    expect(ids(vs)).toEqual(['A.1.18(2)']);
    expect(vs[0]!.witness).toMatchObject({ clients: [2] });
    expect(vs[0]!.message).toContain('⟨c, 5, c2⟩');
    specHistStep(u, s, { kind: 'CLIENT-FAILURE', c: 2 });
    expect(checkAll(u, s)).toEqual([]);
  });

  it('FAULTY-REQUEST puts such triples in in, and executing them puts tuples in hist: not reported', () => {
    const u = mkU();
    const s = small(u);
    specHistStep(u, s, { kind: 'CLIENT-FAILURE', c: 2 });
    specHistStep(u, s, { kind: 'FAULTY-REQUEST', o: 'c', t: 7, c: 2 });
    specHistStep(u, s, { kind: 'FAULTY-REQUEST', o: 'd', t: 9, c: 2 });
    specHistStep(u, s, { kind: 'EXECUTE', o: 'c', t: 7, c: 2 });
    expect(s.hist.at(-1)).toEqual(e(4, 'c', 7, 2));
    expect(s.lastReq[2]).toBe(0);
    expect(checkAll(u, s)).toEqual([]);
    // the same state with c2 non-faulty violates both conditions
    s.faultyClient[2] = false;
    const vs = checkAll(u, s);
    expect(ids(vs)).toEqual(['A.1.18(1)', 'A.1.18(2)']);
    expect(vs[0]!.witness).toMatchObject({ clients: [2], n: 4 });
    expect(vs[1]!.witness).toMatchObject({ clients: [2] });
  });
});
