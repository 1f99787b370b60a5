// Auxiliary functions of the replica automata: Fig 2-9 (A_gc) and "Auxiliary functions" of A.1.
// Functions of a message set M take a MessageSet; "(…, i)" forms take replica i's log in_i.
//
// Two places of the text are read in a way the reader should know about (see ERRATA.md):
// - N in correct-new-view and SEND-NEW-VIEW writes "∄ v', m', n : last-prepared(m', v', n, …)",
//   which rebinds n and makes N always empty. The corrected reading (default) leaves n free;
//   `literalNullSet` selects the written one.
// - max of an empty set is not defined by the text; max-n(∅) is 0 here (see maxN).
//
// The exported predicates dispatch through the universe's protocol table (automata/protocol.ts),
// so that a variant changes them for every caller in the automata; `thesis…` are the text's forms,
// the table's defaults (automata/protocol-base.ts).
import type { Payload } from './messages.ts';
import { MessageSet } from './message-set.ts';
import type { Message, NewView, PrePrepare, Prepare, ViewChange } from './messages.ts';
import type { Variant } from './config.ts';
import type { Universe } from './universe.ts';


export const prepared = (u: Universe, m: Payload, v: number, n: number, M: MessageSet): boolean => u.proto.prepared(u, m, v, n, M);
export const lastPrepared = (u: Universe, m: Payload, v: number, n: number, M: MessageSet): boolean => u.proto.lastPrepared(u, m, v, n, M);
export const committed = (u: Universe, m: Payload, v: number, n: number, inI: MessageSet): boolean => u.proto.committed(u, m, v, n, inI);
export const computeON = (u: Universe, v: number, V: readonly Message[], signer: number): { O: PrePrepare[]; N: PrePrepare[] } => u.proto.computeON(u, v, V, signer);

/** prepared(m, v, n, M) (Fig 2-9, A.1): the pre-prepare from primary(v) and 2f prepares from others. */
export function thesisPrepared(u: Universe, m: Payload, v: number, n: number, M: MessageSet): boolean {
  const p = u.primary(v);
  if (!M.hasPrePrepare(v, n, m, p)) return false;
  const signers = M.prepareSignersOf(v, n, u.interner.digest(m));
  const count = signers.size - (signers.has(p) ? 1 : 0);
  return count >= u.proto.quorums.prepare;
}

/** Every (m, v) with prepared(m, v, n, M) for one sequence number n. */
export function preparedAt(u: Universe, n: number, M: MessageSet): { m: Payload; v: number }[] {
  const out: { m: Payload; v: number }[] = [];
  for (const pp of M.prePreparesAt(n)) {
    if (pp.signer !== u.primary(pp.v)) continue;
    if (prepared(u, pp.m, pp.v, n, M)) out.push({ m: pp.m, v: pp.v });
  }
  return out;
}

/**
 * last-prepared(m, v, n, M) ≡ prepared(m, v, n, M) ∧
 *   ∄ m', v' : ((prepared(m', v', n, M) ∧ v' > v) ∨ (prepared(m', v, n, M) ∧ m ≠ m'))
 */
export function thesisLastPrepared(u: Universe, m: Payload, v: number, n: number, M: MessageSet): boolean {
  if (!prepared(u, m, v, n, M)) return false;
  for (const q of preparedAt(u, n, M)) if (q.v > v || (q.v === v && q.m !== m)) return false;
  return true;
}

/** All ⟨m, v, n⟩ with last-prepared(m, v, n, M), ordered by n (and by v, then m's id, at one n). */
export function lastPreparedAll(u: Universe, M: MessageSet): { m: Payload; v: number; n: number }[] {
  const out: { m: Payload; v: number; n: number }[] = [];
  const ns = [...M.ppByN.keys()].sort((a, b) => a - b);
  for (const n of ns) {
    const ps = preparedAt(u, n, M).sort((a, b) => a.v - b.v || (a.m?.id ?? -1) - (b.m?.id ?? -1));
    for (const p of ps) if (lastPrepared(u, p.m, p.v, n, M)) out.push({ m: p.m, v: p.v, n });
  }
  return out;
}

