// The judge's own auxiliary functions of view changes: max-n, correct-view-change, the sets O and
// N, correct-new-view and has-new-view, written from the text of Fig 2-9 (A_gc, thesis lines
// ~653-660) and of A.1's "Auxiliary functions" (lines ~2619-2629, the first line of
// correct-new-view restored as READING-NOTES 8 says). The invariants and the relations evaluate
// these, never the automata's aux-functions.ts (see certificates.ts for why and what is shared).
//
// The A and A_gc forms are chosen by u.config.variant, and the readings of the text by
// u.config.readings, as the model chooses them, so the judge runs the same text as the judged:
// - ERRATA E1 (readings.literalNullSet): N's "∄ v', m', n : last-prepared(m', v', n, merge-P(V))"
//   rebinds n; the corrected reading (default) leaves n the set's own variable.
// - ERRATA readings R1: max of an empty set is 0.
// - ERRATA readings R15: a member of V, P or C of another kind (or a view-change of the other
//   automaton's form) is ignored where a pattern names the kind.
//
// correct-view-change and correct-new-view depend on the message alone (their v and j are the
// message's own), so they are memoized per universe here, in a WeakMap of the judge's, apart from
// the universe's own memo tables (which belong to the model). Nothing here builds a message but
// buildON, which a relation calls to make the messages of its translation: the checks must not
// create interned messages (the interner's ids must not depend on whether a run is checked).
import type { Variant } from '../../automata/config.ts';
import { MessageSet } from '../../automata/message-set.ts';
import type { Message, NewView, Payload, PrePrepare, ViewChange } from '../../automata/messages.ts';
import type { Universe } from '../../automata/universe.ts';
import { isOwnForm, lastPrepared, lastPreparedAll, mergeP, primary, primaryPrePrepares } from './certificates.ts';

/** max(S) for a set of naturals, with max(∅) = 0 (ERRATA readings R1: the text leaves it undefined). */
function maxOf(S: Iterable<number>): number {
  let best: number | null = null;
  for (const n of S) if (best === null || n > best) best = n;
  return best ?? 0;
}

/**
 * max-n(M) ≡ max({n | ⟨PRE-PREPARE, v, n, m⟩σi ∈ M}) (A.1), and in A_gc (Fig 2-9)
 * max-n(M) ≡ max({n | ⟨PRE-PREPARE, v, n, m⟩σi ∈ M ∨ ⟨VIEW-CHANGE, v, n, s, C, P, i⟩σi ∈ M}).
 */
export function maxN(variant: Variant, M: Iterable<Message>): number {
  const ns: number[] = [];
  for (const m of M) {
    if (m.tag === 'PRE-PREPARE') ns.push(m.n);
    else if (variant === 'Agc' && m.tag === 'VIEW-CHANGE' && m.gc !== null) ns.push(m.gc.n);
  }
  return maxOf(ns);
}

const correctViewChangeMemo = new WeakMap<Universe, Map<number, boolean>>();
const correctNewViewMemo = new WeakMap<Universe, Map<number, boolean>>();

function memoized(table: WeakMap<Universe, Map<number, boolean>>, u: Universe, id: number, compute: () => boolean): boolean {
  let byId = table.get(u);
  if (byId === undefined) table.set(u, (byId = new Map()));
  let r = byId.get(id);
  if (r === undefined) byId.set(id, (r = compute()));
  return r;
}

/**
 * A.1:  correct-view-change(m, v, j) ≡ ∃ P : (m = ⟨VIEW-CHANGE, v, P, j⟩σj ∧
 *         ∀ ⟨PRE-PREPARE, v', n, m'⟩σprimary(v') ∈ P : (last-prepared(m', v', n, P) ∧ v' < v))
 * A_gc (Fig 2-9): correct-view-change(m, v, j) ≡ ∃ n, s, C, P : (m = ⟨VIEW-CHANGE, v, n, s, C, P, j⟩σj ∧
 *         ∃ R : (|R| > f ∧ ∀ k ∈ R : (∃ v'' < v : (⟨CHECKPOINT, v'', n, D(s), k⟩σk ∈ C))) ∧
 *         ∀ ⟨PRE-PREPARE, v', n', m'⟩σprimary(v') ∈ P : (last-prepared(m', v', n', P) ∧ v' < v ∧ 0 < n' − n ≤ L))
 * Memoized by message.
 */
export function correctViewChange(u: Universe, m: Message, v: number, j: number): boolean {
  if (m.tag !== 'VIEW-CHANGE' || m.v !== v || m.j !== j) return false;
  return memoized(correctViewChangeMemo, u, m.id, () => computeCorrectViewChange(u, m));
}

function computeCorrectViewChange(u: Universe, m: ViewChange): boolean {
  // m = ⟨VIEW-CHANGE, v, P, j⟩σj in A, ⟨VIEW-CHANGE, v, n, s, C, P, j⟩σj in A_gc
  if (!isOwnForm(u, m.gc)) return false;
  const P = MessageSet.of(u.interner, m.P);
  const v = m.v;
  if (m.gc === null) return primaryPrePrepares(u, m.P).every((pp) => lastPrepared(u, pp.m, pp.v, pp.n, P) && pp.v < v);
  const { n, s, C } = m.gc;
  // R: every k with some ⟨CHECKPOINT, v'', n, D(s), k⟩σk ∈ C, v'' < v (the largest R)
  const ds = u.interner.valueDigest(s);
  const R = new Set<number>();
  for (const c of C) if (c.tag === 'CHECKPOINT' && c.v < v && c.n === n && c.d === ds) R.add(c.j);
  if (!(R.size > u.f)) return false;
  const L = u.config.L;
  return primaryPrePrepares(u, m.P).every((pp) => lastPrepared(u, pp.m, pp.v, pp.n, P) && pp.v < v && 0 < pp.n - n && pp.n - n <= L);
}

