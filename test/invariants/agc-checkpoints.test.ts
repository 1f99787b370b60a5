// Invariants A.2.3 (1, 2) and A.2.4 of Appendix A.2 for A_gc, with Definitions A.2.1 (r-val,
// r-last-rep, r-last-rep-t) and A.2.2 (Wire, Wire+o, Wire+io, committed-Wire).
//  (a) every conjunct holds along random runs that reach checkpoints;
//  (b) each conjunct, on a state corrupted to make it false, reports exactly its own id;
//  (c) the literal and corrected readings of committed-Wire ("l = r-last-rep-t(μ)") differ;
//  (d) Definition A.2.2 read literally (Wire without nested messages) fails on a null request;
//  (e) a counterexample the model reaches: A.2.3(1) fails when a new view discards out_i.
import { describe, expect, it } from 'vitest';
import { cloneSystem, initialSystem, step, type SystemState } from '../../automata/compose.ts';
import type { Message, NewView, ViewChange } from '../../automata/messages.ts';
import { sendDestination } from '../../automata/replica-state.ts';
import type { Universe } from '../../automata/universe.ts';
import {
  A_2_3,
  A_2_3_1,
  A_2_3_2,
  A_2_4,
  A_2_4_0,
  AGC_CHECKPOINT_INVARIANTS,
  agcCheckpointInvariants,
  checkpointSetN,
  CommittedWireIndex,
  committedWire,
  committedWireOf,
  nestedMessages,
  R_FUNCTIONS,
  rFold,
  rLastRep,
  rLastRepT,
  rVal,
  wireSets,
} from '../../invariants/agc-checkpoints.ts';
import type { SystemInvariant, Violation } from '../../invariants/types.ts';
import { runRandom } from '../../sim/scheduler.ts';
import { chk, clientRequest, com, deliver, flush, mkU, pp, sendOut } from '../replica-gc/helpers.ts';

const idsOf = (vs: readonly Violation[]) => [...new Set(vs.map((v) => v.id))].sort();
const checkAll = (u: Universe, s: SystemState, invs: readonly SystemInvariant[] = AGC_CHECKPOINT_INVARIANTS) => invs.flatMap((inv) => inv.check(u, s));

// ---------------------------------------------------------------- random runs

interface Checked {
  u: Universe;
  s: SystemState;
  found: Violation[];
  checks: number;
}
function runChecked(seed: number, faultyReplicas: number[], steps = 1500): Checked {
  let u!: Universe;
  const found: Violation[] = [];
  let checks = 0;
  const res = runRandom({
    config: { variant: 'Agc', faultyReplicas },
    seed,
    steps,
    onStart: (x) => {
      u = x;
    },
    onStep: (k, _a, s) => {
      if ((k + 1) % 10 !== 0) return;
      checks++;
      found.push(...checkAll(u, s));
    },
  });
  return { u, s: res.state, found, checks };
}
const maxLastExec = (s: SystemState) => Math.max(...s.replicas.filter((r) => !r.faulty).map((r) => r.lastExec));
const checkpointsOnWire = (s: SystemState) => {
  const out: Message[] = [];
  for (let k = 0; k < s.wire.size; k++) {
    const m = s.wire.entryAt(k).m;
    if (m.tag === 'CHECKPOINT' && m.n > 0) out.push(m);
  }
  return out;
};

const memo = new Map<string, Checked>();
function base(seed: number, faulty: number[]): Checked {
  const key = `${seed}|${faulty.join(',')}`;
  let x = memo.get(key);
  if (x === undefined) memo.set(key, (x = runChecked(seed, faulty)));
  return x;
}

describe('registry', () => {
  it('one entry per conjunct, stated for A_gc', () => {
    expect(AGC_CHECKPOINT_INVARIANTS.map((x) => x.id)).toEqual(['A.2.3(1)', 'A.2.3(2)', 'A.2.4']);
    expect(A_2_3.map((x) => x.id)).toEqual(['A.2.3(1)', 'A.2.3(2)']);
    expect(A_2_4.map((x) => x.id)).toEqual(['A.2.4']);
    expect(A_2_4_0.id).toBe('A.2.4');
    for (const x of AGC_CHECKPOINT_INVARIANTS) {
      expect(x.subject).toBe('Agc');
      expect(x.statement.length).toBeGreaterThan(10);
      expect(x.ref).toMatch(/A\.2\.[34]/);
    }
    expect(agcCheckpointInvariants({ literalWire: true }).map((x) => x.id)).toEqual(['A.2.3(1)', 'A.2.3(2)', 'A.2.4']);
  });
});

