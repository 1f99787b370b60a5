// The judge's own auxiliary functions for certificates: prepared, last-prepared, committed and
// merge-P, written from the text of Fig 2-9 (A_gc) and of A.1's "Auxiliary functions" (thesis
// lines ~640-652 and ~2606-2618), which read the same for these four. The invariants and the
// relations evaluate these, never the automata's aux-functions.ts: a protocol variant (a mutant
// of the model) changes what the replicas run, and the judge must go on evaluating the thesis.
//
// What is shared with the model is data only: the message set's indexes (the pre-prepares at n,
// the signers of PREPARE(v, n, d, ·) and COMMIT(v, n, d, ·)), the interner's digests D and the
// configuration's f. Messages are interned (one object per message), so m = m' is identity, and
// a signature σk is the message's own signer field (messages.ts signerOf).
//
// Quantifiers over the thesis's infinite message set M are reduced to what is in the set: a
// prepared certificate for (m, v, n) needs ⟨PRE-PREPARE, v, n, m⟩σprimary(v) ∈ M, so the m', v'
// of the ∄ in last-prepared range over the primary-signed pre-prepares of M at n; and
// "∃ R : (|R| ≥ k ∧ ∀ j ∈ R : …)" holds iff the set of every j that satisfies the body (the
// largest R) has at least k members.
import { MessageSet } from '../../automata/message-set.ts';
import type { Message, Payload, PrePrepare } from '../../automata/messages.ts';
import type { Universe } from '../../automata/universe.ts';

/** primary(v) ≡ v mod |R| (Fig 2-9, A.1), with |R| = 3f + 1. */
export function primary(u: Universe, v: number): number {
  return v % (3 * u.f + 1);
}

/** ⟨PRE-PREPARE, v, n, m⟩σprimary(v) ∈ M, by a scan of M's pre-prepares at n. */
function hasPrimaryPrePrepare(u: Universe, m: Payload, v: number, n: number, M: MessageSet): boolean {
  const p = primary(u, v);
  for (const pp of M.prePreparesAt(n)) if (pp.v === v && pp.m === m && pp.signer === p) return true;
  return false;
}

/**
 * prepared(m, v, n, M) ≡ ⟨PRE-PREPARE, v, n, m⟩σprimary(v) ∈ M ∧
 *   ∃ R : (|R| ≥ 2f ∧ primary(v) ∉ R ∧ ∀ k ∈ R : (⟨PREPARE, v, n, D(m), k⟩σk ∈ M))
 * (Fig 2-9; A.1). prepared(m, v, n, i) ≡ prepared(m, v, n, in_i): pass in_i as M.
 */
export function prepared(u: Universe, m: Payload, v: number, n: number, M: MessageSet): boolean {
  if (!hasPrimaryPrePrepare(u, m, v, n, M)) return false;
  const p = primary(u, v);
  // R: every k ≠ primary(v) with ⟨PREPARE, v, n, D(m), k⟩σk ∈ M (the largest R)
  let R = 0;
  for (const k of M.prepareSignersOf(v, n, u.interner.digest(m))) if (k !== p) R++;
  return R >= 2 * u.f;
}

/**
 * Every (m, v) with prepared(m, v, n, M) at one sequence number n (an enumeration, not a
 * definition of the text): the candidates are M's pre-prepares at n signed by primary(v), each
 * confirmed by prepared itself. In the order of M's pre-prepares at n.
 */
export function preparedAt(u: Universe, n: number, M: MessageSet): { m: Payload; v: number }[] {
  const out: { m: Payload; v: number }[] = [];
  for (const pp of M.prePreparesAt(n)) if (pp.signer === primary(u, pp.v) && prepared(u, pp.m, pp.v, n, M)) out.push({ m: pp.m, v: pp.v });
  return out;
}

/**
 * last-prepared(m, v, n, M) ≡ prepared(m, v, n, M) ∧
 *   ∄ m', v' : ((prepared(m', v', n, M) ∧ v' > v) ∨ (prepared(m', v, n, M) ∧ m ≠ m'))
 * (Fig 2-9; A.1). The m', v' range over the pre-prepares of M at n (see the top of the file).
 */
