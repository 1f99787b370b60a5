// Invariants A.1.4, A.1.5, A.1.6 and A.1.7 of Appendix A (thesis lines ~2784-2830): agreement of
// prepared certificates within one view (in the logs of non-faulty replicas and inside the merge-P
// of a new-view message), and the link between a replica's own commits, committed requests and
// the prepared certificates behind them. Stated for A (no garbage collection).
//
// Reduction of the quantifiers to what is in the state (nothing is lost):
// - prepared(m, v, n, M) requires ⟨PRE-PREPARE, v, n, m⟩σprimary(v) ∈ M. So for any set M (a log
//   in_i, or merge-P(V)) the triples (m, v, n) with prepared(m, v, n, M) are exactly those of the
//   primary-signed pre-prepares of M that also have their 2f prepares: `preparedIn` enumerates
//   the pre-prepares of M (ppByN) and confirms each with prepared() itself. Every other m ∈ M
//   (the thesis's infinite message set), v or n has no such pre-prepare, the antecedent of the
//   implication is false, and the instance holds vacuously. m ranges over requests and null.
// - A.1.4 and A.1.5 are universal over pairs (m, m') (and (i, j) in A.1.4), symmetric, and
//   include m = m' and i = j. We group the prepared triples by (v, n) and, inside, by digest; a
//   group with two digests is a violation. One violation is reported per (v, n) and pair of
//   distinct digests, naming every non-faulty replica that prepared each side (any i of one side
//   and j of the other is a violating pair; i = j when a replica has both).
// - A.1.5 ranges over the NEW-VIEW messages of in_i (any signer σk, as written); merge-P(V)
//   depends only on the message, so its conflicts are computed once per message (memo).
// - A.1.6 ranges over the commits of in_i signed by i (commitsByN, filtered on the signer). The
//   m of its existential must satisfy prepared(m, v, n, i), hence has a pre-prepare at (v, n) in
//   in_i: we look only at in_i's pre-prepares at n.
// - A.1.7: committed(m, v, n, i) requires 2f+1 signers of ⟨COMMIT, v, n, D(m), k⟩σk ∈ in_i, so
//   (v, n, D(m)) is that of a commit of in_i (commitsByN); and it requires m ∈ in_i or a
//   ⟨PRE-PREPARE, v', n, m⟩σprimary(v') ∈ in_i, so the candidates m for a digest d are the
//   requests of in_i and the m of in_i's primary-signed pre-prepares at n with D(m) = d; each
//   candidate is confirmed with committed() itself. "∃ R : |R| > 2f − n-faulty ∧ ∀ k ∈ R : ..."
//   holds iff the set of all non-faulty k with prepared(m, v, n, k) (the largest such R) is big
//   enough, so we count that set.
// - D(m) = D(m') is compared as digests (D(null) is the null digest), as written.
// - The checks never build messages (the interner's ids must not depend on whether a run is
//   checked): triples are keyed by (v, n, id of m).
//
// Incremental evaluation (checkDelta; the contract is in types.ts). None of A.1.4-A.1.7 reads a
// scalar variable: they depend on the logs in_i of non-faulty replicas and on the faulty flags
// (whose change sets delta.full). prepared(m, v, n, i) depends only on in_i's pre-prepares and
// prepares at n, so a PreparedIndex keeps, per non-faulty i and n, the prepared triples of in_i at
// n, and, per (m, v, n), the non-faulty replicas that prepared it; a step recomputes only the
// (i, n) at which a PRE-PREPARE or PREPARE was added or removed. Given that the invariant held
// before the step, a violation after it involves something the step changed:
// - A.1.4: only a (v, n) whose set of prepared triples changed can hold two digests.
// - A.1.5: merge-P(V) is a function of the message: only a NEW-VIEW added to in_i can bring one.
// - A.1.6: the commit and its certificate have the same (v, n): re-examine the own commits at the
//   (v, n)'s touched in in_i (an added commit, or a removed pre-prepare or prepare, the ∃'s witness).
// - A.1.7: committed(m, v, n, i) becomes true only through a change of in_i at n (commits,
//   pre-prepares) or a request m added to in_i (the "m ∈ in_i" disjunct: the n's with commits for
//   D(m) are kept per digest); the set R of non-faulty preparers only shrinks when some replica
//   loses a certificate (a removal), and then every non-faulty i is re-examined at that n.
import type { Payload } from '../automata/messages.ts';
import { committed, mergeP, prepared } from './reference/certificates.ts';
import type { SystemState } from '../automata/compose.ts';
import type { Digest } from '../automata/digests.ts';
import { formatMessage } from '../automata/format.ts';
import type { MessageSet } from '../automata/message-set.ts';
import type { Commit, Message, NewView, PrePrepare, Request } from '../automata/messages.ts';
import type { ReplicaState } from '../automata/replica-state.ts';
import type { Universe } from '../automata/universe.ts';
import { touchedNs, type Delta } from './delta.ts';
import { nFaulty, violation, type SystemInvariant, type Violation } from './types.ts';