describe('(a) the conjuncts hold along random runs of A_gc', () => {
  // Seeds 36 (no faults, step 492) and 176 (faulty r3, step 3840) reach the counterexample of (e)
  // when out_i is reset as written; these seeds do not within their 1500 steps, and reach several
  // checkpoints.
  for (const seed of [1, 3, 5])
    for (const faulty of [[], [3]])
      it(`seed ${seed}, faulty replicas [${faulty.join(',')}]`, () => {
        const { s, found, checks } = base(seed, faulty);
        expect(checks).toBe(150);
        expect(found).toEqual([]);
        expect(maxLastExec(s)).toBeGreaterThan(0);
        expect(checkpointsOnWire(s).length).toBeGreaterThan(0);
      });

  it('the witness μ found for each correct replica folds to its state and satisfies the definition conjunct by conjunct', () => {
    const { u, s } = base(1, []);
    const idx = new CommittedWireIndex(u, wireSets(u, s));
    for (const r of s.replicas) {
      const q = { s: r.val, l: r.lastRep, t: r.lastRepT, n: r.lastExec, v: r.view };
      const res = idx.committedWire(q);
      expect(res.kind).toBe('holds');
      if (res.kind !== 'holds') continue;
      expect(res.mu.length).toBe(r.lastExec);
      expect(u.service.encode(rVal(u, res.mu))).toBe(u.service.encode(r.val));
      expect(rLastRep(u, res.mu)).toEqual(r.lastRep);
      expect(rLastRepT(u, res.mu)).toEqual(r.lastRepT);
      expect(committedWireOf(u, idx, q, res.mu)).toBe(true);
      expect(committedWireOf(u, s, q, res.mu.slice(1))).toBe(false); // wrong length
    }
  });
});

// ---------------------------------------------------------------- Definition A.2.1

describe('Definition A.2.1', () => {
  it('r-val, r-last-rep, r-last-rep-t: null and old timestamps change nothing', () => {
    const u = mkU();
    const a1 = u.interner.request('a', 1, 0);
    const b1 = u.interner.request('b', 1, 1);
    const a2 = u.interner.request('b', 2, 0);
    expect(rFold(u, [])).toEqual(R_FUNCTIONS.rInitial(u));
    const [ra, sa] = u.service.g(0, 'a', u.service.initial);
    const [rb, sb] = u.service.g(1, 'b', sa);
    const [ra2, sa2] = u.service.g(0, 'b', sb);
    const mu = [null, a1, null, b1, a1, a2, b1];
    expect(u.service.encode(rVal(u, mu))).toBe(u.service.encode(sa2));
    expect(rLastRep(u, mu)).toEqual([ra2, rb]);
    expect(rLastRepT(u, mu)).toEqual([2, 1]);
    expect(rLastRep(u, [a1])).toEqual([ra, 'null-rep']); // a one-element sequence (μ ∈ RM*, see the header)
    expect(rLastRepT(u, [null])).toEqual([0, 0]);
  });
});

// ---------------------------------------------------------------- (b) corrupted states

