// The consistency predicates of relation H (Definition A.2.6, clauses 3-5, thesis lines ~3212-3238)
// between messages of A'_gc (x) and of A' (y), and the translation of an x message into the y
// message the paired simulation uses for it.
//
//   consistent-vc(m¹, m²) ≡ ∃ v, n, s, l, t, C, P, P', j :
//       (m¹ = ⟨VIEW-CHANGE, v, n, ⟨s, l, t⟩, C, P, j⟩σj ∧ m² = ⟨VIEW-CHANGE, v, P', j⟩σj ∧
//        A'_gc.correct-view-change(m¹, v, j) ⇔ (A'.correct-view-change(m², v, j) ∧
//          P = P' − {m = ⟨PRE-PREPARE, v', n', m'⟩σk ∨ m = ⟨PREPARE, v', n', d', k⟩σk | m ∈ P' ∧ n' ≤ n}))
//   consistent-vc-set(M¹, M²) ≡ ∀ m¹ ∈ M¹ : (∃ m² ∈ M² : consistent-vc(m¹, m²)) ∧
//                               ∀ m² ∈ M² : (∃ m¹ ∈ M¹ : consistent-vc(m¹, m²))
//   consistent-nv-set(M₁, M₂) ≡ M₂ = {m² = ⟨NEW-VIEW, v, V', O', N'⟩σj | ∃ m¹ = ⟨NEW-VIEW, v, V, O, N⟩σj ∈ M₁ :
//       (consistent-vc-set(V, V') ∧ A'_gc.correct-new-view(m¹, v) ⇔ (A'.correct-new-view(m², v) ∧
//        O = O' − {m = ⟨PRE-PREPARE, v, n, m'⟩σj | m ∈ O' ∧ n ≤ max-n(V)} ∧
//        N = N' − {m = ⟨PRE-PREPARE, v, n, m'⟩σj | m ∈ N' ∧ n ≤ max-n(V)}))}
//   consistent-all(M¹, M²) ≡ ∀ m ∈ M¹ : (∃ m' ∈ M² : (tag(m, VIEW-CHANGE) ∧ consistent-vc(m, m')) ∨
//       (tag(m, NEW-VIEW) ∧ consistent-nv-set({m}, {m'})) ∨ (¬tag(m, VIEW-CHANGE) ∧ ¬tag(m, NEW-VIEW) ∧ m = m'))
//
// The ⇔ binds loosest, as the parentheses are written: when m¹ is not correct, m² must not be
// correct or must differ from m¹ below the checkpoint. correct-view-change and correct-new-view are
// each automaton's own (ux: A_gc, uy: A; the two universes share one interner, so equal messages
// are the same object), in the judge's reference forms (invariants/reference/view-change.ts), not
// the protocol table a variant of the model may change.
//
// consistent-nv-set as written (ERRATA E14) says M₂ IS the set of every m² consistent with some
// m¹ ∈ M₁. For any m¹ that set is infinite (V' may carry any extra PREPARE at or below a
// checkpoint's sequence number, e.g. at n = 0, without changing consistency or correctness), so
// it equals no state's finite set: the literal form holds only for M₁ = M₂ = {}. The corrected
// form (default) is the two-way correspondence that consistent-vc-set states for view-changes.
//
// consistent-vc as written (ERRATA E21) cuts P' at the checkpoint but not P: a view-change of A_gc
// that correct-view-change accepts with a stray pre-prepare or prepare at or below n in P (only the
// primaries' pre-prepares are constrained) has no consistent message of A. Corrected, P is cut of
// what correct-view-change ignores at or below n.
import { buildON, correctNewView, correctViewChange, maxN } from '../invariants/reference/view-change.ts';
import { isPrepareLike } from '../automata/messages.ts';
import type { Message, NewView, ViewChange } from '../automata/messages.ts';
import type { Readings } from '../automata/config.ts';
import type { Universe } from '../automata/universe.ts';

/** Which of H's errata (E12-E21) are read literally; each false is the corrected form. */
export interface HReadings {
  faultyLogs: boolean;
  extraRequests: boolean;
  nvSet: boolean;
  betaSend: boolean;
  window: boolean;
  faultyActions: boolean;
  catchUp: boolean;
  vcDelivery: boolean;
  faultyCheckpoints: boolean;
  vcBelow: boolean;
  vcSetMembers: boolean;
}

