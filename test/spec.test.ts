import { describe, it, expect } from 'vitest';
import { Universe } from '../automata/universe.ts';
import {
  type SpecAction,
  type SpecState,
  cloneSpec,
  initialSpec,
  nFaulty,
  sortedIn,
  sortedOut,
  specDefined,
  specEnabled,
  specPre,
  specStep,
} from '../automata/spec.ts';

const mk = () => new Universe({ f: 1, clients: 2, service: 'log' });

/** Apply a list of actions, each of which must be enabled. */
function run(u: Universe, s: SpecState, acts: SpecAction[]): SpecState {
  for (const a of acts) specStep(u, s, a);
  return s;
}

const ins = (s: SpecState) => sortedIn(s).map(({ o, t, c }) => [o, t, c]);
const outs = (s: SpecState) => sortedOut(s).map(({ r, t, c }) => [r, t, c]);

describe('S: initial state (Fig 2-6)', () => {
  it('has val = s_o, empty in/out, zero counters and no faults', () => {
    const u = mk();
    const s = initialSpec(u);
    expect(s.val).toBe(u.service.initial);
    expect(s.in.size).toBe(0);
    expect(s.out.size).toBe(0);
    expect(s.lastReq).toEqual([0, 0]);
    expect(s.lastRepT).toEqual([0, 0]);
    expect(s.faultyClient).toEqual([false, false]);
    expect(s.faultyReplica).toEqual([false, false, false, false]);
    expect(nFaulty(s)).toBe(0);
    expect(specDefined(u, s)).toBe(true);
    expect(specEnabled(u, s, u.ops)).toEqual([]);
  });

  it('cloneSpec gives an independent copy', () => {
    const u = mk();
    const s = run(u, initialSpec(u), [{ kind: 'REQUEST', o: 'a', c: 0 }]);
    const t = cloneSpec(s);
    specStep(u, t, { kind: 'EXECUTE', o: 'a', t: 1, c: 0 });
    specStep(u, t, { kind: 'REQUEST', o: 'b', c: 1 });
    specStep(u, t, { kind: 'CLIENT-FAILURE', c: 1 });
    specStep(u, t, { kind: 'REPLICA-FAILURE', i: 2 });
    expect(ins(s)).toEqual([['a', 1, 0]]);
    expect(s.out.size).toBe(0);
    expect(s.val).toBe(u.service.initial);
    expect(s.lastReq).toEqual([1, 0]);
    expect(s.lastRepT).toEqual([0, 0]);
    expect(s.faultyClient).toEqual([false, false]);
    expect(s.faultyReplica).toEqual([false, false, false, false]);
    expect(ins(t)).toEqual([['b', 1, 1]]);
    expect(t.out.size).toBe(1);
  });
});

describe('S: REQUEST(o)_c', () => {
  it('is an input: enabled when defined; increments last-req_c and adds ⟨o, last-req_c, c⟩ to in', () => {
    const u = mk();
    const s = initialSpec(u);
    const a: SpecAction = { kind: 'REQUEST', o: 'a', c: 1 };
    expect(specPre(u, s, a)).toBe(true);
    specStep(u, s, a);
    expect(s.lastReq).toEqual([0, 1]);
    expect(ins(s)).toEqual([['a', 1, 1]]);
    specStep(u, s, { kind: 'REQUEST', o: 'b', c: 1 });
    expect(s.lastReq).toEqual([0, 2]);
    expect(ins(s)).toEqual([
      ['a', 1, 1],
      ['b', 2, 1],
    ]);
    // nothing else changed
    expect(s.out.size).toBe(0);
    expect(s.val).toBe(u.service.initial);
    expect(s.lastRepT).toEqual([0, 0]);
  });

  it('is disabled for a client outside C and when n-faulty > f', () => {
    const u = mk();
    expect(specPre(u, initialSpec(u), { kind: 'REQUEST', o: 'a', c: 2 })).toBe(false);
    const s = run(u, initialSpec(u), [
      { kind: 'REPLICA-FAILURE', i: 0 },
      { kind: 'REPLICA-FAILURE', i: 1 },
    ]);
    expect(specPre(u, s, { kind: 'REQUEST', o: 'a', c: 0 })).toBe(false);
  });
});

