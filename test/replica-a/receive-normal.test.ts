// Input transitions of R_i in A (Appendix A.1): RECEIVE of REQUEST, PRE-PREPARE, PREPARE, COMMIT,
// each with its `if` true and false, and the exact effect on the whole replica state.
import { describe, expect, it } from 'vitest';
import { NULL_REP } from '../../automata/services.ts';
import { receive } from '../../automata/replica.ts';
import * as ReplicaGc from '../../automata/replica-gc.ts';
import { initialReplica } from '../../automata/replica-state.ts';
import { Universe } from '../../automata/universe.ts';
import { com, mkU, newViewFor, plus, pp, prep, replica, req, snap, vc } from './helpers.ts';

describe('A.1 initial state', () => {
  it('matches the State section of A.1 (no checkpoints, empty in and out)', () => {
    const u = mkU();
    const st = initialReplica(u, 2);
    expect(snap(u, st)).toEqual({
      i: 2,
      val: u.service.encode(u.service.initial),
      lastRep: [NULL_REP, NULL_REP],
      lastRepT: [0, 0],
      chkpts: 0,
      in: [],
      out: [],
      view: 0,
      lastExec: 0,
      seqno: 0,
      faulty: false,
    });
  });
});

describe('RECEIVE(⟨REQUEST, o, t, c⟩σc)_i (A.1, read as in READING-NOTES 7)', () => {
  it('t > last-rep-t_i(c) at a backup: logs m and relays it (out_i ∪ {m})', () => {
    const u = mkU();
    const st = replica(u, 1);
    const m = req(u, 'a', 1, 0);
    const before = snap(u, st);
    receive(u, st, m);
    expect(snap(u, st)).toEqual({ ...before, in: plus(before.in, m), out: plus(before.out, m) });
  });

  it('t > last-rep-t_i(c) at the primary: logs m but does not relay it', () => {
    const u = mkU();
    const st = replica(u, 0);
    const m = req(u, 'a', 1, 0);
    const before = snap(u, st);
    receive(u, st, m);
    expect(snap(u, st)).toEqual({ ...before, in: plus(before.in, m) });
  });

  it('"primary(i)" is the primary of view_i: in view 1 replica 1 does not relay and replica 0 does', () => {
    const u = mkU();
    const m = req(u, 'a', 1, 0);
    const r1 = replica(u, 1);
    r1.view = 1;
    receive(u, r1, m);
    expect(r1.out.has(m)).toBe(false);
    expect(r1.in.has(m)).toBe(true);
    const r0 = replica(u, 0);
    r0.view = 1;
    receive(u, r0, m);
    expect(r0.out.has(m)).toBe(true);
  });

  it('t = last-rep-t_i(c): resends ⟨REPLY, view_i, t, c, i, last-rep_i(c)⟩σi and does not log m', () => {
    const u = mkU();
    const st = replica(u, 2);
    st.view = 3;
    st.lastRepT[1] = 4;
    st.lastRep[1] = 'old-result';
    const m = req(u, 'zz', 4, 1);
    const before = snap(u, st);
    receive(u, st, m);
    const r = u.interner.reply(3, 4, 1, 2, 'old-result');
    expect(snap(u, st)).toEqual({ ...before, out: plus(before.out, r) });
  });

  it('t = 0 = last-rep-t_i(c) initially: the reply carries null-rep', () => {
    const u = mkU();
    const st = replica(u, 1);
    receive(u, st, req(u, 'a', 0, 0));
    expect([...st.out]).toEqual([u.interner.reply(0, 0, 0, 1, NULL_REP)]);
    expect(st.in.size).toBe(0);
  });

  it('t < last-rep-t_i(c): no effect at all', () => {
    const u = mkU();
    const st = replica(u, 1);
    st.lastRepT[0] = 5;
    const before = snap(u, st);
    receive(u, st, req(u, 'a', 4, 0));
    expect(snap(u, st)).toEqual(before);
  });
});

