// Fig 2-12, the normal-case actions of replica i of A_gc: RECEIVE of REQUEST, PRE-PREPARE,
// PREPARE and COMMIT; SEND-PRE-PREPARE, SEND-COMMIT and EXECUTE (with take-chkpt, Fig 2-9).
import { describe, expect, it } from 'vitest';
import { initialSystem, step } from '../../automata/compose.ts';
import * as R from '../../automata/replica-gc.ts';
import { h } from '../../automata/replica-state.ts';
import { NULL_REP } from '../../automata/services.ts';
import {
  chk,
  clientRequest,
  com,
  expectDisabled,
  expectEnabled,
  expectIgnored,
  expectSameMessages,
  flush,
  inOf,
  initialCheckpoints,
  mkU,
  pp,
  prep,
  replica,
  req,
  s0,
  snapshot,
} from './helpers.ts';

describe('Fig 2-12 RECEIVE(⟨REQUEST, o, t, c⟩σc)_i', () => {
  it('t = last-rep-t_i(c): puts ⟨REPLY, view_i, t, c, i, last-rep_i(c)⟩σi in out_i and does not log m', () => {
    const u = mkU();
    const st = replica(u, 2);
    const m0 = req(u, 'a', 0, 1);
    R.receive(u, st, m0);
    expectSameMessages(u, st.out, [u.interner.reply(0, 0, 1, 2, NULL_REP)]);
    expect(st.in.has(m0)).toBe(false);

    // after an execution: the stored reply, with the current view
    const st2 = replica(u, 2);
    st2.lastRepT[1] = 3;
    st2.lastRep[1] = 'r3';
    st2.view = 5;
    const before = snapshot(st2);
    R.receive(u, st2, req(u, 'a', 3, 1));
    expectSameMessages(u, st2.out, [u.interner.reply(5, 3, 1, 2, 'r3')]);
    expect({ ...snapshot(st2), out: before.out }).toEqual(before); // only out_i changed
  });

  it('t > last-rep-t_i(c) at a backup: logs m and relays it (out_i ∪ {m})', () => {
    const u = mkU();
    const st = replica(u, 1);
    const inBefore = inOf(st);
    const m = req(u, 'a', 1, 0);
    R.receive(u, st, m);
    expectSameMessages(u, st.in.all, [...inBefore, m]);
    expectSameMessages(u, st.out, [m]);
  });

  it('t > last-rep-t_i(c) at the primary: logs m, does not relay it', () => {
    const u = mkU();
    const st = replica(u, 0);
    const m = req(u, 'a', 1, 0);
    R.receive(u, st, m);
    expect(st.in.has(m)).toBe(true);
    expect(st.out.size).toBe(0);
    // primary(i) is the primary of view_i: replica 1 in view 1 is the primary and does not relay
    const st1 = replica(u, 1);
    st1.view = 1;
    R.receive(u, st1, m);
    expect(st1.in.has(m)).toBe(true);
    expect(st1.out.size).toBe(0);
  });

  it('t < last-rep-t_i(c): nothing happens', () => {
    const u = mkU();
    const st = replica(u, 1);
    st.lastRepT[0] = 3;
    st.lastRep[0] = 'r3';
    expectIgnored(u, st, req(u, 'a', 2, 0));
  });
});

