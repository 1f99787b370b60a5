// Fig 2-13 (view-change actions) and the view-change parts of Fig 2-9 (correct-view-change,
// correct-new-view, update-state-nv, has-new-view) for replica i of A_gc.
import { describe, expect, it } from 'vitest';
import type { ReplicaInternal } from '../../automata/actions.ts';
import { correctNewView, correctViewChange } from '../../automata/aux-functions.ts';
import { initialSystem, isEnabled, step, whyDisabled } from '../../automata/compose.ts';
import type { Message, NewView, Request, ViewChange } from '../../automata/messages.ts';
import * as R from '../../automata/replica-gc.ts';
import { h, stableChkpt, type ReplicaState } from '../../automata/replica-state.ts';
import type { Universe } from '../../automata/universe.ts';
import {
  chk,
  com,
  expectDisabled,
  expectEnabled,
  expectIgnored,
  expectSameMessages,
  inOf,
  initialCheckpoints,
  mkU,
  pp,
  prep,
  preparedCert,
  replica,
  req,
  s0,
  snapshot,
  viewChangeOf,
} from './helpers.ts';

const plainVC = (u: Universe, j: number, v: number) => viewChangeOf(u, replica(u, j), v);

/** VCs for view 1 from `who`, each replica holding a prepared certificate for (b, 0, 2) only. */
function vcsWithCertAt2(u: Universe, who: number[]): { V: ViewChange[]; b: Request } {
  const b = req(u, 'b', 1, 1);
  const cert = preparedCert(u, 0, 2, b, [1, 2, 3]);
  const V = who.map((i) => {
    const st = replica(u, i);
    for (const x of cert) st.in.add(x);
    return viewChangeOf(u, st, 1);
  });
  return { V, b };
}

/** The NEW-VIEW that primary(v)'s SEND-NEW-VIEW(v, V) builds (from a fresh primary state). */
function newViewOf(u: Universe, v: number, V: ViewChange[]): NewView {
  const st = replica(u, u.primary(v));
  for (const vc of V) st.in.add(vc);
  const a: ReplicaInternal = { kind: 'SEND-NEW-VIEW', v, V, i: st.i };
  expect(R.pre(u, st, a)).toBe(true);
  R.eff(u, st, a);
  const nv = [...st.out][0]!;
  expect(nv.tag).toBe('NEW-VIEW');
  return nv as NewView;
}

/** A checkpoint value other than s0: the state after executing a (client 0) then b (client 1). */
function valueAt2(u: Universe) {
  const [ra, va] = u.service.g(0, 'a', u.service.initial);
  const [rb, vb] = u.service.g(1, 'b', va);
  return u.interner.checkpointValue(vb, [ra, rb], [1, 1]);
}

/** Replica j whose log has a stable certificate at 2 (checkpoints from 0, 1, 2) and h_j = 2. */
function replicaAtH2(u: Universe, j: number): ReplicaState {
  const st = replica(u, j);
  const s2 = valueAt2(u);
  for (const k of [0, 1, 2]) st.in.add(chk(u, 0, 2, s2, k));
  st.chkpts = [{ n: 2, s: s2 }];
  st.val = s2.val;
  st.lastRep = [...s2.lastRep];
  st.lastRepT = [...s2.lastRepT];
  st.lastExec = 2;
  for (const c of initialCheckpoints(u)) st.in.delete(c);
  return st;
}