describe('RECEIVE(⟨PRE-PREPARE, v, n, m⟩σj)_i (A.1)', () => {
  // Replica 1 in view 0; primary(0) = 0; has-new-view(0, i) holds since v = 0.
  it('if-branch: j = primary(i) ∧ in-v ∧ has-new-view ∧ no conflicting prepare: logs pp and p, sends p', () => {
    const u = mkU();
    const st = replica(u, 1);
    const m = req(u, 'a', 1, 0);
    const x = pp(u, 0, 1, m, 0);
    const before = snap(u, st);
    receive(u, st, x);
    const p = prep(u, 0, 1, m, 1);
    // The request itself is not added in this branch: only the pre-prepare and the prepare.
    expect(snap(u, st)).toEqual({ ...before, in: plus(before.in, x, p), out: plus(before.out, p) });
    expect(st.in.has(m)).toBe(false);
  });

  it('if-branch with the null request: p carries D(null)', () => {
    const u = mkU();
    const st = replica(u, 3);
    const x = pp(u, 0, 2, null, 0);
    receive(u, st, x);
    const p = u.interner.prepare(0, 2, u.interner.nullDigest, 3);
    expect(st.in.has(x) && st.in.has(p) && st.out.has(p)).toBe(true);
    expect(st.in.size).toBe(2);
  });

  it('a prepare with the same digest already in in_i is no conflict (∄ d ≠ D(m))', () => {
    const u = mkU();
    const m = req(u, 'a', 1, 0);
    const p = prep(u, 0, 1, m, 1);
    const st = replica(u, 1, [p]);
    const x = pp(u, 0, 1, m, 0);
    const before = snap(u, st);
    receive(u, st, x);
    expect(snap(u, st)).toEqual({ ...before, in: plus(before.in, x), out: plus(before.out, p) });
  });

  it('else-branch (A.1 only): j ≠ primary(i) — the pre-prepare is rejected but its request is logged', () => {
    const u = mkU();
    const st = replica(u, 1);
    const m = req(u, 'a', 1, 0);
    const before = snap(u, st);
    receive(u, st, pp(u, 0, 1, m, 2));
    expect(snap(u, st)).toEqual({ ...before, in: plus(before.in, m) });
  });

  it('else-branch: ¬in-v(v, i) — a pre-prepare for another view logs only its request', () => {
    const u = mkU();
    const st = replica(u, 2);
    const m = req(u, 'a', 1, 0);
    st.view = 1; // primary(i) = 1
    const before = snap(u, st);
    receive(u, st, pp(u, 0, 1, m, 1)); // signed by primary(i), but v = 0 ≠ view_i
    expect(snap(u, st)).toEqual({ ...before, in: plus(before.in, m) });
  });

  it('else-branch: ¬has-new-view(v, i) — view 1 without a new-view message logs only the request', () => {
    const u = mkU();
    const st = replica(u, 2);
    st.view = 1;
    const m = req(u, 'a', 1, 0);
    const before = snap(u, st);
    receive(u, st, pp(u, 1, 1, m, 1));
    expect(snap(u, st)).toEqual({ ...before, in: plus(before.in, m) });
  });

  it('has-new-view(v, i) via a correct NEW-VIEW in in_i enables the if-branch in view 1', () => {
    const u = mkU();
    const V = [vc(u, 1, [], 0), vc(u, 1, [], 2), vc(u, 1, [], 3)];
    const st = replica(u, 2, [newViewFor(u, 1, V)]);
    st.view = 1;
    const m = req(u, 'a', 1, 0);
    const x = pp(u, 1, 1, m, 1);
    receive(u, st, x);
    expect(st.in.has(x)).toBe(true);
    expect(st.out.has(prep(u, 1, 1, m, 2))).toBe(true);
    expect(st.in.has(m)).toBe(false);
  });

  it('else-branch: a prepare by i for a different digest at (v, n) blocks the pre-prepare; the request is logged', () => {
    const u = mkU();
    const a = req(u, 'a', 1, 0);
    const b = req(u, 'b', 1, 1);
    const st = replica(u, 1, [prep(u, 0, 1, a, 1)]);
    const before = snap(u, st);
    receive(u, st, pp(u, 0, 1, b, 0));
    expect(snap(u, st)).toEqual({ ...before, in: plus(before.in, b) });
  });

  it("another replica's conflicting prepare does not block (only ⟨PREPARE, v, n, d, i⟩σi counts)", () => {
    const u = mkU();
    const a = req(u, 'a', 1, 0);
    const b = req(u, 'b', 1, 1);
    const st = replica(u, 1, [prep(u, 0, 1, a, 2)]);
    receive(u, st, pp(u, 0, 1, b, 0));
    expect(st.out.has(prep(u, 0, 1, b, 1))).toBe(true);
  });

  it('else-branch logs the request even when its timestamp is not above last-rep-t_i(c) (no check in the text)', () => {
    const u = mkU();
    const st = replica(u, 1);
    st.lastRepT[0] = 7;
    const old = req(u, 'a', 3, 0);
    receive(u, st, pp(u, 0, 1, old, 2));
    expect(st.in.has(old)).toBe(true);
  });

  it('else-branch with m = null: no effect (null is not a request)', () => {
    const u = mkU();
    const st = replica(u, 1);
    const before = snap(u, st);
    receive(u, st, pp(u, 0, 1, null, 2));
    expect(snap(u, st)).toEqual(before);
  });

  it('contrast: in A_gc (Fig 2-12) a rejected pre-prepare does not log its request', () => {
    const gu = new Universe({ variant: 'Agc', f: 1, clients: 2, service: 'log' });
    const st = initialReplica(gu, 1);
    const m = gu.interner.request('a', 1, 0);
    const size = st.in.size;
    ReplicaGc.receive(gu, st, gu.interner.prePrepare(0, 1, m, 2));
    expect(st.in.has(m)).toBe(false);
    expect(st.in.size).toBe(size);
  });

  it('j = i is not an input of R_i (j ≠ i): its own pre-prepare has no effect', () => {
    const u = mkU();
    const st = replica(u, 0);
    const before = snap(u, st);
    receive(u, st, pp(u, 0, 1, req(u, 'a', 1, 0), 0));
    expect(snap(u, st)).toEqual(before);
  });
});

