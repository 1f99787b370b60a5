// Transitions that the replica of A (A.1) and the replica of A_gc (Figs 2-12, 2-13) share word
// for word, and the pieces of SEND-VIEW-CHANGE that both build the same way.
import type { Payload } from './messages.ts';
import type { ReplicaInternal } from './actions.ts';
import { committed, hasNewView, lastPreparedAll, prepared } from './aux-functions.ts';
import type { Message, Prepare, PrePrepare, Request, ViewChange } from './messages.ts';
import type { ReplicaState } from './replica-state.ts';
import { primaryOf } from './replica-state.ts';
import type { Universe } from './universe.ts';

/**
 * RECEIVE(⟨REQUEST, o, t, c⟩σc)_i (Fig 2-12; A.1 read as in READING-NOTES 7)
 *   Eff: let m = ⟨REQUEST, o, t, c⟩σc
 *        if t = last-rep-t_i(c) then out_i := out_i ∪ {⟨REPLY, view_i, t, c, i, last-rep_i(c)⟩σi}
 *        else if t > last-rep-t_i(c) then
 *          in_i := in_i ∪ {m}
 *          if primary(i) ≠ i then out_i := out_i ∪ {m}
 */
export function receiveRequest(u: Universe, st: ReplicaState, m: Request): void {
  const { t, c } = m;
  if (c < 0 || c >= u.clients) return; // not a client of this system: no such input action
  if (t === st.lastRepT[c]) {
    st.out.add(u.interner.reply(st.view, t, c, st.i, st.lastRep[c]!));
  } else if (t > st.lastRepT[c]!) {
    st.in.add(m);
    if (primaryOf(u, st) !== st.i) st.out.add(m);
  }
}

/**
 * The new-view actions' "out_i := X" (Fig 2-13: out_i := {m}, out_i := {}; A.1: out_i := {m},
 * out_i := P). As written (readings.literalOutReset) this drops messages never sent, such as the
 * replica's own COMMIT, which the proof of Invariant A.2.3 assumes cannot happen ("messages are
 * only removed from out_j when they are sent"); corrected (default): out_i := out_i ∪ X (ERRATA E3).
 */
export function resetOut(u: Universe, st: ReplicaState, X: Iterable<Message>): void {
  if (u.config.readings.literalOutReset) st.out.clear();
  for (const m of X) st.out.add(m);
}

/**
 * SEND-COMMIT(m, v, n)_i (Fig 2-12, A.1)
 *   Pre: prepared(m, v, n, i) ∧ ⟨COMMIT, v, n, D(m), i⟩σi ∉ in_i
 */
export function sendCommitPre(u: Universe, st: ReplicaState, m: Payload, v: number, n: number): boolean {
  return prepared(u, m, v, n, st.in) && !st.in.hasCommitFrom(v, n, u.interner.digest(m), st.i);
}
/**   Eff: let c = ⟨COMMIT, v, n, D(m), i⟩σi; out_i := out_i ∪ {c}; in_i := in_i ∪ {c} */
export function sendCommitEff(u: Universe, st: ReplicaState, m: Payload, v: number, n: number): void {
  const c = u.interner.commit(v, n, u.interner.digest(m), st.i);
  st.out.add(c);
  st.in.add(c);
}
/** Candidates for SEND-COMMIT: pre-prepares in in_i without i's commit (MessageSet.uncommitted). */
export function sendCommitCandidates(u: Universe, st: ReplicaState): { m: Payload; v: number; n: number }[] {
  const out: { m: Payload; v: number; n: number }[] = [];
  for (const pp of st.in.uncommitted) if (sendCommitPre(u, st, pp.m, pp.v, pp.n)) out.push({ m: pp.m, v: pp.v, n: pp.n });
  return out;
}

/**
 * The set P of SEND-VIEW-CHANGE (Fig 2-13, A.1):
 *   P' = {⟨m, v, n⟩ | last-prepared(m, v, n, i)},
 *   P = ⋃_{⟨m,v,n⟩ ∈ P'} ({p = ⟨PREPARE, v, n, D(m), k⟩σk | p ∈ in_i} ∪ {⟨PRE-PREPARE, v, n, m⟩σprimary(v)})
 */
export function viewChangeP(u: Universe, st: ReplicaState): (PrePrepare | Prepare)[] {
  const P: (PrePrepare | Prepare)[] = [];
  for (const { m, v, n } of lastPreparedAll(u, st.in)) {
    const d = u.interner.digest(m);
    for (const k of [...st.in.prepareSignersOf(v, n, d)].sort((a, b) => a - b)) P.push(u.interner.prepare(v, n, d, k));
    P.push(u.interner.prePrepare(v, n, m, u.primary(v)));
  }
  return P;
}

/** ∄ d : (d ≠ D(m) ∧ ⟨PREPARE, v, n, d, i⟩σi ∈ in_i) — the backup has not prepared another request. */
export function noConflictingPrepare(u: Universe, st: ReplicaState, v: number, n: number, m: Payload): boolean {
  const dm = u.interner.digest(m);
  for (const p of st.in.preparesByN.get(n) ?? []) if (p.v === v && p.j === st.i && p.d !== dm) return false;
  return true;
}

