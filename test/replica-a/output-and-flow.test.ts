// A.1 output transitions SEND(m, X)_i (the same as Fig 2-10), REPLICA-FAILURE_i, and the replica
// of A driven through the composed system (compose.ts `step`): a request that completes in view 0,
// then a view change to view 1 and a request that completes there.
import { describe, expect, it } from 'vitest';
import type { Action } from '../../automata/actions.ts';
import { hasNewView } from '../../automata/aux-functions.ts';
import { ActionNotEnabled, initialSystem, isEnabled, step, whyDisabled, type SystemState } from '../../automata/compose.ts';
import { enabled } from '../../automata/enabled.ts';
import { sendDestination, sendEffect, sendEnabled } from '../../automata/replica-state.ts';
import type { Universe } from '../../automata/universe.ts';
import { com, minus, mkU, pp, replica, req, snap, vc } from './helpers.ts';

describe('SEND(m, X)_i (A.1 output transitions)', () => {
  it('SEND(m, R − {i}) for messages that are neither requests nor replies; Eff: out_i − {m}', () => {
    const u = mkU();
    const st = replica(u, 2);
    const msgs = [pp(u, 0, 1, null, 2), com(u, 0, 1, null, 2), vc(u, 1, [], 2)];
    for (const m of msgs) st.out.add(m);
    const others = u.replicaBit(0) | u.replicaBit(1) | u.replicaBit(3);
    for (const m of msgs) {
      expect(sendDestination(u, st, m)).toBe(others);
      expect(sendEnabled(u, st, m, others)).toBe(true);
      expect(sendEnabled(u, st, m, u.allReplicas)).toBe(false);
      const before = snap(u, st);
      sendEffect(st, m);
      expect(snap(u, st)).toEqual({ ...before, out: minus(before.out, m) });
      expect(sendEnabled(u, st, m, others)).toBe(false);
    }
  });

  it('SEND(m, {primary(i)}) for a request, with primary(i) = view_i mod |R|', () => {
    const u = mkU();
    const st = replica(u, 2);
    const m = req(u, 'a', 1, 0);
    st.out.add(m);
    expect(sendEnabled(u, st, m, u.replicaBit(0))).toBe(true);
    st.view = 7;
    expect(sendEnabled(u, st, m, u.replicaBit(0))).toBe(false);
    expect(sendEnabled(u, st, m, u.replicaBit(3))).toBe(true);
  });

  it('SEND(⟨REPLY, v, t, c, i, r⟩σi, {c})', () => {
    const u = mkU();
    const st = replica(u, 2);
    const r = u.interner.reply(0, 1, 1, 2, 'x');
    st.out.add(r);
    expect(sendEnabled(u, st, r, u.clientBit(1))).toBe(true);
    expect(sendEnabled(u, st, r, u.clientBit(0))).toBe(false);
    expect(sendEnabled(u, st, r, u.allReplicas & ~u.replicaBit(2))).toBe(false);
  });

  it('not enabled for a message that is not in out_i', () => {
    const u = mkU();
    const st = replica(u, 2);
    const m = com(u, 0, 1, null, 2);
    expect(sendEnabled(u, st, m, sendDestination(u, st, m)!)).toBe(false);
  });
});

/**
 * Take the first enabled action of the listed kinds until none is left. A proxy's retransmission
 * SEND(m, R)_c is always enabled while out_c ≠ {} (Fig 2-7), so only its first SEND is taken.
 */
function runQuiet(u: Universe, s: SystemState, kinds: readonly Action['kind'][], cap = 5000): Action[] {
  const taken: Action[] = [];
  const retransmission = (a: Action) => a.kind === 'SEND' && a.x >= u.n && s.proxies[a.x - u.n]!.retrans;
  for (let k = 0; k < cap; k++) {
    const a = enabled(u, s).find((x) => kinds.includes(x.kind) && !retransmission(x));
    if (a === undefined) return taken;
    step(u, s, a);
    taken.push(a);
  }
  throw new Error('did not quiesce');
}
const NORMAL: Action['kind'][] = ['SEND', 'RECEIVE', 'SEND-PRE-PREPARE', 'SEND-COMMIT', 'EXECUTE', 'SEND-NEW-VIEW'];

describe('REPLICA-FAILURE_i', () => {
  it('sets faulty_i and disables the replica’s own actions', () => {
    const u = mkU();
    const s = initialSystem(u);
    const m = req(u, 'a', 1, 0);
    s.replicas[0]!.in.add(m);
    const a: Action = { kind: 'SEND-PRE-PREPARE', m, v: 0, n: 1, i: 0 };
    expect(isEnabled(u, s, a)).toBe(true);
    step(u, s, { kind: 'REPLICA-FAILURE', i: 0 });
    expect(s.replicas[0]!.faulty).toBe(true);
    expect(whyDisabled(u, s, a)).toMatch(/faulty/);
    expect(() => step(u, s, a)).toThrow(ActionNotEnabled);
  });
});

describe('the replica of A in the composed system', () => {
  it('a request completes in view 0; then a view change to 1; then a request completes in view 1', () => {
    const u = mkU();
    const s = initialSystem(u);
    const [rA, sA] = u.service.g(0, 'a', u.service.initial);

    step(u, s, { kind: 'REQUEST', o: 'a', c: 0 });
    runQuiet(u, s, NORMAL);
    for (const r of s.replicas) {
      expect(r.lastExec).toBe(1);
      expect(r.lastRep[0]).toBe(rA);
      expect(u.service.encode(r.val)).toBe(u.service.encode(sA));
    }
    expect(whyDisabled(u, s, { kind: 'REPLY', r: rA, c: 0 })).toBeNull();
    step(u, s, { kind: 'REPLY', r: rA, c: 0 });
    expect(s.proxies[0]!.out).toBeNull();
    expect(s.proxies[0]!.view).toBe(0);

    // every replica moves to view 1; the view-changes and the new-view travel through MC
    for (let i = 0; i < u.n; i++) step(u, s, { kind: 'SEND-VIEW-CHANGE', v: 1, i });
    const taken = runQuiet(u, s, NORMAL);
    const nvs = taken.filter((a) => a.kind === 'SEND-NEW-VIEW');
    expect(nvs.length).toBe(1);
    expect(nvs[0]!.kind === 'SEND-NEW-VIEW' && nvs[0]!.i).toBe(1);
    for (const r of s.replicas) {
      expect(r.view).toBe(1);
      expect(hasNewView(u, 1, r.in)).toBe(true);
      expect(r.lastExec).toBe(1); // the re-proposed n = 1 (and the null n = 0) are not executed again
    }
    expect(s.replicas[1]!.seqno).toBe(1); // max-n(O) = 1

    // the client still believes view 0: its request goes to replica 0, which relays it to primary 1
    const [rB, sB] = u.service.g(1, 'b', sA);
    step(u, s, { kind: 'REQUEST', o: 'b', c: 1 });
    runQuiet(u, s, NORMAL);
    for (const r of s.replicas) {
      expect(r.lastExec).toBe(2);
      expect(u.service.encode(r.val)).toBe(u.service.encode(sB));
    }
    step(u, s, { kind: 'REPLY', r: rB, c: 1 });
    expect(s.proxies[1]!.view).toBe(1);
  });
});