describe('(b) each conjunct detects a state made false', () => {
  it('A.2.3(1): a correct replica whose val and last-rep were changed without any commit', () => {
    const { u, s: s0 } = base(1, []);
    const s = cloneSystem(s0);
    const r = s.replicas.find((x) => x.lastExec > 0)!;
    r.val = u.service.g(0, 'forged', r.val)[1];
    r.lastRep[0] = 'forged-reply';
    const vs = checkAll(u, s);
    expect(idsOf(vs)).toEqual(['A.2.3(1)']);
    expect(vs).toHaveLength(1);
    expect(vs[0]!.witness.replicas).toEqual([r.i]);
    expect(vs[0]!.witness.view).toBe(r.view);
    expect(vs[0]!.witness.n).toBe(r.lastExec);
    expect(vs[0]!.message).not.toMatch(/^inconclusive/);
  });

  it('A.2.3(1): a correct replica whose last-exec is past every commit certificate', () => {
    const { u, s: s0 } = base(5, [3]);
    const s = cloneSystem(s0);
    const idx = new CommittedWireIndex(u, wireSets(u, s));
    const top = Math.max(...idx.certifiedK);
    const r = s.replicas[0]!;
    r.lastExec = top + 1;
    const vs = checkAll(u, s);
    expect(idsOf(vs)).toEqual(['A.2.3(1)']);
    expect(vs.map((v) => v.witness.replicas)).toEqual([[0]]);
    expect(vs[0]!.witness.n).toBe(top + 1); // the first k without a committed request
  });

  it('A.2.3(2): a CHECKPOINT signed by a correct replica for a value no committed sequence gives', () => {
    const { u, s: s0 } = base(1, []);
    const s = cloneSystem(s0);
    const real = checkpointsOnWire(s).find((m) => m.tag === 'CHECKPOINT')!;
    if (real.tag !== 'CHECKPOINT') throw new Error('no checkpoint');
    const bogus = u.interner.checkpointValue(u.service.g(1, 'forged', u.service.initial)[1], ['x', 'y'], [7, 7]);
    const m = chk(u, real.v, real.n, bogus, real.j);
    s.wire.add(m, 0);
    const vs = checkAll(u, s);
    expect(idsOf(vs)).toEqual(['A.2.3(2)']);
    expect(vs).toHaveLength(1);
    expect(vs[0]!.witness).toMatchObject({ replicas: [real.j], n: real.n, view: real.v, messages: [m] });
  });

  it('A.2.3(2): the same checkpoint carried only in the C of a VIEW-CHANGE (set N), and not when its signer is faulty', () => {
    const { u, s: s0 } = base(1, [3]);
    const bogus = u.interner.checkpointValue(u.service.g(0, 'forged', u.service.initial)[1], ['x', 'y'], [9, 9]);
    const correct = chk(u, 0, 4, bogus, 1);
    const byFaulty = chk(u, 0, 4, bogus, 3);
    const vc = u.interner.viewChange(7, { n: 4, s: bogus, C: [correct, byFaulty] }, [], 3);
    const nv = u.interner.newView(7, [vc], [], [], 3);
    expect(nestedMessages(nv)).toContain(vc);

    const s = cloneSystem(s0);
    s.wire.add(nv, 0); // a NEW-VIEW from the faulty replica, with the view-change in its V
    expect([vc, nv]).toContain(checkpointSetN(wireSets(u, s)).find((x) => x.m === correct)?.via);
    expect(checkpointSetN(wireSets(u, s, { literalWire: true })).find((x) => x.m === correct)?.via).toBe(nv);
    const vs = checkAll(u, s);
    expect(idsOf(vs)).toEqual(['A.2.3(2)']);
    expect(vs).toHaveLength(1); // not the one signed by faulty replica 3
    expect(vs[0]!.witness).toMatchObject({ replicas: [1], n: 4, view: 0 });
    expect(vs[0]!.witness.messages![0]).toBe(correct);
  });

  it('A.2.4: commit certificates for two different requests at the same sequence number', () => {
    const { u, s: s0 } = base(1, []);
    const s = cloneSystem(s0);
    const orig = new CommittedWireIndex(u, wireSets(u, s)).candidatesAt(1);
    expect(orig).toHaveLength(1);
    const forged = u.interner.request('forged', 99, 0);
    s.wire.add(forged, 0);
    const commits = [0, 1, 2].map((q) => com(u, 0, 1, forged, q));
    for (const c of commits) s.wire.add(c, 0);
    const vs = checkAll(u, s);
    expect(idsOf(vs)).toEqual(['A.2.4']);
    expect(vs).toHaveLength(1);
    const w = vs[0]!.witness;
    expect(w.n).toBe(1);
    expect(w.messages).toContain(forged);
    for (const c of commits) expect(w.messages).toContain(c);
    if (orig[0]!.m !== null) expect(w.messages).toContain(orig[0]!.m);
    expect(w.replicas).toEqual(expect.arrayContaining([0, 1, 2]));

    // A.2.3 still holds: the replicas' states are one of the two candidate sequences. With a
    // search bound of one value, the same query is inconclusive rather than wrong.
    const r = s.replicas[0]!;
    const q = { s: r.val, l: r.lastRep, t: r.lastRepT, n: r.lastExec, v: r.view };
    expect(new CommittedWireIndex(u, wireSets(u, s)).committedWire(q).kind).toBe('holds');
    expect(new CommittedWireIndex(u, wireSets(u, s), 1).committedWire(q).kind).toBe('inconclusive');
  });

  it('A.2.4 (reduction): two candidates at k do not matter when some k\' < k has none (no sequence reaches k)', () => {
    const { u, s: s0 } = base(1, []);
    const s = cloneSystem(s0);
    const top = Math.max(...new CommittedWireIndex(u, wireSets(u, s)).certifiedK);
    const k = top + 2;
    for (const o of ['x', 'y']) {
      const m = u.interner.request(o, 50, 1);
      s.wire.add(m, 0);
      for (const q of [0, 1, 2]) s.wire.add(com(u, 0, k, m, q), 0);
    }
    expect(new CommittedWireIndex(u, wireSets(u, s)).candidatesAt(k)).toHaveLength(2);
    expect(A_2_4_0.check(u, s)).toEqual([]);
  });
});

