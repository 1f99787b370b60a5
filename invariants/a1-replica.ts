// Invariant A.1.2 (Appendix A.1): self-consistency of the log of a non-faulty replica.
//
// "The following is true of any reachable state in an execution of A, for any replica i such that
// faulty_i is false:" nine conditions, one registry entry each: 'A.1.2(1)' … 'A.1.2(9)'.
// Condition 2 is read with ∄ (READING-NOTES 10: the slash is lost in the transcription, and the
// proof uses it as "no two distinct pre-prepares"); condition 7's "PRE-PARE" is PREPARE.
//
// Quantifier reduction (for all conditions). Every condition is a ∀ over messages of a given form
// in in_i (∀ ⟨…⟩ ∈ in_i : …), or, in condition 2, a ∀ v, n, m whose premise requires
// ⟨PRE-PREPARE, v, n, m⟩σi ∈ in_i. A message, view, sequence number or request that does not occur
// in in_i satisfies the premise vacuously, so iterating over the members of in_i of the right
// form (through the MessageSet indexes ppByN, preparesByN, viewChangesByV, newViewsByV, which
// hold exactly the members of each kind) covers the whole quantifier. The existentials in the
// conclusions (∃ d', ∃ m', ∃ NEW-VIEW m' ∈ in_i) are bounded by membership in in_i as well and are
// searched among the members of in_i. One reduction uses a property of D: condition 7 binds m
// through its digest (⟨PREPARE, v, n, D(m), i⟩); with D collision-free (the thesis's assumption,
// and SHA-256 in the model) the m it names is the unique request whose digest is d, so the check
// looks for a pre-prepare from primary(v) at (v, n) whose request has digest d.
//
// Condition 3 as written does not hold in A (SEND-NEW-VIEW lowers seqno_i below the pre-prepares
// of an earlier view of the same primary: ERRATA.md E2); A_1_2 checks the text, and
// A_1_2_CORRECTED replaces condition 3 by A_1_2_3_CURRENT_VIEW, the form the proof establishes.
import type { SystemState } from '../automata/compose.ts';
import { correctNewView, correctViewChange, hasNewView } from '../automata/aux-functions.ts';
import { formatMessage } from '../automata/format.ts';
import type { PrePrepare, Prepare } from '../automata/messages.ts';
import type { ReplicaState } from '../automata/replica-state.ts';
import type { Universe } from '../automata/universe.ts';
import { correctReplicas, violation, type SystemInvariant, type Violation } from './types.ts';

const REF = 'Appendix A.1, Invariant A.1.2';

/** Every PRE-PREPARE in in_i. */
function* prePrepares(st: ReplicaState): Iterable<PrePrepare> {
  for (const set of st.in.ppByN.values()) yield* set;
}
/** Every PRE-PREPARE in in_i of the form ⟨PRE-PREPARE, v, n, m⟩σprimary(v). */
function* primaryPrePrepares(u: Universe, st: ReplicaState): Iterable<PrePrepare> {
  for (const pp of prePrepares(st)) if (pp.signer === u.primary(pp.v)) yield pp;
}
/** Every ⟨PREPARE, v, n, d, i⟩σi in in_i (signed by i itself). */
function* ownPrepares(st: ReplicaState): Iterable<Prepare> {
  for (const set of st.in.preparesByN.values()) for (const p of set) if (p.j === st.i) yield p;
}

/** A conjunct of A.1.2 checked for each non-faulty replica separately. */
function perReplica(
  cond: number,
  statement: string,
  check: (u: Universe, st: ReplicaState, id: string) => Violation[],
  name: { id: string; ref: string } = { id: `A.1.2(${cond})`, ref: `${REF}, condition ${cond}` },
): SystemInvariant {
  const { id, ref } = name;
  return {
    id,
    family: 'A.1.2',
    subject: 'A',
    statement,
    ref,
    check(u: Universe, s: SystemState): Violation[] {
      const out: Violation[] = [];
      for (const st of correctReplicas(s)) out.push(...check(u, st, id)); // faulty_i is false
      return out;
    },
  };
}

const fm = formatMessage;