/** Bounded, deterministic choices of a new-view certificate V: `quorum` view-changes from distinct signers. */
export function chooseCertificates<T extends { j: number; id: number }>(byView: Iterable<T>, quorum: number, limit: number): T[][] {
  const bySigner = new Map<number, T[]>();
  for (const vc of byView) {
    const list = bySigner.get(vc.j) ?? [];
    list.push(vc);
    bySigner.set(vc.j, list);
  }
  const signers = [...bySigner.keys()].sort((a, b) => a - b);
  for (const l of bySigner.values()) l.sort((a, b) => a.id - b.id);
  const out: T[][] = [];
  // Combinations of `quorum` signers in lexicographic order, then one message per signer.
  const pick = (start: number, chosen: T[]): void => {
    if (out.length >= limit) return;
    if (chosen.length === quorum) {
      out.push([...chosen]);
      return;
    }
    for (let s = start; s < signers.length && out.length < limit; s++)
      for (const vc of bySigner.get(signers[s]!)!) {
        chosen.push(vc);
        pick(s + 1, chosen);
        chosen.pop();
        if (out.length >= limit) return;
      }
  };
  pick(0, []);
  return out;
}

/** Every (m, v) with committed(m, v, n, i), for one n; m ranges over what in_i can name. */
export function committedCandidates(u: Universe, st: ReplicaState, n: number): { m: Payload; v: number }[] {
  const out: { m: Payload; v: number }[] = [];
  const seen = new Set<Payload>();
  const candidates: (Payload)[] = [];
  for (const pp of st.in.prePreparesAt(n)) if (pp.signer === u.primary(pp.v) && !seen.has(pp.m)) seen.add(pp.m), candidates.push(pp.m);
  for (const r of st.in.requests) if (!seen.has(r)) seen.add(r), candidates.push(r);
  for (const m of candidates) {
    const d = u.interner.digest(m);
    const views = new Set<number>();
    for (const c of st.in.commitsByN.get(n) ?? []) if (c.d === d) views.add(c.v);
    // The views of m's pre-prepares too: committed needs commits of the view, so under the thesis
    // these add nothing, but a variant of committed may count other evidence (automata/variant.ts).
    if (u.variants.length !== 0) for (const pp of st.in.prePreparesAt(n)) if (pp.m === m) views.add(pp.v);
    for (const v of [...views].sort((a, b) => a - b)) if (committed(u, m, v, n, st.in)) out.push({ m, v });
  }
  return out;
}

/**
 * EXECUTE(m, v, n)_i (A.1; the first part of Fig 2-12's, which adds the checkpoint)
 *   Eff: last-exec_i := n
 *        if (m ≠ null) then
 *          let ⟨REQUEST, o, t, c⟩σc = m      (A_gc: if ∃ o, t, c : m = ⟨REQUEST, o, t, c⟩σc then)
 *            if t ≥ last-rep-t_i(c) then
 *              if t > last-rep-t_i(c) then last-rep-t_i(c) := t; (last-rep_i(c), val_i) := g(c, o, val_i)
 *              out_i := out_i ∪ {⟨REPLY, view_i, t, c, i, last-rep_i(c)⟩σi}
 *        in_i := in_i − {m}
 * A payload that is not a request executes nothing, in A as in A_gc (ERRATA R14: A.1's "let"
 * does not say what happens then). The last line removes any payload m from in_i as written
 * (`literalExecuteRemoval`, E22); by default only a request is removed: removing any other message
 * lets a faulty primary erase a correct replica's own prepare from its log (E22).
 */
export function executeEff(u: Universe, st: ReplicaState, m: Payload, n: number): void {
  st.lastExec = n;
  if (m === null) return;
  if (m.tag === 'REQUEST') {
    const { o, t, c } = m;
    if (t >= st.lastRepT[c]!) {
      if (t > st.lastRepT[c]!) {
        st.lastRepT[c] = t;
        const [r, val] = u.service.g(c, o, st.val);
        st.lastRep[c] = r;
        st.val = val;
      }
      st.out.add(u.interner.reply(st.view, t, c, st.i, st.lastRep[c]!));
    }
  }
  if (m.tag === 'REQUEST' || u.config.readings.literalExecuteRemoval) st.in.delete(m);
}

/**
 * SEND-PRE-PREPARE(m, v, n)_i (Fig 2-12, A.1)
 *   Pre: primary(i) = i ∧ seqno_i = n − 1 ∧ in-wv(v, n, i) [A.1: in-v(v, i)] ∧ has-new-view(v, i) ∧
 *        ∃ o, t, c : (m = ⟨REQUEST, o, t, c⟩σc ∧ m ∈ in_i) ∧ ∄ ⟨PRE-PREPARE, v, n', m⟩σi ∈ in_i
 * `inWindow` is the in-wv or in-v conjunct, evaluated by the caller.
 */