export function lastPrepared(u: Universe, m: Payload, v: number, n: number, M: MessageSet): boolean {
  if (!prepared(u, m, v, n, M)) return false;
  for (const pp of M.prePreparesAt(n)) {
    const m2 = pp.m;
    const v2 = pp.v;
    if (v2 > v && prepared(u, m2, v2, n, M)) return false;
    if (v2 === v && m2 !== m && prepared(u, m2, v, n, M)) return false;
  }
  return true;
}

/**
 * Every ⟨m, v, n⟩ with last-prepared(m, v, n, M), ordered by n (at most one per n: two would be
 * prepared at the same n, and the one of the lower view, or either at one view, is not last).
 * The candidates are M's primary-signed pre-prepares, each confirmed by last-prepared itself.
 */
export function lastPreparedAll(u: Universe, M: MessageSet): { m: Payload; v: number; n: number }[] {
  const out: { m: Payload; v: number; n: number }[] = [];
  const ns = [...M.ppByN.keys()].sort((a, b) => a - b);
  for (const n of ns)
    for (const pp of M.prePreparesAt(n))
      if (pp.signer === primary(u, pp.v) && lastPrepared(u, pp.m, pp.v, n, M)) out.push({ m: pp.m, v: pp.v, n });
  return out;
}

/**
 * committed(m, v, n, i) ≡ (∃ v' : (⟨PRE-PREPARE, v', n, m⟩σprimary(v') ∈ in_i) ∨ m ∈ in_i) ∧
 *   ∃ R : (|R| ≥ 2f + 1 ∧ ∀ k ∈ R : (⟨COMMIT, v, n, D(m), k⟩σk ∈ in_i))
 * (Fig 2-9; A.1). The null request is not a message: null ∈ in_i is false.
 */
export function committed(u: Universe, m: Payload, v: number, n: number, inI: MessageSet): boolean {
  // R: every k with ⟨COMMIT, v, n, D(m), k⟩σk ∈ in_i (the largest R)
  if (inI.commitSignersOf(v, n, u.interner.digest(m)).size < 2 * u.f + 1) return false;
  if (m !== null && inI.has(m)) return true;
  for (const pp of inI.prePreparesAt(n)) if (pp.m === m && pp.signer === primary(u, pp.v)) return true;
  return false;
}

/**
 * merge-P(V) ≡ { m | ∃ ⟨VIEW-CHANGE, v, P, k⟩σk ∈ V : m ∈ P } (A.1), and in A_gc
 * merge-P(V) ≡ { m | ∃ ⟨VIEW-CHANGE, v, n, s, C, P, k⟩σk ∈ V : m ∈ P } (Fig 2-9).
 * The pattern names the automaton's own form of view-change (ERRATA readings R15: a member of V
 * of another form, or another kind, adds nothing).
 */
export function mergeP(u: Universe, V: readonly Message[]): MessageSet {
  const s = new MessageSet(u.interner);
  for (const vc of V) if (vc.tag === 'VIEW-CHANGE' && isOwnForm(u, vc.gc)) for (const p of vc.P) s.add(p);
  return s;
}

/** A view-change has the automaton's own form: A's ⟨VIEW-CHANGE, v, P, j⟩ or A_gc's ⟨VIEW-CHANGE, v, n, s, C, P, j⟩. */
export function isOwnForm(u: Universe, gc: object | null): boolean {
  return (u.config.variant === 'Agc') === (gc !== null);
}

/** The primary-signed pre-prepares of a message list (what the ∀ of correct-view-change ranges over). */
export function primaryPrePrepares(u: Universe, P: readonly Message[]): PrePrepare[] {
  const out: PrePrepare[] = [];
  for (const p of P) if (p.tag === 'PRE-PREPARE' && p.signer === primary(u, p.v)) out.push(p);
  return out;
}
