// A.1: RECEIVE(⟨VIEW-CHANGE, v, P, j⟩σj)_i, RECEIVE(⟨NEW-VIEW, v, X, O, N⟩σj)_i and the
// auxiliary predicates correct-view-change and correct-new-view, true and false cases.
import type { ConfigInput } from '../../automata/config.ts';
import type { PrePrepare } from '../../automata/messages.ts';
import { describe, expect, it } from 'vitest';
import { correctNewView, correctViewChange, hasNewView } from '../../automata/aux-functions.ts';
import { receive } from '../../automata/replica.ts';
import { cert, com, minus, mkU, newViewFor, plus, pp, prep, replica, req, snap, vc } from './helpers.ts';

describe('correct-view-change(m, v, j) (A.1)', () => {
  it('holds for an empty P', () => {
    const u = mkU();
    expect(correctViewChange(u, vc(u, 1, [], 2), 1, 2)).toBe(true);
  });

  it('holds when every primary-signed pre-prepare in P is last-prepared in P with v\' < v', () => {
    const u = mkU();
    const m = req(u, 'a', 1, 0);
    const P = [...cert(u, 0, 1, m, [1, 2]), ...cert(u, 1, 2, null, [0, 2])];
    expect(correctViewChange(u, vc(u, 2, P, 3), 2, 3)).toBe(true);
  });

  it('is false when a pre-prepare in P is not prepared in P (only one prepare from a backup)', () => {
    const u = mkU();
    const P = cert(u, 0, 1, req(u, 'a', 1, 0), [1]);
    expect(correctViewChange(u, vc(u, 1, P, 2), 1, 2)).toBe(false);
  });

  it("is false when the primary's own prepare is needed to reach 2f (primary(v) ∉ R)", () => {
    const u = mkU();
    const P = cert(u, 0, 1, req(u, 'a', 1, 0), [0, 1]);
    expect(correctViewChange(u, vc(u, 1, P, 2), 1, 2)).toBe(false);
  });

  it("is false when a certificate is not for an earlier view (v' < v fails)", () => {
    const u = mkU();
    const P = cert(u, 1, 1, req(u, 'a', 1, 0), [0, 2]);
    expect(correctViewChange(u, vc(u, 1, P, 3), 1, 3)).toBe(false);
    expect(correctViewChange(u, vc(u, 2, P, 3), 2, 3)).toBe(true);
  });

  it('is false when P holds a prepared certificate for n that is superseded by a later view (not last-prepared)', () => {
    const u = mkU();
    const a = req(u, 'a', 1, 0);
    const b = req(u, 'b', 1, 1);
    const P = [...cert(u, 0, 1, a, [1, 2]), ...cert(u, 1, 1, b, [0, 2])];
    expect(correctViewChange(u, vc(u, 2, P, 3), 2, 3)).toBe(false);
  });

  it('ignores pre-prepares in P that are not signed by primary(v\')', () => {
    const u = mkU();
    const P = [pp(u, 0, 1, req(u, 'a', 1, 0), 2), prep(u, 0, 1, null, 3)];
    expect(correctViewChange(u, vc(u, 1, P, 2), 1, 2)).toBe(true);
  });

  it('is false for the wrong v or j, and for a non-view-change message', () => {
    const u = mkU();
    const m = vc(u, 1, [], 2);
    expect(correctViewChange(u, m, 2, 2)).toBe(false);
    expect(correctViewChange(u, m, 1, 3)).toBe(false);
    expect(correctViewChange(u, com(u, 1, 1, null, 2), 1, 2)).toBe(false);
  });

  it("is false for A_gc's form ⟨VIEW-CHANGE, v, n, s, C, P, j⟩ in a universe of A", () => {
    const u = mkU();
    const s = u.interner.checkpointValue(u.service.initial, ['null-rep', 'null-rep'], [0, 0]);
    const m = u.interner.viewChange(1, { n: 0, s, C: [] }, [], 2);
    expect(correctViewChange(u, m, 1, 2)).toBe(false);
  });
});

