// Internal transitions of R_i in A (Appendix A.1), normal case: SEND-PRE-PREPARE, SEND-COMMIT and
// EXECUTE, each with an enabled and a disabled case and the exact effect.
import { describe, expect, it } from 'vitest';
import type { ReplicaInternal } from '../../automata/actions.ts';
import { committed, prepared } from '../../automata/aux-functions.ts';
import { eff, enabledInternal, pre } from '../../automata/replica.ts';
import type { ReplicaState } from '../../automata/replica-state.ts';
import type { Universe } from '../../automata/universe.ts';
import { cert, com, minus, mkU, newViewFor, plus, pp, prep, replica, req, snap, vc } from './helpers.ts';

/** Takes a, which must be enabled; returns the state before. */
function take(u: Universe, st: ReplicaState, a: ReplicaInternal) {
  expect(pre(u, st, a)).toBe(true);
  const before = snap(u, st);
  eff(u, st, a);
  return before;
}

describe('SEND-PRE-PREPARE(m, v, n)_i (A.1)', () => {
  const setup = () => {
    const u = mkU();
    const m = req(u, 'a', 1, 0);
    const st = replica(u, 0, [m]);
    return { u, m, st };
  };

  it('enabled at the primary of view 0 with m ∈ in_i and n = seqno_i + 1; effect: seqno_i + 1, p in out_i and in_i', () => {
    const { u, m, st } = setup();
    const a = { kind: 'SEND-PRE-PREPARE', m, v: 0, n: 1, i: 0 } as const;
    const before = take(u, st, a);
    const p = pp(u, 0, 1, m, 0);
    expect(snap(u, st)).toEqual({ ...before, seqno: 1, in: plus(before.in, p), out: plus(before.out, p) });
    expect(enabledInternal(u, replica(u, 0, [m]))).toContainEqual(a);
  });

  it('disabled when seqno_i ≠ n − 1', () => {
    const { u, m, st } = setup();
    expect(pre(u, st, { kind: 'SEND-PRE-PREPARE', m, v: 0, n: 2, i: 0 })).toBe(false);
    expect(pre(u, st, { kind: 'SEND-PRE-PREPARE', m, v: 0, n: 0, i: 0 })).toBe(false);
  });

  it('disabled at a backup (primary(i) ≠ i)', () => {
    const u = mkU();
    const m = req(u, 'a', 1, 0);
    const st = replica(u, 1, [m]);
    expect(pre(u, st, { kind: 'SEND-PRE-PREPARE', m, v: 0, n: 1, i: 1 })).toBe(false);
  });

  it('disabled when ¬in-v(v, i)', () => {
    const { u, m, st } = setup();
    expect(pre(u, st, { kind: 'SEND-PRE-PREPARE', m, v: 4, n: 1, i: 0 })).toBe(false);
  });

  it('disabled when m ∉ in_i', () => {
    const { u, st } = setup();
    expect(pre(u, st, { kind: 'SEND-PRE-PREPARE', m: req(u, 'b', 1, 1), v: 0, n: 1, i: 0 })).toBe(false);
  });

  it('disabled when i already pre-prepared m in view v, at any n\'', () => {
    const { u, m, st } = setup();
    eff(u, st, { kind: 'SEND-PRE-PREPARE', m, v: 0, n: 1, i: 0 });
    expect(pre(u, st, { kind: 'SEND-PRE-PREPARE', m, v: 0, n: 2, i: 0 })).toBe(false);
    const m2 = req(u, 'b', 1, 1);
    st.in.add(m2);
    expect(pre(u, st, { kind: 'SEND-PRE-PREPARE', m: m2, v: 0, n: 2, i: 0 })).toBe(true);
  });

  it('disabled when ¬has-new-view(v, i): the primary of view 1 before its new-view', () => {
    const u = mkU();
    const m = req(u, 'a', 1, 0);
    const st = replica(u, 1, [m]);
    st.view = 1;
    expect(pre(u, st, { kind: 'SEND-PRE-PREPARE', m, v: 1, n: 1, i: 1 })).toBe(false);
    st.in.add(newViewFor(u, 1, [vc(u, 1, [], 0), vc(u, 1, [], 2), vc(u, 1, [], 3)]));
    expect(pre(u, st, { kind: 'SEND-PRE-PREPARE', m, v: 1, n: 1, i: 1 })).toBe(true);
  });

  it('a pre-prepare of m in an earlier view (by another primary) does not block it in view v', () => {
    const u = mkU();
    const m = req(u, 'a', 1, 0);
    const st = replica(u, 1, [m, pp(u, 0, 1, m, 0), newViewFor(u, 1, [vc(u, 1, [], 0), vc(u, 1, [], 2), vc(u, 1, [], 3)])]);
    st.view = 1;
    expect(pre(u, st, { kind: 'SEND-PRE-PREPARE', m, v: 1, n: 1, i: 1 })).toBe(true);
  });
});