const REF = 'Appendix A.1';

/** A fact prepared(m, v, n, M), with the certificate's pre-prepare ⟨PRE-PREPARE, v, n, m⟩σprimary(v). */
export interface PreparedTriple {
  m: Payload;
  v: number;
  n: number;
  /** D(m) */
  d: Digest;
  pp: PrePrepare;
}

/** A key for (m, v, n) that builds no message: m by its interning id (−1 for null). */
export const tripleKey = (m: Payload, v: number, n: number): string => `${v}|${n}|${m === null ? -1 : m.id}`;

const byNVId = (a: PreparedTriple, b: PreparedTriple) => a.n - b.n || a.v - b.v || a.pp.id - b.pp.id;

/** Every (m, v, n) with prepared(m, v, n, M), ordered by n, then v, then pre-prepare. */
export function preparedIn(u: Universe, M: MessageSet): PreparedTriple[] {
  const out: PreparedTriple[] = [];
  for (const [n, pps] of M.ppByN)
    for (const pp of pps) {
      if (pp.signer !== u.primary(pp.v)) continue;
      if (prepared(u, pp.m, pp.v, n, M)) out.push({ m: pp.m, v: pp.v, n, d: u.interner.digest(pp.m), pp });
    }
  return out.sort(byNVId);
}

/** For each non-faulty replica i (in order), every (m, v, n) with prepared(m, v, n, i). */
export function preparedAtCorrect(u: Universe, s: SystemState): Map<number, PreparedTriple[]> {
  const out = new Map<number, PreparedTriple[]>();
  for (const st of s.replicas) if (!st.faulty) out.set(st.i, preparedIn(u, st.in));
  return out;
}

/** A prepared (m, v, n) with the non-faulty replicas k that have prepared(m, v, n, k). */
export interface PreparedFact extends PreparedTriple {
  /** In increasing order. */
  replicas: number[];
}

/** Every (m, v, n) prepared at some non-faulty replica, with all the non-faulty replicas that prepared it, by key. */
export function preparedFacts(u: Universe, s: SystemState): Map<string, PreparedFact> {
  const out = new Map<string, PreparedFact>();
  for (const [i, ts] of preparedAtCorrect(u, s))
    for (const t of ts) {
      const k = tripleKey(t.m, t.v, t.n);
      let f = out.get(k);
      if (f === undefined) out.set(k, (f = { ...t, replicas: [] }));
      f.replicas.push(i);
    }
  return out;
}

/** Two prepared triples at the same (v, n) with different digests, each with who (or what) holds it. */
interface Conflict<T> {
  v: number;
  n: number;
  a: PreparedTriple & { holders: T[] };
  b: PreparedTriple & { holders: T[] };
}

/** Groups holder → triples by (v, n) and digest and returns every pair of digests at one (v, n). */
function conflicts<T>(entries: Iterable<[T, readonly PreparedTriple[]]>): Conflict<T>[] {
  const byVN = new Map<string, Map<Digest, PreparedTriple & { holders: T[] }>>();
  for (const [holder, ts] of entries)
    for (const t of ts) {
      const vn = `${t.v}|${t.n}`;
      let g = byVN.get(vn);
      if (g === undefined) byVN.set(vn, (g = new Map()));
      let e = g.get(t.d);
      if (e === undefined) g.set(t.d, (e = { ...t, holders: [] }));
      if (!e.holders.includes(holder)) e.holders.push(holder);
    }
  const out: Conflict<T>[] = [];
  for (const g of byVN.values()) {
    if (g.size < 2) continue;
    const ds = [...g.values()].sort(byNVId);
    for (let x = 0; x < ds.length; x++) for (let y = x + 1; y < ds.length; y++) out.push({ v: ds[x]!.v, n: ds[x]!.n, a: ds[x]!, b: ds[y]! });
  }
  return out.sort((p, q) => p.n - q.n || p.v - q.v);
}

const showM = (u: Universe, m: Payload) => formatMessage(u, m);
const set = (xs: readonly number[]) => `{${xs.map((k) => `r${k}`).join(', ')}}`;
const union = (...xs: (readonly number[])[]) => [...new Set(xs.flat())].sort((a, b) => a - b);
const clientsOf = (...ms: (Payload)[]) => [...new Set(ms.filter((m): m is Request => m !== null).map((m) => m.c))].sort((a, b) => a - b);