/**
 * Condition 3: every pre-prepare of i's own, for a view v with i = primary(v), has n ≤ seqno_i;
 * with `currentViewOnly`, only those with v = view_i (A_1_2_3_CURRENT_VIEW). Only sequence
 * numbers above seqno_i can break it, so only those keys of ppByN are looked at.
 */
function seqnoViolations(u: Universe, st: ReplicaState, id: string, currentViewOnly: boolean): Violation[] {
  const out: Violation[] = [];
  for (const [n, set] of st.in.ppByN) {
    if (n <= st.seqno) continue;
    for (const pp of set)
      if (pp.signer === st.i && u.primary(pp.v) === st.i && (!currentViewOnly || pp.v === st.view))
        out.push(
          violation(id, `replica ${st.i} has its own ${fm(u, pp)} (view ${pp.v}, of which it is primary) with n = ${n} > seqno_${st.i} = ${st.seqno}`, {
            replicas: [st.i],
            messages: [pp],
            view: pp.v,
            n,
            detail: `seqno_${st.i} = ${st.seqno}, view_${st.i} = ${st.view}`,
          }),
        );
  }
  return out;
}

export const A_1_2: SystemInvariant[] = [
  // 1. ∀ ⟨PREPARE, v, n, d, i⟩σi ∈ in_i : (∄ d' ≠ d : (⟨PREPARE, v, n, d', i⟩σi ∈ in_i))
  perReplica(1, '∀ ⟨PREPARE,v,n,d,i⟩σi ∈ in_i : (∄ d′ ≠ d : ⟨PREPARE,v,n,d′,i⟩σi ∈ in_i)', (u, st, id) => {
    const out: Violation[] = [];
    for (const [n, set] of st.in.preparesByN) {
      const byView = new Map<number, Prepare[]>();
      for (const p of set) if (p.j === st.i) byView.set(p.v, [...(byView.get(p.v) ?? []), p]);
      for (const [v, ps] of byView) {
        if (ps.length < 2) continue; // interned: distinct prepares of i at (v, n) differ in d
        out.push(
          violation(id, `replica ${st.i} has ${ps.length} prepares of its own with different digests for view ${v} and n = ${n}: ${ps.map((p) => fm(u, p)).join(', ')}`, {
            replicas: [st.i],
            messages: ps,
            view: v,
            n,
          }),
        );
      }
    }
    return out;
  }),

  // 2. ∀ v, n, m : ((i = primary(v) ∧ ⟨PRE-PREPARE, v, n, m⟩σi ∈ in_i) ⇒
  //                 ∄ m' : (m' ≠ m ∧ ⟨PRE-PREPARE, v, n, m'⟩σi ∈ in_i))        (READING-NOTES 10)
  perReplica(2, '∀ v,n,m : ((i = primary(v) ∧ ⟨PRE-PREPARE,v,n,m⟩σi ∈ in_i) ⇒ ∄ m′ : (m′ ≠ m ∧ ⟨PRE-PREPARE,v,n,m′⟩σi ∈ in_i))', (u, st, id) => {
    const out: Violation[] = [];
    for (const [n, set] of st.in.ppByN) {
      const byView = new Map<number, PrePrepare[]>();
      for (const pp of set) if (pp.signer === st.i && u.primary(pp.v) === st.i) byView.set(pp.v, [...(byView.get(pp.v) ?? []), pp]);
      for (const [v, pps] of byView) {
        if (pps.length < 2) continue; // interned: distinct pre-prepares of i at (v, n) differ in m
        out.push(
          violation(id, `replica ${st.i}, primary of view ${v}, has ${pps.length} pre-prepares of its own for different requests at n = ${n}: ${pps.map((p) => fm(u, p)).join(', ')}`, {
            replicas: [st.i],
            messages: pps,
            view: v,
            n,
          }),
        );
      }
    }
    return out;
  }),

  // 3. ∀ ⟨PRE-PREPARE, v, n, m⟩σi ∈ in_i : (i = primary(v) ⇒ n ≤ seqno_i)
  perReplica(3, '∀ ⟨PRE-PREPARE,v,n,m⟩σi ∈ in_i : (i = primary(v) ⇒ n ≤ seqno_i)', (u, st, id) => seqnoViolations(u, st, id, false)),

  // 4. ∀ ⟨PRE-PREPARE, v, n, m⟩σprimary(v) ∈ in_i : (v > 0 ⇒
  //      ∃ m' = ⟨NEW-VIEW, v, X, O, N⟩σprimary(v) : (m' ∈ in_i ∧ correct-new-view(m', v)))
  perReplica(
    4,
    '∀ ⟨PRE-PREPARE,v,n,m⟩σprimary(v) ∈ in_i : (v > 0 ⇒ ∃ m′ = ⟨NEW-VIEW,v,X,O,N⟩σprimary(v) : (m′ ∈ in_i ∧ correct-new-view(m′,v)))',
    (u, st, id) => {
      const out: Violation[] = [];
      const has = new Map<number, boolean>();
      for (const pp of primaryPrePrepares(u, st)) {
        if (pp.v === 0) continue;
        // For v > 0, has-new-view(v, i) is exactly the conclusion: a NEW-VIEW for v in in_i (the
        // index newViewsByV) that is correct; correct-new-view includes the signer primary(v).
        let ok = has.get(pp.v);
        if (ok === undefined) has.set(pp.v, (ok = hasNewView(u, pp.v, st.in)));
        if (!ok)
          out.push(
            violation(id, `replica ${st.i} has ${fm(u, pp)} for view ${pp.v} > 0 but no correct NEW-VIEW for view ${pp.v} from primary(${pp.v}) = ${u.primary(pp.v)} in in_${st.i}`, {
              replicas: [st.i],
              messages: [pp, ...(st.in.newViewsByV.get(pp.v) ?? [])],
              view: pp.v,
              n: pp.n,
            }),
          );
      }
      return out;
    },
  ),

  // 5. ∀ m' = ⟨NEW-VIEW, v, X, O, N⟩σprimary(v) ∈ in_i : correct-new-view(m', v)
  perReplica(5, '∀ m′ = ⟨NEW-VIEW,v,X,O,N⟩σprimary(v) ∈ in_i : correct-new-view(m′,v)', (u, st, id) => {
    const out: Violation[] = [];
    for (const [v, set] of st.in.newViewsByV)
      for (const nv of set)
        if (nv.signer === u.primary(v) && !correctNewView(u, nv, v))
          out.push(
            violation(id, `replica ${st.i} has ${fm(u, nv)}, signed by primary(${v}), which is not a correct new-view for view ${v}`, {
              replicas: [st.i],
              messages: [nv],
              view: v,
            }),
          );
    return out;
  }),

  // 6. ∀ m' = ⟨VIEW-CHANGE, v, P, j⟩σj ∈ in_i : correct-view-change(m', v, j)
  perReplica(6, '∀ m′ = ⟨VIEW-CHANGE,v,P,j⟩σj ∈ in_i : correct-view-change(m′,v,j)', (u, st, id) => {
    const out: Violation[] = [];
    for (const [v, set] of st.in.viewChangesByV)
      for (const vc of set)
        if (!correctViewChange(u, vc, v, vc.j))
          out.push(
            violation(id, `replica ${st.i} has ${fm(u, vc)}, from replica ${vc.j}, which is not a correct view-change for view ${v}`, {
              replicas: vc.j === st.i ? [st.i] : [st.i, vc.j],
              messages: [vc],
              view: v,
            }),
          );
    return out;
  }),

  // 7. ∀ ⟨PREPARE, v, n, D(m), i⟩σi ∈ in_i : (⟨PRE-PREPARE, v, n, m⟩σprimary(v) ∈ in_i)
  perReplica(7, '∀ ⟨PREPARE,v,n,D(m),i⟩σi ∈ in_i : ⟨PRE-PREPARE,v,n,m⟩σprimary(v) ∈ in_i', (u, st, id) => {
    const out: Violation[] = [];
    for (const p of ownPrepares(st)) {
      let found = false;
      for (const pp of st.in.prePreparesAt(p.n))
        if (pp.v === p.v && pp.signer === u.primary(p.v) && u.interner.digest(pp.m) === p.d) {
          found = true;
          break;
        }
      if (!found)
        out.push(
          violation(id, `replica ${st.i} has its own ${fm(u, p)} but no ⟨PRE-PREPARE, ${p.v}, ${p.n}, m⟩σ${u.primary(p.v)} with D(m) = d in in_${st.i}`, {
            replicas: [st.i],
            messages: [p],
            view: p.v,
            n: p.n,
          }),
        );
    }
    return out;
  }),

  // 8. ∀ ⟨PRE-PREPARE, v, n, m⟩σprimary(v) ∈ in_i : (i ≠ primary(v) ⇒ ⟨PREPARE, v, n, D(m), i⟩σi ∈ in_i)
  perReplica(8, '∀ ⟨PRE-PREPARE,v,n,m⟩σprimary(v) ∈ in_i : (i ≠ primary(v) ⇒ ⟨PREPARE,v,n,D(m),i⟩σi ∈ in_i)', (u, st, id) => {
    const out: Violation[] = [];
    for (const pp of primaryPrePrepares(u, st)) {
      if (u.primary(pp.v) === st.i) continue;
      if (st.in.prepareSignersOf(pp.v, pp.n, u.interner.digest(pp.m)).has(st.i)) continue;
      out.push(
        violation(id, `replica ${st.i} (a backup in view ${pp.v}) has ${fm(u, pp)} but not its own ⟨PREPARE, ${pp.v}, ${pp.n}, D(m), ${st.i}⟩σ${st.i}`, {
          replicas: [st.i],
          messages: [pp],
          view: pp.v,
          n: pp.n,
        }),
      );
    }
    return out;
  }),

  // 9. ∀ ⟨PRE-PREPARE, v, n, m⟩σprimary(v) ∈ in_i : v ≤ view_i
  perReplica(9, '∀ ⟨PRE-PREPARE,v,n,m⟩σprimary(v) ∈ in_i : v ≤ view_i', (u, st, id) => {
    const out: Violation[] = [];
    for (const pp of primaryPrePrepares(u, st))
      if (pp.v > st.view)
        out.push(
          violation(id, `replica ${st.i} has ${fm(u, pp)} for view ${pp.v} > view_${st.i} = ${st.view}`, {
            replicas: [st.i],
            messages: [pp],
            view: pp.v,
            n: pp.n,
            detail: `view_${st.i} = ${st.view}`,
          }),
        );
    return out;
  }),
];

