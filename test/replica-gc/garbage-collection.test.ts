// Fig 2-11, the garbage-collection actions of replica i of A_gc (read as in READING-NOTES 5):
//   RECEIVE(⟨CHECKPOINT, v, n, d, j⟩σj)_i (j ≠ i)
//     Eff: if view_i ≥ v ∧ in-w(n, i) then in_i := in_i ∪ {⟨CHECKPOINT, v, n, d, j⟩σj}
//   COLLECT-GARBAGE_i
//     Pre: ∃ R, n, d : (|R| > f ∧ i ∈ R ∧ ∀ k ∈ R : (∃ v : ⟨CHECKPOINT, v, n, d, k⟩σk ∈ in_i))
//     Eff: removes every PRE-PREPARE, PREPARE, COMMIT with n' ≤ n and CHECKPOINT with n' < n from
//          in_i, and every ⟨n', s⟩ with n' < n from chkpts_i.
import { describe, expect, it } from 'vitest';
import type { ReplicaInternal } from '../../automata/actions.ts';
import { initialSystem, isEnabled, step, type SystemState } from '../../automata/compose.ts';
import type { Message } from '../../automata/messages.ts';
import * as R from '../../automata/replica-gc.ts';
import { h, stableChkpt } from '../../automata/replica-state.ts';
import type { Universe } from '../../automata/universe.ts';
import {
  chk,
  clientRequest,
  com,
  deliver,
  expectDisabled,
  expectEnabled,
  expectIgnored,
  expectSameMessages,
  flush,
  inOf,
  initialCheckpoints,
  mkU,
  orderAndExecute,
  pp,
  prep,
  replica,
  req,
  s0,
  sendOut,
  snapshot,
} from './helpers.ts';

/** A checkpoint value different from s0 (as after executing ⟨REQUEST, a, 1, 0⟩ and ⟨REQUEST, b, 1, 1⟩). */
function valueAt2(u: Universe) {
  const [ra, va] = u.service.g(0, 'a', u.service.initial);
  const [rb, vb] = u.service.g(1, 'b', va);
  return u.interner.checkpointValue(vb, [ra, rb], [1, 1]);
}

const gc = (u: Universe, i: number, n: number, s: ReturnType<typeof valueAt2>): ReplicaInternal => ({
  kind: 'COLLECT-GARBAGE',
  i,
  n,
  d: u.interner.valueDigest(s),
});

describe('Fig 2-11 RECEIVE(⟨CHECKPOINT, v, n, d, j⟩σj)_i', () => {
  it('accepted when view_i ≥ v and in-w(n, i); nothing else changes', () => {
    const u = mkU();
    const st = replica(u, 0);
    const before = snapshot(st);
    const c = chk(u, 0, 2, valueAt2(u), 1);
    R.receive(u, st, c);
    expect(snapshot(st)).toEqual({ ...before, in: [...before.in, c.id].sort((a, b) => a - b) });
    // a checkpoint of an older view, at the high water mark h + L = 4
    const st2 = replica(u, 0);
    st2.view = 2;
    R.receive(u, st2, chk(u, 1, 4, valueAt2(u), 3));
    expect(st2.in.has(chk(u, 1, 4, valueAt2(u), 3))).toBe(true);
  });

  it('refused when v > view_i', () => {
    const u = mkU();
    expectIgnored(u, replica(u, 0), chk(u, 1, 2, valueAt2(u), 1));
  });

  it('refused outside the window: n ≤ h_i or n > h_i + L', () => {
    const u = mkU();
    expectIgnored(u, replica(u, 0), chk(u, 0, 0, valueAt2(u), 1));
    expectIgnored(u, replica(u, 0), chk(u, 0, 5, valueAt2(u), 1));
    const st = replica(u, 0);
    st.chkpts = [{ n: 2, s: valueAt2(u) }];
    expectIgnored(u, st, chk(u, 0, 2, valueAt2(u), 1));
    R.receive(u, st, chk(u, 0, 6, valueAt2(u), 1));
    expect(st.in.has(chk(u, 0, 6, valueAt2(u), 1))).toBe(true);
  });

  it('the own checkpoint (j = i) is not an input', () => {
    const u = mkU();
    expectIgnored(u, replica(u, 0), chk(u, 0, 2, valueAt2(u), 0));
  });
});