describe('RECEIVE(⟨VIEW-CHANGE, v, P, j⟩σj)_i (A.1)', () => {
  it('v ≥ view_i ∧ correct-view-change: logs m (and sends nothing)', () => {
    const u = mkU();
    const st = replica(u, 0);
    const m = vc(u, 1, cert(u, 0, 1, req(u, 'a', 1, 0), [1, 2]), 2);
    const before = snap(u, st);
    receive(u, st, m);
    expect(snap(u, st)).toEqual({ ...before, in: plus(before.in, m) });
  });

  it('v = view_i is accepted', () => {
    const u = mkU();
    const st = replica(u, 0);
    st.view = 2;
    const m = vc(u, 2, [], 3);
    receive(u, st, m);
    expect(st.in.has(m)).toBe(true);
  });

  it('v < view_i: ignored', () => {
    const u = mkU();
    const st = replica(u, 0);
    st.view = 2;
    const before = snap(u, st);
    receive(u, st, vc(u, 1, [], 3));
    expect(snap(u, st)).toEqual(before);
  });

  it('incorrect view-change: ignored', () => {
    const u = mkU();
    const st = replica(u, 0);
    const before = snap(u, st);
    receive(u, st, vc(u, 1, cert(u, 1, 1, null, [0, 2]), 3));
    expect(snap(u, st)).toEqual(before);
  });

  it('j = i is not an input: ignored', () => {
    const u = mkU();
    const st = replica(u, 0);
    const before = snap(u, st);
    receive(u, st, vc(u, 1, [], 0));
    expect(snap(u, st)).toEqual(before);
  });
});

// The running example of a view change from 0 to 1 (primary(1) = 1): one view-change carries a
// prepared certificate for n = 2, so O = {⟨PRE-PREPARE, 1, 2, a⟩σ1} and, since A's N ranges over
// every n ∈ ℕ below max-n(O) = 2, N = {⟨PRE-PREPARE, 1, n, null⟩σ1 | n ∈ {0, 1}}.
function example(extra: ConfigInput = {}) {
  const u = mkU(extra);
  const a = req(u, 'a', 1, 0);
  const V = [vc(u, 1, [], 0), vc(u, 1, cert(u, 0, 2, a, [1, 2]), 2), vc(u, 1, [], 3)];
  const O = [pp(u, 1, 2, a, 1)];
  const N = [pp(u, 1, 0, null, 1), pp(u, 1, 1, null, 1)];
  const m = u.interner.newView(1, V, O, N, 1);
  return { u, a, V, O, N, m };
}

describe('correct-new-view(m, v) (A.1, first line restored as in READING-NOTES 8)', () => {
  it('holds for ⟨NEW-VIEW, v, V, O, N⟩σprimary(v) with O and N as computed from V (N includes n = 0)', () => {
    const { u, V, m } = example();
    expect(correctNewView(u, m, 1)).toBe(true);
    expect(newViewFor(u, 1, V)).toBe(m);
    expect((m.N as PrePrepare[]).map((x) => x.n).sort()).toEqual([0, 1]);
  });

  it('holds with O = N = {} when no view-change carries a certificate', () => {
    const u = mkU();
    const m = u.interner.newView(1, [vc(u, 1, [], 0), vc(u, 1, [], 2), vc(u, 1, [], 3)], [], [], 1);
    expect(correctNewView(u, m, 1)).toBe(true);
  });

  it('is false when signed by a replica other than primary(v)', () => {
    const { u, V, O, N } = example();
    const O2 = (O as PrePrepare[]).map((x) => pp(u, 1, x.n, x.m, 2));
    const N2 = N.map((x) => pp(u, 1, x.n, null, 2));
    expect(correctNewView(u, u.interner.newView(1, V, O2, N2, 2), 1)).toBe(false);
  });

  it('is false for the wrong v', () => {
    const { u, m } = example();
    expect(correctNewView(u, m, 2)).toBe(false);
  });

  it('is false with |V| = 2f', () => {
    const u = mkU();
    expect(correctNewView(u, u.interner.newView(1, [vc(u, 1, [], 0), vc(u, 1, [], 2)], [], [], 1), 1)).toBe(false);
  });

  it('is false when V holds two view-changes from the same replica (|R| < 2f + 1)', () => {
    const u = mkU();
    const V = [vc(u, 1, [], 0), vc(u, 1, [], 2), vc(u, 1, [prep(u, 0, 1, null, 3)], 2)];
    const { O, N } = newViewFor(u, 1, V);
    expect(correctNewView(u, u.interner.newView(1, V, O, N, 1), 1)).toBe(false);
  });

  it('is false when a view-change in V is not correct, or is for another view', () => {
    const u = mkU();
    const bad = vc(u, 1, cert(u, 1, 1, null, [0, 2]), 3); // certificate from view 1 ≮ 1
    expect(correctNewView(u, u.interner.newView(1, [vc(u, 1, [], 0), vc(u, 1, [], 2), bad], [], [], 1), 1)).toBe(false);
    const other = vc(u, 2, [], 3);
    expect(correctNewView(u, u.interner.newView(1, [vc(u, 1, [], 0), vc(u, 1, [], 2), other], [], [], 1), 1)).toBe(false);
  });

  it('is false when O misses or adds a pre-prepare', () => {
    const { u, a, V, O, N } = example();
    expect(correctNewView(u, u.interner.newView(1, V, [], N, 1), 1)).toBe(false);
    expect(correctNewView(u, u.interner.newView(1, V, [...O, pp(u, 1, 3, a, 1)], N, 1), 1)).toBe(false);
    // the right n and view but another request
    expect(correctNewView(u, u.interner.newView(1, V, [pp(u, 1, 2, req(u, 'b', 1, 1), 1)], N, 1), 1)).toBe(false);
  });

  it('is false when N misses n = 0 or any gap, or adds n ≥ max-n(O)', () => {
    const { u, V, O, N } = example();
    expect(correctNewView(u, u.interner.newView(1, V, O, [N[1]!], 1), 1)).toBe(false);
    expect(correctNewView(u, u.interner.newView(1, V, O, [N[0]!], 1), 1)).toBe(false);
    expect(correctNewView(u, u.interner.newView(1, V, O, [...N, pp(u, 1, 3, null, 1)], 1), 1)).toBe(false);
  });

  it('has-new-view(v, i) ≡ v = 0 ∨ a correct new-view for v is in in_i', () => {
    const { u, m } = example();
    const st = replica(u, 3);
    expect(hasNewView(u, 0, st.in)).toBe(true);
    expect(hasNewView(u, 1, st.in)).toBe(false);
    st.in.add(u.interner.newView(1, m.V, [], [], 1)); // incorrect
    expect(hasNewView(u, 1, st.in)).toBe(false);
    st.in.add(m);
    expect(hasNewView(u, 1, st.in)).toBe(true);
    expect(hasNewView(u, 2, st.in)).toBe(false);
  });
});

