import { SeededRng } from '../sim/rng.ts';
import { describe, it, expect } from 'vitest';
import { Universe } from '../automata/universe.ts';
import { NULL_REP } from '../automata/services.ts';
import { type SpecAction, initialSpec, sortedIn, sortedOut, specPre, specStep, type SpecCommon } from '../automata/spec.ts';
import {
  type HistEntry,
  type SpecHistAction,
  type SpecHistState,
  cloneSpecHist,
  histFold,
  histLastRep,
  histLastRepT,
  histVal,
  initialSpecHist,
  specHistDefined,
  specHistEnabled,
  specHistPre,
  specHistStep,
} from '../automata/spec-hist.ts';

const mk = () => new Universe({ f: 1, clients: 2, service: 'log' });

function run(u: Universe, s: SpecHistState, acts: SpecHistAction[]): SpecHistState {
  for (const a of acts) specHistStep(u, s, a);
  return s;
}

const ins = (s: SpecCommon) => sortedIn(s).map(({ o, t, c }) => [o, t, c]);
const outs = (s: SpecCommon) => sortedOut(s).map(({ r, t, c }) => [r, t, c]);
const enc = (u: Universe, v: unknown) => u.service.encode(v);

/** The memo kept in s.fold equals the fold of Def A.1.13 over s.hist. */
function expectMemoIsFold(u: Universe, s: SpecHistState): void {
  const f = histFold(u, s.hist);
  expect(enc(u, s.fold.val)).toBe(enc(u, f.val));
  expect(enc(u, s.fold.val)).toBe(enc(u, histVal(u, s.hist)));
  expect(s.fold.lastRep).toEqual(histLastRep(u, s.hist));
  expect(s.fold.lastRepT).toEqual(histLastRepT(u, s.hist));
}

describe("Def A.1.13: val, last-rep, last-rep-t", () => {
  it('at λ: s_o, null-rep everywhere, 0 everywhere', () => {
    const u = mk();
    expect(histVal(u, [])).toBe(u.service.initial);
    expect(histLastRep(u, [])).toEqual([NULL_REP, NULL_REP]);
    expect(histLastRepT(u, [])).toEqual([0, 0]);
  });

  it('fold g over the sequence; last-rep and last-rep-t follow the last entry of each client', () => {
    const u = mk();
    const hist: HistEntry[] = [
      { n: 1, o: 'a', t: 1, c: 0 },
      { n: 3, o: 'b', t: 4, c: 1 },
      { n: 4, o: 'b', t: 2, c: 0 },
    ];
    const [r1, s1] = u.service.g(0, 'a', u.service.initial);
    const [r2, s2] = u.service.g(1, 'b', s1);
    const [r3, s3] = u.service.g(0, 'b', s2);
    expect(enc(u, histVal(u, hist))).toBe(enc(u, s3));
    expect(histLastRep(u, hist)).toEqual([r3, r2]);
    expect(histLastRepT(u, hist)).toEqual([2, 4]);
    expect(histLastRep(u, hist.slice(0, 1))).toEqual([r1, NULL_REP]);
    expect(histLastRepT(u, hist.slice(0, 1))).toEqual([1, 0]);
    // n plays no part in the functions
    const renumbered = hist.map((e, k) => ({ ...e, n: 100 + k }));
    expect(enc(u, histVal(u, renumbered))).toBe(enc(u, s3));
    // the functions are pure: the argument is not changed
    expect(hist.length).toBe(3);
  });
});

describe("S': initial state", () => {
  it('has hist = λ, seqno = 0 and the components of S', () => {
    const u = mk();
    const s = initialSpecHist(u);
    expect(s.hist).toEqual([]);
    expect(s.seqno).toBe(0);
    expect(s.in.size).toBe(0);
    expect(s.out.size).toBe(0);
    expect(s.lastReq).toEqual([0, 0]);
    expect(s.lastRepT).toEqual([0, 0]);
    expect(s.faultyClient).toEqual([false, false]);
    expect(s.faultyReplica).toEqual([false, false, false, false]);
    expect('val' in s).toBe(false);
    expectMemoIsFold(u, s);
    expect(specHistEnabled(u, s, u.ops)).toEqual([{ kind: 'EXECUTE-NULL' }]);
  });

  it('cloneSpecHist gives an independent copy', () => {
    const u = mk();
    const s = run(u, initialSpecHist(u), [{ kind: 'REQUEST', o: 'a', c: 0 }]);
    const t = cloneSpecHist(s);
    run(u, t, [{ kind: 'EXECUTE', o: 'a', t: 1, c: 0 }, { kind: 'EXECUTE-NULL' }]);
    expect(s.hist).toEqual([]);
    expect(s.seqno).toBe(0);
    expect(ins(s)).toEqual([['a', 1, 0]]);
    expect(s.out.size).toBe(0);
    expectMemoIsFold(u, s);
    expect(t.hist).toEqual([{ n: 1, o: 'a', t: 1, c: 0 }]);
    expect(t.seqno).toBe(2);
    expectMemoIsFold(u, t);
  });
});