describe('Fig 2-12 SEND-PRE-PREPARE(m, v, n)_i', () => {
  const setup = () => {
    const u = mkU();
    const st = replica(u, 0);
    const m = req(u, 'a', 1, 0);
    R.receive(u, st, m);
    return { u, st, m };
  };

  it('enabled at the primary with m ∈ in_i, seqno_i = n − 1, in-wv and has-new-view; effect: seqno_i + 1, p in in_i and out_i', () => {
    const { u, st, m } = setup();
    const a = { kind: 'SEND-PRE-PREPARE', m, v: 0, n: 1, i: 0 } as const;
    expectEnabled(u, st, a);
    expect(R.enabledInternal(u, st)).toContainEqual(a);
    const inBefore = inOf(st);
    R.eff(u, st, a);
    const p = pp(u, 0, 1, m, 0);
    expect(st.seqno).toBe(1);
    expectSameMessages(u, st.out, [p]);
    expectSameMessages(u, st.in.all, [...inBefore, p]);
    expect(st.view).toBe(0);
    expect(st.lastExec).toBe(0);
  });

  it('disabled once m is pre-prepared in view v (∄ ⟨PRE-PREPARE, v, n\', m⟩σi ∈ in_i), even at the next n', () => {
    const { u, st, m } = setup();
    R.eff(u, st, { kind: 'SEND-PRE-PREPARE', m, v: 0, n: 1, i: 0 });
    expectDisabled(u, st, { kind: 'SEND-PRE-PREPARE', m, v: 0, n: 2, i: 0 });
    // another request can take n = 2
    const m2 = req(u, 'b', 1, 1);
    R.receive(u, st, m2);
    expectEnabled(u, st, { kind: 'SEND-PRE-PREPARE', m: m2, v: 0, n: 2, i: 0 });
  });

  it('disabled at a backup', () => {
    const u = mkU();
    const st = replica(u, 1);
    const m = req(u, 'a', 1, 0);
    R.receive(u, st, m);
    expectDisabled(u, st, { kind: 'SEND-PRE-PREPARE', m, v: 0, n: 1, i: 1 });
    expect(R.enabledInternal(u, st).some((a) => a.kind === 'SEND-PRE-PREPARE')).toBe(false);
  });

  it('disabled when seqno_i ≠ n − 1', () => {
    const { u, st, m } = setup();
    expectDisabled(u, st, { kind: 'SEND-PRE-PREPARE', m, v: 0, n: 2, i: 0 });
    expectDisabled(u, st, { kind: 'SEND-PRE-PREPARE', m, v: 0, n: 0, i: 0 });
  });

  it('disabled when v ≠ view_i (in-v)', () => {
    const { u, st, m } = setup();
    expectDisabled(u, st, { kind: 'SEND-PRE-PREPARE', m, v: 4, n: 1, i: 0 }); // primary(4) = 0 too
  });

  it('disabled outside the window: n − h_i > L, and n − h_i ≤ 0', () => {
    const { u, st, m } = setup();
    st.seqno = 4; // n = 5 = h + L + 1
    expectDisabled(u, st, { kind: 'SEND-PRE-PREPARE', m, v: 0, n: 5, i: 0 });
    st.seqno = 3;
    expectEnabled(u, st, { kind: 'SEND-PRE-PREPARE', m, v: 0, n: 4, i: 0 });
    // h_i = 2: n = 2 is not above the low water mark
    st.chkpts = [{ n: 2, s: s0(u) }];
    expect(h(st)).toBe(2);
    st.seqno = 1;
    expectDisabled(u, st, { kind: 'SEND-PRE-PREPARE', m, v: 0, n: 2, i: 0 });
    st.seqno = 5;
    expectEnabled(u, st, { kind: 'SEND-PRE-PREPARE', m, v: 0, n: 6, i: 0 });
  });

  it('disabled without a new-view for view_i (has-new-view)', () => {
    const { u, st, m } = setup();
    st.view = 4; // primary(4) = 0, but no NEW-VIEW for view 4 in in_0
    expectDisabled(u, st, { kind: 'SEND-PRE-PREPARE', m, v: 4, n: 1, i: 0 });
    expect(R.enabledInternal(u, st).some((a) => a.kind === 'SEND-PRE-PREPARE')).toBe(false);
  });

  it('disabled when m ∉ in_i', () => {
    const u = mkU();
    const st = replica(u, 0);
    expectDisabled(u, st, { kind: 'SEND-PRE-PREPARE', m: req(u, 'a', 1, 0), v: 0, n: 1, i: 0 });
  });
});

