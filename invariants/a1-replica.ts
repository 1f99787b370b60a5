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
//
// Incremental evaluation (checkDelta). Every condition is about one replica i and its own in_i,
// view_i, seqno_i, so only the replicas the delta names are looked at, and for each only what
// changed in its log (the net additions and removals of the journal) and its scalars. Given that
// the condition held before, a violation now needs, for a ∀ over members of in_i, a member that is
// new (checked as check would, against the current log), or a conclusion made false: by a removal
// (the NEW-VIEW of condition 4, the PRE-PREPARE of 7, the own PREPARE of 8; in A, EXECUTE removes
// only requests, so these are for corrupted states) or by a scalar (seqno_i for condition 3,
// view_i for 9 and for the corrected 3). For the scalars the cache keeps, per replica, the largest
// n of its own pre-prepares of each view it is primary of (condition 3) and how many pre-prepares
// from primary(v) in_i holds for each view v (conditions 4 and 9), so that the condition is a
// comparison. When a violation is found the violations returned are those of check (same order
// and wording); the checker stops at the first one.
import type { SystemState } from '../automata/compose.ts';
import { correctNewView, correctViewChange, hasNewView } from './reference/view-change.ts';
import { formatMessage } from '../automata/format.ts';
import type { Message, PrePrepare, Prepare } from '../automata/messages.ts';
import type { Digest } from '../automata/digests.ts';
import type { ReplicaState } from '../automata/replica-state.ts';
import type { Universe } from '../automata/universe.ts';
import { netInChange, type Delta, type LogChange } from './delta.ts';
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

// ------------------------------------------------------------------ incremental evaluation

/** Messages examined by checkDelta (for tests that measure the cost without timing). */
export const A_1_2_DELTA_WORK = { examined: 0 };
const examine = (k = 1) => void (A_1_2_DELTA_WORK.examined += k);


/** What checkDelta needs of a condition of A.1.2, for one replica at a time. */
interface Incremental<C> {
  /** The condition's cache for replica st, from its state. */
  build(u: Universe, st: ReplicaState): C;
  /**
   * Brings the cache up to date with the change of st (the net change of in_i; its scalars may
   * have changed too) and says whether st violates the condition now, given that it did not before.
   */
  update(u: Universe, st: ReplicaState, c: C, ch: LogChange): boolean;
}

/** A condition that keeps nothing: only the change is looked at. */
const stateless = (update: (u: Universe, st: ReplicaState, ch: LogChange) => boolean): Incremental<null> => ({
  build: () => null,
  update: (u, st, _c, ch) => update(u, st, ch),
});

const CACHES = 'replicas';

/** A conjunct of A.1.2 checked for each non-faulty replica separately. */
function perReplica<C>(
  cond: number,
  statement: string,
  check: (u: Universe, st: ReplicaState, id: string) => Violation[],
  inc: Incremental<C>,
  name: { id: string; ref: string } = { id: `A.1.2(${cond})`, ref: `${REF}, condition ${cond}` },
): SystemInvariant {
  const { id, ref } = name;
  const checkAll = (u: Universe, s: SystemState): Violation[] => {
    const out: Violation[] = [];
    for (const st of correctReplicas(s)) out.push(...check(u, st, id)); // faulty_i is false
    return out;
  };
  return {
    id,
    family: 'A.1.2',
    subject: 'A',
    statement,
    ref,
    check: checkAll,
    checkDelta(u: Universe, s: SystemState, delta: Delta, cache: Map<string, unknown>): Violation[] {
      let caches = cache.get(CACHES) as Map<number, C> | undefined;
      if (delta.full || caches === undefined) {
        // faulty flags stay as they are until the next full delta: only correct replicas are kept
        caches = new Map();
        for (const st of correctReplicas(s)) caches.set(st.i, inc.build(u, st));
        cache.set(CACHES, caches);
        return checkAll(u, s);
      }
      let broken = false;
      for (const i of delta.replicas) {
        const st = s.replicas[i]!;
        if (st.faulty || !caches.has(i)) continue;
        if (inc.update(u, st, caches.get(i)!, netInChange(delta, i))) broken = true;
      }
      return broken ? checkAll(u, s) : [];
    },
  };
}

const isPrimaryPP = (u: Universe, m: Message): m is PrePrepare => m.tag === 'PRE-PREPARE' && m.signer === u.primary(m.v);
const isOwnPrimaryPP = (u: Universe, st: ReplicaState, m: Message): m is PrePrepare =>
  m.tag === 'PRE-PREPARE' && m.signer === st.i && u.primary(m.v) === st.i;
const isOwnPrepare = (st: ReplicaState, m: Message): m is Prepare => m.tag === 'PREPARE' && m.j === st.i;