describe('RECEIVE(⟨NEW-VIEW, v, X, O, N⟩σj)_i (A.1)', () => {
  it('if-branch (out_i reset as written, ERRATA E3): view_i := v; in_i ∪ O ∪ N ∪ {m} ∪ P; out_i := P (P prepares every pre-prepare of O ∪ N)', () => {
    const { u, a, O, N, m } = example({ readings: { literalOutReset: true } });
    const st = replica(u, 3);
    const pending = com(u, 0, 7, null, 3);
    st.out.add(pending); // out_i := P replaces whatever was waiting to be sent
    const before = snap(u, st);
    receive(u, st, m);
    const P = [prep(u, 1, 0, null, 3), prep(u, 1, 1, null, 3), prep(u, 1, 2, a, 3)];
    expect(snap(u, st)).toEqual({
      ...before,
      view: 1,
      in: plus(before.in, ...O, ...N, m, ...P),
      out: plus(minus(before.out, pending), ...P),
    });
    // V itself is not logged
    for (const x of m.V) expect(st.in.has(x)).toBe(false);
    expect(hasNewView(u, 1, st.in)).toBe(true);
  });

  it('v = view_i is accepted (the replica already moved to v with SEND-VIEW-CHANGE)', () => {
    const { u, m } = example();
    const st = replica(u, 3);
    st.view = 1;
    receive(u, st, m);
    expect(st.in.has(m)).toBe(true);
    expect(st.out.size).toBe(3);
  });

  it('v < view_i: ignored', () => {
    const { u, m } = example();
    const st = replica(u, 3);
    st.view = 2;
    const before = snap(u, st);
    receive(u, st, m);
    expect(snap(u, st)).toEqual(before);
  });

  it('¬correct-new-view: ignored', () => {
    const { u, V, N, m } = example();
    const st = replica(u, 3);
    const before = snap(u, st);
    receive(u, st, u.interner.newView(1, V, [], N, 1));
    expect(snap(u, st)).toEqual(before);
    expect(st.in.has(m)).toBe(false);
  });

  it('has-new-view(v, i) already: a second, different correct new-view for v is ignored', () => {
    const { u, m } = example();
    const st = replica(u, 3);
    receive(u, st, m);
    const other = newViewFor(u, 1, [vc(u, 1, [], 0), vc(u, 1, [], 2), vc(u, 1, [], 3)]);
    expect(other).not.toBe(m);
    expect(correctNewView(u, other, 1)).toBe(true);
    const before = snap(u, st);
    receive(u, st, other);
    expect(snap(u, st)).toEqual(before);
  });

  it('v = 0: ignored (v > 0 fails, and has-new-view(0, i) holds anyway)', () => {
    const u = mkU();
    const m0 = u.interner.newView(0, [vc(u, 0, [], 1), vc(u, 0, [], 2), vc(u, 0, [], 3)], [], [], 0);
    expect(correctNewView(u, m0, 0)).toBe(true);
    const st = replica(u, 2);
    const before = snap(u, st);
    receive(u, st, m0);
    expect(snap(u, st)).toEqual(before);
  });

  it('j = i is not an input: the primary ignores its own new-view', () => {
    const { u, m } = example();
    const st = replica(u, 1);
    const before = snap(u, st);
    receive(u, st, m);
    expect(snap(u, st)).toEqual(before);
  });
});