describe("S': EXECUTE(o, t, c)", () => {
  it('is disabled unless ⟨o, t, c⟩ ∈ in', () => {
    const u = mk();
    const s = run(u, initialSpecHist(u), [{ kind: 'REQUEST', o: 'a', c: 0 }]);
    expect(specHistPre(u, s, { kind: 'EXECUTE', o: 'a', t: 2, c: 0 })).toBe(false);
    expect(specHistPre(u, s, { kind: 'EXECUTE', o: 'b', t: 1, c: 0 })).toBe(false);
    expect(() => specHistStep(u, s, { kind: 'EXECUTE', o: 'a', t: 2, c: 0 })).toThrow(/S'.*EXECUTE\(a, 2, 0\)/);
    expect(s.seqno).toBe(0);
  });

  it('with t > last-rep-t(hist)(c): seqno+1, triple removed, ⟨seqno, o, t, c⟩ appended, ⟨last-rep(hist)(c), t, c⟩ in out', () => {
    const u = mk();
    const s = run(u, initialSpecHist(u), [
      { kind: 'REQUEST', o: 'a', c: 1 },
      { kind: 'EXECUTE-NULL' },
      { kind: 'EXECUTE-NULL' },
    ]);
    const a: SpecHistAction = { kind: 'EXECUTE', o: 'a', t: 1, c: 1 };
    expect(specHistPre(u, s, a)).toBe(true);
    specHistStep(u, s, a);
    const [r, v] = u.service.g(1, 'a', u.service.initial);
    expect(s.seqno).toBe(3);
    expect(s.in.size).toBe(0);
    expect(s.hist).toEqual([{ n: 3, o: 'a', t: 1, c: 1 }]);
    expect(outs(s)).toEqual([[r, 1, 1]]);
    expect(histLastRep(u, s.hist)[1]).toBe(r);
    expect(enc(u, histVal(u, s.hist))).toBe(enc(u, v));
    expectMemoIsFold(u, s);
    // Literal Def A.1.13: EXECUTE does not assign the S component last-rep-t_c.
    expect(s.lastRepT).toEqual([0, 0]);
    expect(histLastRepT(u, s.hist)).toEqual([0, 1]);
  });

  it('with t ≤ last-rep-t(hist)(c): only seqno and in change', () => {
    const u = mk();
    const s = run(u, initialSpecHist(u), [
      { kind: 'REQUEST', o: 'a', c: 0 },
      { kind: 'REQUEST', o: 'b', c: 0 },
      { kind: 'EXECUTE', o: 'b', t: 2, c: 0 },
    ]);
    const hist = [...s.hist];
    const out = outs(s);
    expect(s.seqno).toBe(1);
    specHistStep(u, s, { kind: 'EXECUTE', o: 'a', t: 1, c: 0 });
    expect(s.seqno).toBe(2);
    expect(s.in.size).toBe(0);
    expect(s.hist).toEqual(hist);
    expect(outs(s)).toEqual(out);
    // equal timestamp (a faulty client's replay) is not executed either
    run(u, s, [
      { kind: 'CLIENT-FAILURE', c: 0 },
      { kind: 'FAULTY-REQUEST', o: 'a', t: 2, c: 0 },
      { kind: 'EXECUTE', o: 'a', t: 2, c: 0 },
    ]);
    expect(s.seqno).toBe(3);
    expect(s.hist).toEqual(hist);
    expect(outs(s)).toEqual(out);
    expectMemoIsFold(u, s);
  });

  it('uses last-rep-t(hist), not the never-updated component last-rep-t_c', () => {
    // After executing t = 1 for client 0, last-rep-t_0 is still 0 but last-rep-t(hist)(0) = 1, so a
    // replayed ⟨o, 1, 0⟩ is not executed again.
    const u = mk();
    const s = run(u, initialSpecHist(u), [
      { kind: 'CLIENT-FAILURE', c: 0 },
      { kind: 'REQUEST', o: 'a', c: 0 },
      { kind: 'EXECUTE', o: 'a', t: 1, c: 0 },
      { kind: 'FAULTY-REQUEST', o: 'b', t: 1, c: 0 },
    ]);
    expect(s.lastRepT[0]).toBe(0);
    specHistStep(u, s, { kind: 'EXECUTE', o: 'b', t: 1, c: 0 });
    expect(s.hist.length).toBe(1);
    expect(s.out.size).toBe(1);
  });
});

describe("S': EXECUTE-NULL", () => {
  it('increments seqno and changes nothing else; enabled whenever defined', () => {
    const u = mk();
    const s = run(u, initialSpecHist(u), [{ kind: 'REQUEST', o: 'a', c: 0 }]);
    expect(specHistPre(u, s, { kind: 'EXECUTE-NULL' })).toBe(true);
    specHistStep(u, s, { kind: 'EXECUTE-NULL' });
    expect(s.seqno).toBe(1);
    expect(ins(s)).toEqual([['a', 1, 0]]);
    expect(s.hist).toEqual([]);
    expect(s.out.size).toBe(0);
    expect(s.lastReq).toEqual([1, 0]);
    expect(s.lastRepT).toEqual([0, 0]);
    expectMemoIsFold(u, s);
  });

  it('is disabled when n-faulty > f', () => {
    const u = mk();
    const s = run(u, initialSpecHist(u), [
      { kind: 'REPLICA-FAILURE', i: 0 },
      { kind: 'REPLICA-FAILURE', i: 1 },
    ]);
    expect(specHistPre(u, s, { kind: 'EXECUTE-NULL' })).toBe(false);
    expect(() => specHistStep(u, s, { kind: 'EXECUTE-NULL' })).toThrow(/EXECUTE-NULL.*undefined/);
    expect(s.seqno).toBe(0);
  });
});

describe("S': the actions identical to S", () => {
  it('REQUEST: increments last-req_c and adds ⟨o, last-req_c, c⟩; disabled for c ∉ C', () => {
    const u = mk();
    const s = initialSpecHist(u);
    expect(specHistPre(u, s, { kind: 'REQUEST', o: 'a', c: 2 })).toBe(false);
    expect(specHistPre(u, s, { kind: 'REQUEST', o: 'a', c: 1 })).toBe(true);
    run(u, s, [
      { kind: 'REQUEST', o: 'a', c: 1 },
      { kind: 'REQUEST', o: 'b', c: 1 },
    ]);
    expect(s.lastReq).toEqual([0, 2]);
    expect(ins(s)).toEqual([
      ['a', 1, 1],
      ['b', 2, 1],
    ]);
    expect(s.seqno).toBe(0);
  });

  it('CLIENT-FAILURE and REPLICA-FAILURE set their flags; disabled outside C / R', () => {
    const u = mk();
    const s = initialSpecHist(u);
    expect(specHistPre(u, s, { kind: 'CLIENT-FAILURE', c: 5 })).toBe(false);
    expect(specHistPre(u, s, { kind: 'REPLICA-FAILURE', i: 4 })).toBe(false);
    run(u, s, [
      { kind: 'CLIENT-FAILURE', c: 1 },
      { kind: 'REPLICA-FAILURE', i: 2 },
    ]);
    expect(s.faultyClient).toEqual([false, true]);
    expect(s.faultyReplica).toEqual([false, false, true, false]);
    expect(specHistDefined(u, s)).toBe(true);
  });

  it('FAULTY-REQUEST: only for faulty clients; adds ⟨o, t, c⟩', () => {
    const u = mk();
    const s = initialSpecHist(u);
    expect(specHistPre(u, s, { kind: 'FAULTY-REQUEST', o: 'a', t: 9, c: 0 })).toBe(false);
    run(u, s, [
      { kind: 'CLIENT-FAILURE', c: 0 },
      { kind: 'FAULTY-REQUEST', o: 'a', t: 9, c: 0 },
    ]);
    expect(ins(s)).toEqual([['a', 9, 0]]);
    expect(s.lastReq).toEqual([0, 0]);
  });

  it('REPLY: needs ⟨r, t, c⟩ ∈ out (or a faulty client) and removes it', () => {
    const u = mk();
    const s = run(u, initialSpecHist(u), [
      { kind: 'REQUEST', o: 'a', c: 0 },
      { kind: 'EXECUTE', o: 'a', t: 1, c: 0 },
    ]);
    const [r] = u.service.g(0, 'a', u.service.initial);
    expect(specHistPre(u, s, { kind: 'REPLY', r, c: 0, t: 2 })).toBe(false);
    expect(specHistPre(u, s, { kind: 'REPLY', r: 'x', c: 1, t: null })).toBe(false);
    expect(specHistPre(u, s, { kind: 'REPLY', r, c: 0, t: 1 })).toBe(true);
    specHistStep(u, s, { kind: 'REPLY', r, c: 0, t: 1 });
    expect(s.out.size).toBe(0);
    expect(s.hist.length).toBe(1);
    specHistStep(u, s, { kind: 'CLIENT-FAILURE', c: 1 });
    specHistStep(u, s, { kind: 'REPLY', r: 'x', c: 1, t: null });
    expect(s.out.size).toBe(0);
  });
});

describe("S': undefined when n-faulty > f", () => {
  it('f = 1: two REPLICA-FAILUREs disable every action', () => {
    const u = mk();
    const s = run(u, initialSpecHist(u), [
      { kind: 'CLIENT-FAILURE', c: 1 },
      { kind: 'REQUEST', o: 'a', c: 0 },
      { kind: 'REQUEST', o: 'b', c: 1 },
      { kind: 'EXECUTE', o: 'b', t: 1, c: 1 },
      { kind: 'REPLICA-FAILURE', i: 3 },
    ]);
    expect(specHistEnabled(u, s, u.ops).length).toBe(3);
    specHistStep(u, s, { kind: 'REPLICA-FAILURE', i: 0 });
    expect(specHistDefined(u, s)).toBe(false);
    const [r] = u.service.g(1, 'b', u.service.initial);
    const all: SpecHistAction[] = [
      { kind: 'REQUEST', o: 'a', c: 0 },
      { kind: 'CLIENT-FAILURE', c: 0 },
      { kind: 'REPLICA-FAILURE', i: 1 },
      { kind: 'FAULTY-REQUEST', o: 'a', t: 3, c: 1 },
      { kind: 'EXECUTE', o: 'a', t: 1, c: 0 },
      { kind: 'EXECUTE-NULL' },
      { kind: 'REPLY', r, c: 1, t: 1 },
      { kind: 'REPLY', r: 'x', c: 1, t: null },
    ];
    for (const a of all) {
      expect(specHistPre(u, s, a)).toBe(false);
      expect(() => specHistStep(u, s, a)).toThrow(/undefined/);
    }
    expect(specHistEnabled(u, s, u.ops)).toEqual([]);
  });
});

describe("S': specHistEnabled", () => {
  it('lists EXECUTEs, then REPLYs, then EXECUTE-NULL', () => {
    const u = mk();
    const s = run(u, initialSpecHist(u), [
      { kind: 'REQUEST', o: 'b', c: 1 },
      { kind: 'REQUEST', o: 'a', c: 0 },
      { kind: 'EXECUTE', o: 'b', t: 1, c: 1 },
    ]);
    const [r] = u.service.g(1, 'b', u.service.initial);
    expect(specHistEnabled(u, s, u.ops)).toEqual([
      { kind: 'EXECUTE', o: 'a', t: 1, c: 0 },
      { kind: 'REPLY', r, c: 1, t: 1 },
      { kind: 'EXECUTE-NULL' },
    ]);
  });
});

describe("S' against S on the same executions", () => {
  it('the log-service scenario: hist records ⟨seqno, o, t, c⟩ and val(hist) = S.val', () => {
    const u = mk();
    const x = initialSpecHist(u);
    const y = initialSpec(u);
    const both = (a: SpecAction) => {
      specHistStep(u, x, a);
      specStep(u, y, a);
    };
    both({ kind: 'REQUEST', o: 'a', c: 0 });
    both({ kind: 'REQUEST', o: 'b', c: 1 });
    specHistStep(u, x, { kind: 'EXECUTE-NULL' }); // seqno 1 is a null request
    both({ kind: 'EXECUTE', o: 'b', t: 1, c: 1 }); // seqno 2
    both({ kind: 'EXECUTE', o: 'a', t: 1, c: 0 }); // seqno 3
    both({ kind: 'REQUEST', o: 'b', c: 0 });
    both({ kind: 'EXECUTE', o: 'b', t: 2, c: 0 }); // seqno 4
    expect(x.hist).toEqual([
      { n: 2, o: 'b', t: 1, c: 1 },
      { n: 3, o: 'a', t: 1, c: 0 },
      { n: 4, o: 'b', t: 2, c: 0 },
    ]);
    expect(x.seqno).toBe(4);
    expect(enc(u, histVal(u, x.hist))).toBe(enc(u, y.val));
    expect(u.service.show(histVal(u, x.hist))).toBe('[c1:b c0:a c0:b]');
    expect(histLastRepT(u, x.hist)).toEqual(y.lastRepT);
    expect(outs(x)).toEqual(outs(y));
    // the replies are those of g applied in the order of hist
    let v = u.service.initial;
    const rs: string[] = [];
    for (const e of x.hist) {
      const [r, v2] = u.service.g(e.c, e.o, v);
      rs.push(r);
      v = v2;
    }
    expect(outs(x)).toEqual([
      [rs[1], 1, 0],
      [rs[2], 2, 0],
      [rs[0], 1, 1],
    ]);
    expectMemoIsFold(u, x);
  });

  it('random walks: memo = fold, val(hist) = S.val, same in/out/flags; last-rep-t_c of S\' stays 0', () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const u = new Universe({ f: 1, clients: 2, service: seed % 2 === 0 ? 'log' : 'counter' });
      const rng = new SeededRng(seed);
      const rnd = (k: number) => rng.int(k);
      const x = initialSpecHist(u);
      const y = initialSpec(u);
      let executed = 0;
      for (let step = 0; step < 200; step++) {
        // candidates: the listed enabled actions, plus inputs and some unlisted ones
        const cands: SpecHistAction[] = [...specHistEnabled(u, x, u.ops)];
        const c = rnd(u.clients);
        cands.push({ kind: 'REQUEST', o: u.ops[rnd(u.ops.length)]!, c });
        if (rnd(20) === 0) cands.push({ kind: 'CLIENT-FAILURE', c });
        if (rnd(30) === 0) cands.push({ kind: 'REPLICA-FAILURE', i: 0 });
        if (x.faultyClient[c]) {
          cands.push({ kind: 'FAULTY-REQUEST', o: u.ops[rnd(u.ops.length)]!, t: rnd(6), c });
          cands.push({ kind: 'REPLY', r: 'junk', c, t: null });
        }
        const a = cands[rnd(cands.length)]!;
        expect(specHistPre(u, x, a)).toBe(true);
        specHistStep(u, x, a);
        if (a.kind !== 'EXECUTE-NULL') {
          expect(specPre(u, y, a)).toBe(true);
          specStep(u, y, a);
        }
        if (a.kind === 'EXECUTE') executed++;
        expectMemoIsFold(u, x);
        expect(enc(u, histVal(u, x.hist))).toBe(enc(u, y.val));
        expect(histLastRepT(u, x.hist)).toEqual(y.lastRepT);
        expect(ins(x)).toEqual(ins(y));
        expect(outs(x)).toEqual(outs(y));
        expect(x.lastReq).toEqual(y.lastReq);
        expect(x.faultyClient).toEqual(y.faultyClient);
        expect(x.faultyReplica).toEqual(y.faultyReplica);
        expect(x.lastRepT).toEqual([0, 0]);
        // hist's sequence numbers strictly increase and never exceed seqno
        for (let k = 1; k < x.hist.length; k++) expect(x.hist[k]!.n).toBeGreaterThan(x.hist[k - 1]!.n);
        if (x.hist.length > 0) expect(x.hist[x.hist.length - 1]!.n).toBeLessThanOrEqual(x.seqno);
      }
      expect(executed).toBeGreaterThan(10);
      expect(x.hist.length).toBeGreaterThan(5);
    }
  });
});
