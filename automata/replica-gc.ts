// Replica automaton R_i of A_gc, the algorithm with garbage collection (Section 2.4.4:
// Fig 2-8 state, Fig 2-9 auxiliary functions, Fig 2-10 output, Fig 2-11 garbage collection,
// Fig 2-12 normal case, Fig 2-13 view change). Parameters: chkpt-int and L (Fig 2-9).
import type { Payload } from './messages.ts';
import type { ReplicaInternal } from './actions.ts';
import { computeON, correctNewView, correctViewChange, hasNewView, maxN, prepareFor } from './aux-functions.ts';
import type { Digest } from './digests.ts';
import type { Message, NewView, PrePrepare, ViewChange } from './messages.ts';
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
import { addChkpt, h, primaryOf, stableChkpt } from './replica-state.ts';
import type { Universe } from './universe.ts';

// ---------------------------------------------------------------- Fig 2-9, auxiliary functions

/** in-v(v, i) ≡ view_i = v */
const inV = (st: ReplicaState, v: number) => st.view === v;
/** in-w(n, i) ≡ 0 < n − h_i ≤ L (through the protocol table: a variant may change the window) */
export const inW = (u: Universe, st: ReplicaState, n: number) => u.proto.inW(u, st, n);
export const thesisInW = (u: Universe, st: ReplicaState, n: number) => 0 < n - h(st) && n - h(st) <= u.config.L;
/** in-wv(v, n, i) ≡ in-w(n, i) ∧ in-v(v, i) */
const inWV = (u: Universe, st: ReplicaState, v: number, n: number) => inW(u, st, n) && inV(st, v);
/** take-chkpt(n) ≡ (n mod chkpt-int) = 0 (through the protocol table) */
export const takeChkpt = (u: Universe, n: number) => u.proto.takeChkpt(u, n);
export const thesisTakeChkpt = (u: Universe, n: number) => n % u.config.chkptInt === 0;

/**
 * update-state-nv(i, v, V, m) (Fig 2-9)
 *   if max-n(V) > h_i then
 *     in_i := in_i ∪ (pick C : ∃ ⟨VIEW-CHANGE, v, max-n(V), s, C, P, k⟩σk ∈ V)
 *     if ⟨CHECKPOINT, v, max-n(V), D(s), i⟩σi ∉ in_i then
 *       in_i := in_i ∪ {⟨CHECKPOINT, v, max-n(V), D(s), i⟩σi}; out_i := out_i ∪ {…the same…}
 *     chkpts_i := chkpts_i − {p = ⟨n', s'⟩ | p ∈ chkpts_i ∧ n' < max-n(V)}
 *     if max-n(V) > last-exec_i then
 *       chkpts_i := chkpts_i ∪ {⟨max-n(V), s⟩ | ∃ ⟨VIEW-CHANGE, v, max-n(V), s, C, P, k⟩σk ∈ V}
 *       (val_i, last-rep_i, last-rep-t_i) := stable-chkpt_i
 *       last-exec_i := max-n(V)
 * The "pick" is made deterministically: the view-change of the lowest-numbered signer k.
 */
export function updateStateNv(u: Universe, st: ReplicaState, v: number, V: readonly Message[]): void {
  const top = maxN('Agc', V);
  if (!(top > h(st))) return;
  const atTop = V.filter((vc): vc is ViewChange => vc.tag === 'VIEW-CHANGE' && vc.gc !== null && vc.gc.n === top).sort((a, b) => a.j - b.j || a.id - b.id);
  const picked = atTop[0]!.gc!;
  for (const c of picked.C) st.in.add(c);
  const own = u.interner.checkpoint(v, top, u.interner.valueDigest(picked.s), st.i);
  if (!st.in.has(own)) {
    st.in.add(own);
    st.out.add(own);
  }
  st.chkpts = st.chkpts.filter((p) => !(p.n < top));
  if (top > st.lastExec) {
    for (const vc of atTop) addChkpt(st, top, vc.gc!.s);
    const s = stableChkpt(st)!;
    st.val = s.val;
    st.lastRep = [...s.lastRep];
    st.lastRepT = [...s.lastRepT];
    st.lastExec = top;
  }
}

/** in_i := in_i − {⟨REQUEST, o, t, c⟩σc ∈ in_i | t ≤ last-rep-t_i(c)} (end of Fig 2-13's new-view actions) */
function dropExecutedRequests(st: ReplicaState): void {
  for (const r of [...st.in.requests]) if (r.t <= st.lastRepT[r.c]!) st.in.delete(r);
}

// ---------------------------------------------------------------- Input transitions