describe('Fig 2-12 RECEIVE(⟨PRE-PREPARE, v, n, m⟩σj)_i', () => {
  const m = (u: ReturnType<typeof mkU>) => req(u, 'a', 1, 0);

  it('accepted from primary(i) in view and window: logs the pre-prepare and its prepare, sends the prepare', () => {
    const u = mkU();
    const st = replica(u, 1);
    const inBefore = inOf(st);
    const x = pp(u, 0, 1, m(u), 0);
    R.receive(u, st, x);
    const p = prep(u, 0, 1, m(u), 1);
    expectSameMessages(u, st.in.all, [...inBefore, x, p]);
    expectSameMessages(u, st.out, [p]);
    expect(st.in.has(m(u))).toBe(false); // the request itself is not logged
  });

  it('accepted at the high water mark n = h + L, refused beyond it and at n = h', () => {
    const u = mkU();
    const st = replica(u, 1);
    R.receive(u, st, pp(u, 0, 4, m(u), 0));
    expect(st.in.has(pp(u, 0, 4, m(u), 0))).toBe(true);
    expectIgnored(u, replica(u, 1), pp(u, 0, 5, m(u), 0));
    expectIgnored(u, replica(u, 1), pp(u, 0, 0, m(u), 0));
    const st2 = replica(u, 1);
    st2.chkpts = [{ n: 2, s: s0(u) }];
    expectIgnored(u, st2, pp(u, 0, 2, m(u), 0));
    expectIgnored(u, st2, pp(u, 0, 7, m(u), 0));
    R.receive(u, st2, pp(u, 0, 6, m(u), 0));
    expect(st2.in.has(prep(u, 0, 6, m(u), 1))).toBe(true);
  });

  it('refused from a replica that is not primary(i)', () => {
    const u = mkU();
    expectIgnored(u, replica(u, 1), pp(u, 0, 1, m(u), 2));
    // the primary of view 1 is refused while view_i = 0
    expectIgnored(u, replica(u, 2), pp(u, 1, 1, m(u), 1));
  });

  it('refused for a view other than view_i', () => {
    const u = mkU();
    // signer 0 is primary(i) (view_i = 4, 4 mod 4 = 0), but v = 0 ≠ view_i
    const st = replica(u, 2);
    st.view = 4;
    expectIgnored(u, st, pp(u, 0, 1, m(u), 0));
  });

  it('refused without a new-view for v (has-new-view)', () => {
    const u = mkU();
    const st = replica(u, 2);
    st.view = 4;
    expectIgnored(u, st, pp(u, 4, 1, m(u), 0));
  });

  it('refused when i already prepared another digest for (v, n); a conflicting prepare of another replica does not matter', () => {
    const u = mkU();
    const st = replica(u, 1);
    R.receive(u, st, pp(u, 0, 1, m(u), 0));
    const m2 = req(u, 'b', 1, 1);
    expectIgnored(u, st, pp(u, 0, 1, m2, 0));
    // the same pre-prepare again changes nothing
    expectIgnored(u, st, pp(u, 0, 1, m(u), 0));

    const st2 = replica(u, 1);
    R.receive(u, st2, prep(u, 0, 1, m2, 2)); // someone else's prepare for m2
    R.receive(u, st2, pp(u, 0, 1, m(u), 0));
    expect(st2.in.has(prep(u, 0, 1, m(u), 1))).toBe(true);
  });

  it('the own pre-prepare (j = i) is not an input', () => {
    const u = mkU();
    expectIgnored(u, replica(u, 0), pp(u, 0, 1, m(u), 0));
  });

  it('a pre-prepare for the null request is accepted like any other', () => {
    const u = mkU();
    const st = replica(u, 3);
    R.receive(u, st, pp(u, 0, 2, null, 0));
    expectSameMessages(u, st.out, [prep(u, 0, 2, null, 3)]);
    expect(st.out.has(u.interner.prepare(0, 2, u.interner.nullDigest, 3))).toBe(true);
  });
});

