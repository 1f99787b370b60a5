// Internal transitions of R_i in A (Appendix A.1), view change: SEND-VIEW-CHANGE(v)_i and
// SEND-NEW-VIEW(v, V)_i, with the exact effect, and the literal vs corrected reading of N.
import { describe, expect, it } from 'vitest';
import type { ReplicaInternal } from '../../automata/actions.ts';
import { computeON, correctNewView, correctViewChange, hasNewView } from '../../automata/aux-functions.ts';
import type { PrePrepare, Prepare, Request, ViewChange } from '../../automata/messages.ts';
import { eff, enabledInternal, pre, receive } from '../../automata/replica.ts';
import type { Universe } from '../../automata/universe.ts';
import { cert, com, ids, mkU, newViewFor, plus, pp, prep, replica, req, snap, vc } from './helpers.ts';

describe('SEND-VIEW-CHANGE(v)_i (A.1)', () => {
  it('enabled iff v = view_i + 1', () => {
    const u = mkU();
    const st = replica(u, 2);
    st.view = 3;
    expect(pre(u, st, { kind: 'SEND-VIEW-CHANGE', v: 4, i: 2 })).toBe(true);
    expect(pre(u, st, { kind: 'SEND-VIEW-CHANGE', v: 3, i: 2 })).toBe(false);
    expect(pre(u, st, { kind: 'SEND-VIEW-CHANGE', v: 5, i: 2 })).toBe(false);
    expect(pre(u, st, { kind: 'SEND-VIEW-CHANGE', v: 2, i: 2 })).toBe(false);
  });

  it('with nothing prepared: view_i := v and ⟨VIEW-CHANGE, v, {}, i⟩σi goes to out_i and in_i', () => {
    const u = mkU();
    const st = replica(u, 2, [req(u, 'a', 1, 0)]);
    const before = snap(u, st);
    eff(u, st, { kind: 'SEND-VIEW-CHANGE', v: 1, i: 2 });
    const m = vc(u, 1, [], 2);
    expect(snap(u, st)).toEqual({ ...before, view: 1, in: plus(before.in, m), out: plus(before.out, m) });
  });

  it('P holds exactly the last-prepared certificates: their pre-prepare and every matching prepare in in_i', () => {
    const u = mkU();
    const a = req(u, 'a', 1, 0);
    const b = req(u, 'b', 1, 1);
    const c = req(u, 'c', 2, 0);
    const d = req(u, 'd', 2, 1);
    // n = 1: prepared in view 0 (prepares from 1, 2, 3; the primary's own prepare of a is also logged)
    const n1 = [...cert(u, 0, 1, a, [1, 2, 3]), prep(u, 0, 1, a, 0)];
    // n = 2: pre-prepared but only one prepare — not prepared
    const n2 = cert(u, 0, 2, b, [2]);
    // n = 3: prepared in view 0 with c and again in view 1 with d — only the view-1 certificate
    const n3old = cert(u, 0, 3, c, [1, 2]);
    const n3 = cert(u, 1, 3, d, [0, 2]);
    // noise that is not part of any certificate
    const noise = [prep(u, 0, 1, b, 3), prep(u, 1, 1, a, 2), com(u, 0, 1, a, 1), a, b, pp(u, 0, 4, null, 2), prep(u, 0, 4, null, 1), prep(u, 0, 4, null, 3)];
    const st = replica(u, 2, [...n1, ...n2, ...n3old, ...n3, ...noise]);
    st.view = 1;
    const before = snap(u, st);
    eff(u, st, { kind: 'SEND-VIEW-CHANGE', v: 2, i: 2 });
    const m = vc(u, 2, [...n1, ...n3], 2);
    expect(ids(m.P)).toEqual(ids([...n1, ...n3]));
    expect(snap(u, st)).toEqual({ ...before, view: 2, in: plus(before.in, m), out: plus(before.out, m) });
    expect(correctViewChange(u, m, 2, 2)).toBe(true);
  });

  it('two prepared requests in the same view and n (a faulty primary): neither is last-prepared, so neither is in P', () => {
    const u = mkU();
    const a = req(u, 'a', 1, 0);
    const b = req(u, 'b', 1, 1);
    const st = replica(u, 2, [...cert(u, 0, 1, a, [1, 2]), ...cert(u, 0, 1, b, [1, 3])]);
    eff(u, st, { kind: 'SEND-VIEW-CHANGE', v: 1, i: 2 });
    expect(st.out.has(vc(u, 1, [], 2))).toBe(true);
  });

  it('is offered by enabledInternal up to maxView', () => {
    const u = mkU({ maxView: 1 });
    const st = replica(u, 2);
    expect(enabledInternal(u, st)).toContainEqual({ kind: 'SEND-VIEW-CHANGE', v: 1, i: 2 });
    st.view = 1;
    expect(enabledInternal(u, st).some((a) => a.kind === 'SEND-VIEW-CHANGE')).toBe(false);
  });
});