/** O and N of correct-new-view as what their members carry: (n, m') for O, n for N (each ordered by n). */
export interface NewViewSets {
  O: { n: number; m: Payload }[];
  N: number[];
}

/**
 * The sets O and N that correct-new-view(m, v) asks of a new-view with certificate V, as the
 * (n, m') their members ⟨PRE-PREPARE, v, n, m'⟩σprimary(v) carry (which does not depend on v):
 * A.1:  O = {⟨PRE-PREPARE, v, n, m'⟩σprimary(v) | ∃ v' : last-prepared(m', v', n, merge-P(V))}
 *       N = {⟨PRE-PREPARE, v, n, null⟩σprimary(v) | n < max-n(O) ∧ ∄ v', m' : last-prepared(m', v', n, merge-P(V))}
 * A_gc (Fig 2-9): O adds n > max-n(V), N adds max-n(V) < n.
 * N literally (readings.literalNullSet, ERRATA E1): "∄ v', m', n : last-prepared(m', v', n, merge-P(V))".
 */
export function computeON(u: Universe, V: readonly Message[]): NewViewSets {
  const lp = lastPreparedAll(u, mergeP(u, V));
  // n ∈ ℕ in A; max-n(V) < n in A_gc
  const low = u.config.variant === 'Agc' ? maxN('Agc', V) : -1;
  const O = lp.filter((x) => x.n > low).map((x) => ({ n: x.n, m: x.m }));
  const maxNO = maxOf(O.map((x) => x.n)); // max-n(O): O holds pre-prepares only
  const noneAtAll = lp.length === 0; // ∄ v', m', n : last-prepared(m', v', n, merge-P(V))
  const N: number[] = [];
  for (let n = low + 1; n < maxNO; n++) {
    const noneAtN = !lp.some((x) => x.n === n); // ∄ v', m' : last-prepared(m', v', n, merge-P(V))
    if (u.config.readings.literalNullSet ? noneAtAll : noneAtN) N.push(n);
  }
  return { O, N };
}

/**
 * The messages of O and N for a primary `signer` of view v (interned, O by n, then N by n): what a
 * relation's translation builds for a new-view it makes (proofs/h-consistency.ts).
 */
export function buildON(u: Universe, v: number, V: readonly Message[], signer: number): { O: PrePrepare[]; N: PrePrepare[] } {
  const { O, N } = computeON(u, V);
  return { O: O.map((x) => u.interner.prePrepare(v, x.n, x.m, signer)), N: N.map((n) => u.interner.prePrepare(v, n, null, signer)) };
}

/**
 * correct-new-view(m, v) ≡ ∃ V, O, N, R : (m = ⟨NEW-VIEW, v, V, O, N⟩σprimary(v) ∧ |V| = |R| = 2f + 1 ∧
 *   ∀ k ∈ R : (∃ m' ∈ V : (correct-view-change(m', v, k))) ∧ O = {…} ∧ N = {…})
 * (Fig 2-9; A.1, its first line restored as READING-NOTES 8 says; O and N as in computeON).
 * Memoized by message.
 */
export function correctNewView(u: Universe, m: Message, v: number): boolean {
  if (m.tag !== 'NEW-VIEW' || m.v !== v) return false;
  return memoized(correctNewViewMemo, u, m.id, () => computeCorrectNewView(u, m));
}

function computeCorrectNewView(u: Universe, m: NewView): boolean {
  const v = m.v;
  const p = primary(u, v);
  if (m.signer !== p) return false;
  const quorum = 2 * u.f + 1;
  if (m.V.length !== quorum) return false;
  // R: every replica k with a correct view-change of its own for v in V (the largest R; an R of
  // exactly 2f + 1 exists iff it has at least 2f + 1 members)
  let R = 0;
  for (let k = 0; k < 3 * u.f + 1; k++) if (m.V.some((m2) => correctViewChange(u, m2, v, k))) R++;
  if (R < quorum) return false;
  const { O, N } = computeON(u, m.V);
  const isPrePrepareOf = (x: Message, n: number, payload: Payload) => x.tag === 'PRE-PREPARE' && x.v === v && x.signer === p && x.n === n && x.m === payload;
  return sameSet(m.O, O, (x, e) => isPrePrepareOf(x, e.n, e.m)) && sameSet(m.N, N, (x, n) => isPrePrepareOf(x, n, null));
}

/**
 * The set `members` equals the set that `expected` describes: every member is described by some
 * entry and there are as many members as entries (the entries describe distinct messages, and a
 * message matches one entry only).
 */
function sameSet<E>(members: readonly Message[], expected: readonly E[], is: (x: Message, e: E) => boolean): boolean {
  const ms = new Set(members);
  if (ms.size !== expected.length) return false;
  for (const x of ms) if (!expected.some((e) => is(x, e))) return false;
  return true;
}

/** has-new-view(v, i) ≡ v = 0 ∨ ∃ m : (m ∈ in_i ∧ correct-new-view(m, v)) (Fig 2-9; A.1). `inI` is in_i. */
export function hasNewView(u: Universe, v: number, inI: MessageSet): boolean {
  if (v === 0) return true;
  // correct-new-view(m, v) needs m = ⟨NEW-VIEW, v, …⟩: the new-views of in_i for v
  for (const m of inI.newViewsByV.get(v) ?? []) if (correctNewView(u, m, v)) return true;
  return false;
}
