// Whole-path scenarios through the composed system A_gc (proxies ∥ MC ∥ replicas), driven by
// explicit step(u, s, action) calls: a view change with non-empty O and N (Fig 2-13), and a
// replica that is behind adopting the new view's checkpoint (update-state-nv, Fig 2-9).
// The stable-checkpoint / COLLECT-GARBAGE scenario is in garbage-collection.test.ts.
import { describe, expect, it } from 'vitest';
import { correctNewView } from '../../automata/aux-functions.ts';
import { clientNode, initialSystem, isEnabled, step } from '../../automata/compose.ts';
import type { Message, NewView, ViewChange } from '../../automata/messages.ts';
import { h } from '../../automata/replica-state.ts';
import { NULL_REP } from '../../automata/services.ts';
import {
  chk,
  clientRequest,
  deliver,
  expectSameMessages,
  flush,
  initialCheckpoints,
  mkU,
  orderAndExecute,
  pp,
  prep,
  s0,
  sendOut,
} from './helpers.ts';

describe('scenario 1: a view change whose NEW-VIEW has non-empty O and N', () => {
  it('O = {pre-prepare for 2}, N = {null pre-prepare for 1}; backups accept it, prepare O ∪ N, and the null request executes as a no-op', () => {
    const u = mkU();
    const s = initialSystem(u);
    const a = clientRequest(u, s, 0, 'a');
    const b = clientRequest(u, s, 1, 'b');
    flush(u, s);
    // primary 0 assigns a to 1 and b to 2, but the pre-prepare for 1 never arrives anywhere
    step(u, s, { kind: 'SEND-PRE-PREPARE', m: a, v: 0, n: 1, i: 0 });
    step(u, s, { kind: 'SEND-PRE-PREPARE', m: b, v: 0, n: 2, i: 0 });
    const pp1 = pp(u, 0, 1, a, 0);
    const lost = (m: Message) => m === pp1;
    flush(u, s, [0, 1, 2, 3], lost);
    for (const st of s.replicas) {
      expect(st.in.has(pp(u, 0, 2, b, 0))).toBe(true);
      for (const k of [1, 2, 3]) expect(st.in.has(prep(u, 0, 2, b, k))).toBe(true);
      expect(st.in.has(pp1)).toBe(st.i === 0); // only the primary's own log has it
      expect(st.in.prePreparesAt(1).size).toBe(st.i === 0 ? 1 : 0);
    }

    // replicas 1, 2, 3 move to view 1
    for (const i of [1, 2, 3]) step(u, s, { kind: 'SEND-VIEW-CHANGE', v: 1, i });
    const vcs = [1, 2, 3].map((i) => [...s.replicas[i]!.out].find((m): m is ViewChange => m.tag === 'VIEW-CHANGE')!);
    for (const vc of vcs) {
      expect(vc.gc!.n).toBe(0);
      expect(vc.gc!.s).toBe(s0(u));
      expectSameMessages(u, vc.gc!.C, initialCheckpoints(u));
      expectSameMessages(u, vc.P, [pp(u, 0, 2, b, 0), prep(u, 0, 2, b, 1), prep(u, 0, 2, b, 2), prep(u, 0, 2, b, 3)]);
    }
    for (const i of [1, 2, 3]) sendOut(u, s, i);
    deliver(u, s, vcs[1]!, 1);
    deliver(u, s, vcs[2]!, 1);
    const V = vcs;
    const sendNV = { kind: 'SEND-NEW-VIEW', v: 1, V, i: 1 } as const;
    expect(isEnabled(u, s, sendNV)).toBe(true);
    expect(isEnabled(u, s, { ...sendNV, i: 2 })).toBe(false);
    step(u, s, sendNV);

    const O = [pp(u, 1, 2, b, 1)];
    const N = [pp(u, 1, 1, null, 1)];
    const nv: NewView = u.interner.newView(1, V, O, N, 1);
    const p1 = s.replicas[1]!;
    expectSameMessages(u, p1.out, [nv]);
    expect(nv.O).toEqual(O);
    expect(nv.N).toEqual(N);
    expect(p1.view).toBe(1);
    expect(p1.seqno).toBe(2);
    for (const m of [...O, ...N, nv]) expect(p1.in.has(m)).toBe(true);
    expect(correctNewView(u, nv, 1)).toBe(true);

    // every backup (replica 0 included, which sent no view-change) accepts it
    sendOut(u, s, 1);
    for (const i of [2, 3, 0]) {
      deliver(u, s, nv, i);
      const st = s.replicas[i]!;
      const prepares = [prep(u, 1, 1, null, i), prep(u, 1, 2, b, i)];
      expect(st.view).toBe(1);
      expectSameMessages(u, st.out, prepares);
      for (const m of [...O, ...N, nv, ...prepares]) expect(st.in.has(m)).toBe(true);
      expect(st.lastExec).toBe(0);
      expect(h(st)).toBe(0);
    }

    // view 1 runs the normal case for n = 1 (null) and n = 2 (b)
    flush(u, s, [0, 1, 2, 3], lost);
    for (const i of [0, 1, 2, 3]) {
      step(u, s, { kind: 'SEND-COMMIT', m: null, v: 1, n: 1, i });
      step(u, s, { kind: 'SEND-COMMIT', m: b, v: 1, n: 2, i });
    }
    flush(u, s, [0, 1, 2, 3], lost);
    // n = 2 cannot run before n = 1
    expect(isEnabled(u, s, { kind: 'EXECUTE', m: b, v: 1, n: 2, i: 2 })).toBe(false);
    for (const st of s.replicas) {
      const before = { val: st.val, lastRep: [...st.lastRep], lastRepT: [...st.lastRepT], out: [...st.out] };
      step(u, s, { kind: 'EXECUTE', m: null, v: 1, n: 1, i: st.i });
      expect(st.lastExec).toBe(1);
      expect(st.val).toBe(before.val);
      expect(st.val).toBe(u.service.initial);
      expect(st.lastRep).toEqual(before.lastRep);
      expect(st.lastRepT).toEqual(before.lastRepT);
      expect([...st.out]).toEqual(before.out); // no reply for the null request
    }
    const [rb, vb] = u.service.g(1, 'b', u.service.initial);
    const s2 = u.interner.checkpointValue(vb, [NULL_REP, rb], [0, 1]);
    for (const st of s.replicas) {
      step(u, s, { kind: 'EXECUTE', m: b, v: 1, n: 2, i: st.i });
      expect(st.lastExec).toBe(2);
      expect(st.lastRepT).toEqual([0, 1]);
      expectSameMessages(u, st.out, [u.interner.reply(1, 1, 1, st.i, rb), chk(u, 1, 2, s2, st.i)]);
    }
    // client 1 gets its reply, from view 1
    flush(u, s, [0, 1, 2, 3], lost);
    step(u, s, { kind: 'REPLY', r: rb, c: 1 });
    expect(s.proxies[1]!.view).toBe(1);
    expect(s.proxies[1]!.out).toBeNull();
  });
});

