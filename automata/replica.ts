// Replica automaton R_i of A, the algorithm without garbage collection (Appendix A.1).
// Output transitions (SEND) are shared with A_gc in replica-state.ts (Fig 2-10 = A.1 output).
import type { ReplicaInternal } from './actions.ts';
import { computeON, correctNewView, correctViewChange, hasNewView, maxN, prepareFor } from './aux-functions.ts';
import type { Message, NewView, PrePrepare } from './messages.ts';
import {
  committedCandidates,
  enabledProtocol,
  enabledViewChange,
  type InternalFamily,
  executeEff,
  noConflictingPrepare,
  receiveRequest,
  resetOut,
  sendCommitEff,
  sendCommitPre,
  sendNewViewPre,
  sendPrePrepareEff,
  sendPrePreparePre,
  viewChangeP,
} from './replica-common.ts';
import type { ReplicaState } from './replica-state.ts';
import { primaryOf } from './replica-state.ts';
import type { Universe } from './universe.ts';

/** in-v(v, i) ≡ view_i = v */
const inV = (st: ReplicaState, v: number) => st.view === v;

// ---------------------------------------------------------------- Input Transitions (A.1)

/** RECEIVE(m)_i for every message m in R_i's input signature; other messages have no effect. */
export function receive(u: Universe, st: ReplicaState, m: Message): void {
  switch (m.tag) {
    case 'REQUEST':
      return receiveRequest(u, st, m);
    case 'PRE-PREPARE':
      if (m.signer !== st.i) receivePrePrepare(u, st, m);
      return;
    case 'PREPARE':
      // RECEIVE(⟨PREPARE, v, n, d, j⟩σj)_i (j ≠ i)
      //   Eff: if j ≠ primary(i) ∧ in-v(v, i) then in_i := in_i ∪ {⟨PREPARE, v, n, d, j⟩σj}
      if (m.j !== st.i && m.j !== primaryOf(u, st) && inV(st, m.v)) st.in.add(m);
      return;
    case 'COMMIT':
      // RECEIVE(⟨COMMIT, v, n, d, j⟩σj)_i (j ≠ i)
      //   Eff: if view_i ≥ v then in_i := in_i ∪ {⟨COMMIT, v, n, d, j⟩σj}
      if (m.j !== st.i && st.view >= m.v) st.in.add(m);
      return;
    case 'VIEW-CHANGE':
      // RECEIVE(⟨VIEW-CHANGE, v, P, j⟩σj)_i (j ≠ i)
      //   Eff: if v ≥ view_i ∧ correct-view-change(m, v, j) then in_i := in_i ∪ {m}
      if (m.gc === null && m.j !== st.i && m.v >= st.view && correctViewChange(u, m, m.v, m.j)) st.in.add(m);
      return;
    case 'NEW-VIEW':
      if (m.signer !== st.i) receiveNewView(u, st, m);
      return;
    case 'REPLY':
    case 'CHECKPOINT':
      return; // not in R_i's signature in A
  }
}

/**
 * RECEIVE(⟨PRE-PREPARE, v, n, m⟩σj)_i (j ≠ i)
 *   Eff: if j = primary(i) ∧ in-v(v, i) ∧ has-new-view(v, i) ∧ ∄ d : (d ≠ D(m) ∧ ⟨PREPARE, v, n, d, i⟩σi ∈ in_i) then
 *          let p = ⟨PREPARE, v, n, D(m), i⟩σi
 *          in_i := in_i ∪ {⟨PRE-PREPARE, v, n, m⟩σj, p}; out_i := out_i ∪ {p}
 *        else if ∃ o, t, c : (m = ⟨REQUEST, o, t, c⟩σc) then in_i := in_i ∪ {m}
 */
function receivePrePrepare(u: Universe, st: ReplicaState, pp: PrePrepare): void {
  const { v, n, m } = pp;
  if (pp.signer === primaryOf(u, st) && inV(st, v) && hasNewView(u, v, st.in) && noConflictingPrepare(u, st, v, n, m)) {
    const p = prepareFor(u, pp, st.i);
    st.in.add(pp);
    st.in.add(p);
    st.out.add(p);
  } else if (m !== null && m.tag === 'REQUEST') {
    st.in.add(m);
  }
}

