// Replica automaton R_i of A, the algorithm without garbage collection (Appendix A.1).
// Output transitions (SEND) are shared with A_gc in replica-state.ts (Fig 2-10 = A.1 output).
import type { ReplicaInternal } from './actions.ts';
import { computeON, correctNewView, correctViewChange, hasNewView, maxN, prepareFor } from './aux-functions.ts';
import type { Message, NewView, PrePrepare, ViewChange } from './messages.ts';
import {
  chooseCertificates,
  committedCandidates,
  executeEff,
  noConflictingPrepare,
  receiveRequest,
  sendCommitCandidates,
  sendCommitEff,
  sendCommitPre,
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
  } else if (m !== null) {
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
  const P = [...m.O, ...m.N].filter((pp) => pp.signer === m.signer).map((pp) => prepareFor(u, pp, st.i));
  st.view = v;
  for (const x of [...m.O, ...m.N, m, ...P]) st.in.add(x);
  st.out = new Set(P);
}

// ---------------------------------------------------------------- Internal Transitions (A.1)

export function pre(u: Universe, st: ReplicaState, a: ReplicaInternal): boolean {
  switch (a.kind) {
    case 'SEND-PRE-PREPARE':
      // Pre: primary(i) = i ∧ seqno_i = n − 1 ∧ in-v(v, i) ∧ has-new-view(v, i) ∧
      //      ∃ o, t, c : (m = ⟨REQUEST, o, t, c⟩σc ∧ m ∈ in_i) ∧ ∄ ⟨PRE-PREPARE, v, n', m⟩σi ∈ in_i
      return (
        primaryOf(u, st) === st.i &&
        st.seqno === a.n - 1 &&
        inV(st, a.v) &&
        hasNewView(u, a.v, st.in) &&
        a.m.tag === 'REQUEST' &&
        st.in.has(a.m) &&
        !st.in.hasPrePrepareOf(a.v, a.m, st.i)
      );
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
    case 'SEND-PRE-PREPARE': {
      // Eff: seqno_i := seqno_i + 1; let p = ⟨PRE-PREPARE, v, n, m⟩σi; out_i := out_i ∪ {p}; in_i := in_i ∪ {p}
      st.seqno = st.seqno + 1;
      const p = u.interner.prePrepare(a.v, a.n, a.m, st.i);
      st.out.add(p);
      st.in.add(p);
      return;
    }
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
      st.out = new Set([m]);
      return;
    }
    case 'COLLECT-GARBAGE':
      throw new Error('COLLECT-GARBAGE is not an action of A');
  }
}

/**
 * SEND-NEW-VIEW(v, V)_i
 *   Pre: primary(v) = i ∧ v ≥ view_i ∧ v > 0 ∧ V ⊆ in_i ∧ |V| = 2f + 1 ∧ ¬has-new-view(v, i) ∧
 *        ∃ R : (|R| = 2f + 1 ∧ ∀ k ∈ R : (∃ P : (⟨VIEW-CHANGE, v, P, k⟩σk ∈ V)))
 */
function sendNewViewPre(u: Universe, st: ReplicaState, v: number, V: readonly ViewChange[]): boolean {
  if (!(u.primary(v) === st.i && v >= st.view && v > 0 && V.length === 2 * u.f + 1)) return false;
  if (!V.every((vc) => st.in.has(vc)) || new Set(V).size !== V.length) return false;
  if (hasNewView(u, v, st.in)) return false;
  const R = new Set(V.filter((vc) => vc.v === v && vc.gc === null).map((vc) => vc.j));
  return R.size === 2 * u.f + 1;
}

// ---------------------------------------------------------------- Enabled internal actions

/** R_i's enabled internal actions under the configured bounds, in a stable order. */
export function enabledInternal(u: Universe, st: ReplicaState): ReplicaInternal[] {
  const out: ReplicaInternal[] = [];
  const i = st.i;
  const n = st.seqno + 1;
  if (primaryOf(u, st) === i && n <= u.config.maxSeqno && hasNewView(u, st.view, st.in))
    for (const m of [...st.in.requests].sort((a, b) => a.id - b.id))
      if (!st.in.hasPrePrepareOf(st.view, m, i)) out.push({ kind: 'SEND-PRE-PREPARE', m, v: st.view, n, i });
  for (const c of sendCommitCandidates(u, st)) out.push({ kind: 'SEND-COMMIT', ...c, i });
  for (const c of committedCandidates(u, st, st.lastExec + 1)) out.push({ kind: 'EXECUTE', ...c, n: st.lastExec + 1, i });
  if (st.view + 1 <= u.config.maxView) out.push({ kind: 'SEND-VIEW-CHANGE', v: st.view + 1, i });
  for (const a of sendNewViewChoices(u, st)) out.push(a);
  return out;
}

/** SEND-NEW-VIEW(v, V)_i for each view this replica is primary of, with a bounded choice of V. */
export function sendNewViewChoices(u: Universe, st: ReplicaState): ReplicaInternal[] {
  const out: ReplicaInternal[] = [];
  for (const [v, vcs] of [...st.in.viewChangesByV].sort((a, b) => a[0] - b[0])) {
    if (v > u.config.maxView || u.primary(v) !== st.i || v < st.view || v === 0 || hasNewView(u, v, st.in)) continue;
    for (const V of chooseCertificates([...vcs], 2 * u.f + 1, u.config.maxNewViewChoices))
      if (sendNewViewPre(u, st, v, V)) out.push({ kind: 'SEND-NEW-VIEW', v, V, i: st.i });
  }
  return out;
}