// ---------------------------------------------------------------- (c) the two readings of committed-Wire

describe('(c) committed-Wire: "l = r-last-rep-t(μ)" (literal) against "l = r-last-rep(μ)" (corrected)', () => {
  it('differ on the initial state, where last-rep = null-rep and last-rep-t = 0', () => {
    const u = mkU();
    const s = initialSystem(u);
    const r = s.replicas[0]!;
    expect(r.lastRep).not.toEqual(r.lastRepT);
    const q = { s: r.val, l: r.lastRep, t: r.lastRepT, n: 0, v: 0 };
    expect(committedWire(u, s, q)).toMatchObject({ kind: 'holds', mu: [] });
    expect(committedWire(u, s, q, { literal: true }).kind).toBe('fails');
    // the literal reading is satisfied by ⟨s, t, t⟩ instead
    expect(committedWire(u, s, { ...q, l: r.lastRepT }, { literal: true }).kind).toBe('holds');
    expect(committedWire(u, s, { ...q, l: r.lastRepT }).kind).toBe('fails');
  });

  it('differ on every correct replica of a run', () => {
    const { u, s } = base(3, []);
    const idx = new CommittedWireIndex(u, wireSets(u, s));
    for (const r of s.replicas) {
      const q = { s: r.val, l: r.lastRep, t: r.lastRepT, n: r.lastExec, v: r.view };
      expect(idx.committedWire(q).kind).toBe('holds');
      expect(idx.committedWire(q, { literal: true }).kind).toBe('fails');
    }
  });
});

// ---------------------------------------------------------------- (d), (e): scenarios

/** Replicas 1, 2, 3 move to view 1; replica 1 (its primary) sends NEW-VIEW; `backups` receive it. */
function changeView(u: Universe, s: SystemState, sendVC: (vc: ViewChange, i: number) => void, backups: number[]): NewView {
  for (const i of [1, 2, 3]) step(u, s, { kind: 'SEND-VIEW-CHANGE', v: 1, i });
  const vcs = [1, 2, 3].map((i) => [...s.replicas[i]!.out].find((m): m is ViewChange => m.tag === 'VIEW-CHANGE')!);
  vcs.forEach((vc, k) => sendVC(vc, k + 1));
  deliver(u, s, vcs[1]!, 1);
  deliver(u, s, vcs[2]!, 1);
  step(u, s, { kind: 'SEND-NEW-VIEW', v: 1, V: vcs, i: 1 });
  const nv = [...s.replicas[1]!.out].find((m): m is NewView => m.tag === 'NEW-VIEW')!;
  sendOut(u, s, 1);
  for (const i of backups) deliver(u, s, nv, i);
  return nv;
}

describe('(d) Definition A.2.2 read literally: Wire without the messages nested in a NEW-VIEW', () => {
  it('a null request executed in a new view has its pre-prepare only inside the NEW-VIEW: A.2.3 fails as written, holds corrected', () => {
    const u = mkU();
    const s = initialSystem(u);
    const a = clientRequest(u, s, 0, 'a');
    const b = clientRequest(u, s, 1, 'b');
    flush(u, s);
    step(u, s, { kind: 'SEND-PRE-PREPARE', m: a, v: 0, n: 1, i: 0 });
    step(u, s, { kind: 'SEND-PRE-PREPARE', m: b, v: 0, n: 2, i: 0 });
    const lost = (m: Message) => m === pp(u, 0, 1, a, 0);
    flush(u, s, [0, 1, 2, 3], lost);
    const nv = changeView(u, s, (_vc, i) => sendOut(u, s, i), [2, 3, 0]);
    expect(nv.N).toEqual([pp(u, 1, 1, null, 1)]);
    flush(u, s, [0, 1, 2, 3], lost);
    for (const i of [0, 1, 2, 3]) {
      step(u, s, { kind: 'SEND-COMMIT', m: null, v: 1, n: 1, i });
      step(u, s, { kind: 'SEND-COMMIT', m: b, v: 1, n: 2, i });
    }
    flush(u, s, [0, 1, 2, 3], lost);
    for (const i of [0, 1, 2, 3]) step(u, s, { kind: 'EXECUTE', m: null, v: 1, n: 1, i });
    for (const i of [0, 1, 2, 3]) step(u, s, { kind: 'EXECUTE', m: b, v: 1, n: 2, i });
    flush(u, s, [0, 1, 2, 3], lost);

    expect(wireSets(u, s).wireO.has(pp(u, 1, 1, null, 1))).toBe(true);
    expect(wireSets(u, s, { literalWire: true }).wireO.has(pp(u, 1, 1, null, 1))).toBe(false);
    expect(checkAll(u, s)).toEqual([]);
    const literal = checkAll(u, s, agcCheckpointInvariants({ literalWire: true }));
    expect(idsOf(literal)).toEqual(['A.2.3(1)', 'A.2.3(2)']);
    expect(literal.filter((v) => v.id === 'A.2.3(1)').map((v) => v.witness.replicas![0])).toEqual([0, 1, 2, 3]);
    for (const v of literal) expect(v.witness.n).toBe(v.id === 'A.2.3(1)' ? 1 : 2);
  });
});