describe('RECEIVE(⟨PREPARE, v, n, d, j⟩σj)_i (A.1)', () => {
  it('j ≠ primary(i) ∧ in-v(v, i): the prepare is logged, nothing is sent', () => {
    const u = mkU();
    const st = replica(u, 1);
    const p = prep(u, 0, 1, req(u, 'a', 1, 0), 2);
    const before = snap(u, st);
    receive(u, st, p);
    expect(snap(u, st)).toEqual({ ...before, in: plus(before.in, p) });
  });

  it('no sequence-number window in A: n = 10 000 is logged', () => {
    const u = mkU();
    const st = replica(u, 1);
    const p = prep(u, 0, 10_000, null, 3);
    receive(u, st, p);
    expect(st.in.has(p)).toBe(true);
  });

  it('has-new-view is not required: a view-1 prepare is logged at view_i = 1 before any new-view', () => {
    const u = mkU();
    const st = replica(u, 2);
    st.view = 1;
    const p = prep(u, 1, 1, null, 3);
    receive(u, st, p);
    expect(st.in.has(p)).toBe(true);
  });

  it('j = primary(i): ignored', () => {
    const u = mkU();
    const st = replica(u, 1);
    const before = snap(u, st);
    receive(u, st, prep(u, 0, 1, null, 0));
    expect(snap(u, st)).toEqual(before);
  });

  it('¬in-v(v, i): prepares of an older or newer view are ignored', () => {
    const u = mkU();
    const st = replica(u, 1);
    st.view = 2;
    const before = snap(u, st);
    receive(u, st, prep(u, 1, 1, null, 3));
    receive(u, st, prep(u, 3, 1, null, 3));
    expect(snap(u, st)).toEqual(before);
  });

  it('j = i is not an input: ignored', () => {
    const u = mkU();
    const st = replica(u, 1);
    const before = snap(u, st);
    receive(u, st, prep(u, 0, 1, null, 1));
    expect(snap(u, st)).toEqual(before);
  });
});

describe('RECEIVE(⟨COMMIT, v, n, d, j⟩σj)_i (A.1): view_i ≥ v only', () => {
  it('logs commits of the current and of older views, from any j ≠ i (the primary included)', () => {
    const u = mkU();
    const st = replica(u, 1);
    st.view = 2;
    const cs = [com(u, 0, 1, null, 0), com(u, 1, 1, null, 2), com(u, 2, 5, null, 3), com(u, 2, 1, null, 2)];
    const before = snap(u, st);
    for (const c of cs) receive(u, st, c);
    expect(snap(u, st)).toEqual({ ...before, in: plus(before.in, ...cs) });
  });

  it('no window in A: a commit for n = 1 000 000 is logged (in A_gc, in-w(n, i) would reject it)', () => {
    const u = mkU();
    const st = replica(u, 1);
    const c = com(u, 0, 1_000_000, null, 2);
    receive(u, st, c);
    expect(st.in.has(c)).toBe(true);

    const gu = new Universe({ variant: 'Agc', f: 1, clients: 2, service: 'log' });
    const g = initialReplica(gu, 1);
    const gc = gu.interner.commit(0, 1_000_000, gu.interner.nullDigest, 2);
    ReplicaGc.receive(gu, g, gc);
    expect(g.in.has(gc)).toBe(false);
  });

  it('view_i < v: ignored', () => {
    const u = mkU();
    const st = replica(u, 1);
    st.view = 2;
    const before = snap(u, st);
    receive(u, st, com(u, 3, 1, null, 2));
    expect(snap(u, st)).toEqual(before);
  });

  it('j = i is not an input: ignored', () => {
    const u = mkU();
    const st = replica(u, 1);
    const before = snap(u, st);
    receive(u, st, com(u, 0, 1, null, 1));
    expect(snap(u, st)).toEqual(before);
  });
});

describe('messages outside R_i’s signature in A', () => {
  it('REPLY and CHECKPOINT have no effect on a replica of A', () => {
    const u = mkU();
    const st = replica(u, 1);
    const before = snap(u, st);
    receive(u, st, u.interner.reply(0, 1, 0, 2, 'r'));
    receive(u, st, u.interner.checkpoint(0, 0, u.interner.nullDigest, 2));
    expect(snap(u, st)).toEqual(before);
  });
});