describe('Fig 2-13 SEND-VIEW-CHANGE(v)_i', () => {
  it('enabled only for v = view_i + 1', () => {
    const u = mkU();
    const st = replica(u, 2);
    expectEnabled(u, st, { kind: 'SEND-VIEW-CHANGE', v: 1, i: 2 });
    expect(R.enabledInternal(u, st)).toContainEqual({ kind: 'SEND-VIEW-CHANGE', v: 1, i: 2 });
    expectDisabled(u, st, { kind: 'SEND-VIEW-CHANGE', v: 2, i: 2 });
    expectDisabled(u, st, { kind: 'SEND-VIEW-CHANGE', v: 0, i: 2 });
    st.view = 3;
    expectEnabled(u, st, { kind: 'SEND-VIEW-CHANGE', v: 4, i: 2 });
    expectDisabled(u, st, { kind: 'SEND-VIEW-CHANGE', v: 3, i: 2 });
  });

  it('initially: view_i := 1 and ⟨VIEW-CHANGE, 1, 0, s0, C = the initial checkpoints, P = {}, i⟩ in in_i and out_i', () => {
    const u = mkU();
    const st = replica(u, 2);
    const before = snapshot(st);
    R.eff(u, st, { kind: 'SEND-VIEW-CHANGE', v: 1, i: 2 });
    const vc = u.interner.viewChange(1, { n: 0, s: s0(u), C: initialCheckpoints(u) }, [], 2);
    expect(st.view).toBe(1);
    expectSameMessages(u, st.out, [vc]);
    expect(st.in.has(vc)).toBe(true);
    expect(snapshot(st)).toEqual({ ...before, view: 1, in: [...before.in, vc.id].sort((a, b) => a - b), out: [vc.id] });
    expect(correctViewChange(u, vc, 1, 2)).toBe(true);
  });

  it('P holds, for each last-prepared ⟨m, v, n⟩, the pre-prepare and every matching prepare in in_i; nothing for unprepared or superseded certificates', () => {
    const u = mkU();
    const st = replica(u, 3);
    const a = req(u, 'a', 1, 0);
    const b = req(u, 'b', 1, 1);
    const x = req(u, 'x', 2, 0);
    const y = req(u, 'y', 2, 1);
    const certA = [...preparedCert(u, 0, 1, a, [1, 2, 3]), prep(u, 0, 1, a, 0)]; // all four prepares, the primary's too
    const notPrepared = [pp(u, 0, 2, b, 0), prep(u, 0, 2, b, 3)];
    const oldCert = preparedCert(u, 0, 3, x, [1, 2]);
    const newCert = preparedCert(u, 1, 3, y, [2, 3]);
    for (const m of [...certA, ...notPrepared, ...oldCert, ...newCert, com(u, 0, 1, a, 2)]) st.in.add(m);
    st.view = 1;
    R.eff(u, st, { kind: 'SEND-VIEW-CHANGE', v: 2, i: 3 });
    const vc = [...st.out][0] as ViewChange;
    expect(vc.tag).toBe('VIEW-CHANGE');
    expect(vc.v).toBe(2);
    expect(vc.j).toBe(3);
    expect(vc.gc!.n).toBe(0);
    expect(vc.gc!.s).toBe(s0(u));
    expectSameMessages(u, vc.gc!.C, initialCheckpoints(u));
    expectSameMessages(u, vc.P, [...certA, ...newCert]);
    expect(vc).toBe(u.interner.viewChange(2, { n: 0, s: s0(u), C: initialCheckpoints(u) }, [...certA, ...newCert], 3));
    expect(st.view).toBe(2);
    expect(correctViewChange(u, vc, 2, 3)).toBe(true);
  });

  it('n = h_i, s = stable-chkpt_i, and C = the checkpoints at h_i with digest D(stable-chkpt_i), of any view', () => {
    const u = mkU();
    const st = replicaAtH2(u, 3);
    const s2 = valueAt2(u);
    const other = u.interner.checkpointValue(s2.val, ['x', 'y'], [2, 2]);
    st.in.add(chk(u, 1, 2, s2, 3)); // another view, same n and digest: in C
    st.in.add(chk(u, 0, 2, other, 3)); // another digest: not in C
    st.in.add(chk(u, 0, 4, other, 1)); // another n: not in C
    st.view = 1;
    R.eff(u, st, { kind: 'SEND-VIEW-CHANGE', v: 2, i: 3 });
    const vc = [...st.out][0] as ViewChange;
    expect(vc.gc!.n).toBe(2);
    expect(vc.gc!.s).toBe(s2);
    expectSameMessages(u, vc.gc!.C, [chk(u, 0, 2, s2, 0), chk(u, 0, 2, s2, 1), chk(u, 0, 2, s2, 2), chk(u, 1, 2, s2, 3)]);
    expect(vc.P).toEqual([]);
    expect(correctViewChange(u, vc, 2, 3)).toBe(true);
  });
});