/**
 * committed(m, v, n, i) ≡ (∃ v' : ⟨PRE-PREPARE, v', n, m⟩σprimary(v') ∈ in_i ∨ m ∈ in_i) ∧
 *   ∃ R : (|R| ≥ 2f + 1 ∧ ∀ k ∈ R : ⟨COMMIT, v, n, D(m), k⟩σk ∈ in_i)
 */
export function thesisCommitted(u: Universe, m: Payload, v: number, n: number, inI: MessageSet): boolean {
  if (inI.commitSignersOf(v, n, u.interner.digest(m)).size < u.proto.quorums.commit) return false;
  if (m !== null && inI.has(m)) return true;
  for (const pp of inI.prePreparesAt(n)) if (pp.m === m && pp.signer === u.primary(pp.v)) return true;
  return false;
}

/** merge-P(V) ≡ { m | ∃ ⟨VIEW-CHANGE, v, …, P, k⟩σk ∈ V : m ∈ P } (V ⊆ M: other messages in V add nothing) */
export function mergeP(u: Universe, V: readonly Message[]): MessageSet {
  const s = new MessageSet(u.interner);
  for (const vc of V) if (vc.tag === 'VIEW-CHANGE') for (const p of vc.P) s.add(p);
  return s;
}

/**
 * max-n(M): the largest n of a pre-prepare in M, and in A_gc also of a view-change's checkpoint
 * (Fig 2-9). The text leaves max(∅) undefined; we take 0, the least sequence number, so that
 * "n < max-n(∅)" holds for no n. (A_gc's SEND-NEW-VIEW does not use max-n(∅) for seqno_i; see
 * replica-gc.ts and ERRATA.md.)
 */
export function maxN(variant: Variant, M: Iterable<Message>): number {
  let best = 0;
  for (const m of M) {
    if (m.tag === 'PRE-PREPARE') best = Math.max(best, m.n);
    else if (variant === 'Agc' && m.tag === 'VIEW-CHANGE' && m.gc !== null) best = Math.max(best, m.gc.n);
  }
  return best;
}

/**
 * correct-view-change(m, v, j): A.1 form ∃ P : (m = ⟨VIEW-CHANGE, v, P, j⟩σj ∧
 *   ∀ ⟨PRE-PREPARE, v', n, m'⟩σprimary(v') ∈ P : (last-prepared(m', v', n, P) ∧ v' < v));
 * A_gc form (Fig 2-9) adds the stable certificate C for ⟨n, s⟩ and 0 < n' − n ≤ L.
 * Depends on the message only (its v and j are the message's own), so it is memoized.
 */
export function correctViewChange(u: Universe, m: Message, v: number, j: number): boolean {
  if (m.tag !== 'VIEW-CHANGE' || m.v !== v || m.j !== j) return false;
  return memo(u.correctViewChangeMemo, m.id, () => u.proto.correctViewChange(u, m));
}

function memo(table: Map<number, boolean>, id: number, compute: () => boolean): boolean {
  let r = table.get(id);
  if (r === undefined) {
    r = compute();
    table.set(id, r);
  }
  return r;
}

export function thesisCorrectViewChange(u: Universe, m: ViewChange): boolean {
  const variant = u.config.variant;
  if ((variant === 'A') !== (m.gc === null)) return false; // the other automaton's form
  const P = MessageSet.of(u.interner, m.P);
  let h = 0;
  if (m.gc !== null) {
    // ∃ R : (|R| > f ∧ ∀ k ∈ R : (∃ v'' < v : ⟨CHECKPOINT, v'', n, D(s), k⟩σk ∈ C))
    const d = u.interner.valueDigest(m.gc.s);
    const R = new Set<number>();
    for (const c of m.gc.C) if (c.tag === 'CHECKPOINT' && c.v < m.v && c.n === m.gc.n && c.d === d) R.add(c.j);
    if (R.size < u.proto.quorums.stableCheckpoint) return false;
    h = m.gc.n;
  }
  for (const pp of m.P) {
    if (pp.tag !== 'PRE-PREPARE' || pp.signer !== u.primary(pp.v)) continue;
    if (!lastPrepared(u, pp.m, pp.v, pp.n, P) || !(pp.v < m.v)) return false;
    if (m.gc !== null && !(0 < pp.n - h && pp.n - h <= u.config.L)) return false;
  }
  return true;
}