describe('Fig 2-11 COLLECT-GARBAGE_i precondition', () => {
  it('enabled with f + 1 matching checkpoints including i\'s own; disabled for another n or d', () => {
    const u = mkU();
    const st = replica(u, 0);
    const s2 = valueAt2(u);
    st.in.add(chk(u, 0, 2, s2, 0));
    expectDisabled(u, st, gc(u, 0, 2, s2)); // only i itself: |R| = 1 = f
    st.in.add(chk(u, 0, 2, s2, 1));
    expectEnabled(u, st, gc(u, 0, 2, s2));
    expect(R.enabledInternal(u, st)).toContainEqual(gc(u, 0, 2, s2));
    expectDisabled(u, st, gc(u, 0, 2, s0(u))); // another digest
    expectDisabled(u, st, gc(u, 0, 4, s2)); // another n
  });

  it('disabled when the f + 1 matching checkpoints do not include i\'s own', () => {
    const u = mkU();
    const st = replica(u, 3);
    const s2 = valueAt2(u);
    for (const k of [0, 1, 2]) st.in.add(chk(u, 0, 2, s2, k));
    expectDisabled(u, st, gc(u, 3, 2, s2));
    expect(R.enabledInternal(u, st).filter((a) => a.kind === 'COLLECT-GARBAGE' && a.n === 2)).toEqual([]);
    st.in.add(chk(u, 0, 2, s0(u), 3)); // i's own, but for another digest
    expectDisabled(u, st, gc(u, 3, 2, s2));
    expectDisabled(u, st, gc(u, 3, 2, s0(u)));
  });

  it('the checkpoints may carry different views (∃ v for each k)', () => {
    const u = mkU();
    const st = replica(u, 2);
    const s2 = valueAt2(u);
    st.in.add(chk(u, 1, 2, s2, 2));
    st.in.add(chk(u, 0, 2, s2, 3));
    expectEnabled(u, st, gc(u, 2, 2, s2));
  });

  it('is enabled initially for n = 0 (the initial stable certificate) and is then a no-op', () => {
    const u = mkU();
    const st = replica(u, 1);
    const a = gc(u, 1, 0, s0(u));
    expect(R.enabledInternal(u, st).filter((x) => x.kind === 'COLLECT-GARBAGE')).toEqual([a]);
    const before = snapshot(st);
    R.eff(u, st, a);
    expect(snapshot(st)).toEqual(before);
  });
});

describe('Fig 2-11 COLLECT-GARBAGE_i effect', () => {
  it('removes exactly PRE-PREPARE/PREPARE/COMMIT with n\' ≤ n, CHECKPOINT with n\' < n, and chkpts with n\' < n', () => {
    const u = mkU();
    const st = replica(u, 1);
    const s2 = valueAt2(u);
    const s4 = u.interner.checkpointValue(s2.val, ['x', 'y'], [2, 2]);
    const a = req(u, 'a', 1, 0);
    const b = req(u, 'b', 1, 1);
    const kept: Message[] = [
      a,
      b,
      pp(u, 0, 3, b, 0),
      prep(u, 0, 3, b, 2),
      com(u, 0, 3, b, 1),
      chk(u, 0, 2, s2, 1),
      chk(u, 1, 2, s2, 2),
      chk(u, 0, 4, s4, 3),
      u.interner.viewChange(1, { n: 0, s: s0(u), C: initialCheckpoints(u) }, [], 1),
    ];
    const removed: Message[] = [
      ...initialCheckpoints(u),
      pp(u, 0, 1, a, 0),
      prep(u, 0, 1, a, 1),
      prep(u, 0, 1, a, 2),
      com(u, 0, 1, a, 3),
      pp(u, 0, 2, b, 0),
      pp(u, 1, 2, null, 1),
      prep(u, 1, 2, null, 2),
      com(u, 0, 2, b, 0),
    ];
    for (const m of [...kept, ...removed]) st.in.add(m);
    st.out.add(prep(u, 0, 1, a, 1));
    st.chkpts = [
      { n: 0, s: s0(u) },
      { n: 2, s: s2 },
      { n: 4, s: s4 },
    ];
    st.lastExec = 4;
    const before = snapshot(st);
    const act = gc(u, 1, 2, s2);
    expectEnabled(u, st, act);
    R.eff(u, st, act);
    expectSameMessages(u, st.in.all, kept);
    expect(st.chkpts).toEqual([
      { n: 2, s: s2 },
      { n: 4, s: s4 },
    ]);
    expect(h(st)).toBe(2);
    expect(stableChkpt(st)).toBe(s2);
    // everything else is unchanged, out_i included
    expect({ ...snapshot(st), in: before.in, chkpts: before.chkpts }).toEqual(before);
  });
});