describe('Fig 2-13 RECEIVE(⟨VIEW-CHANGE, v, n, s, C, P, j⟩σj)_i', () => {
  it('a correct view-change with v ≥ view_i is logged; out_i unchanged', () => {
    const u = mkU();
    const { V } = vcsWithCertAt2(u, [2]);
    const vc = V[0]!;
    const st = replica(u, 1);
    const before = snapshot(st);
    R.receive(u, st, vc);
    expect(snapshot(st)).toEqual({ ...before, in: [...before.in, vc.id].sort((a, b) => a - b) });
    // v = view_i is fine too
    const st2 = replica(u, 3);
    R.eff(u, st2, { kind: 'SEND-VIEW-CHANGE', v: 1, i: 3 });
    R.receive(u, st2, vc);
    expect(st2.in.has(vc)).toBe(true);
  });

  it('refused when v < view_i', () => {
    const u = mkU();
    const st = replica(u, 1);
    st.view = 2;
    expectIgnored(u, st, plainVC(u, 2, 1));
  });

  it('the own view-change (j = i) is not an input', () => {
    const u = mkU();
    expectIgnored(u, replica(u, 2), plainVC(u, 2, 1));
  });

  it('incorrect: P holds a pre-prepare for a view v\' ≥ v', () => {
    const u = mkU();
    const m = req(u, 'a', 1, 0);
    const C = { n: 0, s: s0(u), C: initialCheckpoints(u) };
    for (const bad of [
      u.interner.viewChange(1, C, preparedCert(u, 1, 1, m, [2, 3]), 2), // v' = v
      u.interner.viewChange(1, C, preparedCert(u, 2, 1, m, [0, 3]), 2), // v' > v
    ]) {
      expect(correctViewChange(u, bad, 1, 2)).toBe(false);
      expectIgnored(u, replica(u, 1), bad);
    }
    const good = u.interner.viewChange(2, C, preparedCert(u, 1, 1, m, [2, 3]), 2);
    expect(correctViewChange(u, good, 2, 2)).toBe(true);
  });

  it('incorrect: C without f + 1 checkpoints for ⟨n, D(s)⟩ of views v\'\' < v', () => {
    const u = mkU();
    const [c0, c1] = initialCheckpoints(u);
    const bad = [
      u.interner.viewChange(1, { n: 0, s: s0(u), C: [c0!] }, [], 2), // only f
      u.interner.viewChange(1, { n: 0, s: s0(u), C: [c0!, chk(u, 1, 0, s0(u), 1)] }, [], 2), // one has v'' = v
      u.interner.viewChange(1, { n: 0, s: valueAt2(u), C: initialCheckpoints(u) }, [], 2), // digest is not D(s)
      u.interner.viewChange(1, { n: 2, s: s0(u), C: initialCheckpoints(u) }, [], 2), // sequence number is not n
    ];
    for (const vc of bad) {
      expect(correctViewChange(u, vc, 1, 2)).toBe(false);
      expectIgnored(u, replica(u, 1), vc);
    }
    const good = u.interner.viewChange(1, { n: 0, s: s0(u), C: [c0!, c1!] }, [], 2);
    R.receive(u, replica(u, 1), good);
    expect(correctViewChange(u, good, 1, 2)).toBe(true);
  });

  it('incorrect: a pre-prepare in P outside 0 < n\' − n ≤ L', () => {
    const u = mkU();
    const m = req(u, 'a', 1, 0);
    const C0 = { n: 0, s: s0(u), C: initialCheckpoints(u) };
    const s2 = valueAt2(u);
    const C2 = { n: 2, s: s2, C: [0, 1].map((k) => chk(u, 0, 2, s2, k)) };
    const cases: [ViewChange, boolean][] = [
      [u.interner.viewChange(1, C0, preparedCert(u, 0, 4, m, [1, 3]), 2), true], // n' − n = L
      [u.interner.viewChange(1, C0, preparedCert(u, 0, 5, m, [1, 3]), 2), false], // n' − n = L + 1
      [u.interner.viewChange(1, C2, preparedCert(u, 0, 2, m, [1, 3]), 2), false], // n' = n
      [u.interner.viewChange(1, C2, preparedCert(u, 0, 1, m, [1, 3]), 2), false], // n' < n
      [u.interner.viewChange(1, C2, preparedCert(u, 0, 6, m, [1, 3]), 2), true],
    ];
    for (const [vc, ok] of cases) {
      expect(correctViewChange(u, vc, 1, 2)).toBe(ok);
      const st = replica(u, 1);
      R.receive(u, st, vc);
      expect(st.in.has(vc)).toBe(ok);
    }
  });

  it('incorrect: a pre-prepare in P that is not last-prepared in P', () => {
    const u = mkU();
    const m = req(u, 'a', 1, 0);
    const m2 = req(u, 'b', 1, 1);
    const C0 = { n: 0, s: s0(u), C: initialCheckpoints(u) };
    const bad = [
      u.interner.viewChange(1, C0, [pp(u, 0, 1, m, 0), prep(u, 0, 1, m, 1)], 2), // 1 prepare < 2f
      u.interner.viewChange(2, C0, [...preparedCert(u, 0, 1, m, [1, 2]), ...preparedCert(u, 1, 1, m2, [2, 3])], 2), // superseded by view 1
      u.interner.viewChange(1, C0, [...preparedCert(u, 0, 1, m, [1, 2]), ...preparedCert(u, 0, 1, m2, [2, 3])], 2), // two requests, same view
    ];
    for (const vc of bad) {
      expect(correctViewChange(u, vc, vc.v, 2)).toBe(false);
      expectIgnored(u, replica(u, 1), vc);
    }
  });

  it('the A form of the message (no n, s, C) is not accepted by A_gc', () => {
    const u = mkU();
    expectIgnored(u, replica(u, 1), u.interner.viewChange(1, null, [], 2));
  });
});