describe('(e) counterexample: a new view discards out_i, and with it commits never sent', () => {
  // The proof of A.2.3 says messages leave out_j only when they are sent. In A_gc, SEND-NEW-VIEW
  // sets out_i := {m} and RECEIVE(NEW-VIEW) sets out_i := {} (Fig 2-13): a commit still in out_i is
  // dropped. Replica 1 executes with commits from 0, 3 and itself; replica 2's commit is then
  // the third signer in Wire+o, until replica 2 receives the NEW-VIEW. Random runs reach the same
  // state (seed 36, no faults, step 492; seed 176, faulty r3, step 3840, where A.2.3(2) fails too).
  it('A.2.3(1) holds after EXECUTE and SEND-NEW-VIEW, and fails once replica 2 receives the NEW-VIEW (out_i reset as written)', () => {
    const u = mkU({ readings: { literalOutReset: true } });
    const s = initialSystem(u);
    const a = clientRequest(u, s, 0, 'a');
    flush(u, s);
    step(u, s, { kind: 'SEND-PRE-PREPARE', m: a, v: 0, n: 1, i: 0 });
    flush(u, s);
    for (const i of [0, 1, 2, 3]) step(u, s, { kind: 'SEND-COMMIT', m: a, v: 0, n: 1, i });
    sendOut(u, s, 0);
    sendOut(u, s, 3);
    deliver(u, s, com(u, 0, 1, a, 0), 1);
    deliver(u, s, com(u, 0, 1, a, 3), 1);
    step(u, s, { kind: 'EXECUTE', m: a, v: 0, n: 1, i: 1 });
    expect(checkAll(u, s)).toEqual([]);

    // replicas 2 and 3 send only their view-changes: their commits stay in out
    const sendVC = (vc: ViewChange, i: number) => {
      if (i !== 1) step(u, s, { kind: 'SEND', x: i, m: vc, X: sendDestination(u, s.replicas[i]!, vc)! });
    };
    changeView(u, s, sendVC, []);
    expect(s.replicas[1]!.out.has(com(u, 0, 1, a, 1))).toBe(false); // dropped by SEND-NEW-VIEW
    expect(s.replicas[2]!.out.has(com(u, 0, 1, a, 2))).toBe(true);
    expect(checkAll(u, s)).toEqual([]);

    const nv = [...wireSets(u, s).wire].find((m) => m.tag === 'NEW-VIEW')!;
    deliver(u, s, nv, 2);
    expect(s.replicas[2]!.out.has(com(u, 0, 1, a, 2))).toBe(false); // dropped by RECEIVE(NEW-VIEW)
    for (const i of [1, 2]) expect(s.replicas[i]!.in.has(com(u, 0, 1, a, i))).toBe(true); // still logged
    const vs = checkAll(u, s);
    expect(idsOf(vs)).toEqual(['A.2.3(1)']);
    expect(vs).toHaveLength(1);
    expect(vs[0]!.witness).toMatchObject({ replicas: [1], n: 1, view: 1 });
    expect(new Set(vs[0]!.witness.messages)).toEqual(new Set([com(u, 0, 1, a, 0), com(u, 0, 1, a, 3)]));
    expect(A_2_3_1.check(u, s)).toHaveLength(1);
    expect(A_2_3_2.check(u, s)).toEqual([]);
  });
});