// ---------------------------------------------------------------------------------- incremental state

/**
 * Work of the incremental evaluations of A.1.4-A.1.9, for the cost tests: the keys (replica and
 * sequence number, (v, n) group, message, ...) they examine, plus the sizes of the per-n sets of
 * the logs and of the index they scan.
 */
export const deltaWork = { keys: 0 };

/**
 * Every (m, v) with prepared(m, v, n, M) at one n, as the triples of preparedIn (ordered by v, then
 * pre-prepare). For a primary-signed pre-prepare pp ∈ M, the first conjunct of prepared(pp.m, pp.v,
 * n, M) is pp itself, so only the count of prepares is left: prepared() without its scan of the
 * pre-prepares at n (the incremental and plain evaluations are compared in the tests).
 */
export function preparedAtN(u: Universe, M: MessageSet, n: number): PreparedTriple[] {
  const out: PreparedTriple[] = [];
  for (const pp of M.prePreparesAt(n)) {
    if (pp.signer !== u.primary(pp.v)) continue;
    const d = u.interner.digest(pp.m);
    const signers = M.prepareSignersOf(pp.v, n, d);
    if (signers.size - (signers.has(pp.signer) ? 1 : 0) >= 2 * u.f) out.push({ m: pp.m, v: pp.v, n, d, pp });
  }
  return out.sort(byNVId);
}

/**
 * The n's at which a PRE-PREPARE or PREPARE was added to or removed from in_i, each with the
 * smallest view of those messages: prepared(·, v, n, i) can have changed only for those n and v ≥ it.
 */
export function preparedTouched(delta: Delta, i: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const list of [delta.inAdded.get(i), delta.inRemoved.get(i)])
    for (const m of list ?? []) {
      if (m.tag !== 'PRE-PREPARE' && m.tag !== 'PREPARE') continue;
      const cur = out.get(m.n);
      if (cur === undefined || m.v < cur) out.set(m.n, m.v);
    }
  return out;
}

/** n → the views of the messages with one of `tags` added to or removed from in_i. */
export function touchedViews(delta: Delta, i: number, tags: readonly Message['tag'][]): Map<number, Set<number>> {
  const out = new Map<number, Set<number>>();
  for (const list of [delta.inAdded.get(i), delta.inRemoved.get(i)])
    for (const m of list ?? []) {
      if ((m.tag !== 'PRE-PREPARE' && m.tag !== 'PREPARE' && m.tag !== 'COMMIT') || !tags.includes(m.tag)) continue;
      const vs = out.get(m.n);
      if (vs === undefined) out.set(m.n, new Set([m.v]));
      else vs.add(m.v);
    }
  return out;
}

/** What one update of a PreparedIndex changed. */
export interface PreparedChanges {
  /** Non-faulty replica i → n → the smallest view at which prepared(·, ·, n, i) may have changed. */
  touched: Map<number, Map<number, number>>;
  /** The facts (m, v, n) whose set of non-faulty preparers changed, by key. */
  changed: Map<string, PreparedTriple>;
  /** Those of them that lost a preparer. */
  shrunk: Map<string, PreparedTriple>;
}

/**
 * Per non-faulty replica i and n, the prepared triples of in_i at n (preparedAtN), and (withFacts)
 * per (m, v, n) the non-faulty replicas that prepared it: preparedAtCorrect and preparedFacts, kept
 * up to date from the journal of in_i. Faulty replicas are left out (a change of faulty flags
 * rebuilds everything).
 */
export class PreparedIndex {
  /** i → n → its prepared triples at n (non-empty lists only). */
  readonly byReplica = new Map<number, Map<number, PreparedTriple[]>>();
  /** tripleKey(m, v, n) → the fact, its replicas in increasing order. */
  readonly facts = new Map<string, PreparedFact>();
  /** n → the facts at n, by key. */
  readonly factsByN = new Map<number, Map<string, PreparedFact>>();

  constructor(
    u: Universe,
    s: SystemState,
    private readonly withFacts = true,
  ) {
    for (const st of s.replicas) {
      if (st.faulty) continue;
      this.byReplica.set(st.i, new Map());
      for (const n of st.in.ppByN.keys()) this.refresh(st.i, n, preparedAtN(u, st.in, n), null);
    }
  }

  /** Applies the changes of `delta` (not full) to the index. */
  update(u: Universe, s: SystemState, delta: Delta): PreparedChanges {
    const ch: PreparedChanges = { touched: new Map(), changed: new Map(), shrunk: new Map() };
    for (const st of s.replicas) {
      if (st.faulty) continue;
      const t = preparedTouched(delta, st.i);
      if (t.size === 0) continue;
      ch.touched.set(st.i, t);
      for (const n of t.keys()) {
        deltaWork.keys += st.in.prePreparesAt(n).size;
        this.refresh(st.i, n, preparedAtN(u, st.in, n), ch);
      }
    }
    return ch;
  }