describe('Fig 2-12 RECEIVE(⟨PREPARE, v, n, d, j⟩σj)_i', () => {
  const m = (u: ReturnType<typeof mkU>) => req(u, 'a', 1, 0);

  it('accepted from a backup j ≠ primary(i) with in-wv(v, n, i); out_i unchanged', () => {
    const u = mkU();
    const st = replica(u, 1);
    const inBefore = inOf(st);
    const p = prep(u, 0, 1, m(u), 2);
    R.receive(u, st, p);
    expectSameMessages(u, st.in.all, [...inBefore, p]);
    expect(st.out.size).toBe(0);
    // the primary accepts prepares too
    const st0 = replica(u, 0);
    R.receive(u, st0, p);
    expect(st0.in.has(p)).toBe(true);
  });

  it('refused from primary(i)', () => {
    const u = mkU();
    expectIgnored(u, replica(u, 1), prep(u, 0, 1, m(u), 0));
    // primary(i) follows view_i: in view 1, a prepare from 0 is fine and one from 1 is not
    const st = replica(u, 2);
    st.view = 1;
    R.receive(u, st, prep(u, 1, 1, m(u), 0));
    expect(st.in.has(prep(u, 1, 1, m(u), 0))).toBe(true);
    expectIgnored(u, st, prep(u, 1, 1, m(u), 1));
  });

  it('refused for v ≠ view_i, in either direction', () => {
    const u = mkU();
    expectIgnored(u, replica(u, 1), prep(u, 1, 1, m(u), 2));
    const st = replica(u, 1);
    st.view = 1;
    expectIgnored(u, st, prep(u, 0, 1, m(u), 2));
  });

  it('refused outside the window', () => {
    const u = mkU();
    expectIgnored(u, replica(u, 1), prep(u, 0, 0, m(u), 2));
    expectIgnored(u, replica(u, 1), prep(u, 0, 5, m(u), 2));
  });

  it('the own prepare (j = i) is not an input', () => {
    const u = mkU();
    expectIgnored(u, replica(u, 1), prep(u, 0, 1, m(u), 1));
  });
});

describe('Fig 2-12 SEND-COMMIT(m, v, n)_i', () => {
  const m = (u: ReturnType<typeof mkU>) => req(u, 'a', 1, 0);

  it('enabled when prepared(m, v, n, i) and i has not committed; effect: c in in_i and out_i', () => {
    const u = mkU();
    const st = replica(u, 3);
    R.receive(u, st, pp(u, 0, 1, m(u), 0)); // own prepare from 3
    const a = { kind: 'SEND-COMMIT', m: m(u), v: 0, n: 1, i: 3 } as const;
    expectDisabled(u, st, a); // 1 prepare < 2f
    R.receive(u, st, prep(u, 0, 1, m(u), 1));
    expectEnabled(u, st, a);
    expect(R.enabledInternal(u, st)).toContainEqual(a);
    const inBefore = inOf(st);
    st.out.clear();
    R.eff(u, st, a);
    const c = com(u, 0, 1, m(u), 3);
    expectSameMessages(u, st.out, [c]);
    expectSameMessages(u, st.in.all, [...inBefore, c]);
    // now ⟨COMMIT, v, n, D(m), i⟩σi ∈ in_i
    expectDisabled(u, st, a);
    expect(R.enabledInternal(u, st).some((x) => x.kind === 'SEND-COMMIT')).toBe(false);
  });

  it('a prepare by the primary does not count towards the 2f (primary(v) ∉ R)', () => {
    const u = mkU();
    const st = replica(u, 3);
    for (const x of [pp(u, 0, 1, m(u), 0), prep(u, 0, 1, m(u), 0), prep(u, 0, 1, m(u), 3)]) st.in.add(x);
    expectDisabled(u, st, { kind: 'SEND-COMMIT', m: m(u), v: 0, n: 1, i: 3 });
  });

  it('disabled without the pre-prepare of primary(v), or with prepares for another digest', () => {
    const u = mkU();
    const st = replica(u, 3);
    for (const x of [pp(u, 0, 1, m(u), 1), prep(u, 0, 1, m(u), 2), prep(u, 0, 1, m(u), 3)]) st.in.add(x);
    expectDisabled(u, st, { kind: 'SEND-COMMIT', m: m(u), v: 0, n: 1, i: 3 });
    const st2 = replica(u, 3);
    const m2 = req(u, 'b', 1, 1);
    for (const x of [pp(u, 0, 1, m(u), 0), prep(u, 0, 1, m2, 2), prep(u, 0, 1, m(u), 3)]) st2.in.add(x);
    expectDisabled(u, st2, { kind: 'SEND-COMMIT', m: m(u), v: 0, n: 1, i: 3 });
    expectDisabled(u, st2, { kind: 'SEND-COMMIT', m: m2, v: 0, n: 1, i: 3 });
  });

  it('has no view condition: a certificate of an earlier view still enables it', () => {
    const u = mkU();
    const st = replica(u, 3);
    for (const x of [pp(u, 0, 1, m(u), 0), prep(u, 0, 1, m(u), 2), prep(u, 0, 1, m(u), 3)]) st.in.add(x);
    st.view = 2;
    expectEnabled(u, st, { kind: 'SEND-COMMIT', m: m(u), v: 0, n: 1, i: 3 });
  });
});