/**
 * RECEIVE(⟨NEW-VIEW, v, X, O, N⟩σj)_i (j ≠ i)
 *   Eff: let m = ⟨NEW-VIEW, v, X, O, N⟩σj,
 *            P = {⟨PREPARE, v, n', D(m'), i⟩σi | ⟨PRE-PREPARE, v, n', m'⟩σj ∈ (O ∪ N)}
 *        if v > 0 ∧ v ≥ view_i ∧ correct-new-view(m, v) ∧ ¬has-new-view(v, i) then
 *          view_i := v; in_i := in_i ∪ O ∪ N ∪ {m} ∪ P; out_i := P
 */
function receiveNewView(u: Universe, st: ReplicaState, m: NewView): void {
  const { v } = m;
  if (!(v > 0 && v >= st.view && correctNewView(u, m, v) && !hasNewView(u, v, st.in))) return;
  const P = [...m.O, ...m.N].filter((pp) => pp.tag === 'PRE-PREPARE' && pp.v === v && pp.signer === m.signer).map((pp) => prepareFor(u, pp as PrePrepare, st.i));
  st.view = v;
  for (const x of [...m.O, ...m.N, m, ...P]) st.in.add(x);
  resetOut(u, st, P);
}

// ---------------------------------------------------------------- Internal Transitions (A.1)

export function pre(u: Universe, st: ReplicaState, a: ReplicaInternal): boolean {
  switch (a.kind) {
    case 'SEND-PRE-PREPARE':
      return sendPrePreparePre(u, st, a.m, a.v, a.n, inV(st, a.v));
    case 'SEND-COMMIT':
      return sendCommitPre(u, st, a.m, a.v, a.n);
    case 'EXECUTE':
      // Pre: n = last-exec_i + 1 ∧ committed(m, v, n, i)
      return a.n === st.lastExec + 1 && committedCandidates(u, st, a.n).some((x) => x.m === a.m && x.v === a.v);
    case 'SEND-VIEW-CHANGE':
      // Pre: v = view_i + 1
      return a.v === st.view + 1;
    case 'SEND-NEW-VIEW':
      return sendNewViewPre(u, st, a.v, a.V);
    case 'COLLECT-GARBAGE':
      return false; // not an action of A
  }
}

export function eff(u: Universe, st: ReplicaState, a: ReplicaInternal): void {
  switch (a.kind) {
    case 'SEND-PRE-PREPARE':
      return sendPrePrepareEff(u, st, a.m, a.v, a.n);
    case 'SEND-COMMIT':
      return sendCommitEff(u, st, a.m, a.v, a.n);
    case 'EXECUTE':
      return executeEff(u, st, a.m, a.n);
    case 'SEND-VIEW-CHANGE': {
      // Eff: view_i := v; let P' …, P …, m = ⟨VIEW-CHANGE, v, P, i⟩σi; out_i := out_i ∪ {m}; in_i := in_i ∪ {m}
      st.view = a.v;
      const m = u.interner.viewChange(a.v, null, viewChangeP(u, st), st.i);
      st.out.add(m);
      st.in.add(m);
      return;
    }
    case 'SEND-NEW-VIEW': {
      // Eff: view_i := v; let O = …, N = …, m = ⟨NEW-VIEW, v, V, O, N⟩σi
      //      seqno_i := max-n(O); in_i := in_i ∪ O ∪ N ∪ {m}; out_i := {m}
      st.view = a.v;
      const { O, N } = computeON(u, a.v, a.V, st.i);
      const m = u.interner.newView(a.v, a.V, O, N, st.i);
      st.seqno = maxN('A', O);
      for (const x of [...O, ...N, m]) st.in.add(x);
      resetOut(u, st, [m]);
      return;
    }
    case 'COLLECT-GARBAGE':
      throw new Error('COLLECT-GARBAGE is not an action of A');
  }
}

// ---------------------------------------------------------------- Enabled internal actions

/** R_i's enabled internal actions of one family, under the configured bounds, in a stable order. */
export function enabledOf(u: Universe, st: ReplicaState, family: InternalFamily): ReplicaInternal[] {
  if (family === 'protocol') return enabledProtocol(u, st, (v) => inV(st, v));
  return family === 'view-change' ? enabledViewChange(u, st) : []; // no COLLECT-GARBAGE in A
}

/** R_i's enabled internal actions under the configured bounds, in a stable order. */
export function enabledInternal(u: Universe, st: ReplicaState): ReplicaInternal[] {
  return [...enabledOf(u, st, 'protocol'), ...enabledOf(u, st, 'view-change')];
}