  /** The prepared triples of non-faulty i at n. */
  at(i: number, n: number): readonly PreparedTriple[] {
    return this.byReplica.get(i)?.get(n) ?? [];
  }

  private refresh(i: number, n: number, now: PreparedTriple[], ch: PreparedChanges | null): void {
    const table = this.byReplica.get(i)!;
    const before = table.get(n) ?? [];
    deltaWork.keys += 1 + before.length + now.length;
    if (now.length > 0) table.set(n, now);
    else table.delete(n);
    if (!this.withFacts) return;
    const keysNow = new Set(now.map((t) => tripleKey(t.m, t.v, t.n)));
    const keysBefore = new Set<string>();
    for (const t of before) {
      const k = tripleKey(t.m, t.v, t.n);
      keysBefore.add(k);
      if (keysNow.has(k)) continue;
      const f = this.facts.get(k)!;
      f.replicas.splice(f.replicas.indexOf(i), 1);
      if (f.replicas.length === 0) {
        this.facts.delete(k);
        const g = this.factsByN.get(n)!;
        g.delete(k);
        if (g.size === 0) this.factsByN.delete(n);
      }
      ch?.changed.set(k, t);
      ch?.shrunk.set(k, t);
    }
    for (const t of now) {
      const k = tripleKey(t.m, t.v, t.n);
      if (keysBefore.has(k)) continue;
      let f = this.facts.get(k);
      if (f === undefined) {
        this.facts.set(k, (f = { ...t, replicas: [] }));
        let g = this.factsByN.get(n);
        if (g === undefined) this.factsByN.set(n, (g = new Map()));
        g.set(k, f);
      }
      let at = f.replicas.length;
      while (at > 0 && f.replicas[at - 1]! > i) at--;
      f.replicas.splice(at, 0, i);
      ch?.changed.set(k, t);
    }
  }
}

/** The state of an invariant's incremental evaluation, kept in its cache under 'state' (set when delta.full). */
/**
 * The prepared index of a run, shared through the tracker by A.1.4, A.1.7, A.1.8(1) and A.1.9:
 * built on a full delta, updated once per delta (changes is null when it was just built).
 */
export function sharedPreparedIndex(u: Universe, s: SystemState, delta: Delta): { value: PreparedIndex; changes: PreparedChanges | null } {
  return delta.shared.get(
    delta,
    'prepared-index',
    () => new PreparedIndex(u, s),
    (idx: PreparedIndex) => idx.update(u, s, delta),
  );
}

export function cachedState<T>(cache: Map<string, unknown>): T {
  const x = cache.get('state');
  if (x === undefined) throw new Error('incremental evaluation without a full first check');
  return x as T;
}

const sortedNs = (ns: Iterable<number>) => [...ns].sort((a, b) => a - b);

// ---------------------------------------------------------------------------------- A.1.4

type Held = { m: Payload; pp: PrePrepare; holders: readonly number[] };

function a14Violation(u: Universe, v: number, n: number, a: Held, b: Held): Violation {
  return violation(
    'A.1.4',
    `non-faulty replicas prepared different requests at view ${v}, n = ${n}: ${showM(u, a.m)} at ${set(a.holders)} and ${showM(u, b.m)} at ${set(b.holders)}`,
    {
      replicas: union(a.holders, b.holders),
      clients: clientsOf(a.m, b.m),
      messages: [a.pp, b.pp],
      view: v,
      n,
      detail: `prepared(m, ${v}, ${n}, i) for i ∈ ${set(a.holders)}; prepared(m', ${v}, ${n}, j) for j ∈ ${set(b.holders)}; D(m) ≠ D(m')`,
    },
  );
}

function checkA14(u: Universe, s: SystemState): Violation[] {
  if (nFaulty(s) > u.f) return [];
  return conflicts(preparedAtCorrect(u, s)).map(({ v, n, a, b }) => a14Violation(u, v, n, a, b));
}