/**
 * NOT a conjunct of the thesis: condition 3 restricted to the replica's current view,
 *   ∀ ⟨PRE-PREPARE, v, n, m⟩σi ∈ in_i : ((i = primary(v) ∧ v = view_i) ⇒ n ≤ seqno_i).
 * Condition 3 as written (all views) is false in reachable states of A: SEND-NEW-VIEW(v, V)_i
 * sets seqno_i := max-n(O), which can be below the sequence number of a pre-prepare that i sent
 * in an earlier view it was primary of (test/invariants/a1-replica.test.ts shows such a state).
 * The proof of condition 3 only argues about the pre-prepares of the new view v ("the
 * pre-prepare for view v with the highest sequence number in in_i"), and the proof of condition
 * 2, its only user, needs it only for pre-prepares of view_i; this form is what the proof shows.
 */
export const A_1_2_3_CURRENT_VIEW: SystemInvariant = perReplica(
  3,
  '∀ ⟨PRE-PREPARE,v,n,m⟩σi ∈ in_i : ((i = primary(v) ∧ v = view_i) ⇒ n ≤ seqno_i)   [corrected: the thesis omits v = view_i]',
  (u, st, id) => seqnoViolations(u, st, id, true),
  { id: 'A.1.2(3)', ref: `${REF}, condition 3, restricted to v = view_i (corrected reading, ERRATA.md E2)` },
);

/** A.1.2 with condition 3 in its corrected form (the default; A_1_2 is the text as written). */
export const A_1_2_CORRECTED: SystemInvariant[] = A_1_2.map((x) => (x.id === 'A.1.2(3)' ? A_1_2_3_CURRENT_VIEW : x));