describe('Fig 2-12 RECEIVE(⟨COMMIT, v, n, d, j⟩σj)_i', () => {
  const m = (u: ReturnType<typeof mkU>) => req(u, 'a', 1, 0);

  it('accepted when view_i ≥ v and in-w(n, i), from any j ≠ i (the primary included)', () => {
    const u = mkU();
    const st = replica(u, 1);
    const inBefore = inOf(st);
    R.receive(u, st, com(u, 0, 1, m(u), 2));
    R.receive(u, st, com(u, 0, 1, m(u), 0));
    expectSameMessages(u, st.in.all, [...inBefore, com(u, 0, 1, m(u), 2), com(u, 0, 1, m(u), 0)]);
    expect(st.out.size).toBe(0);
    // an older view is fine
    const st2 = replica(u, 1);
    st2.view = 3;
    R.receive(u, st2, com(u, 1, 1, m(u), 2));
    expect(st2.in.has(com(u, 1, 1, m(u), 2))).toBe(true);
  });

  it('refused for v > view_i', () => {
    const u = mkU();
    expectIgnored(u, replica(u, 1), com(u, 1, 1, m(u), 2));
  });

  it('refused outside the window', () => {
    const u = mkU();
    expectIgnored(u, replica(u, 1), com(u, 0, 0, m(u), 2));
    expectIgnored(u, replica(u, 1), com(u, 0, 5, m(u), 2));
  });

  it('the own commit (j = i) is not an input', () => {
    const u = mkU();
    expectIgnored(u, replica(u, 1), com(u, 0, 1, m(u), 1));
  });
});