describe('S: CLIENT-FAILURE_c and REPLICA-FAILURE_i', () => {
  it('CLIENT-FAILURE sets faulty-client_c and nothing else', () => {
    const u = mk();
    const s = initialSpec(u);
    const a: SpecAction = { kind: 'CLIENT-FAILURE', c: 0 };
    expect(specPre(u, s, a)).toBe(true);
    specStep(u, s, a);
    expect(s.faultyClient).toEqual([true, false]);
    expect(s.faultyReplica).toEqual([false, false, false, false]);
    expect(s.lastReq).toEqual([0, 0]);
    expect(specPre(u, s, { kind: 'CLIENT-FAILURE', c: -1 })).toBe(false);
  });

  it('REPLICA-FAILURE sets faulty-replica_i and counts in n-faulty', () => {
    const u = mk();
    const s = initialSpec(u);
    const a: SpecAction = { kind: 'REPLICA-FAILURE', i: 3 };
    expect(specPre(u, s, a)).toBe(true);
    specStep(u, s, a);
    expect(s.faultyReplica).toEqual([false, false, false, true]);
    expect(s.faultyClient).toEqual([false, false]);
    expect(nFaulty(s)).toBe(1);
    expect(specDefined(u, s)).toBe(true);
    // the same replica failing again does not raise n-faulty
    specStep(u, s, a);
    expect(nFaulty(s)).toBe(1);
    expect(specPre(u, s, { kind: 'REPLICA-FAILURE', i: 4 })).toBe(false);
  });

  it('both inputs are disabled once n-faulty > ⌊(|R|−1)/3⌋', () => {
    const u = mk();
    const s = run(u, initialSpec(u), [
      { kind: 'REPLICA-FAILURE', i: 0 },
      { kind: 'REPLICA-FAILURE', i: 3 },
    ]);
    expect(specPre(u, s, { kind: 'CLIENT-FAILURE', c: 0 })).toBe(false);
    expect(specPre(u, s, { kind: 'REPLICA-FAILURE', i: 1 })).toBe(false);
  });
});

describe('S: FAULTY-REQUEST(o, t, c)', () => {
  it('is disabled for a correct client', () => {
    const u = mk();
    expect(specPre(u, initialSpec(u), { kind: 'FAULTY-REQUEST', o: 'a', t: 5, c: 0 })).toBe(false);
    expect(() => specStep(u, initialSpec(u), { kind: 'FAULTY-REQUEST', o: 'a', t: 5, c: 0 })).toThrow(/FAULTY-REQUEST/);
  });

  it('for a faulty client adds exactly ⟨o, t, c⟩ to in, leaving last-req_c alone', () => {
    const u = mk();
    const s = run(u, initialSpec(u), [{ kind: 'CLIENT-FAILURE', c: 0 }]);
    const a: SpecAction = { kind: 'FAULTY-REQUEST', o: 'b', t: 7, c: 0 };
    expect(specPre(u, s, a)).toBe(true);
    specStep(u, s, a);
    expect(ins(s)).toEqual([['b', 7, 0]]);
    expect(s.lastReq).toEqual([0, 0]);
    // in is a set: the same triple again changes nothing
    specStep(u, s, a);
    expect(ins(s)).toEqual([['b', 7, 0]]);
    // t must be in ℕ; the other client is still correct
    expect(specPre(u, s, { kind: 'FAULTY-REQUEST', o: 'b', t: -1, c: 0 })).toBe(false);
    expect(specPre(u, s, { kind: 'FAULTY-REQUEST', o: 'b', t: 1.5, c: 0 })).toBe(false);
    expect(specPre(u, s, { kind: 'FAULTY-REQUEST', o: 'b', t: 7, c: 1 })).toBe(false);
  });
});