export const A_1_4: SystemInvariant[] = [
  {
    id: 'A.1.4',
    family: 'A.1.4',
    subject: 'A',
    statement:
      "∀ i, j ∈ R, n, v ∈ ℕ, m, m' ∈ M : ((¬faulty_i ∧ ¬faulty_j ∧ n-faulty ≤ f) ⇒ (prepared(m, v, n, i) ∧ prepared(m', v, n, j) ⇒ D(m) = D(m')))",
    ref: `${REF}, Invariant A.1.4`,
    check: checkA14,
    // Only a (v, n) whose prepared triples changed can now hold two digests. D is collision
    // resistant and messages are interned, so a digest is one m: a (v, n) group of facts with two
    // members is a conflict, and each fact's replicas are the holders `conflicts` collects.
    checkDelta(u: Universe, s: SystemState, delta: Delta, _cache: Map<string, unknown>): Violation[] {
      const { value: idx, changes } = sharedPreparedIndex(u, s, delta);
      if (delta.full) return checkA14(u, s);
      const { changed } = changes!;
      if (changed.size === 0 || nFaulty(s) > u.f) return [];
      const groups = new Map<string, { v: number; n: number }>();
      for (const t of changed.values()) groups.set(`${t.v}|${t.n}`, { v: t.v, n: t.n });
      const out: Violation[] = [];
      for (const { v, n } of [...groups.values()].sort((a, b) => a.n - b.n || a.v - b.v)) {
        const fs = [...(idx.factsByN.get(n)?.values() ?? [])].filter((f) => f.v === v).sort(byNVId);
        deltaWork.keys += 1 + (idx.factsByN.get(n)?.size ?? 0);
        for (let x = 0; x < fs.length; x++)
          for (let y = x + 1; y < fs.length; y++) {
            const [a, b] = [fs[x]!, fs[y]!];
            out.push(a14Violation(u, v, n, { ...a, holders: a.replicas }, { ...b, holders: b.replicas }));
          }
      }
      return out;
    },
  },
];

// ---------------------------------------------------------------------------------- A.1.5

/** Per universe, the conflicting prepared certificates of merge-P(V) of each new-view message (by id). */
const mergeConflictMemo = new WeakMap<Universe, Map<number, Conflict<number>[]>>();

/** Pairs of prepared(m, v', n, merge-P(V)), prepared(m', v', n, merge-P(V)) with D(m) ≠ D(m'). */
export function mergePConflicts(u: Universe, nv: NewView): { v: number; n: number; a: PreparedTriple; b: PreparedTriple }[] {
  let memo = mergeConflictMemo.get(u);
  if (memo === undefined) mergeConflictMemo.set(u, (memo = new Map()));
  let r = memo.get(nv.id);
  if (r === undefined) {
    r = conflicts([[0, preparedIn(u, mergeP(u, nv.V))]]);
    memo.set(nv.id, r);
  }
  return r;
}

function a15Violations(u: Universe, st: ReplicaState, nv: NewView): Violation[] {
  return mergePConflicts(u, nv).map(({ v, n, a, b }) =>
    violation(
      'A.1.5',
      `merge-P(V) of the NEW-VIEW for view ${nv.v} (signed by r${nv.signer}) in in_${st.i} has prepared certificates for different requests at view ${v}, n = ${n}: ${showM(u, a.m)} and ${showM(u, b.m)}`,
      {
        replicas: [st.i],
        clients: clientsOf(a.m, b.m),
        messages: [nv, a.pp, b.pp],
        view: v,
        n,
        detail: `i = r${st.i}; new-view ${formatMessage(u, nv)}; prepared(m, ${v}, ${n}, merge-P(V)) ∧ prepared(m', ${v}, ${n}, merge-P(V)) with D(m) ≠ D(m')`,
      },
    ),
  );
}

function checkA15(u: Universe, s: SystemState): Violation[] {
  if (nFaulty(s) > u.f) return [];
  const out: Violation[] = [];
  for (const st of s.replicas) {
    if (st.faulty) continue;
    for (const nv of newViewsOf(st)) out.push(...a15Violations(u, st, nv));
  }
  return out;
}

/** The messages with tag `tag` added to in_i by `delta` that are still in in_i, without repeats, in order of id. */
export function addedStill<T extends Message>(delta: Delta, st: ReplicaState, keep: (m: Message) => m is T): T[] {
  const out = new Set<T>();
  for (const m of delta.inAdded.get(st.i) ?? []) if (keep(m) && st.in.has(m)) out.add(m);
  return [...out].sort((a, b) => a.id - b.id);
}
export const isNewView = (m: Message): m is NewView => m.tag === 'NEW-VIEW';