export function sendPrePreparePre(u: Universe, st: ReplicaState, m: Request, v: number, n: number, inWindow: boolean): boolean {
  return (
    primaryOf(u, st) === st.i &&
    st.seqno === n - 1 &&
    inWindow &&
    hasNewView(u, v, st.in) &&
    m.tag === 'REQUEST' &&
    st.in.has(m) &&
    !st.in.hasPrePrepareOf(v, m, st.i)
  );
}
/**   Eff: seqno_i := seqno_i + 1; let p = ⟨PRE-PREPARE, v, n, m⟩σi; out_i := out_i ∪ {p}; in_i := in_i ∪ {p} */
export function sendPrePrepareEff(u: Universe, st: ReplicaState, m: Request, v: number, n: number): void {
  st.seqno = st.seqno + 1;
  const p = u.interner.prePrepare(v, n, m, st.i);
  st.out.add(p);
  st.in.add(p);
}

/**
 * SEND-NEW-VIEW(v, V)_i (Fig 2-13 read as in READING-NOTES 6; A.1)
 *   Pre: primary(v) = i ∧ v ≥ view_i ∧ v > 0 ∧ V ⊆ in_i ∧ |V| = 2f + 1 ∧ ¬has-new-view(v, i) ∧
 *        ∃ R : (|R| = 2f + 1 ∧ ∀ k ∈ R : (∃ n, s, C, P : (⟨VIEW-CHANGE, v, n, s, C, P, k⟩σk ∈ V)))
 * (in A: ∃ P : ⟨VIEW-CHANGE, v, P, k⟩σk ∈ V; the message form is the variant's own).
 */
export function sendNewViewPre(u: Universe, st: ReplicaState, v: number, V: readonly ViewChange[]): boolean {
  const q = u.proto.quorums.newView;
  if (!(u.primary(v) === st.i && v >= st.view && v > 0 && V.length === q)) return false;
  if (!V.every((vc) => st.in.has(vc)) || new Set(V).size !== V.length) return false;
  if (hasNewView(u, v, st.in)) return false;
  const ownForm = (vc: ViewChange) => (vc.gc === null) === (u.config.variant === 'A');
  const R = new Set(V.filter((vc) => vc.v === v && ownForm(vc)).map((vc) => vc.j));
  return R.size === q;
}

/** SEND-NEW-VIEW(v, V)_i for each view this replica is primary of, with a bounded choice of V. */
export function sendNewViewChoices(u: Universe, st: ReplicaState): ReplicaInternal[] {
  const out: ReplicaInternal[] = [];
  for (const [v, vcs] of [...st.in.viewChangesByV].sort((a, b) => a[0] - b[0])) {
    if (v > u.config.maxView || u.primary(v) !== st.i || v < st.view || v === 0 || hasNewView(u, v, st.in)) continue;
    for (const V of chooseCertificates([...vcs], u.proto.quorums.newView, u.config.maxNewViewChoices))
      if (sendNewViewPre(u, st, v, V)) out.push({ kind: 'SEND-NEW-VIEW', v, V, i: st.i });
  }
  return out;
}

/**
 * The enabled SEND-PRE-PREPARE, SEND-COMMIT, EXECUTE and SEND-NEW-VIEW actions both replica kinds
 * have, under the configured bounds, in a stable order; `inWindow(v, n)` is the variant's in-v or
 * in-wv.
 */
export function enabledProtocol(u: Universe, st: ReplicaState, inWindow: (v: number, n: number) => boolean): ReplicaInternal[] {
  const out: ReplicaInternal[] = [];
  const { i, view: v } = st;
  const n = st.seqno + 1;
  if (primaryOf(u, st) === i && n <= u.config.maxSeqno && inWindow(v, n) && hasNewView(u, v, st.in))
    for (const m of [...st.in.requests].sort((a, b) => a.id - b.id))
      if (!st.in.hasPrePrepareOf(v, m, i)) out.push({ kind: 'SEND-PRE-PREPARE', m, v, n, i });
  for (const c of sendCommitCandidates(u, st)) out.push({ kind: 'SEND-COMMIT', ...c, i });
  for (const c of committedCandidates(u, st, st.lastExec + 1)) out.push({ kind: 'EXECUTE', ...c, n: st.lastExec + 1, i });
  out.push(...sendNewViewChoices(u, st));
  return out;
}

/** SEND-VIEW-CHANGE(view_i + 1)_i (always enabled, Fig 2-13, A.1), within the view bound. */
export function enabledViewChange(u: Universe, st: ReplicaState): ReplicaInternal[] {
  return st.view + 1 <= u.config.maxView ? [{ kind: 'SEND-VIEW-CHANGE', v: st.view + 1, i: st.i }] : [];
}

/** Which internal actions a family of the scheduler (automata/enabled.ts) asks a replica for. */
export type InternalFamily = 'protocol' | 'view-change' | 'garbage';