/** RECEIVE(m)_i for every message m in R_i's input signature (Fig 2-8); others have no effect. */
export function receive(u: Universe, st: ReplicaState, m: Message): void {
  switch (m.tag) {
    case 'REQUEST':
      return receiveRequest(u, st, m);
    case 'PRE-PREPARE':
      if (m.signer !== st.i) receivePrePrepare(u, st, m);
      return;
    case 'PREPARE':
      // Fig 2-12 RECEIVE(⟨PREPARE, v, n, d, j⟩σj)_i (j ≠ i)
      //   Eff: if j ≠ primary(i) ∧ in-wv(v, n, i) then in_i := in_i ∪ {⟨PREPARE, v, n, d, j⟩σj}
      if (m.j !== st.i && m.j !== primaryOf(u, st) && inWV(u, st, m.v, m.n)) st.in.add(m);
      return;
    case 'COMMIT':
      // Fig 2-12 RECEIVE(⟨COMMIT, v, n, d, j⟩σj)_i (j ≠ i)
      //   Eff: if view_i ≥ v ∧ in-w(n, i) then in_i := in_i ∪ {⟨COMMIT, v, n, d, j⟩σj}
      if (m.j !== st.i && st.view >= m.v && inW(u, st, m.n)) st.in.add(m);
      return;
    case 'CHECKPOINT':
      // Fig 2-11 RECEIVE(⟨CHECKPOINT, v, n, d, j⟩σj)_i (j ≠ i)
      //   Eff: if view_i ≥ v ∧ in-w(n, i) then in_i := in_i ∪ {⟨CHECKPOINT, v, n, d, j⟩σj}
      if (m.j !== st.i && st.view >= m.v && inW(u, st, m.n)) st.in.add(m);
      return;
    case 'VIEW-CHANGE':
      // Fig 2-13 RECEIVE(⟨VIEW-CHANGE, v, n, s, C, P, j⟩σj)_i (j ≠ i)
      //   Eff: if v ≥ view_i ∧ correct-view-change(m, v, j) then in_i := in_i ∪ {m}
      if (m.gc !== null && m.j !== st.i && m.v >= st.view && correctViewChange(u, m, m.v, m.j)) st.in.add(m);
      return;
    case 'NEW-VIEW':
      if (m.signer !== st.i) receiveNewView(u, st, m);
      return;
    case 'REPLY':
      return; // not in R_i's signature
  }
}

/**
 * Fig 2-12 RECEIVE(⟨PRE-PREPARE, v, n, m⟩σj)_i (j ≠ i)
 *   Eff: if j = primary(i) ∧ in-wv(v, n, i) ∧ has-new-view(v, i) ∧ ∄ d : (d ≠ D(m) ∧ ⟨PREPARE, v, n, d, i⟩σi ∈ in_i) then
 *          let p = ⟨PREPARE, v, n, D(m), i⟩σi
 *          in_i := in_i ∪ {⟨PRE-PREPARE, v, n, m⟩σj, p}; out_i := out_i ∪ {p}
 */
function receivePrePrepare(u: Universe, st: ReplicaState, pp: PrePrepare): void {
  const { v, n, m } = pp;
  if (pp.signer === primaryOf(u, st) && inWV(u, st, v, n) && hasNewView(u, v, st.in) && noConflictingPrepare(u, st, v, n, m)) {
    const p = prepareFor(u, pp, st.i);
    st.in.add(pp);
    st.in.add(p);
    st.out.add(p);
  }
}

/**
 * Fig 2-13 RECEIVE(⟨NEW-VIEW, v, V, O, N⟩σj)_i (j ≠ i)
 *   Eff: if v > 0 ∧ v ≥ view_i ∧ correct-new-view(m, v) ∧ ¬has-new-view(v, i) then
 *          view_i := v; out_i := {}; in_i := in_i ∪ O ∪ N ∪ {m}
 *          for all ⟨PRE-PREPARE, v, n', m'⟩σj ∈ (O ∪ N) do
 *            out_i := out_i ∪ {⟨PREPARE, v, n', D(m'), i⟩σi}
 *            if n' > h_i then in_i := in_i ∪ {⟨PREPARE, v, n', D(m'), i⟩σi}
 *          update-state-nv(i, v, V, m)
 *          in_i := in_i − {⟨REQUEST, o, t, c⟩σc ∈ in_i | t ≤ last-rep-t_i(c)}
 */
function receiveNewView(u: Universe, st: ReplicaState, m: NewView): void {
  const { v } = m;
  if (!(v > 0 && v >= st.view && correctNewView(u, m, v) && !hasNewView(u, v, st.in))) return;
  st.view = v;
  resetOut(u, st, []);
  for (const x of [...m.O, ...m.N, m]) st.in.add(x);
  for (const pp of [...m.O, ...m.N]) {
    if (pp.tag !== 'PRE-PREPARE' || pp.v !== v || pp.signer !== m.signer) continue;
    const p = prepareFor(u, pp, st.i);
    st.out.add(p);
    if (pp.n > h(st)) st.in.add(p);
  }
  updateStateNv(u, st, v, m.V);
  dropExecutedRequests(st);
}