// Primary of view 1 is replica 1. It holds a prepared certificate for n = 3 and moves to view 1.
function primaryOfView1(u: Universe) {
  const a = req(u, 'a', 1, 0);
  const st = replica(u, 1, [a, ...cert(u, 0, 3, a, [1, 2])]);
  eff(u, st, { kind: 'SEND-VIEW-CHANGE', v: 1, i: 1 });
  const own = vc(u, 1, cert(u, 0, 3, a, [1, 2]), 1);
  expect(st.in.has(own)).toBe(true);
  const v2 = vc(u, 1, [], 2);
  const v3 = vc(u, 1, [], 3);
  receive(u, st, v2);
  receive(u, st, v3);
  return { st, a, V: [own, v2, v3] as ViewChange[] };
}
const snv = (v: number, V: readonly ViewChange[], i: number): ReplicaInternal => ({ kind: 'SEND-NEW-VIEW', v, V, i });

describe('SEND-NEW-VIEW(v, V)_i (A.1)', () => {
  it('effect (out_i reset as written, ERRATA E3): view_i := v; O, N from V; seqno_i := max-n(O); in_i ∪ O ∪ N ∪ {m}; out_i := {m}', () => {
    const u = mkU({ readings: { literalOutReset: true } });
    const { st, a, V } = primaryOfView1(u);
    expect(pre(u, st, snv(1, V, 1))).toBe(true);
    expect(enabledInternal(u, st)).toContainEqual(snv(1, [...V].sort((x, y) => x.id - y.id), 1));
    const before = snap(u, st);
    expect(before.out.length).toBe(1); // the own view-change, not yet sent
    eff(u, st, snv(1, V, 1));
    const O = [pp(u, 1, 3, a, 1)];
    // n ∈ ℕ with n < max-n(O) = 3 and nothing last-prepared at n: 0, 1 and 2
    const N = [pp(u, 1, 0, null, 1), pp(u, 1, 1, null, 1), pp(u, 1, 2, null, 1)];
    const m = u.interner.newView(1, V, O, N, 1);
    expect(snap(u, st)).toEqual({ ...before, view: 1, seqno: 3, in: plus(before.in, ...O, ...N, m), out: ids([m]) });
    expect(correctNewView(u, m, 1)).toBe(true);
    expect(hasNewView(u, 1, st.in)).toBe(true);
    // next pre-prepare of the new primary follows max-n(O)
    const b = req(u, 'b', 1, 1);
    st.in.add(b);
    expect(pre(u, st, { kind: 'SEND-PRE-PREPARE', m: b, v: 1, n: 4, i: 1 })).toBe(true);
  });

  it('with no certificate in V: O = N = {} and seqno_i := max-n({}) = 0', () => {
    const u = mkU();
    const V = [vc(u, 1, [], 0), vc(u, 1, [], 2), vc(u, 1, [], 3)];
    const st = replica(u, 1, V);
    st.seqno = 7;
    const before = snap(u, st);
    eff(u, st, snv(1, V, 1));
    const m = u.interner.newView(1, V, [], [], 1);
    expect(snap(u, st)).toEqual({ ...before, view: 1, seqno: 0, in: plus(before.in, m), out: ids([m]) });
  });

  it('is enabled from an older view (v ≥ view_i), skipping views', () => {
    const u = mkU();
    const V = [vc(u, 5, [], 0), vc(u, 5, [], 2), vc(u, 5, [], 3)];
    const st = replica(u, 1, V); // primary(5) = 1, view_i = 0
    expect(pre(u, st, snv(5, V, 1))).toBe(true);
  });

  it('disabled when i ≠ primary(v)', () => {
    const u = mkU();
    const V = [vc(u, 1, [], 0), vc(u, 1, [], 1), vc(u, 1, [], 3)];
    expect(pre(u, replica(u, 2, V), snv(1, V, 2))).toBe(false);
  });

  it('disabled when v < view_i', () => {
    const u = mkU();
    const V = [vc(u, 1, [], 0), vc(u, 1, [], 2), vc(u, 1, [], 3)];
    const st = replica(u, 1, V);
    st.view = 2;
    expect(pre(u, st, snv(1, V, 1))).toBe(false);
  });

  it('disabled for v = 0', () => {
    const u = mkU();
    const V = [vc(u, 0, [], 1), vc(u, 0, [], 2), vc(u, 0, [], 3)];
    expect(pre(u, replica(u, 0, V), snv(0, V, 0))).toBe(false);
  });

  it('disabled when V ⊄ in_i', () => {
    const u = mkU();
    const V = [vc(u, 1, [], 0), vc(u, 1, [], 2), vc(u, 1, [], 3)];
    expect(pre(u, replica(u, 1, V.slice(0, 2)), snv(1, V, 1))).toBe(false);
  });

  it('disabled when |V| ≠ 2f + 1', () => {
    const u = mkU();
    const V = [vc(u, 1, [], 0), vc(u, 1, [], 1), vc(u, 1, [], 2), vc(u, 1, [], 3)];
    const st = replica(u, 1, V);
    expect(pre(u, st, snv(1, V, 1))).toBe(false);
    expect(pre(u, st, snv(1, V.slice(0, 2), 1))).toBe(false);
    expect(pre(u, st, snv(1, V.slice(1), 1))).toBe(true);
  });

  it('disabled when V has 2f + 1 view-changes but not from 2f + 1 distinct replicas', () => {
    const u = mkU();
    const V = [vc(u, 1, [], 0), vc(u, 1, [], 2), vc(u, 1, [prep(u, 0, 1, null, 3)], 2)];
    expect(pre(u, replica(u, 1, V), snv(1, V, 1))).toBe(false);
  });

  it('disabled when a view-change in V is for another view', () => {
    const u = mkU();
    const V = [vc(u, 1, [], 0), vc(u, 1, [], 2), vc(u, 5, [], 3)];
    expect(pre(u, replica(u, 1, V), snv(1, V, 1))).toBe(false);
  });

  it('disabled once has-new-view(v, i)', () => {
    const u = mkU();
    const { st, V } = primaryOfView1(u);
    eff(u, st, snv(1, V, 1));
    expect(pre(u, st, snv(1, V, 1))).toBe(false);
    expect(enabledInternal(u, st).some((a) => a.kind === 'SEND-NEW-VIEW')).toBe(false);
  });

  it("N can include n = 0, which A never executes (EXECUTE needs n = last-exec_i + 1 ≥ 1)", () => {
    const u = mkU();
    const a = req(u, 'a', 1, 0);
    const V = [vc(u, 1, cert(u, 0, 1, a, [2, 3]), 0), vc(u, 1, [], 2), vc(u, 1, [], 3)];
    const { O, N } = computeON(u, 1, V, 1);
    expect(ids(O)).toEqual(ids([pp(u, 1, 1, a, 1)]));
    expect(ids(N)).toEqual(ids([pp(u, 1, 0, null, 1)]));
  });

  it('O takes, for each n, the request of the highest-view certificate in merge-P(V)', () => {
    const u = mkU();
    const a = req(u, 'a', 1, 0);
    const b = req(u, 'b', 1, 1);
    const V = [vc(u, 2, cert(u, 0, 1, a, [1, 3]), 0), vc(u, 2, cert(u, 1, 1, b, [0, 3]), 1), vc(u, 2, [], 3)];
    const { O, N } = computeON(u, 2, V, 2);
    expect(ids(O)).toEqual(ids([pp(u, 2, 1, b, 2)]));
    expect(ids(N)).toEqual(ids([pp(u, 2, 0, null, 2)]));
  });
});