describe('Fig 2-13 SEND-NEW-VIEW(v, V)_i', () => {
  /** Primary 1 with its own view-change for view 1 and those of 2 and 3. */
  function primaryWithVCs(u: Universe) {
    const st = replica(u, 1);
    R.eff(u, st, { kind: 'SEND-VIEW-CHANGE', v: 1, i: 1 });
    const vc1 = [...st.out][0] as ViewChange;
    const vc2 = plainVC(u, 2, 1);
    const vc3 = plainVC(u, 3, 1);
    R.receive(u, st, vc2);
    R.receive(u, st, vc3);
    return { st, V: [vc1, vc2, vc3] };
  }

  it('enabled at primary(v) with a new-view certificate V ⊆ in_i of 2f + 1 view-changes from distinct replicas', () => {
    const u = mkU();
    const { st, V } = primaryWithVCs(u);
    const a = { kind: 'SEND-NEW-VIEW', v: 1, V, i: 1 } as const;
    expectEnabled(u, st, a);
    expect(R.enabledInternal(u, st).some((x) => x.kind === 'SEND-NEW-VIEW' && x.v === 1)).toBe(true);
  });

  it('effect with empty O and N (out_i reset as written, ERRATA E3): view_i := v, out_i := {m}, in_i ∪ {m}, seqno_i := max-n(V), requests with t ≤ last-rep-t dropped', () => {
    const u = mkU({ readings: { literalOutReset: true } });
    const { st, V } = primaryWithVCs(u);
    const stale = req(u, 'z', 0, 0); // t = last-rep-t(0) = 0
    const fresh = req(u, 'a', 1, 0);
    st.in.add(stale);
    st.in.add(fresh);
    const before = snapshot(st);
    R.eff(u, st, { kind: 'SEND-NEW-VIEW', v: 1, V, i: 1 });
    const nv = u.interner.newView(1, V, [], [], 1);
    expectSameMessages(u, st.out, [nv]); // the own view-change left out_i
    expect(st.view).toBe(1);
    expect(st.seqno).toBe(0);
    expect(st.in.has(nv)).toBe(true);
    expect(st.in.has(stale)).toBe(false);
    expect(st.in.has(fresh)).toBe(true);
    expect(snapshot(st)).toEqual({
      ...before,
      view: 1,
      out: [nv.id],
      in: [...before.in.filter((id) => id !== stale.id), nv.id].sort((a, b) => a - b),
    });
    expect(correctNewView(u, nv, 1)).toBe(true);
    // has-new-view(1, i) now holds: the action is disabled, SEND-PRE-PREPARE in view 1 is enabled
    expectDisabled(u, st, { kind: 'SEND-NEW-VIEW', v: 1, V, i: 1 });
    expectEnabled(u, st, { kind: 'SEND-PRE-PREPARE', m: fresh, v: 1, n: 1, i: 1 });
  });

  it('effect with a prepared certificate at 2 only: O = {pre-prepare for 2}, N = {null pre-prepare for 1}, seqno_i = 2', () => {
    const u = mkU();
    const { V, b } = vcsWithCertAt2(u, [1, 2, 3]);
    const st = replica(u, 1);
    for (const vc of V) st.in.add(vc);
    R.eff(u, st, { kind: 'SEND-NEW-VIEW', v: 1, V, i: 1 });
    const O = [pp(u, 1, 2, b, 1)];
    const N = [pp(u, 1, 1, null, 1)];
    const nv = u.interner.newView(1, V, O, N, 1);
    expectSameMessages(u, st.out, [nv]);
    expect(st.seqno).toBe(2);
    for (const m of [...O, ...N, nv]) expect(st.in.has(m)).toBe(true);
    // the primary sends no prepares
    expect(inOf(st).filter((m) => m.tag === 'PREPARE' && m.v === 1)).toEqual([]);
    expect(st.lastExec).toBe(0);
    expect(h(st)).toBe(0);
  });

  it('O takes the certificate of the highest view for each n; N fills only the gaps below max-n(O)', () => {
    const u = mkU();
    const x = req(u, 'x', 1, 0);
    const y = req(u, 'y', 1, 1);
    const z = req(u, 'z', 2, 1);
    const r0 = replica(u, 0);
    for (const m of preparedCert(u, 0, 1, x, [1, 2, 3])) r0.in.add(m);
    const r3 = replica(u, 3);
    for (const m of [...preparedCert(u, 1, 1, y, [0, 2, 3]), ...preparedCert(u, 1, 3, z, [0, 3])]) r3.in.add(m);
    const V = [viewChangeOf(u, r0, 2), viewChangeOf(u, r3, 2), plainVC(u, 2, 2)];
    const nv = newViewOf(u, 2, V);
    expectSameMessages(u, nv.O, [pp(u, 2, 1, y, 2), pp(u, 2, 3, z, 2)]);
    expectSameMessages(u, nv.N, [pp(u, 2, 2, null, 2)]);
  });

  it('disabled at a replica that is not primary(v)', () => {
    const u = mkU();
    const st = replica(u, 2);
    const V = [plainVC(u, 1, 1), plainVC(u, 2, 1), plainVC(u, 3, 1)];
    for (const vc of V) st.in.add(vc);
    expectDisabled(u, st, { kind: 'SEND-NEW-VIEW', v: 1, V, i: 2 });
  });

  it('disabled with |V| ≠ 2f + 1, V ⊄ in_i, or two view-changes of one replica', () => {
    const u = mkU();
    const { st, V } = primaryWithVCs(u);
    expectDisabled(u, st, { kind: 'SEND-NEW-VIEW', v: 1, V: V.slice(0, 2), i: 1 });
    const vc0 = plainVC(u, 0, 1); // not received
    expectDisabled(u, st, { kind: 'SEND-NEW-VIEW', v: 1, V: [V[0]!, V[1]!, vc0], i: 1 });
    expectDisabled(u, st, { kind: 'SEND-NEW-VIEW', v: 1, V: [...V, vc0], i: 1 });
    // a second, different view-change from replica 3
    const { V: other } = vcsWithCertAt2(u, [3]);
    R.receive(u, st, other[0]!);
    expectDisabled(u, st, { kind: 'SEND-NEW-VIEW', v: 1, V: [V[0]!, V[2]!, other[0]!], i: 1 });
    expectEnabled(u, st, { kind: 'SEND-NEW-VIEW', v: 1, V: [V[0]!, V[1]!, other[0]!], i: 1 });
  });

  it('disabled for v < view_i, and for v = 0', () => {
    const u = mkU();
    const { st, V } = primaryWithVCs(u);
    st.view = 5; // primary(5) = 1 as well
    expectDisabled(u, st, { kind: 'SEND-NEW-VIEW', v: 1, V, i: 1 });
    const st0 = replica(u, 0);
    expectDisabled(u, st0, { kind: 'SEND-NEW-VIEW', v: 0, V: [], i: 0 });
  });
});