/** The sets O and N a primary computes from V for view v (Fig 2-13, A.1 SEND-NEW-VIEW). */
export function thesisComputeON(u: Universe, v: number, V: readonly Message[], signer: number): { O: PrePrepare[]; N: PrePrepare[] } {
  const variant = u.config.variant;
  const merged = mergeP(u, V);
  const lp = lastPreparedAll(u, merged);
  const low = variant === 'Agc' ? maxN('Agc', V) : -1; // A_gc: n > max-n(V); A: any n ∈ ℕ
  // O = {⟨PRE-PREPARE, v, n, m⟩ | (n > max-n(V) ∧) ∃ v' : last-prepared(m, v', n, merge-P(V))}
  const O = lp.filter((x) => x.n > low).map((x) => u.interner.prePrepare(v, x.n, x.m, signer));
  const top = maxN(variant, O);
  const N: PrePrepare[] = [];
  if (!u.config.readings.literalNullSet) {
    // N = {⟨PRE-PREPARE, v, n, null⟩ | (max-n(V) <) n < max-n(O) ∧ ∄ v', m : last-prepared(m, v', n, merge-P(V))}
    const taken = new Set(lp.map((x) => x.n));
    for (let n = low + 1; n < top; n++) if (!taken.has(n)) N.push(u.interner.prePrepare(v, n, null, signer));
  }
  // Literal: "∄ v', m, n : last-prepared(…)" holds only when nothing is last-prepared; then O = {}
  // and max-n(O) = 0, so no n satisfies n < max-n(O): N is always empty.
  return { O, N };
}

/**
 * correct-new-view(m, v) ≡ ∃ V, O, N, R : (m = ⟨NEW-VIEW, v, V, O, N⟩σprimary(v) ∧
 *   |V| = |R| = 2f + 1 ∧ ∀ k ∈ R : (∃ m' ∈ V : correct-view-change(m', v, k)) ∧ O = … ∧ N = …)
 * (Fig 2-9 for A_gc; A.1, whose first line is restored as in READING-NOTES 8). Memoized.
 */
export function correctNewView(u: Universe, m: Message, v: number): boolean {
  if (m.tag !== 'NEW-VIEW' || m.v !== v) return false;
  return memo(u.correctNewViewMemo, m.id, () => u.proto.correctNewView(u, m));
}

export function thesisCorrectNewView(u: Universe, m: NewView): boolean {
  const p = u.primary(m.v);
  const q = u.proto.quorums.newView;
  if (m.signer !== p || m.V.length !== q) return false;
  const R = new Set<number>();
  for (const vc of m.V) if (vc.tag === 'VIEW-CHANGE' && correctViewChange(u, vc, m.v, vc.j)) R.add(vc.j);
  if (R.size !== q) return false;
  const { O, N } = computeON(u, m.v, m.V, p);
  return sameSet(O, m.O) && sameSet(N, m.N);
}

function sameSet(a: readonly Message[], b: readonly Message[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set<Message>(a);
  return b.every((x) => s.has(x));
}

/** has-new-view(v, i) ≡ v = 0 ∨ ∃ m : (m ∈ in_i ∧ correct-new-view(m, v)) */
export function hasNewView(u: Universe, v: number, inI: MessageSet): boolean {
  if (v === 0) return true;
  for (const m of inI.newViewsByV.get(v) ?? []) if (correctNewView(u, m, v)) return true;
  return false;
}

/** The prepare a replica sends for a pre-prepare: ⟨PREPARE, v, n, D(m), i⟩σi */
export function prepareFor(u: Universe, pp: PrePrepare, i: number): Prepare {
  return u.interner.prepare(pp.v, pp.n, u.interner.digest(pp.m), i);
}