describe('S: EXECUTE(o, t, c)', () => {
  it('is disabled unless ⟨o, t, c⟩ ∈ in', () => {
    const u = mk();
    const s = run(u, initialSpec(u), [{ kind: 'REQUEST', o: 'a', c: 0 }]);
    expect(specPre(u, s, { kind: 'EXECUTE', o: 'a', t: 2, c: 0 })).toBe(false);
    expect(specPre(u, s, { kind: 'EXECUTE', o: 'b', t: 1, c: 0 })).toBe(false);
    expect(specPre(u, s, { kind: 'EXECUTE', o: 'a', t: 1, c: 1 })).toBe(false);
    expect(() => specStep(u, s, { kind: 'EXECUTE', o: 'a', t: 2, c: 0 })).toThrow(/EXECUTE\(a, 2, 0\).*precondition false/);
  });

  it('with t > last-rep-t_c removes the triple, applies g, adds ⟨r, t, c⟩ to out and sets last-rep-t_c', () => {
    const u = mk();
    const s = run(u, initialSpec(u), [{ kind: 'REQUEST', o: 'a', c: 1 }]);
    const a: SpecAction = { kind: 'EXECUTE', o: 'a', t: 1, c: 1 };
    expect(specPre(u, s, a)).toBe(true);
    const [r, val] = u.service.g(1, 'a', u.service.initial);
    specStep(u, s, a);
    expect(s.in.size).toBe(0);
    expect(u.service.encode(s.val)).toBe(u.service.encode(val));
    expect(outs(s)).toEqual([[r, 1, 1]]);
    expect(s.lastRepT).toEqual([0, 1]);
    expect(s.lastReq).toEqual([0, 1]);
    expect(specPre(u, s, a)).toBe(false); // the triple is gone
  });

  it('with t ≤ last-rep-t_c removes the triple only: val, out and last-rep-t unchanged', () => {
    const u = mk();
    const s = run(u, initialSpec(u), [
      { kind: 'REQUEST', o: 'a', c: 0 },
      { kind: 'REQUEST', o: 'b', c: 0 },
      { kind: 'EXECUTE', o: 'b', t: 2, c: 0 }, // executes: last-rep-t_0 = 2
    ]);
    const val = s.val;
    const out = outs(s);
    expect(s.lastRepT).toEqual([2, 0]);
    // t = 1 < 2: the older request of the same client is dropped
    specStep(u, s, { kind: 'EXECUTE', o: 'a', t: 1, c: 0 });
    expect(s.in.size).toBe(0);
    expect(s.val).toBe(val);
    expect(outs(s)).toEqual(out);
    expect(s.lastRepT).toEqual([2, 0]);
    // t = 2 = last-rep-t_0 (a faulty client replaying the timestamp): dropped too
    specStep(u, s, { kind: 'CLIENT-FAILURE', c: 0 });
    specStep(u, s, { kind: 'FAULTY-REQUEST', o: 'a', t: 2, c: 0 });
    specStep(u, s, { kind: 'EXECUTE', o: 'a', t: 2, c: 0 });
    expect(s.in.size).toBe(0);
    expect(s.val).toBe(val);
    expect(outs(s)).toEqual(out);
    expect(s.lastRepT).toEqual([2, 0]);
    // t = 0 with last-rep-t_1 = 0: not executed either
    specStep(u, s, { kind: 'CLIENT-FAILURE', c: 1 });
    specStep(u, s, { kind: 'FAULTY-REQUEST', o: 'a', t: 0, c: 1 });
    specStep(u, s, { kind: 'EXECUTE', o: 'a', t: 0, c: 1 });
    expect(s.val).toBe(val);
    expect(outs(s)).toEqual(out);
    expect(s.lastRepT).toEqual([2, 0]);
  });
});

