// Fig 2-10, the output actions of replica i of A_gc:
//   SEND(m, R − {i})_i          Pre: m ∈ out_i ∧ ¬tag(m, REQUEST) ∧ ¬tag(m, REPLY)   Eff: out_i := out_i − {m}
//   SEND(m, {primary(i)})_i     Pre: m ∈ out_i ∧ tag(m, REQUEST)                     Eff: out_i := out_i − {m}
//   SEND(⟨REPLY, v, t, c, i, r⟩σi, {c})_i   Pre: ⟨REPLY, …⟩σi ∈ out_i               Eff: out_i := out_i − {…}
import { describe, expect, it } from 'vitest';
import { ActionNotEnabled, initialSystem, isEnabled, step, whyDisabled } from '../../automata/compose.ts';
import * as R from '../../automata/replica-gc.ts';
import { sendDestination, sendEffect, sendEnabled } from '../../automata/replica-state.ts';
import { NULL_REP } from '../../automata/services.ts';
import { expectSameMessages, inOf, mkU, pp, prep, replica, req, snapshot } from './helpers.ts';

describe('Fig 2-10 SEND(m, R − {i})_i', () => {
  it('is enabled for a protocol message in out_i with X = R − {i}, and removes only m from out_i', () => {
    const u = mkU();
    const st = replica(u, 1);
    const m = req(u, 'a', 1, 0);
    R.receive(u, st, pp(u, 0, 1, m, 0)); // puts ⟨PREPARE, 0, 1, D(m), 1⟩ in out_1
    const p = prep(u, 0, 1, m, 1);
    expectSameMessages(u, st.out, [p]);
    const X = u.allReplicas & ~u.replicaBit(1);
    expect(sendDestination(u, st, p)).toBe(X);
    expect(sendEnabled(u, st, p, X)).toBe(true);
    // other destination sets are not the action's
    expect(sendEnabled(u, st, p, u.allReplicas)).toBe(false);
    expect(sendEnabled(u, st, p, u.replicaBit(0))).toBe(false);
    const inBefore = inOf(st);
    sendEffect(st, p);
    expect(st.out.size).toBe(0);
    expectSameMessages(u, st.in.all, inBefore); // in_i untouched
  });

  it('is disabled when m ∉ out_i', () => {
    const u = mkU();
    const st = replica(u, 1);
    const p = prep(u, 0, 1, req(u, 'a', 1, 0), 1);
    expect(sendEnabled(u, st, p, u.allReplicas & ~u.replicaBit(1))).toBe(false);
  });

  it('in the composed system: puts (m, R − {i}) on the wire and empties out_i; a wrong X is refused', () => {
    const u = mkU();
    const s = initialSystem(u);
    const m = req(u, 'a', 1, 0);
    const st = s.replicas[0]!;
    st.in.add(m);
    step(u, s, { kind: 'SEND-PRE-PREPARE', m, v: 0, n: 1, i: 0 });
    const p = pp(u, 0, 1, m, 0);
    const X = u.allReplicas & ~u.replicaBit(0);
    const wrong = { kind: 'SEND', x: 0, m: p, X: u.allReplicas } as const;
    expect(whyDisabled(u, s, wrong)).not.toBeNull();
    expect(() => step(u, s, wrong)).toThrow(ActionNotEnabled);
    step(u, s, { kind: 'SEND', x: 0, m: p, X });
    expect(st.out.has(p)).toBe(false);
    expect(st.in.has(p)).toBe(true);
    expect(s.wire.has(p, X)).toBe(true);
    // out_i no longer holds m: the same SEND is now disabled
    expect(isEnabled(u, s, { kind: 'SEND', x: 0, m: p, X })).toBe(false);
  });
});