/** H's readings from a configuration's (every one literal when `all`). */
export function hReadings(r: Readings, all = false): HReadings {
  return {
    faultyLogs: all || (r.literalFaultyLogs ?? false),
    extraRequests: all || (r.literalExtraRequests ?? false),
    nvSet: all || (r.literalNvSet ?? false),
    betaSend: all || (r.literalBetaSend ?? false),
    window: all || (r.literalWindow ?? false),
    faultyActions: all || (r.literalFaultyActions ?? false),
    catchUp: all || (r.literalCatchUp ?? false),
    vcDelivery: all || (r.literalVcDelivery ?? false),
    faultyCheckpoints: all || (r.literalFaultyCheckpoints ?? false),
    vcBelow: all || (r.literalVcBelow ?? false),
    vcSetMembers: all || (r.literalVcSetMembers ?? false),
  };
}

export class HConsistency {
  private readonly vcMemo = new Map<number, Map<number, boolean>>();
  private readonly nvMemo = new Map<number, Map<number, boolean>>();

  constructor(
    /** The universe of A_gc (x). */
    readonly ux: Universe,
    /** The universe of A (y), over the same interner. */
    readonly uy: Universe,
    readonly literal: HReadings,
  ) {}

  /** A'_gc.correct-view-change(m¹, v, j) for m¹'s own v and j. */
  correctGcVc(m: ViewChange): boolean {
    return correctViewChange(this.ux, m, m.v, m.j);
  }
  correctAVc(m: ViewChange): boolean {
    return correctViewChange(this.uy, m, m.v, m.j);
  }
  correctGcNv(m: NewView): boolean {
    return correctNewView(this.ux, m, m.v);
  }
  correctANv(m: NewView): boolean {
    return correctNewView(this.uy, m, m.v);
  }

  /** consistent-vc(m¹, m²) (clause 3). Memoized: it depends on the two messages only. */
  consistentVc(m1: Message, m2: Message): boolean {
    if (m1.tag !== 'VIEW-CHANGE' || m2.tag !== 'VIEW-CHANGE') return false;
    return memo2(this.vcMemo, m1.id, m2.id, () => this.computeConsistentVc(m1, m2));
  }

  private computeConsistentVc(m1: ViewChange, m2: ViewChange): boolean {
    if (m1.gc === null || m2.gc !== null || m1.v !== m2.v || m1.j !== m2.j) return false;
    const n = m1.gc.n;
    const above = m2.P.filter((p) => !(isPrepareLike(p) && p.n <= n)); // P' − {pre-prepares and prepares with n' ≤ n}
    // E21: as written, P must hold nothing at or below n, which correct-view-change does not
    // ensure; corrected, P is cut of what correct-view-change ignores there (all but the
    // primaries' pre-prepares, which make m¹ incorrect and must stay to tell it apart).
    const constrained = (p: Message) => p.tag === 'PRE-PREPARE' && p.signer === this.ux.primary(p.v);
    const P = this.literal.vcBelow ? m1.P : m1.P.filter((p) => !(isPrepareLike(p) && p.n <= n) || constrained(p));
    return this.correctGcVc(m1) === (this.correctAVc(m2) && sameSorted(P, above));
  }

  /**
   * consistent-vc-set(M¹, M²) (clause 3). E23: as written every member must be a view-change with
   * a consistent one on the other side, so no set holding another message (V ⊆ M of a faulty
   * primary's new-view) has a consistent counterpart; corrected, such a member corresponds to
   * itself. Literal: `readings.literalVcSetMembers`.
   */
  consistentVcSet(M1: readonly Message[], M2: readonly Message[]): boolean {
    const matches = (a: Message, b: Message) => this.consistentVc(a, b) || (!this.literal.vcSetMembers && a.tag !== 'VIEW-CHANGE' && a === b);
    return M1.every((a) => M2.some((b) => matches(a, b))) && M2.every((b) => M1.some((a) => matches(a, b)));
  }

  /**
   * The pairwise condition inside consistent-nv-set: m¹ ∈ M₁ and m² are new-views of the same v
   * and signer with consistent-vc-set(V, V') ∧ (correct(m¹) ⇔ (correct(m²) ∧ O = O' − … ∧ N = N' − …)).
   */
  consistentNv(m1: Message, m2: Message): boolean {
    if (m1.tag !== 'NEW-VIEW' || m2.tag !== 'NEW-VIEW') return false;
    return memo2(this.nvMemo, m1.id, m2.id, () => this.computeConsistentNv(m1, m2));
  }