describe('Fig 2-12 EXECUTE(m, v, n)_i', () => {
  /** Replica i with the pre-prepare for (m, v, n) and commits from `committers`. */
  const committedAt = (u: ReturnType<typeof mkU>, i: number, m: ReturnType<typeof req> | null, v: number, n: number, committers = [0, 1, 2]) => {
    const st = replica(u, i);
    st.in.add(pp(u, v, n, m, u.primary(v)));
    for (const k of committers) st.in.add(com(u, v, n, m, k));
    return st;
  };

  it('enabled when n = last-exec_i + 1 and committed; executes g, records the reply, removes m from in_i (n not a checkpoint)', () => {
    const u = mkU();
    const m = req(u, 'a', 1, 0);
    const st = committedAt(u, 3, m, 0, 1);
    st.in.add(m);
    const a = { kind: 'EXECUTE', m, v: 0, n: 1, i: 3 } as const;
    expectEnabled(u, st, a);
    expect(R.enabledInternal(u, st)).toContainEqual(a);
    const [r, val] = u.service.g(0, 'a', u.service.initial);
    const inBefore = inOf(st).filter((x) => x !== m);
    const chkptsBefore = [...st.chkpts];
    R.eff(u, st, a);
    expect(st.lastExec).toBe(1);
    expect(st.val).toEqual(val);
    expect(u.service.encode(st.val)).toBe(u.service.encode(val));
    expect(st.lastRep).toEqual([r, NULL_REP]);
    expect(st.lastRepT).toEqual([1, 0]);
    expectSameMessages(u, st.out, [u.interner.reply(0, 1, 0, 3, r)]);
    expectSameMessages(u, st.in.all, inBefore); // in_i − {m}, and no checkpoint at n = 1
    expect(st.chkpts).toEqual(chkptsBefore);
    expect(st.view).toBe(0);
    expect(st.seqno).toBe(0);
  });

  it('disabled when n ≠ last-exec_i + 1', () => {
    const u = mkU();
    const m = req(u, 'a', 1, 0);
    expectDisabled(u, committedAt(u, 3, m, 0, 2), { kind: 'EXECUTE', m, v: 0, n: 2, i: 3 });
    const st = committedAt(u, 3, m, 0, 1);
    st.lastExec = 1;
    expectDisabled(u, st, { kind: 'EXECUTE', m, v: 0, n: 1, i: 3 });
  });

  it('disabled with 2f commits, or commits for another view than v', () => {
    const u = mkU();
    const m = req(u, 'a', 1, 0);
    expectDisabled(u, committedAt(u, 3, m, 0, 1, [0, 1]), { kind: 'EXECUTE', m, v: 0, n: 1, i: 3 });
    expectDisabled(u, committedAt(u, 3, m, 0, 1), { kind: 'EXECUTE', m, v: 1, n: 1, i: 3 });
  });

  it('committed needs m: either a pre-prepare carrying m (any view) or m itself in in_i', () => {
    const u = mkU();
    const m = req(u, 'a', 1, 0);
    const st = replica(u, 3);
    for (const k of [0, 1, 2]) st.in.add(com(u, 1, 1, m, k));
    expectDisabled(u, st, { kind: 'EXECUTE', m, v: 1, n: 1, i: 3 });
    st.in.add(m);
    expectEnabled(u, st, { kind: 'EXECUTE', m, v: 1, n: 1, i: 3 });
    st.in.delete(m);
    st.in.add(pp(u, 0, 1, m, 0)); // a pre-prepare of view 0 with commits of view 1
    expectEnabled(u, st, { kind: 'EXECUTE', m, v: 1, n: 1, i: 3 });
    st.in.delete(pp(u, 0, 1, m, 0));
    st.in.add(pp(u, 0, 1, m, 2)); // not signed by primary(0)
    expectDisabled(u, st, { kind: 'EXECUTE', m, v: 1, n: 1, i: 3 });
  });

  it('take-chkpt(n): n = 2 adds ⟨CHECKPOINT, view_i, n, D(⟨val, last-rep, last-rep-t⟩), i⟩ to in_i and out_i, and ⟨n, value⟩ to chkpts_i', () => {
    const u = mkU();
    const m = req(u, 'a', 1, 0);
    const st = committedAt(u, 3, m, 0, 2);
    st.lastExec = 1;
    st.view = 1; // the checkpoint and reply carry view_i, not the v of the certificate
    R.eff(u, st, { kind: 'EXECUTE', m, v: 0, n: 2, i: 3 });
    const [r, val] = u.service.g(0, 'a', u.service.initial);
    const value = u.interner.checkpointValue(val, [r, NULL_REP], [1, 0]);
    const ck = chk(u, 1, 2, value, 3);
    expect(st.val).toBe(value.val);
    expectSameMessages(u, st.out, [u.interner.reply(1, 1, 0, 3, r), ck]);
    expect(st.in.has(ck)).toBe(true);
    expect(st.chkpts).toEqual([
      { n: 0, s: s0(u) },
      { n: 2, s: value },
    ]);
    expect(h(st)).toBe(0); // the new checkpoint is not stable yet
    expect(st.lastExec).toBe(2);
  });

  it('t < last-rep-t_i(c): last-exec advances, no reply, no change of val, m leaves in_i', () => {
    const u = mkU();
    const m = req(u, 'a', 3, 0);
    const st = committedAt(u, 3, m, 0, 1);
    st.in.add(m);
    st.lastRepT[0] = 5;
    st.lastRep[0] = 'r5';
    const before = snapshot(st);
    R.eff(u, st, { kind: 'EXECUTE', m, v: 0, n: 1, i: 3 });
    expect(snapshot(st)).toEqual({ ...before, lastExec: 1, in: before.in.filter((id) => id !== m.id) });
  });

  it('t = last-rep-t_i(c): resends the stored reply, without executing again', () => {
    const u = mkU();
    const m = req(u, 'a', 1, 0);
    const st = committedAt(u, 3, m, 0, 1);
    st.lastRepT[0] = 1;
    st.lastRep[0] = 'stored';
    st.view = 2;
    const before = snapshot(st);
    R.eff(u, st, { kind: 'EXECUTE', m, v: 0, n: 1, i: 3 });
    expectSameMessages(u, st.out, [u.interner.reply(2, 1, 0, 3, 'stored')]);
    expect(st.val).toBe(before.val);
    expect(st.lastRep).toEqual(before.lastRep);
    expect(st.lastRepT).toEqual(before.lastRepT);
    expect(st.lastExec).toBe(1);
  });

  it('the null request is a no-op, but a checkpoint is still taken at a checkpoint sequence number', () => {
    const u = mkU();
    const st = committedAt(u, 3, null, 1, 1);
    st.view = 1;
    const a = { kind: 'EXECUTE', m: null, v: 1, n: 1, i: 3 } as const;
    expectEnabled(u, st, a);
    const before = snapshot(st);
    R.eff(u, st, a);
    expect(snapshot(st)).toEqual({ ...before, lastExec: 1 });

    const st2 = committedAt(u, 3, null, 1, 2);
    st2.view = 1;
    st2.lastExec = 1;
    R.eff(u, st2, { kind: 'EXECUTE', m: null, v: 1, n: 2, i: 3 });
    expect(st2.val).toBe(u.service.initial);
    const ck = chk(u, 1, 2, s0(u), 3);
    expectSameMessages(u, st2.out, [ck]);
    expect(st2.chkpts).toEqual([
      { n: 0, s: s0(u) },
      { n: 2, s: s0(u) },
    ]);
  });
});