describe('SEND-COMMIT(m, v, n)_i (A.1)', () => {
  it('enabled when prepared(m, v, n, i) and i has not committed; effect: c in out_i and in_i', () => {
    const u = mkU();
    const m = req(u, 'a', 1, 0);
    const st = replica(u, 1, cert(u, 0, 1, m, [1, 2]));
    const a = { kind: 'SEND-COMMIT', m, v: 0, n: 1, i: 1 } as const;
    expect(enabledInternal(u, st)).toContainEqual(a);
    const before = take(u, st, a);
    const c = com(u, 0, 1, m, 1);
    expect(snap(u, st)).toEqual({ ...before, in: plus(before.in, c), out: plus(before.out, c) });
    expect(pre(u, st, a)).toBe(false); // ⟨COMMIT, v, n, D(m), i⟩σi ∈ in_i now
  });

  it('disabled with 2f − 1 backup prepares (not prepared)', () => {
    const u = mkU();
    const m = req(u, 'a', 1, 0);
    const st = replica(u, 1, cert(u, 0, 1, m, [1]));
    expect(pre(u, st, { kind: 'SEND-COMMIT', m, v: 0, n: 1, i: 1 })).toBe(false);
  });

  it("disabled when the 2f prepares include primary(v)'s (primary(v) ∉ R)", () => {
    const u = mkU();
    const m = req(u, 'a', 1, 0);
    const st = replica(u, 1, cert(u, 0, 1, m, [0, 1]));
    expect(prepared(u, m, 0, 1, st.in)).toBe(false);
    expect(pre(u, st, { kind: 'SEND-COMMIT', m, v: 0, n: 1, i: 1 })).toBe(false);
  });

  it('disabled without the pre-prepare from primary(v), or with it from another replica', () => {
    const u = mkU();
    const m = req(u, 'a', 1, 0);
    const P = [prep(u, 0, 1, m, 1), prep(u, 0, 1, m, 2), prep(u, 0, 1, m, 3)];
    expect(pre(u, replica(u, 1, P), { kind: 'SEND-COMMIT', m, v: 0, n: 1, i: 1 })).toBe(false);
    expect(pre(u, replica(u, 1, [pp(u, 0, 1, m, 2), ...P]), { kind: 'SEND-COMMIT', m, v: 0, n: 1, i: 1 })).toBe(false);
  });

  it('disabled when the prepares are for another digest', () => {
    const u = mkU();
    const m = req(u, 'a', 1, 0);
    const st = replica(u, 1, [pp(u, 0, 1, m, 0), prep(u, 0, 1, null, 1), prep(u, 0, 1, null, 2)]);
    expect(pre(u, st, { kind: 'SEND-COMMIT', m, v: 0, n: 1, i: 1 })).toBe(false);
  });

  it('has no view condition: a certificate from view 0 can be committed at view_i = 3', () => {
    const u = mkU();
    const m = req(u, 'a', 1, 0);
    const st = replica(u, 2, cert(u, 0, 1, m, [1, 3]));
    st.view = 3;
    expect(pre(u, st, { kind: 'SEND-COMMIT', m, v: 0, n: 1, i: 2 })).toBe(true);
  });

  it('works for the null request (commit carries D(null))', () => {
    const u = mkU();
    const st = replica(u, 3, cert(u, 0, 4, null, [1, 2]));
    eff(u, st, { kind: 'SEND-COMMIT', m: null, v: 0, n: 4, i: 3 });
    expect(st.out.has(u.interner.commit(0, 4, u.interner.nullDigest, 3))).toBe(true);
  });
});