  private computeConsistentNv(m1: NewView, m2: NewView): boolean {
    if (m1.v !== m2.v || m1.signer !== m2.signer) return false;
    if (!this.consistentVcSet(m1.V, m2.V)) return false;
    const top = maxN('Agc', m1.V);
    const above = (X: readonly Message[]) => X.filter((p) => !(p.tag === 'PRE-PREPARE' && p.v === m1.v && p.signer === m1.signer && p.n <= top));
    return this.correctGcNv(m1) === (this.correctANv(m2) && sameSorted(m1.O, above(m2.O)) && sameSorted(m1.N, above(m2.N)));
  }

  /** consistent-nv-set(M₁, M₂) (clause 4): literal (E14) or the two-way correspondence. */
  consistentNvSet(M1: readonly Message[], M2: readonly Message[]): boolean {
    if (this.literal.nvSet) return M1.length === 0 && M2.length === 0;
    return M1.every((a) => M2.some((b) => this.consistentNv(a, b))) && M2.every((b) => M1.some((a) => this.consistentNv(a, b)));
  }

  /** The disjunction of consistent-all for one m ∈ M¹ and one candidate m' ∈ M². */
  consistentOne(m: Message, m2: Message): boolean {
    if (m.tag === 'VIEW-CHANGE') return this.consistentVc(m, m2);
    if (m.tag === 'NEW-VIEW') return this.consistentNvSet([m], [m2]);
    return m === m2;
  }
}

function memo2(table: Map<number, Map<number, boolean>>, a: number, b: number, compute: () => boolean): boolean {
  let row = table.get(a);
  if (row === undefined) table.set(a, (row = new Map()));
  let r = row.get(b);
  if (r === undefined) row.set(b, (r = compute()));
  return r;
}

/** Two message lists sorted by id (as the interner keeps P, O and N) hold the same messages. */
function sameSorted(a: readonly Message[], b: readonly Message[]): boolean {
  return a.length === b.length && a.every((x, k) => x === b[k]);
}

/**
 * The y message the simulation uses for an x message: the same message, except for view-changes
 * and new-views (A_gc's carry a checkpoint). A replica's own messages are registered when the
 * correspondence makes A's replica build them (SEND-VIEW-CHANGE, SEND-NEW-VIEW); for the others
 * (signed by a faulty replica, which may sign anything) a consistent one is built here, signed by
 * the same replica, so that clause 6 can hold.
 */
export class Translation {
  private readonly map = new Map<Message, Message>();
  constructor(private readonly h: HConsistency) {}

  register(x: Message, y: Message): void {
    this.map.set(x, y);
  }
  registered(x: Message): Message | undefined {
    return this.map.get(x);
  }

  tr(m: Message): Message {
    if (m.tag !== 'VIEW-CHANGE' && m.tag !== 'NEW-VIEW') return m;
    let y = this.map.get(m);
    if (y === undefined) {
      y = m.tag === 'VIEW-CHANGE' ? this.buildVc(m) : this.buildNv(m);
      this.map.set(m, y);
    }
    return y;
  }

  /** A-form view-change consistent with a gc-form one: the same P when correct; otherwise one made incorrect by an unprepared pre-prepare of j's own view. */
  private buildVc(m: ViewChange): ViewChange {
    const { uy } = this.h;
    if (m.gc === null) return m; // not a message of A_gc: no consistent one exists (reported by H)
    if (this.h.correctGcVc(m)) return uy.interner.viewChange(m.v, null, m.P, m.j);
    const k = Math.max(m.gc.n, ...m.P.filter(isPrepareLike).map((p) => p.n)) + 1;
    // j is the primary of view j (primary(v) = v mod |R|); with no prepares in P' this pre-prepare is
    // not prepared, so the A-form message is not correct, as m is not.
    const bogus = uy.interner.prePrepare(m.j, k, null, m.j);
    return uy.interner.viewChange(m.v, null, [...m.P, bogus], m.j);
  }

  /** A-form new-view: V translated, O and N as A's primary computes them when correct; otherwise with an extra null pre-prepare above the checkpoint. */
  private buildNv(m: NewView): NewView {
    const { uy } = this.h;
    const V = m.V.map((vc) => this.tr(vc));
    if (this.h.correctGcNv(m)) {
      const { O, N } = buildON(uy, m.v, V, m.signer);
      return uy.interner.newView(m.v, V, O, N, m.signer);
    }
    const k = Math.max(maxN('Agc', m.V), ...[...m.O, ...m.N].filter(isPrepareLike).map((p) => p.n)) + 1;
    return uy.interner.newView(m.v, V, m.O, [...m.N, uy.interner.prePrepare(m.v, k, null, m.signer)], m.signer);
  }
}