describe('normal case through the composed system', () => {
  it('a request goes REQUEST → pre-prepare → prepare → commit → execute → reply at every replica', () => {
    const u = mkU();
    const s = initialSystem(u);
    const m = clientRequest(u, s, 0, 'a');
    flush(u, s); // the primary logs m
    expect(s.replicas[0]!.in.has(m)).toBe(true);
    expect(s.replicas[1]!.in.has(m)).toBe(false);
    step(u, s, { kind: 'SEND-PRE-PREPARE', m, v: 0, n: 1, i: 0 });
    flush(u, s);
    for (const st of s.replicas) {
      expect(st.in.has(pp(u, 0, 1, m, 0))).toBe(true);
      for (const k of [1, 2, 3]) expect(st.in.has(prep(u, 0, 1, m, k))).toBe(true);
      expect(st.in.has(prep(u, 0, 1, m, 0))).toBe(false); // the primary sends no prepare
    }
    for (const i of [0, 1, 2, 3]) step(u, s, { kind: 'SEND-COMMIT', m, v: 0, n: 1, i });
    flush(u, s);
    for (const i of [0, 1, 2, 3]) step(u, s, { kind: 'EXECUTE', m, v: 0, n: 1, i });
    const [r] = u.service.g(0, 'a', u.service.initial);
    for (const st of s.replicas) {
      expect(st.lastExec).toBe(1);
      expect(st.lastRep[0]).toBe(r);
      expect(st.lastRepT[0]).toBe(1);
      expectSameMessages(u, st.out, [u.interner.reply(0, 1, 0, st.i, r)]);
    }
    flush(u, s);
    expect(s.proxies[0]!.in.size).toBe(4);
    step(u, s, { kind: 'REPLY', r, c: 0 });
    expect(s.proxies[0]!.out).toBeNull();
    // nothing at n = 1 is garbage collected: n = 1 is not a checkpoint
    for (const st of s.replicas) expectSameMessages(u, [...st.in.checkpointsByN.values()].flatMap((x) => [...x]), initialCheckpoints(u));
  });
});