describe('EXECUTE(m, v, n)_i (A.1)', () => {
  const commits = (u: Universe, v: number, n: number, m: Parameters<typeof com>[3], ks: number[]) => ks.map((k) => com(u, v, n, m, k));

  it('committed with a fresh timestamp: last-exec, last-rep-t, last-rep, val change; reply sent; m leaves in_i', () => {
    const u = mkU();
    const m = req(u, 'a', 1, 0);
    const st = replica(u, 2, [m, pp(u, 0, 1, m, 0), ...commits(u, 0, 1, m, [0, 1, 2])]);
    st.view = 2; // the reply names view_i, not v
    const a = { kind: 'EXECUTE', m, v: 0, n: 1, i: 2 } as const;
    expect(enabledInternal(u, st)).toContainEqual(a);
    const before = take(u, st, a);
    const [r, val] = u.service.g(0, 'a', u.service.initial);
    const reply = u.interner.reply(2, 1, 0, 2, r);
    expect(snap(u, st)).toEqual({
      ...before,
      lastExec: 1,
      lastRepT: [1, 0],
      lastRep: [r, before.lastRep[1]],
      val: u.service.encode(val),
      in: minus(before.in, m),
      out: plus(before.out, reply),
    });
  });

  it('committed holds with m ∈ in_i and no pre-prepare at all', () => {
    const u = mkU();
    const m = req(u, 'a', 1, 0);
    const st = replica(u, 2, [m, ...commits(u, 0, 1, m, [1, 2, 3])]);
    expect(committed(u, m, 0, 1, st.in)).toBe(true);
    expect(pre(u, st, { kind: 'EXECUTE', m, v: 0, n: 1, i: 2 })).toBe(true);
  });

  it("committed's pre-prepare may be from another view v' than the commits", () => {
    const u = mkU();
    const m = req(u, 'a', 1, 0);
    const st = replica(u, 2, [pp(u, 0, 1, m, 0), ...commits(u, 1, 1, m, [0, 1, 3])]);
    expect(pre(u, st, { kind: 'EXECUTE', m, v: 1, n: 1, i: 2 })).toBe(true);
    expect(pre(u, st, { kind: 'EXECUTE', m, v: 0, n: 1, i: 2 })).toBe(false);
  });

  it('disabled when n ≠ last-exec_i + 1', () => {
    const u = mkU();
    const m = req(u, 'a', 1, 0);
    const st = replica(u, 2, [m, pp(u, 0, 2, m, 0), ...commits(u, 0, 2, m, [0, 1, 2])]);
    expect(pre(u, st, { kind: 'EXECUTE', m, v: 0, n: 2, i: 2 })).toBe(false);
    st.lastExec = 1;
    expect(pre(u, st, { kind: 'EXECUTE', m, v: 0, n: 2, i: 2 })).toBe(true);
  });

  it('disabled with 2f commits, and with 2f + 1 commits split over two views', () => {
    const u = mkU();
    const m = req(u, 'a', 1, 0);
    expect(pre(u, replica(u, 2, [m, ...commits(u, 0, 1, m, [0, 1])]), { kind: 'EXECUTE', m, v: 0, n: 1, i: 2 })).toBe(false);
    const split = replica(u, 2, [m, ...commits(u, 0, 1, m, [0, 1]), ...commits(u, 1, 1, m, [2])]);
    expect(pre(u, split, { kind: 'EXECUTE', m, v: 0, n: 1, i: 2 })).toBe(false);
    expect(pre(u, split, { kind: 'EXECUTE', m, v: 1, n: 1, i: 2 })).toBe(false);
  });

  it('disabled when neither m ∈ in_i nor a pre-prepare of m by primary(v\') is in in_i', () => {
    const u = mkU();
    const m = req(u, 'a', 1, 0);
    const cs = commits(u, 0, 1, m, [0, 1, 2]);
    expect(pre(u, replica(u, 2, cs), { kind: 'EXECUTE', m, v: 0, n: 1, i: 2 })).toBe(false);
    expect(pre(u, replica(u, 2, [pp(u, 0, 1, m, 3), ...cs]), { kind: 'EXECUTE', m, v: 0, n: 1, i: 2 })).toBe(false);
  });

  it('stale timestamp t < last-rep-t_i(c): only last-exec advances and m leaves in_i; no reply', () => {
    const u = mkU();
    const m = req(u, 'a', 1, 0);
    const st = replica(u, 2, [m, pp(u, 0, 1, m, 0), ...commits(u, 0, 1, m, [0, 1, 2])]);
    st.lastRepT[0] = 5;
    st.lastRep[0] = 'r5';
    const before = take(u, st, { kind: 'EXECUTE', m, v: 0, n: 1, i: 2 });
    expect(snap(u, st)).toEqual({ ...before, lastExec: 1, in: minus(before.in, m) });
  });

  it('t = last-rep-t_i(c): the last reply is resent (with view_i) without executing again', () => {
    const u = mkU();
    const m = req(u, 'a', 3, 1);
    const st = replica(u, 2, [m, pp(u, 0, 1, m, 0), ...commits(u, 0, 1, m, [0, 1, 2])]);
    st.lastRepT[1] = 3;
    st.lastRep[1] = 'prev';
    st.view = 1;
    const before = take(u, st, { kind: 'EXECUTE', m, v: 0, n: 1, i: 2 });
    expect(snap(u, st)).toEqual({
      ...before,
      lastExec: 1,
      in: minus(before.in, m),
      out: plus(before.out, u.interner.reply(1, 3, 1, 2, 'prev')),
    });
  });

  it('null request: only last-exec_i advances', () => {
    const u = mkU();
    const st = replica(u, 2, [pp(u, 0, 1, null, 0), ...commits(u, 0, 1, null, [0, 1, 3])]);
    const a = { kind: 'EXECUTE', m: null, v: 0, n: 1, i: 2 } as const;
    expect(enabledInternal(u, st)).toContainEqual(a);
    const before = take(u, st, a);
    expect(snap(u, st)).toEqual({ ...before, lastExec: 1 });
  });

  it('executes in sequence-number order: results follow the log service', () => {
    const u = mkU();
    const a = req(u, 'a', 1, 0);
    const b = req(u, 'b', 1, 1);
    const st = replica(u, 1, [pp(u, 0, 1, b, 0), pp(u, 0, 2, a, 0), ...commits(u, 0, 1, b, [0, 1, 2]), ...commits(u, 0, 2, a, [0, 1, 2])]);
    expect(pre(u, st, { kind: 'EXECUTE', m: a, v: 0, n: 2, i: 1 })).toBe(false);
    eff(u, st, { kind: 'EXECUTE', m: b, v: 0, n: 1, i: 1 });
    eff(u, st, { kind: 'EXECUTE', m: a, v: 0, n: 2, i: 1 });
    const s1 = u.service.g(1, 'b', u.service.initial);
    const s2 = u.service.g(0, 'a', s1[1]);
    expect(st.lastRep).toEqual([s2[0], s1[0]]);
    expect(u.service.encode(st.val)).toBe(u.service.encode(s2[1]));
  });
});