/** ⟨PRE-PREPARE, v, n, m⟩σprimary(v) ∈ in_i with D(m) = d (looks at the pre-prepares at n only). */
function hasMatchingPrePrepare(u: Universe, st: ReplicaState, v: number, n: number, d: Digest): boolean {
  for (const pp of st.in.prePreparesAt(n)) {
    examine();
    if (pp.v === v && pp.signer === u.primary(v) && u.interner.digest(pp.m) === d) return true;
  }
  return false;
}

/** Counts by view v, with the largest v counted (−1 when none). */
class ViewCounts {
  readonly count = new Map<number, number>();
  max = -1;
  add(v: number): void {
    this.count.set(v, (this.count.get(v) ?? 0) + 1);
    if (v > this.max) this.max = v;
  }
  remove(v: number): void {
    const k = (this.count.get(v) ?? 1) - 1;
    if (k > 0) {
      this.count.set(v, k);
      return;
    }
    this.count.delete(v);
    if (v === this.max) {
      examine(this.count.size);
      this.max = Math.max(-1, ...this.count.keys());
    }
  }
  has(v: number): boolean {
    return this.count.has(v);
  }
}

/** Pre-prepares from primary(v) in in_i, counted by view (conditions 4 and 9). */
const primaryPPCounts = (onlyPositive: boolean) => ({
  build(u: Universe, st: ReplicaState): ViewCounts {
    const c = new ViewCounts();
    for (const pp of primaryPrePrepares(u, st)) if (!onlyPositive || pp.v > 0) c.add(pp.v);
    return c;
  },
  apply(u: Universe, c: ViewCounts, ch: LogChange): void {
    for (const m of ch.removed) if (isPrimaryPP(u, m) && (!onlyPositive || m.v > 0)) c.remove(m.v);
    for (const m of ch.added) if (isPrimaryPP(u, m) && (!onlyPositive || m.v > 0)) c.add(m.v);
  },
});