export const A_1_5: SystemInvariant[] = [
  {
    id: 'A.1.5',
    family: 'A.1.5',
    subject: 'A',
    statement:
      "∀ i ∈ R : ((¬faulty_i ∧ n-faulty ≤ f) ⇒ (∀ ⟨NEW-VIEW, v, V, O, N⟩σk ∈ in_i, n, v' ∈ ℕ : (prepared(m, v', n, merge-P(V)) ∧ prepared(m', v', n, merge-P(V)) ⇒ D(m) = D(m'))))",
    ref: `${REF}, Invariant A.1.5`,
    check: checkA15,
    // merge-P(V) is a function of the message: only a NEW-VIEW added to a non-faulty in_i can bring
    // a violation. No cache.
    checkDelta(u: Universe, s: SystemState, delta: Delta): Violation[] {
      if (delta.full) return checkA15(u, s);
      if (nFaulty(s) > u.f) return [];
      const out: Violation[] = [];
      for (const st of s.replicas) {
        if (st.faulty) continue;
        const nvs = addedStill(delta, st, isNewView).sort((a, b) => a.v - b.v || a.id - b.id);
        for (const nv of nvs) {
          deltaWork.keys += 1 + nv.V.reduce((k, vc) => k + (vc.tag === 'VIEW-CHANGE' ? vc.P.length : 0), 0);
          out.push(...a15Violations(u, st, nv));
        }
      }
      return out;
    },
  },
];

/** The NEW-VIEW messages of in_i, by view, then id. */
function newViewsOf(st: ReplicaState): NewView[] {
  const out: NewView[] = [];
  for (const nvs of st.in.newViewsByV.values()) out.push(...nvs);
  return out.sort((a, b) => a.v - b.v || a.id - b.id);
}

// ---------------------------------------------------------------------------------- A.1.6

/** The violation of A.1.6 by i's own commit c ∈ in_i, if no m with D(m) = c.d is prepared at (c.v, c.n). */
function a16Violation(u: Universe, st: ReplicaState, c: Commit): Violation | null {
  // candidates m: pre-prepares of in_i at (v, n) with D(m) = d (prepared() checks the signer)
  const pps = [...st.in.prePreparesAt(c.n)].filter((pp) => pp.v === c.v && u.interner.digest(pp.m) === c.d);
  if (pps.some((pp) => prepared(u, pp.m, c.v, c.n, st.in))) return null;
  const p = u.primary(c.v);
  const signers = [...st.in.prepareSignersOf(c.v, c.n, c.d)].filter((k) => k !== p).sort((a, b) => a - b);
  const fromPrimary = pps.filter((pp) => pp.signer === p);
  return violation('A.1.6', `r${st.i} has its own ${formatMessage(u, c)} in in_${st.i} but no m with D(m) = d is prepared at view ${c.v}, n = ${c.n}`, {
    replicas: [st.i],
    messages: [c, ...pps],
    view: c.v,
    n: c.n,
    detail:
      `pre-prepare from primary(${c.v}) = r${p} with digest d in in_${st.i}: ${fromPrimary.length > 0 ? 'yes' : 'no'}; ` +
      `prepares ⟨PREPARE, ${c.v}, ${c.n}, d, k⟩σk with k ≠ primary(v): ${set(signers)} (2f = ${2 * u.f} needed)`,
  });
}

const byNVIdC = (a: Commit, b: Commit) => a.n - b.n || a.v - b.v || a.id - b.id;

function checkA16(u: Universe, s: SystemState): Violation[] {
  const out: Violation[] = [];
  for (const st of s.replicas) {
    if (st.faulty) continue;
    const own: Commit[] = [];
    for (const cs of st.in.commitsByN.values()) for (const c of cs) if (c.j === st.i) own.push(c);
    for (const c of own.sort(byNVIdC)) {
      const x = a16Violation(u, st, c);
      if (x !== null) out.push(x);
    }
  }
  return out;
}

export const A_1_6: SystemInvariant[] = [
  {
    id: 'A.1.6',
    family: 'A.1.6',
    subject: 'A',
    statement: '∀ i ∈ R : (¬faulty_i ⇒ ∀ ⟨COMMIT, v, n, d, i⟩σi ∈ in_i : (∃ m : (D(m) = d ∧ prepared(m, v, n, i) = true)))',
    ref: `${REF}, Invariant A.1.6`,
    check: checkA16,
    // A commit and the certificate its ∃ asks for have the same (v, n): re-examine i's own commits
    // at the (v, n)'s touched in in_i (an added commit; a removed pre-prepare or prepare). No cache.
    checkDelta(u: Universe, s: SystemState, delta: Delta): Violation[] {
      if (delta.full) return checkA16(u, s);
      const out: Violation[] = [];
      for (const st of s.replicas) {
        if (st.faulty) continue;
        const touched = touchedViews(delta, st.i, ['PRE-PREPARE', 'PREPARE', 'COMMIT']);
        for (const n of sortedNs(touched.keys())) {
          const vs = touched.get(n)!;
          const own = [...(st.in.commitsByN.get(n) ?? [])].filter((c) => c.j === st.i && vs.has(c.v)).sort(byNVIdC);
          deltaWork.keys += 1 + (st.in.commitsByN.get(n)?.size ?? 0);
          for (const c of own) {
            deltaWork.keys += 1 + st.in.prePreparesAt(n).size;
            const x = a16Violation(u, st, c);
            if (x !== null) out.push(x);
          }
        }
      }
      return out;
    },
  },
];