describe('S: REPLY(r)_c', () => {
  it('for a correct client needs ⟨r, t, c⟩ ∈ out and removes exactly that triple', () => {
    const u = mk();
    const s = run(u, initialSpec(u), [
      { kind: 'REQUEST', o: 'a', c: 0 },
      { kind: 'EXECUTE', o: 'a', t: 1, c: 0 },
    ]);
    const [r] = u.service.g(0, 'a', u.service.initial);
    expect(specPre(u, s, { kind: 'REPLY', r, c: 0, t: 2 })).toBe(false); // wrong t
    expect(specPre(u, s, { kind: 'REPLY', r: 'other', c: 0, t: 1 })).toBe(false); // wrong r
    expect(specPre(u, s, { kind: 'REPLY', r, c: 1, t: 1 })).toBe(false); // wrong c
    expect(specPre(u, s, { kind: 'REPLY', r, c: 0, t: null })).toBe(false); // null only for faulty clients
    const a: SpecAction = { kind: 'REPLY', r, c: 0, t: 1 };
    expect(specPre(u, s, a)).toBe(true);
    const val = s.val;
    specStep(u, s, a);
    expect(s.out.size).toBe(0);
    expect(s.val).toBe(val);
    expect(s.lastRepT).toEqual([1, 0]);
    expect(specPre(u, s, a)).toBe(false);
    expect(() => specStep(u, s, a)).toThrow(/REPLY/);
  });

  it('for a faulty client is enabled for any r; t = null removes nothing', () => {
    const u = mk();
    const s = run(u, initialSpec(u), [
      { kind: 'REQUEST', o: 'a', c: 1 },
      { kind: 'EXECUTE', o: 'a', t: 1, c: 1 },
      { kind: 'CLIENT-FAILURE', c: 0 },
    ]);
    const out = outs(s);
    const a: SpecAction = { kind: 'REPLY', r: 'anything', c: 0, t: null };
    expect(specPre(u, s, a)).toBe(true);
    specStep(u, s, a);
    expect(outs(s)).toEqual(out);
    // a numeric t names the removed triple: it must be in out
    expect(specPre(u, s, { kind: 'REPLY', r: 'anything', c: 0, t: 3 })).toBe(false);
    // client 1 is correct: no arbitrary replies
    expect(specPre(u, s, { kind: 'REPLY', r: 'anything', c: 1, t: null })).toBe(false);
  });

  it('for a faulty client with a triple in out removes it when t names it', () => {
    const u = mk();
    const s = run(u, initialSpec(u), [
      { kind: 'REQUEST', o: 'a', c: 0 },
      { kind: 'EXECUTE', o: 'a', t: 1, c: 0 },
      { kind: 'CLIENT-FAILURE', c: 0 },
    ]);
    const [r] = u.service.g(0, 'a', u.service.initial);
    specStep(u, s, { kind: 'REPLY', r, c: 0, t: 1 });
    expect(s.out.size).toBe(0);
  });
});

describe('S: undefined when n-faulty > ⌊(|R|−1)/3⌋', () => {
  it('f = 1, |R| = 4: one failure keeps S defined, two disable every action', () => {
    const u = mk();
    expect(u.n).toBe(4);
    const s = run(u, initialSpec(u), [
      { kind: 'CLIENT-FAILURE', c: 1 },
      { kind: 'REQUEST', o: 'a', c: 0 },
      { kind: 'REQUEST', o: 'b', c: 1 },
      { kind: 'EXECUTE', o: 'b', t: 1, c: 1 },
      { kind: 'REPLICA-FAILURE', i: 1 },
    ]);
    expect(specDefined(u, s)).toBe(true);
    expect(specEnabled(u, s, u.ops).length).toBe(2);
    specStep(u, s, { kind: 'REPLICA-FAILURE', i: 2 });
    expect(nFaulty(s)).toBe(2);
    expect(specDefined(u, s)).toBe(false);
    const [r] = u.service.g(1, 'b', u.service.initial);
    const all: SpecAction[] = [
      { kind: 'REQUEST', o: 'a', c: 0 },
      { kind: 'CLIENT-FAILURE', c: 0 },
      { kind: 'REPLICA-FAILURE', i: 0 },
      { kind: 'FAULTY-REQUEST', o: 'a', t: 3, c: 1 },
      { kind: 'EXECUTE', o: 'a', t: 1, c: 0 },
      { kind: 'REPLY', r, c: 1, t: 1 },
      { kind: 'REPLY', r: 'x', c: 1, t: null },
    ];
    for (const a of all) {
      expect(specPre(u, s, a)).toBe(false);
      expect(() => specStep(u, s, a)).toThrow(/undefined/);
    }
    expect(specEnabled(u, s, u.ops)).toEqual([]);
  });
});