/** i's own pre-prepares of the views it is primary of, by view, with the largest n of each (condition 3). */
interface OwnPrePrepares {
  byView: Map<number, { pps: Set<PrePrepare>; max: number }>;
  /** The largest n over all views (−1 when none). */
  max: number;
}
const maxN = (pps: Iterable<PrePrepare>) => {
  let best = -1;
  for (const pp of pps) {
    examine();
    best = Math.max(best, pp.n);
  }
  return best;
};
function ownAdd(c: OwnPrePrepares, pp: PrePrepare): void {
  let e = c.byView.get(pp.v);
  if (e === undefined) c.byView.set(pp.v, (e = { pps: new Set(), max: -1 }));
  e.pps.add(pp);
  e.max = Math.max(e.max, pp.n);
  c.max = Math.max(c.max, pp.n);
}
function ownRemove(c: OwnPrePrepares, pp: PrePrepare): void {
  const e = c.byView.get(pp.v);
  if (e === undefined || !e.pps.delete(pp)) return;
  if (e.pps.size === 0) c.byView.delete(pp.v);
  else if (pp.n === e.max) e.max = maxN(e.pps);
  if (pp.n === c.max) c.max = Math.max(-1, ...[...c.byView.values()].map((x) => x.max));
}
/** Condition 3: the largest n of i's own pre-prepares (of view_i, with currentViewOnly) against seqno_i. */
const seqnoIncremental = (currentViewOnly: boolean): Incremental<OwnPrePrepares> => ({
  build(u, st) {
    const c: OwnPrePrepares = { byView: new Map(), max: -1 };
    for (const pp of prePrepares(st)) if (isOwnPrimaryPP(u, st, pp)) ownAdd(c, pp);
    return c;
  },
  update(u, st, c, ch) {
    examine(ch.added.length + ch.removed.length);
    for (const m of ch.removed) if (isOwnPrimaryPP(u, st, m)) ownRemove(c, m);
    for (const m of ch.added) if (isOwnPrimaryPP(u, st, m)) ownAdd(c, m);
    // seqno_i can go down (SEND-NEW-VIEW) and view_i up: compared on every change of the replica
    const top = currentViewOnly ? (c.byView.get(st.view)?.max ?? -1) : c.max;
    return top > st.seqno;
  },
});

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
  }, stateless((_u, st, ch) => {
    // only a new prepare of i's own can be a second one at its (v, n)
    examine(ch.added.length);
    for (const m of ch.added) {
      if (!isOwnPrepare(st, m)) continue;
      let k = 0;
      for (const p of st.in.preparesByN.get(m.n) ?? []) {
        examine();
        if (p.v === m.v && p.j === st.i) k++;
      }
      if (k >= 2) return true;
    }
    return false;
  })),

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
  }, stateless((u, st, ch) => {
    // only a new pre-prepare of i's own, for a view it is primary of, can be a second one
    examine(ch.added.length);
    for (const m of ch.added) {
      if (!isOwnPrimaryPP(u, st, m)) continue;
      let k = 0;
      for (const pp of st.in.prePreparesAt(m.n)) {
        examine();
        if (pp.v === m.v && pp.signer === st.i) k++;
      }
      if (k >= 2) return true;
    }
    return false;
  })),

  // 3. ∀ ⟨PRE-PREPARE, v, n, m⟩σi ∈ in_i : (i = primary(v) ⇒ n ≤ seqno_i)
  perReplica(3, '∀ ⟨PRE-PREPARE,v,n,m⟩σi ∈ in_i : (i = primary(v) ⇒ n ≤ seqno_i)', (u, st, id) => seqnoViolations(u, st, id, false), seqnoIncremental(false)),

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
    (() => {
      const counts = primaryPPCounts(true);
      return {
        build: counts.build,
        update(u: Universe, st: ReplicaState, c: ViewCounts, ch: LogChange): boolean {
          examine(ch.added.length + ch.removed.length);
          counts.apply(u, c, ch);
          let broken = false;
          // a new pre-prepare of a view v > 0 needs a correct new-view for v in in_i now
          for (const m of ch.added) if (isPrimaryPP(u, m) && m.v > 0 && !hasNewView(u, m.v, st.in)) broken = true;
          // a removed new-view for v may have been the only one for pre-prepares of v in in_i
          for (const m of ch.removed) if (m.tag === 'NEW-VIEW' && c.has(m.v) && !hasNewView(u, m.v, st.in)) broken = true;
          return broken;
        },
      };
    })(),
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
  }, stateless((u, _st, ch) => {
    examine(ch.added.length);
    return ch.added.some((m) => m.tag === 'NEW-VIEW' && m.signer === u.primary(m.v) && !correctNewView(u, m, m.v));
  })),

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
  }, stateless((u, _st, ch) => {
    examine(ch.added.length);
    return ch.added.some((m) => m.tag === 'VIEW-CHANGE' && !correctViewChange(u, m, m.v, m.j));
  })),

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
  }, stateless((u, st, ch) => {
    examine(ch.added.length + ch.removed.length);
    // a new prepare of i's own needs its pre-prepare now
    for (const m of ch.added) if (isOwnPrepare(st, m) && !hasMatchingPrePrepare(u, st, m.v, m.n, m.d)) return true;
    // a removed pre-prepare from primary(v) may have been the one for a prepare of i's own
    for (const m of ch.removed) {
      if (!isPrimaryPP(u, m)) continue;
      const d = u.interner.digest(m.m);
      if (st.in.prepareSignersOf(m.v, m.n, d).has(st.i) && !hasMatchingPrePrepare(u, st, m.v, m.n, d)) return true;
    }
    return false;
  })),

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
  }, stateless((u, st, ch) => {
    examine(ch.added.length + ch.removed.length);
    // a new pre-prepare from primary(v) ≠ i needs i's prepare for it now
    for (const m of ch.added)
      if (isPrimaryPP(u, m) && u.primary(m.v) !== st.i && !st.in.prepareSignersOf(m.v, m.n, u.interner.digest(m.m)).has(st.i)) return true;
    // a removed prepare of i's own may have been the one for a pre-prepare in in_i
    for (const m of ch.removed)
      if (isOwnPrepare(st, m) && u.primary(m.v) !== st.i && !st.in.prepareSignersOf(m.v, m.n, m.d).has(st.i) && hasMatchingPrePrepare(u, st, m.v, m.n, m.d))
        return true;
    return false;
  })),

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
  }, (() => {
    const counts = primaryPPCounts(false);
    return {
      build: counts.build,
      update(u: Universe, st: ReplicaState, c: ViewCounts, ch: LogChange): boolean {
        examine(ch.added.length + ch.removed.length);
        counts.apply(u, c, ch);
        // view_i never decreases in A, but it is compared on every change of the replica
        return c.max > st.view;
      },
    };
  })()),
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
  seqnoIncremental(true),
  { id: 'A.1.2(3)', ref: `${REF}, condition 3, restricted to v = view_i (corrected reading, ERRATA.md E2)` },
);

/** A.1.2 with condition 3 in its corrected form (the default; A_1_2 is the text as written). */
export const A_1_2_CORRECTED: SystemInvariant[] = A_1_2.map((x) => (x.id === 'A.1.2(3)' ? A_1_2_3_CURRENT_VIEW : x));