// ---------------------------------------------------------------- Internal transitions

export function pre(u: Universe, st: ReplicaState, a: ReplicaInternal): boolean {
  switch (a.kind) {
    case 'SEND-PRE-PREPARE':
      return sendPrePreparePre(u, st, a.m, a.v, a.n, inWV(u, st, a.v, a.n));
    case 'SEND-COMMIT':
      return sendCommitPre(u, st, a.m, a.v, a.n);
    case 'EXECUTE':
      // Fig 2-12 Pre: n = last-exec_i + 1 ∧ committed(m, v, n, i)
      return a.n === st.lastExec + 1 && committedCandidates(u, st, a.n).some((x) => x.m === a.m && x.v === a.v);
    case 'SEND-VIEW-CHANGE':
      // Fig 2-13 Pre: v = view_i + 1
      return a.v === st.view + 1;
    case 'SEND-NEW-VIEW':
      return sendNewViewPre(u, st, a.v, a.V);
    case 'COLLECT-GARBAGE':
      return collectGarbagePre(u, st, a.n, a.d);
  }
}

export function eff(u: Universe, st: ReplicaState, a: ReplicaInternal): void {
  switch (a.kind) {
    case 'SEND-PRE-PREPARE':
      return sendPrePrepareEff(u, st, a.m, a.v, a.n);
    case 'SEND-COMMIT':
      return sendCommitEff(u, st, a.m, a.v, a.n);
    case 'EXECUTE':
      return execute(u, st, a.m, a.n);
    case 'SEND-VIEW-CHANGE':
      return sendViewChange(u, st, a.v);
    case 'SEND-NEW-VIEW':
      return sendNewView(u, st, a.v, a.V);
    case 'COLLECT-GARBAGE':
      return collectGarbage(st, a.n);
  }
}

/**
 * Fig 2-12 EXECUTE(m, v, n)_i: as in A (executeEff), then
 *   if take-chkpt(n) then
 *     let m' = ⟨CHECKPOINT, view_i, n, D(⟨val_i, last-rep_i, last-rep-t_i⟩), i⟩σi
 *     out_i := out_i ∪ {m'}; in_i := in_i ∪ {m'}
 *     chkpts_i := chkpts_i ∪ {⟨n, ⟨val_i, last-rep_i, last-rep-t_i⟩⟩}
 */
function execute(u: Universe, st: ReplicaState, m: Payload, n: number): void {
  executeEff(u, st, m, n);
  if (takeChkpt(u, n)) {
    const s = u.interner.checkpointValue(st.val, st.lastRep, st.lastRepT);
    const mm = u.interner.checkpoint(st.view, n, u.interner.valueDigest(s), st.i);
    st.out.add(mm);
    st.in.add(mm);
    addChkpt(st, n, s);
  }
}

/**
 * Fig 2-11 COLLECT-GARBAGE_i
 *   Pre: ∃ R, n, d : (|R| > f ∧ i ∈ R ∧ ∀ k ∈ R : (∃ v : (⟨CHECKPOINT, v, n, d, k⟩σk ∈ in_i)))
 * The action records the n and d it uses.
 */
function collectGarbagePre(u: Universe, st: ReplicaState, n: number, d: Digest): boolean {
  const R = new Set<number>();
  for (const c of st.in.checkpointsByN.get(n) ?? []) if (c.d === d) R.add(c.j);
  return R.size >= u.proto.quorums.stableCheckpoint && R.has(st.i);
}

/**
 *   Eff: in_i := in_i − {m = ⟨PRE-PREPARE, v', n', m'⟩ | m ∈ in_i ∧ n' ≤ n}   (READING-NOTES 5)
 *        in_i := in_i − {m = ⟨PREPARE, v', n', d', j⟩σj | m ∈ in_i ∧ n' ≤ n}
 *        in_i := in_i − {m = ⟨COMMIT, v', n', d', j⟩σj | m ∈ in_i ∧ n' ≤ n}
 *        in_i := in_i − {m = ⟨CHECKPOINT, v', n', d', j⟩σj | m ∈ in_i ∧ n' < n}
 *        chkpts_i := chkpts_i − {p = ⟨n', s⟩ | p ∈ chkpts_i ∧ n' < n}
 */
function collectGarbage(st: ReplicaState, n: number): void {
  const doomed: Message[] = [];
  for (const [k, s] of st.in.ppByN) if (k <= n) doomed.push(...s);
  for (const [k, s] of st.in.preparesByN) if (k <= n) doomed.push(...s);
  for (const [k, s] of st.in.commitsByN) if (k <= n) doomed.push(...s);
  for (const [k, s] of st.in.checkpointsByN) if (k < n) doomed.push(...s);
  for (const m of doomed) st.in.delete(m);
  st.chkpts = st.chkpts.filter((p) => !(p.n < n));
}