describe('Fig 2-13 RECEIVE(⟨NEW-VIEW, v, V, O, N⟩σj)_i', () => {
  it('a correct new-view (out_i reset as written, ERRATA E3): view_i := v, out_i := prepares for O ∪ N, in_i ∪ O ∪ N ∪ {m} ∪ prepares, stale requests dropped', () => {
    const u = mkU({ readings: { literalOutReset: true } });
    const { V, b } = vcsWithCertAt2(u, [1, 2, 3]);
    const nv = newViewOf(u, 1, V);
    const st = replica(u, 2);
    R.eff(u, st, { kind: 'SEND-VIEW-CHANGE', v: 1, i: 2 }); // out_2 holds its view-change
    const stale = req(u, 'z', 0, 1);
    st.in.add(stale);
    const before = inOf(st).filter((m) => m !== stale);
    R.receive(u, st, nv);
    const prepares = [prep(u, 1, 1, null, 2), prep(u, 1, 2, b, 2)];
    expect(st.view).toBe(1);
    expectSameMessages(u, st.out, prepares);
    expectSameMessages(u, st.in.all, [...before, ...nv.O, ...nv.N, nv, ...prepares]);
    expect(st.lastExec).toBe(0);
    expect(st.chkpts).toEqual([{ n: 0, s: s0(u) }]);
    // the backup now accepts pre-prepares of view 1 from primary 1
    const c = req(u, 'c', 1, 0);
    R.receive(u, st, pp(u, 1, 3, c, 1));
    expect(st.in.has(prep(u, 1, 3, c, 2))).toBe(true);
  });

  it('prepares for n\' ≤ h_i go to out_i but not to in_i', () => {
    const u = mkU();
    const { V, b } = vcsWithCertAt2(u, [1, 2, 3]); // max-n(V) = 0
    const nv = newViewOf(u, 1, V);
    const st = replicaAtH2(u, 3);
    const before = snapshot(st);
    R.receive(u, st, nv);
    const prepares = [prep(u, 1, 1, null, 3), prep(u, 1, 2, b, 3)];
    expectSameMessages(u, st.out, prepares);
    for (const p of prepares) expect(st.in.has(p)).toBe(false);
    // max-n(V) = 0 ≤ h_i: update-state-nv changes nothing
    expect(st.chkpts).toEqual([{ n: 2, s: valueAt2(u) }]);
    expect(st.lastExec).toBe(before.lastExec);
    expect(st.val).toBe(before.val);
  });

  it('refused when O or N is not the one V determines', () => {
    const u = mkU();
    const { V, b } = vcsWithCertAt2(u, [1, 2, 3]);
    const nv = newViewOf(u, 1, V);
    const other = req(u, 'o', 1, 0);
    const bad = [
      u.interner.newView(1, V, [], nv.N, 1), // O missing
      u.interner.newView(1, V, [pp(u, 1, 2, other, 1)], nv.N, 1), // another request at 2
      u.interner.newView(1, V, [pp(u, 1, 2, b, 1), pp(u, 1, 3, other, 1)], nv.N, 1), // an extra pre-prepare
      u.interner.newView(1, V, nv.O, [], 1), // N missing
      u.interner.newView(1, V, nv.O, [pp(u, 1, 1, null, 1), pp(u, 1, 3, null, 1)], 1), // extra null
      u.interner.newView(1, V, [pp(u, 1, 2, b, 2)], [pp(u, 1, 1, null, 2)], 1), // O, N not signed by primary(v)
    ];
    for (const m of bad) {
      expect(correctNewView(u, m, 1)).toBe(false);
      expectIgnored(u, replica(u, 2), m);
    }
    R.receive(u, replica(u, 2), nv);
    expect(correctNewView(u, nv, 1)).toBe(true);
  });

  it('refused when not signed by primary(v), or V is not 2f + 1 correct view-changes', () => {
    const u = mkU();
    const { V } = vcsWithCertAt2(u, [1, 2, 3]);
    const nv = newViewOf(u, 1, V);
    const m = req(u, 'a', 1, 0);
    const incorrectVC = u.interner.viewChange(1, { n: 0, s: s0(u), C: initialCheckpoints(u) }, preparedCert(u, 1, 1, m, [2, 3]), 3);
    const bad = [
      u.interner.newView(1, V, nv.O, nv.N, 2),
      u.interner.newView(1, V.slice(0, 2), nv.O, nv.N, 1),
      u.interner.newView(1, [V[0]!, V[1]!, incorrectVC], nv.O, nv.N, 1),
    ];
    for (const x of bad) {
      expect(correctNewView(u, x, 1)).toBe(false);
      expectIgnored(u, replica(u, 0), x);
    }
  });

  it('refused for v = 0, for v < view_i, when i already has a new-view for v, and for its own new-view', () => {
    const u = mkU();
    const { V } = vcsWithCertAt2(u, [1, 2, 3]);
    const nv = newViewOf(u, 1, V);
    expectIgnored(u, replica(u, 2), u.interner.newView(0, [], [], [], 0));
    const late = replica(u, 2);
    late.view = 2;
    expectIgnored(u, late, nv);
    expectIgnored(u, replica(u, 1), nv); // j = i
    // a second correct new-view for view 1 (from another certificate) is ignored once one is logged
    const { V: V2 } = vcsWithCertAt2(u, [0, 1, 2]);
    const nv2 = newViewOf(u, 1, V2);
    expect(nv2).not.toBe(nv);
    expect(correctNewView(u, nv2, 1)).toBe(true);
    const st = replica(u, 3);
    R.receive(u, st, nv);
    expect(st.in.has(nv)).toBe(true);
    expectIgnored(u, st, nv2);
  });
});