// ---------------------------------------------------------------------------------- A.1.7

/** A fact committed(m, v, n, i). */
export interface CommittedTriple {
  m: Payload;
  v: number;
  n: number;
  d: Digest;
  /** What makes committed's first conjunct true: a pre-prepare for (n, m) from primary(v'), or m ∈ in_i. */
  evidence: Message;
}

/** Every (m, v, n) with committed(m, v, n, in_i) (see the reduction at the top of the file), ordered by n, v. */
export function committedIn(u: Universe, inI: MessageSet): CommittedTriple[] {
  let byDigest: Map<Digest, Request[]> | null = null;
  const requestsWith = (d: Digest): readonly Request[] => {
    if (byDigest === null) {
      byDigest = new Map();
      for (const r of inI.requests) {
        const k = u.interner.digest(r);
        const l = byDigest.get(k);
        if (l === undefined) byDigest.set(k, [r]);
        else l.push(r);
      }
    }
    return byDigest.get(d) ?? [];
  };
  const out: CommittedTriple[] = [];
  for (const n of inI.commitsByN.keys()) out.push(...committedAtN(u, inI, n, requestsWith));
  return out.sort(byNVEvidence);
}

const byNVEvidence = (a: CommittedTriple, b: CommittedTriple) => a.n - b.n || a.v - b.v || a.evidence.id - b.evidence.id;

/** Every (m, v) with committed(m, v, n, in_i) at one n, ordered by v, then evidence; `requestsWith(d)`: the requests of in_i with digest d. */
export function committedAtN(u: Universe, inI: MessageSet, n: number, requestsWith: (d: Digest) => readonly Request[]): CommittedTriple[] {
  const out: CommittedTriple[] = [];
  const seen = new Set<string>();
  for (const c of inI.commitsByN.get(n) ?? []) {
    const vd = `${c.v}|${c.d}`;
    if (seen.has(vd)) continue;
    seen.add(vd);
    if (inI.commitSignersOf(c.v, n, c.d).size < 2 * u.f + 1) continue;
    const found = new Set<Payload>();
    for (const pp of inI.prePreparesAt(n)) {
      if (pp.signer !== u.primary(pp.v) || found.has(pp.m) || u.interner.digest(pp.m) !== c.d) continue;
      if (!committed(u, pp.m, c.v, n, inI)) continue;
      found.add(pp.m);
      out.push({ m: pp.m, v: c.v, n, d: c.d, evidence: pp });
    }
    for (const r of requestsWith(c.d)) {
      if (found.has(r) || !committed(u, r, c.v, n, inI)) continue;
      found.add(r);
      out.push({ m: r, v: c.v, n, d: c.d, evidence: r });
    }
  }
  return out.sort(byNVEvidence);
}

/** The violation of A.1.7 for committed(x.m, x.v, x.n, i), given R, the non-faulty replicas that prepared (x.m, x.v, x.n). */
function a17Violation(u: Universe, st: ReplicaState, x: CommittedTriple, R: readonly number[], bound: number): Violation {
  const commits = [...(st.in.commitsByN.get(x.n) ?? [])].filter((c) => c.v === x.v && c.d === x.d).sort((a, b) => a.j - b.j);
  return violation(
    'A.1.7',
    `committed(${showM(u, x.m)}, ${x.v}, ${x.n}, ${st.i}) but only ${R.length} non-faulty replica(s) ${set(R)} have prepared(m, ${x.v}, ${x.n}, k); more than 2f − n-faulty = ${bound} needed`,
    {
      replicas: union([st.i], R),
      clients: clientsOf(x.m),
      messages: [x.evidence, ...commits],
      view: x.v,
      n: x.n,
      detail: `i = r${st.i}; non-faulty k with prepared(m, ${x.v}, ${x.n}, k): ${set(R)}; commit signers in in_${st.i}: ${set(commits.map((c) => c.j))}`,
    },
  );
}

function checkA17(u: Universe, s: SystemState): Violation[] {
  const out: Violation[] = [];
  const bound = 2 * u.f - nFaulty(s);
  let facts: Map<string, PreparedFact> | null = null; // computed only if something is committed
  for (const st of s.replicas) {
    if (st.faulty) continue;
    for (const x of committedIn(u, st.in)) {
      facts ??= preparedFacts(u, s);
      const R = facts.get(tripleKey(x.m, x.v, x.n))?.replicas ?? [];
      if (R.length > bound) continue;
      out.push(a17Violation(u, st, x, R, bound));
    }
  }
  return out;
}