describe('scenario: a checkpoint becomes stable, then COLLECT-GARBAGE (composed system)', () => {
  /** Requests a (client 0) at n = 1 and b (client 1) at n = 2; replica 3 does not execute n = 2. */
  function setup() {
    const u = mkU();
    const s: SystemState = initialSystem(u);
    const a = clientRequest(u, s, 0, 'a');
    flush(u, s);
    orderAndExecute(u, s, a, 0, 1, [0, 1, 2, 3]);
    flush(u, s);
    const b = clientRequest(u, s, 1, 'b');
    flush(u, s);
    step(u, s, { kind: 'SEND-PRE-PREPARE', m: b, v: 0, n: 2, i: 0 });
    flush(u, s);
    for (const i of [0, 1, 2, 3]) step(u, s, { kind: 'SEND-COMMIT', m: b, v: 0, n: 2, i });
    flush(u, s);
    for (const i of [0, 1, 2]) step(u, s, { kind: 'EXECUTE', m: b, v: 0, n: 2, i });
    return { u, s, a, b };
  }

  it('COLLECT-GARBAGE(2) becomes enabled only with f + 1 matching checkpoints including the replica\'s own, and then h_i = 2 and the old log is gone', () => {
    const { u, s, a, b } = setup();
    const s2 = valueAt2(u);
    const d2 = u.interner.valueDigest(s2);
    const own = (i: number) => chk(u, 0, 2, s2, i);
    for (const i of [0, 1, 2]) {
      const st = s.replicas[i]!;
      expect(st.lastExec).toBe(2);
      expect(st.chkpts).toEqual([
        { n: 0, s: s0(u) },
        { n: 2, s: s2 },
      ]);
      expect(u.interner.checkpointValue(st.val, st.lastRep, st.lastRepT)).toBe(s2);
      expect(st.out.has(own(i))).toBe(true);
      expect(st.in.has(own(i))).toBe(true);
    }
    const cg = (i: number) => ({ kind: 'COLLECT-GARBAGE', i, n: 2, d: d2 }) as const;
    // only its own checkpoint: not stable
    expect(isEnabled(u, s, cg(0))).toBe(false);
    expect(R.enabledInternal(u, s.replicas[0]!).filter((x) => x.kind === 'COLLECT-GARBAGE').map((x) => (x as { n: number }).n)).toEqual([0]);

    // replicas 0, 1, 2 multicast their checkpoints (and replies)
    for (const i of [0, 1, 2]) sendOut(u, s, i);
    // replica 3 gets all three, but has no checkpoint of its own at 2
    for (const k of [0, 1, 2]) deliver(u, s, own(k), 3);
    expect(isEnabled(u, s, cg(3))).toBe(false);
    // replica 0 gets replica 1's: |R| = 2 = f + 1 with i ∈ R
    deliver(u, s, own(1), 0);
    expect(isEnabled(u, s, cg(0))).toBe(true);

    const st0 = s.replicas[0]!;
    const before = inOf(st0);
    step(u, s, cg(0));
    expect(h(st0)).toBe(2);
    expect(st0.chkpts).toEqual([{ n: 2, s: s2 }]);
    const expected = before.filter(
      (m) => !((m.tag === 'PRE-PREPARE' || m.tag === 'PREPARE' || m.tag === 'COMMIT') && m.n <= 2) && !(m.tag === 'CHECKPOINT' && m.n < 2),
    );
    expectSameMessages(u, st0.in.all, expected);
    expectSameMessages(u, st0.in.all, [own(0), own(1)]); // the requests were removed by EXECUTE
    for (const x of [pp(u, 0, 1, a, 0), pp(u, 0, 2, b, 0), prep(u, 0, 2, b, 3), com(u, 0, 1, a, 2)]) expect(st0.in.has(x)).toBe(false);

    // replica 3 executes n = 2, takes its checkpoint, and may now collect garbage too
    step(u, s, { kind: 'EXECUTE', m: b, v: 0, n: 2, i: 3 });
    expect(isEnabled(u, s, cg(3))).toBe(true);
    step(u, s, cg(3));
    expect(h(s.replicas[3]!)).toBe(2);
    expectSameMessages(u, s.replicas[3]!.in.all, [own(0), own(1), own(2), own(3)]);
  });

  it('after COLLECT-GARBAGE the window has moved: old sequence numbers are refused, h + L is accepted', () => {
    const { u, s, b } = setup();
    const s2 = valueAt2(u);
    for (const i of [0, 1, 2]) sendOut(u, s, i);
    flush(u, s, [0, 1, 2]);
    for (const i of [0, 1, 2]) step(u, s, { kind: 'COLLECT-GARBAGE', i, n: 2, d: u.interner.valueDigest(s2) });
    const st1 = s.replicas[1]!;
    expect(h(st1)).toBe(2);
    // replica 3's late commit for n = 2 and checkpoint at n = 2 are refused now
    step(u, s, { kind: 'EXECUTE', m: b, v: 0, n: 2, i: 3 });
    sendOut(u, s, 3);
    deliver(u, s, chk(u, 0, 2, s2, 3), 1);
    expect(st1.in.has(chk(u, 0, 2, s2, 3))).toBe(false);
    // the primary can assign n = 3 .. 6 = h + L
    const st0 = s.replicas[0]!;
    const c = clientRequest(u, s, 0, 'c');
    deliver(u, s, c, 0);
    st0.seqno = 5;
    expect(isEnabled(u, s, { kind: 'SEND-PRE-PREPARE', m: c, v: 0, n: 6, i: 0 })).toBe(true);
    st0.seqno = 6;
    expect(isEnabled(u, s, { kind: 'SEND-PRE-PREPARE', m: c, v: 0, n: 7, i: 0 })).toBe(false);
  });
});