describe('Fig 2-9 update-state-nv (through RECEIVE NEW-VIEW)', () => {
  /** V for view 1 whose highest stable checkpoint is 2 (from replicas 1 and 2) plus replica 3 at 0. */
  function certAt2(u: Universe): ViewChange[] {
    return [viewChangeOf(u, replicaAtH2(u, 1), 1), viewChangeOf(u, replicaAtH2(u, 2), 1), plainVC(u, 3, 1)];
  }

  it('max-n(V) > last-exec_i: adopts the checkpoint (val, last-rep, last-rep-t, last-exec, chkpts), logs C and its own checkpoint', () => {
    const u = mkU();
    const V = certAt2(u);
    const nv = newViewOf(u, 1, V);
    expect(nv.O).toEqual([]);
    expect(nv.N).toEqual([]);
    const s2 = valueAt2(u);
    const st = replica(u, 0); // behind: last-exec 0, h 0
    const a = req(u, 'a', 1, 0); // executed inside the checkpoint: dropped
    const later = req(u, 'c', 2, 0); // not yet executed: kept
    st.in.add(a);
    st.in.add(later);
    R.receive(u, st, nv);
    const own = chk(u, 1, 2, s2, 0);
    expect(st.view).toBe(1);
    expect(st.lastExec).toBe(2);
    expect(st.val).toBe(s2.val);
    expect(st.lastRep).toEqual([...s2.lastRep]);
    expect(st.lastRepT).toEqual([1, 1]);
    expect(st.chkpts).toEqual([{ n: 2, s: s2 }]);
    expect(h(st)).toBe(2);
    expect(stableChkpt(st)).toBe(s2);
    expectSameMessages(u, st.out, [own]);
    // C of the lowest-numbered replica's view-change at max-n(V) (replica 1's), and the own checkpoint
    const C = V[0]!.gc!.C;
    expectSameMessages(u, C, [0, 1, 2].map((k) => chk(u, 0, 2, s2, k)));
    expectSameMessages(u, st.in.all, [...initialCheckpoints(u), later, nv, ...C, own]);
    // the stable certificate now lets it collect garbage at 2
    expectEnabled(u, st, { kind: 'COLLECT-GARBAGE', i: 0, n: 2, d: u.interner.valueDigest(s2) });
  });

  it('h_i < max-n(V) ≤ last-exec_i: trims chkpts and logs the checkpoint messages, but keeps val and last-exec', () => {
    const u = mkU();
    const V = certAt2(u);
    const nv = newViewOf(u, 1, V);
    const s2 = valueAt2(u);
    const st = replica(u, 3);
    // executed to 3 with a (non-stable) checkpoint at 2
    const [rc, v3] = u.service.g(0, 'c', s2.val);
    st.chkpts = [
      { n: 0, s: s0(u) },
      { n: 2, s: s2 },
    ];
    st.in.add(chk(u, 0, 2, s2, 3));
    st.val = v3;
    st.lastRep = [rc, s2.lastRep[1]!];
    st.lastRepT = [2, 1];
    st.lastExec = 3;
    R.receive(u, st, nv);
    expect(st.chkpts).toEqual([{ n: 2, s: s2 }]);
    expect(st.lastExec).toBe(3);
    expect(st.val).toBe(v3);
    expect(st.lastRep).toEqual([rc, s2.lastRep[1]]);
    expect(st.lastRepT).toEqual([2, 1]);
    // ⟨CHECKPOINT, v, max-n(V), D(s), i⟩ is for view v = 1, so it is new even though view 0's is logged
    const own = chk(u, 1, 2, s2, 3);
    expectSameMessages(u, st.out, [own]);
    expect(st.in.has(own)).toBe(true);
    expect(st.in.has(chk(u, 0, 2, s2, 0))).toBe(true);
  });

  it('the new primary runs update-state-nv too (SEND-NEW-VIEW)', () => {
    const u = mkU();
    const V = certAt2(u);
    const st = replica(u, 1);
    for (const vc of V) st.in.add(vc);
    R.eff(u, st, { kind: 'SEND-NEW-VIEW', v: 1, V, i: 1 });
    const s2 = valueAt2(u);
    const nv = u.interner.newView(1, V, [], [], 1);
    expect(st.lastExec).toBe(2);
    expect(st.val).toBe(s2.val);
    expect(st.chkpts).toEqual([{ n: 2, s: s2 }]);
    expect(st.seqno).toBe(2); // max-n(O) with O = {}: the model reads max-n(V) (see ERRATA.md)
    expectSameMessages(u, st.out, [nv, chk(u, 1, 2, s2, 1)]);
  });
});