/** The incremental state of A.1.7. */
interface A17State {
  index: PreparedIndex;
  /** Per non-faulty i: the requests of in_i by digest (D is collision resistant: one each). */
  requests: Map<number, Map<Digest, Request>>;
  /** Per non-faulty i: digest d → the n's with a commit ⟨COMMIT, ·, n, d, ·⟩ in in_i. */
  commitNs: Map<number, Map<Digest, Set<number>>>;
}

function buildA17(u: Universe, s: SystemState, delta: Delta): A17State {
  const st17: A17State = { index: sharedPreparedIndex(u, s, delta).value, requests: new Map(), commitNs: new Map() };
  for (const st of s.replicas) {
    if (st.faulty) continue;
    const reqs = new Map<Digest, Request>();
    for (const r of st.in.requests) reqs.set(u.interner.digest(r), r);
    st17.requests.set(st.i, reqs);
    const cns = new Map<Digest, Set<number>>();
    for (const [n, cs] of st.in.commitsByN) for (const c of cs) addN(cns, c.d, n);
    st17.commitNs.set(st.i, cns);
  }
  return st17;
}

function addN(m: Map<Digest, Set<number>>, d: Digest, n: number): void {
  const x = m.get(d);
  if (x === undefined) m.set(d, new Set([n]));
  else x.add(n);
}

export const A_1_7: SystemInvariant[] = [
  {
    id: 'A.1.7',
    family: 'A.1.7',
    subject: 'A',
    statement:
      '∀ i ∈ R, n, v ∈ ℕ, m ∈ M : ((¬faulty_i ∧ committed(m, v, n, i)) ⇒ (∃ R : (|R| > 2f − n-faulty ∧ ∀ k ∈ R : (faulty_k = false ∧ prepared(m, v, n, k)))))',
    ref: `${REF}, Invariant A.1.7`,
    check: checkA17,
    // Re-examine committed(·, ·, n, i) at: the n's touched in in_i; the n's with commits for the
    // digest of a request added to in_i; and, at every non-faulty i, the n of a fact whose set of
    // preparers shrank (R is the largest witness of the ∃; it grows harmlessly).
    checkDelta(u: Universe, s: SystemState, delta: Delta, cache: Map<string, unknown>): Violation[] {
      if (delta.full) {
        cache.set('state', buildA17(u, s, delta));
        return checkA17(u, s);
      }
      const c17 = cachedState<A17State>(cache);
      const { shrunk } = sharedPreparedIndex(u, s, delta).changes!;
      const lostAt = new Set<number>();
      for (const t of shrunk.values()) lostAt.add(t.n);
      const bound = 2 * u.f - nFaulty(s);
      const out: Violation[] = [];
      for (const st of s.replicas) {
        if (st.faulty) continue;
        const reqs = c17.requests.get(st.i)!;
        const cns = c17.commitNs.get(st.i)!;
        const ns = touchedNs(delta, st.i);
        for (const m of delta.inRemoved.get(st.i) ?? []) {
          if (m.tag === 'REQUEST' && !st.in.has(m)) reqs.delete(u.interner.digest(m));
          else if (m.tag === 'COMMIT' && ![...(st.in.commitsByN.get(m.n) ?? [])].some((c) => c.d === m.d)) cns.get(m.d)?.delete(m.n);
        }
        for (const m of delta.inAdded.get(st.i) ?? []) {
          if (!st.in.has(m)) continue;
          if (m.tag === 'COMMIT') addN(cns, m.d, m.n);
          else if (m.tag === 'REQUEST') {
            const d = u.interner.digest(m);
            reqs.set(d, m);
            for (const n of cns.get(d) ?? []) ns.add(n);
          }
        }
        for (const n of lostAt) ns.add(n);
        const requestsWith = (d: Digest): readonly Request[] => {
          const r = reqs.get(d);
          return r === undefined ? [] : [r];
        };
        for (const n of sortedNs(ns)) {
          deltaWork.keys += 1 + (st.in.commitsByN.get(n)?.size ?? 0) + st.in.prePreparesAt(n).size;
          for (const x of committedAtN(u, st.in, n, requestsWith)) {
            deltaWork.keys++;
            const R = c17.index.facts.get(tripleKey(x.m, x.v, x.n))?.replicas ?? [];
            if (R.length > bound) continue;
            out.push(a17Violation(u, st, x, R, bound));
          }
        }
      }
      return out;
    },
  },
];

/** All conjuncts of A.1.4-A.1.7, in order. */
export const A1_PREPARED: SystemInvariant[] = [...A_1_4, ...A_1_5, ...A_1_6, ...A_1_7];