describe('N: corrected vs literal reading (ERRATA: "∄ v\', m, n" rebinds n)', () => {
  const scenario = (u: Universe) => {
    const a = req(u, 'a', 1, 0);
    const V = [vc(u, 1, cert(u, 0, 3, a, [2, 3]), 0), vc(u, 1, [], 2), vc(u, 1, [], 3)];
    const st = replica(u, 1, V);
    eff(u, st, snv(1, V, 1));
    const m = [...st.out][0]!;
    if (m.tag !== 'NEW-VIEW') throw new Error('expected a NEW-VIEW in out');
    return { a, V, st, m };
  };

  it('corrected (default): null pre-prepares fill the gaps 0, 1, 2 below max-n(O) = 3', () => {
    const u = mkU();
    const { st, m } = scenario(u);
    expect(ids(m.N)).toEqual(ids([0, 1, 2].map((n) => pp(u, 1, n, null, 1))));
    expect(st.seqno).toBe(3);
  });

  it('literal: N = {} although O = {⟨PRE-PREPARE, 1, 3, a⟩} leaves gaps; it is correct-new-view in that reading only', () => {
    const lu = mkU({ readings: { literalNullSet: true } });
    const { a, V, st, m } = scenario(lu);
    expect(m.N).toEqual([]);
    expect(ids(m.O)).toEqual(ids([pp(lu, 1, 3, a, 1)]));
    expect(st.seqno).toBe(3);
    expect(correctNewView(lu, m, 1)).toBe(true);
    // the corrected form is not correct in the literal universe
    const withGaps = lu.interner.newView(1, V, m.O, [0, 1, 2].map((n) => pp(lu, 1, n, null, 1)), 1);
    expect(correctNewView(lu, withGaps, 1)).toBe(false);
    // and the literal form is not correct in the corrected universe
    const cu = mkU();
    const cV = V.map((x) => cu.interner.viewChange(1, null, (x.P as (PrePrepare | Prepare)[]).map((p) => (p.tag === 'PRE-PREPARE' ? cu.interner.prePrepare(p.v, p.n, p.m === null ? null : cu.interner.request((p.m as Request).o, (p.m as Request).t, (p.m as Request).c), p.signer) : cu.interner.prepare(p.v, p.n, p.d, p.j))), x.j));
    const literalInCorrected = cu.interner.newView(1, cV, [pp(cu, 1, 3, req(cu, 'a', 1, 0), 1)], [], 1);
    expect(correctNewView(cu, literalInCorrected, 1)).toBe(false);
    expect(correctNewView(cu, newViewFor(cu, 1, cV), 1)).toBe(true);
  });
});