describe('update-state-nv raises h_i without discarding the log (O2), and P (E25)', () => {
  // Section 2.3.5 says the replica "adds the stable certificate ... and discards information from
  // the log as discussed in Section 2.3.4"; update-state-nv in Fig 2-9 only trims chkpts_i. The
  // prepared certificates at or below the new h_i stay in in_i; as Fig 2-13 writes P
  // (literalVcP, E25), SEND-VIEW-CHANGE copies them into P, where correct-view-change requires
  // 0 < n' − h_i. Corrected (the prose of 2.3.5), P holds only the certificates above h_i.

  /** Replica 0 with prepared certificates at n = 1, 2 that adopts the checkpoint at 2 from a new-view of view 1. */
  const adopted = (u: Universe) => {
    const a = req(u, 'a', 1, 0);
    const b = req(u, 'b', 1, 1);
    const st = replica(u, 0);
    for (const m of [...preparedCert(u, 0, 1, a, [1, 2, 3]), ...preparedCert(u, 0, 2, b, [1, 2, 3])]) st.in.add(m);
    const V = [viewChangeOf(u, replicaAtH2(u, 1), 1), viewChangeOf(u, replicaAtH2(u, 2), 1), plainVC(u, 3, 1)];
    R.receive(u, st, newViewOf(u, 1, V));
    expect(h(st)).toBe(2);
    expect(st.in.has(pp(u, 0, 1, a, 0))).toBe(true); // still logged
    return st;
  };
  const ownViewChange = (st: ReturnType<typeof replica>) => [...st.out].find((m): m is ViewChange => m.tag === 'VIEW-CHANGE')!;

  it('corrected: a replica that adopted a checkpoint sends a view-change with P above n only, which is correct', () => {
    const u = mkU();
    const st = adopted(u);
    R.eff(u, st, { kind: 'SEND-VIEW-CHANGE', v: 2, i: 0 });
    const vc = ownViewChange(st);
    expect(vc.P).toEqual([]);
    expect(correctViewChange(u, vc, 2, 0)).toBe(true);
  });

  it('figure as written: a replica that adopted a checkpoint builds its next view-change with P below n, which correct replicas refuse', () => {
    const u = mkU({ readings: { literalVcP: true } });
    const st = adopted(u);
    R.eff(u, st, { kind: 'SEND-VIEW-CHANGE', v: 2, i: 0 });
    const vc = ownViewChange(st);
    expect(vc.gc!.n).toBe(2);
    expect(vc.P.some((m: Message) => m.tag === 'PRE-PREPARE' && m.n <= 2)).toBe(true);
    expect(correctViewChange(u, vc, 2, 0)).toBe(false);
    expectIgnored(u, replica(u, 2), vc);
    // after COLLECT-GARBAGE at 2 the same replica's view-change is correct
    const st2 = adopted(u);
    R.eff(u, st2, { kind: 'COLLECT-GARBAGE', i: 0, n: 2, d: u.interner.valueDigest(valueAt2(u)) });
    R.eff(u, st2, { kind: 'SEND-VIEW-CHANGE', v: 2, i: 0 });
    const vc2 = ownViewChange(st2);
    expect(vc2.P).toEqual([]);
    expect(correctViewChange(u, vc2, 2, 0)).toBe(true);
  });
});

describe('Fig 2-13 REPLICA-FAILURE_i', () => {
  it('sets faulty_i; the composition then takes no internal action of i and hands its inputs to a stand-in', () => {
    const u = mkU();
    const s = initialSystem(u);
    const st = s.replicas[2]!;
    const before = snapshot(st);
    expect(isEnabled(u, s, { kind: 'SEND-VIEW-CHANGE', v: 1, i: 2 })).toBe(true);
    step(u, s, { kind: 'REPLICA-FAILURE', i: 2 });
    expect(snapshot(st)).toEqual({ ...before, faulty: true });
    expect(whyDisabled(u, s, { kind: 'SEND-VIEW-CHANGE', v: 1, i: 2 })).toBe('replica 2 is faulty');
    expect(s.standIns[2]).not.toBeNull();
  });
});