describe('scenario 3: update-state-nv brings a replica that is behind up to max-n(V)', () => {
  it('replica 3 misses n = 1, 2 and adopts the checkpoint of the new view (val, last-rep, last-rep-t, last-exec, chkpts)', () => {
    const u = mkU({ readings: { literalOutReset: true } }); // out_i reset as written (ERRATA E3)
    const s = initialSystem(u);
    const cut = (_m: Message, x: number) => x === 3; // replica 3 receives nothing for now
    const live = [0, 1, 2];
    const a = clientRequest(u, s, 0, 'a');
    flush(u, s, live, cut);
    orderAndExecute(u, s, a, 0, 1, live, cut);
    const b = clientRequest(u, s, 1, 'b');
    flush(u, s, live, cut);
    orderAndExecute(u, s, b, 0, 2, live, cut);
    flush(u, s, live, cut);
    const [ra, va] = u.service.g(0, 'a', u.service.initial);
    const [rb, vb] = u.service.g(1, 'b', va);
    const s2 = u.interner.checkpointValue(vb, [ra, rb], [1, 1]);
    const d2 = u.interner.valueDigest(s2);
    for (const i of live) step(u, s, { kind: 'COLLECT-GARBAGE', i, n: 2, d: d2 });
    for (const i of live) expect(h(s.replicas[i]!)).toBe(2);

    // client 0 retransmits a to all replicas; replica 3 logs it and relays it to the primary
    step(u, s, { kind: 'SEND', x: clientNode(u, 0), m: a, X: u.allReplicas });
    deliver(u, s, a, 3);
    const r3 = s.replicas[3]!;
    expect(r3.in.has(a)).toBe(true);
    expectSameMessages(u, r3.out, [a]);
    expect(r3.lastExec).toBe(0);

    // view change to 1 with V = {1, 2 at checkpoint 2; 3 at checkpoint 0}
    for (const i of [1, 2, 3]) step(u, s, { kind: 'SEND-VIEW-CHANGE', v: 1, i });
    const vcOf = (i: number) => [...s.replicas[i]!.out].find((m): m is ViewChange => m.tag === 'VIEW-CHANGE')!;
    const V = [vcOf(1), vcOf(2), vcOf(3)];
    expect(V[0]!.gc!.n).toBe(2);
    expect(V[0]!.gc!.s).toBe(s2);
    expectSameMessages(u, V[0]!.gc!.C, live.map((k) => chk(u, 0, 2, s2, k)));
    expect(V[0]!.P).toEqual([]);
    expect(V[2]!.gc!.n).toBe(0);
    for (const i of [2, 3]) {
      step(u, s, { kind: 'SEND', x: i, m: vcOf(i), X: u.allReplicas & ~u.replicaBit(i) });
      deliver(u, s, V[i - 1]!, 1);
    }
    step(u, s, { kind: 'SEND-NEW-VIEW', v: 1, V, i: 1 });
    const nv = u.interner.newView(1, V, [], [], 1);
    expectSameMessages(u, s.replicas[1]!.out, [nv]);
    expect(s.replicas[1]!.seqno).toBe(2); // O = {}: the model's reading of max-n(O) is max-n(V)
    step(u, s, { kind: 'SEND', x: 1, m: nv, X: u.allReplicas & ~u.replicaBit(1) });

    const before = { view: r3.view, lastExec: r3.lastExec };
    expect(before).toEqual({ view: 1, lastExec: 0 }); // it sent its own view-change
    deliver(u, s, nv, 3);
    const own = chk(u, 1, 2, s2, 3);
    expect(r3.view).toBe(1);
    expect(r3.lastExec).toBe(2);
    expect(r3.val).toBe(s2.val); // the value of the adopted checkpoint
    expect(u.service.encode(r3.val)).toBe(u.service.encode(vb));
    expect(r3.lastRep).toEqual([ra, rb]);
    expect(r3.lastRepT).toEqual([1, 1]);
    expect(r3.chkpts).toEqual([{ n: 2, s: s2 }]);
    expect(h(r3)).toBe(2);
    for (const k of live) expect(r3.in.has(chk(u, 0, 2, s2, k))).toBe(true); // C of the picked view-change
    expect(r3.in.has(own)).toBe(true);
    expect(r3.in.has(a)).toBe(false); // t ≤ last-rep-t(0): dropped
    expectSameMessages(u, r3.out, [own]); // out_i := {} dropped the relayed request and its view-change
    expect(r3.in.has(nv)).toBe(true);

    // the others accept the new view too, and all four order and execute the next request at 3
    for (const i of [0, 2]) deliver(u, s, nv, i);
    flush(u, s);
    step(u, s, { kind: 'REPLY', r: ra, c: 0 });
    const c = clientRequest(u, s, 0, 'c'); // to primary(view_c = 0) = 0, which relays it to 1
    flush(u, s);
    expect(s.replicas[1]!.in.has(c)).toBe(true);
    orderAndExecute(u, s, c, 1, 3, [0, 1, 2, 3]);
    const [rc, vc] = u.service.g(0, 'c', vb);
    for (const st of s.replicas) {
      expect(st.lastExec).toBe(3);
      expect(u.service.encode(st.val)).toBe(u.service.encode(vc));
      expect(st.lastRep).toEqual([rc, rb]);
    }
    expect(r3.out.has(u.interner.reply(1, 2, 0, 3, rc))).toBe(true);
  });
});