describe('Fig 2-10 SEND(m, {primary(i)})_i for a REQUEST', () => {
  it('sends a relayed request to primary(i) = view_i mod |R| only', () => {
    const u = mkU();
    const st = replica(u, 2);
    const m = req(u, 'a', 1, 0);
    R.receive(u, st, m); // backup: logs and relays
    expect(st.out.has(m)).toBe(true);
    expect(sendDestination(u, st, m)).toBe(u.replicaBit(0));
    expect(sendEnabled(u, st, m, u.replicaBit(0))).toBe(true);
    expect(sendEnabled(u, st, m, u.allReplicas & ~u.replicaBit(2))).toBe(false); // not the first form
    // primary(i) follows view_i
    st.view = 1;
    expect(sendEnabled(u, st, m, u.replicaBit(1))).toBe(true);
    expect(sendEnabled(u, st, m, u.replicaBit(0))).toBe(false);
    sendEffect(st, m);
    expect(st.out.has(m)).toBe(false);
    expect(st.in.has(m)).toBe(true);
  });

  it('is disabled when the request is not in out_i', () => {
    const u = mkU();
    const st = replica(u, 2);
    expect(sendEnabled(u, st, req(u, 'a', 1, 0), u.replicaBit(0))).toBe(false);
  });

  it('in the composed system the relayed request reaches the primary and only the primary', () => {
    const u = mkU();
    const s = initialSystem(u);
    const m = req(u, 'a', 1, 0);
    s.replicas[2]!.in.add(m);
    s.replicas[2]!.out.add(m);
    step(u, s, { kind: 'SEND', x: 2, m, X: u.replicaBit(0) });
    expect(s.wire.has(m, u.replicaBit(0))).toBe(true);
    expect(s.replicas[2]!.out.size).toBe(0);
    expect(isEnabled(u, s, { kind: 'RECEIVE', x: 1, m, X: u.replicaBit(0) })).toBe(false);
    step(u, s, { kind: 'RECEIVE', x: 0, m, X: u.replicaBit(0) });
    expect(s.replicas[0]!.in.has(m)).toBe(true);
  });
});

describe('Fig 2-10 SEND(⟨REPLY, v, t, c, i, r⟩σi, {c})_i', () => {
  it('sends a reply to its client c only', () => {
    const u = mkU();
    const st = replica(u, 3);
    R.receive(u, st, req(u, 'a', 0, 1)); // t = last-rep-t(1) = 0: resend the last reply
    const r = u.interner.reply(0, 0, 1, 3, NULL_REP);
    expectSameMessages(u, st.out, [r]);
    expect(sendDestination(u, st, r)).toBe(u.clientBit(1));
    expect(sendEnabled(u, st, r, u.clientBit(1))).toBe(true);
    expect(sendEnabled(u, st, r, u.clientBit(0))).toBe(false);
    expect(sendEnabled(u, st, r, u.allReplicas & ~u.replicaBit(3))).toBe(false); // ¬tag(m, REPLY) in form 1
    sendEffect(st, r);
    expect(st.out.size).toBe(0);
  });

  it('no SEND is enabled for a reply signed by another replica (it is not ⟨…, i, r⟩σi)', () => {
    const u = mkU();
    const st = replica(u, 3);
    const other = u.interner.reply(0, 0, 1, 2, NULL_REP);
    st.out.add(other);
    expect(sendDestination(u, st, other)).toBeNull();
    expect(sendEnabled(u, st, other, u.clientBit(1))).toBe(false);
    expect(sendEnabled(u, st, other, u.allReplicas & ~u.replicaBit(3))).toBe(false);
  });

  it('in the composed system the reply reaches the proxy of c', () => {
    const u = mkU();
    const s = initialSystem(u);
    step(u, s, { kind: 'REQUEST', o: 'a', c: 0 });
    const st = s.replicas[1]!;
    const r = u.interner.reply(0, 1, 0, 1, 'x');
    st.out.add(r);
    const before = snapshot(st);
    step(u, s, { kind: 'SEND', x: 1, m: r, X: u.clientBit(0) });
    expect(snapshot(st)).toEqual({ ...before, out: [] });
    step(u, s, { kind: 'RECEIVE', x: u.n + 0, m: r, X: u.clientBit(0) });
    expect(s.proxies[0]!.in.has(r)).toBe(true);
  });
});