/**
 * Fig 2-13 SEND-VIEW-CHANGE(v)_i
 *   Pre: v = view_i + 1
 *   Eff: view_i := v
 *        let P' and P as in A (replica-common viewChangeP), but only the certificates with
 *              sequence numbers above h_i, as Section 2.3.5 says ("a prepared certificate for each
 *              request that prepared at i with a sequence number greater than n"; ERRATA E25: as the
 *              figure writes, `readings.literalVcP`),
 *            C = {m' = ⟨CHECKPOINT, v'', h_i, D(stable-chkpt_i), k⟩σk | m' ∈ in_i},
 *            m = ⟨VIEW-CHANGE, v, h_i, stable-chkpt_i, C, P, i⟩σi
 *        out_i := out_i ∪ {m}; in_i := in_i ∪ {m}
 */
function sendViewChange(u: Universe, st: ReplicaState, v: number): void {
  st.view = v;
  const hi = h(st);
  const P = viewChangeP(u, st).filter((p) => u.config.readings.literalVcP === true || p.n > hi);
  const s = stableChkpt(st);
  if (s === null) throw new ModelUndefined(`replica ${st.i}: stable-chkpt is undefined because chkpts is empty`);
  const d = u.interner.valueDigest(s);
  const C = [...(st.in.checkpointsByN.get(hi) ?? [])].filter((c) => c.d === d);
  const m = u.interner.viewChange(v, { n: hi, s, C }, P, st.i);
  st.out.add(m);
  st.in.add(m);
}

/**
 *   Eff: view_i := v
 *        let O = {⟨PRE-PREPARE, v, n, m⟩σi | n > max-n(V) ∧ ∃ v' : last-prepared(m, v', n, merge-P(V))},
 *            N = {⟨PRE-PREPARE, v, n, null⟩σi | max-n(V) < n < max-n(O) ∧ ∄ v', m : last-prepared(m, v', n, merge-P(V))},
 *            m = ⟨NEW-VIEW, v, V, O, N⟩σi
 *        seqno_i := max-n(O)
 *        in_i := in_i ∪ O ∪ N ∪ {m}; out_i := {m}
 *        update-state-nv(i, v, V, m)
 *        in_i := in_i − {⟨REQUEST, o, t, c⟩σc ∈ in_i | t ≤ last-rep-t_i(c)}
 * With O = {}, max-n(O) is undefined in the text; we take max-n(V), the sequence number the new
 * view starts after (ERRATA.md), so that the primary can go on assigning sequence numbers.
 */
function sendNewView(u: Universe, st: ReplicaState, v: number, V: readonly ViewChange[]): void {
  st.view = v;
  const { O, N } = computeON(u, v, V, st.i);
  const m = u.interner.newView(v, V, O, N, st.i);
  st.seqno = O.length > 0 ? maxN('Agc', O) : maxN('Agc', V);
  for (const x of [...O, ...N, m]) st.in.add(x);
  resetOut(u, st, [m]);
  updateStateNv(u, st, v, V);
  dropExecutedRequests(st);
}

/** A state the text leaves undefined (reachable only beyond the fault bound). */
export class ModelUndefined extends Error {}

// ---------------------------------------------------------------- Enabled internal actions

/** R_i's enabled internal actions of one family, under the configured bounds, in a stable order. */
export function enabledOf(u: Universe, st: ReplicaState, family: InternalFamily): ReplicaInternal[] {
  if (family === 'protocol') return enabledProtocol(u, st, (v, n) => inWV(u, st, v, n));
  return family === 'view-change' ? enabledViewChange(u, st) : collectGarbageChoices(u, st);
}

/** R_i's enabled internal actions under the configured bounds, in a stable order. */
export function enabledInternal(u: Universe, st: ReplicaState): ReplicaInternal[] {
  return [...enabledOf(u, st, 'protocol'), ...enabledOf(u, st, 'view-change'), ...enabledOf(u, st, 'garbage')];
}

/** COLLECT-GARBAGE_i for every (n, d) with a stable certificate that includes i's own checkpoint. */
export function collectGarbageChoices(u: Universe, st: ReplicaState): ReplicaInternal[] {
  const out: ReplicaInternal[] = [];
  for (const n of [...st.in.checkpointsByN.keys()].sort((a, b) => a - b)) {
    const ds = new Set<Digest>();
    for (const c of st.in.checkpointsByN.get(n)!) if (c.j === st.i) ds.add(c.d);
    for (const d of [...ds].sort()) if (collectGarbagePre(u, st, n, d)) out.push({ kind: 'COLLECT-GARBAGE', i: st.i, n, d });
  }
  return out;
}