describe('S: specEnabled', () => {
  it('lists EXECUTE per triple of in, then REPLY per triple of out, sorted by (c, t, o/r)', () => {
    const u = mk();
    const s = run(u, initialSpec(u), [
      { kind: 'REQUEST', o: 'b', c: 1 },
      { kind: 'REQUEST', o: 'a', c: 0 },
      { kind: 'REQUEST', o: 'a', c: 1 },
      { kind: 'CLIENT-FAILURE', c: 0 },
      { kind: 'FAULTY-REQUEST', o: 'z', t: 1, c: 0 },
      { kind: 'FAULTY-REQUEST', o: 'b', t: 1, c: 0 },
    ]);
    expect(specEnabled(u, s, u.ops)).toEqual([
      { kind: 'EXECUTE', o: 'a', t: 1, c: 0 },
      { kind: 'EXECUTE', o: 'b', t: 1, c: 0 },
      { kind: 'EXECUTE', o: 'z', t: 1, c: 0 },
      { kind: 'EXECUTE', o: 'b', t: 1, c: 1 },
      { kind: 'EXECUTE', o: 'a', t: 2, c: 1 },
    ]);
    const [r1, v1] = u.service.g(1, 'a', u.service.initial);
    specStep(u, s, { kind: 'EXECUTE', o: 'a', t: 2, c: 1 });
    const [r0] = u.service.g(0, 'z', v1);
    specStep(u, s, { kind: 'EXECUTE', o: 'z', t: 1, c: 0 });
    expect(specEnabled(u, s, u.ops)).toEqual([
      { kind: 'EXECUTE', o: 'a', t: 1, c: 0 },
      { kind: 'EXECUTE', o: 'b', t: 1, c: 0 },
      { kind: 'EXECUTE', o: 'b', t: 1, c: 1 },
      { kind: 'REPLY', r: r0, c: 0, t: 1 },
      { kind: 'REPLY', r: r1, c: 1, t: 2 },
    ]);
    // every listed action is enabled; the listing does not depend on insertion order
    for (const a of specEnabled(u, s, u.ops)) expect(specPre(u, s, a)).toBe(true);
    const t = cloneSpec(s);
    t.in = new Map([...t.in].reverse());
    t.out = new Map([...t.out].reverse());
    expect(specEnabled(u, t, u.ops)).toEqual(specEnabled(u, s, u.ops));
  });
});

describe('S: a run of the log service with two clients', () => {
  it('executes requests in the order chosen and replies with the results of g', () => {
    const u = mk();
    const s = initialSpec(u);
    specStep(u, s, { kind: 'REQUEST', o: 'a', c: 0 });
    specStep(u, s, { kind: 'REQUEST', o: 'b', c: 1 });
    // order: client 1's request first, then client 0's, then client 1's second request
    let val = u.service.initial;
    const expected: [string, number, number][] = [];
    const exec = (o: string, t: number, c: number) => {
      const [r, v] = u.service.g(c, o, val);
      val = v;
      expected.push([r, t, c]);
      specStep(u, s, { kind: 'EXECUTE', o, t, c });
      expect(u.service.encode(s.val)).toBe(u.service.encode(val));
      return r;
    };
    const rb = exec('b', 1, 1);
    const ra = exec('a', 1, 0);
    expect(outs(s)).toEqual([
      [ra, 1, 0],
      [rb, 1, 1],
    ]);
    // the log service's results reveal the order: lengths 1 and 2
    expect(rb.startsWith('1@')).toBe(true);
    expect(ra.startsWith('2@')).toBe(true);
    specStep(u, s, { kind: 'REPLY', r: rb, c: 1, t: 1 });
    specStep(u, s, { kind: 'REQUEST', o: 'a', c: 1 });
    const rb2 = exec('a', 2, 1);
    expect(rb2.startsWith('3@')).toBe(true);
    expect(u.service.show(s.val)).toBe('[c1:b c0:a c1:a]');
    expect(outs(s)).toEqual([
      [ra, 1, 0],
      [rb2, 2, 1],
    ]);
    specStep(u, s, { kind: 'REPLY', r: ra, c: 0, t: 1 });
    specStep(u, s, { kind: 'REPLY', r: rb2, c: 1, t: 2 });
    expect(s.out.size).toBe(0);
    expect(s.lastReq).toEqual([1, 2]);
    expect(s.lastRepT).toEqual([1, 2]);
    expect(expected.map(([r]) => r)).toEqual([rb, ra, rb2]);
  });

  it('a different execution order gives different replies', () => {
    const u = mk();
    const s1 = run(u, initialSpec(u), [
      { kind: 'REQUEST', o: 'a', c: 0 },
      { kind: 'REQUEST', o: 'b', c: 1 },
      { kind: 'EXECUTE', o: 'a', t: 1, c: 0 },
      { kind: 'EXECUTE', o: 'b', t: 1, c: 1 },
    ]);
    const s2 = run(u, initialSpec(u), [
      { kind: 'REQUEST', o: 'a', c: 0 },
      { kind: 'REQUEST', o: 'b', c: 1 },
      { kind: 'EXECUTE', o: 'b', t: 1, c: 1 },
      { kind: 'EXECUTE', o: 'a', t: 1, c: 0 },
    ]);
    expect(outs(s1)).not.toEqual(outs(s2));
    expect(u.service.encode(s1.val)).not.toBe(u.service.encode(s2.val));
  });
});
