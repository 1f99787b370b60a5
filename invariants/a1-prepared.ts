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
import { committed, mergeP, prepared } from '../automata/aux-functions.ts';
import type { SystemState } from '../automata/compose.ts';
import type { Digest } from '../automata/digests.ts';
import { formatMessage } from '../automata/format.ts';
import type { MessageSet } from '../automata/message-set.ts';
import type { Commit, Message, NewView, PrePrepare, Request } from '../automata/messages.ts';
import type { ReplicaState } from '../automata/replica-state.ts';
import type { Universe } from '../automata/universe.ts';
import { nFaulty, violation, type SystemInvariant, type Violation } from './types.ts';

const REF = 'Appendix A.1';

/** A fact prepared(m, v, n, M), with the certificate's pre-prepare ⟨PRE-PREPARE, v, n, m⟩σprimary(v). */
export interface PreparedTriple {
  m: Request | null;
  v: number;
  n: number;
  /** D(m) */
  d: Digest;
  pp: PrePrepare;
}

/** A key for (m, v, n) that builds no message: m by its interning id (−1 for null). */
export const tripleKey = (m: Request | null, v: number, n: number): string => `${v}|${n}|${m === null ? -1 : m.id}`;

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

const showM = (u: Universe, m: Request | null) => formatMessage(u, m);
const set = (xs: readonly number[]) => `{${xs.map((k) => `r${k}`).join(', ')}}`;
const union = (...xs: (readonly number[])[]) => [...new Set(xs.flat())].sort((a, b) => a - b);
const clientsOf = (...ms: (Request | null)[]) => [...new Set(ms.filter((m): m is Request => m !== null).map((m) => m.c))].sort((a, b) => a - b);

// ---------------------------------------------------------------------------------- A.1.4

export const A_1_4: SystemInvariant[] = [
  {
    id: 'A.1.4',
    family: 'A.1.4',
    subject: 'A',
    statement:
      "∀ i, j ∈ R, n, v ∈ ℕ, m, m' ∈ M : ((¬faulty_i ∧ ¬faulty_j ∧ n-faulty ≤ f) ⇒ (prepared(m, v, n, i) ∧ prepared(m', v, n, j) ⇒ D(m) = D(m')))",
    ref: `${REF}, Invariant A.1.4`,
    check(u: Universe, s: SystemState): Violation[] {
      if (nFaulty(s) > u.f) return [];
      return conflicts(preparedAtCorrect(u, s)).map(({ v, n, a, b }) =>
        violation(
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
        ),
      );
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

export const A_1_5: SystemInvariant[] = [
  {
    id: 'A.1.5',
    family: 'A.1.5',
    subject: 'A',
    statement:
      "∀ i ∈ R : ((¬faulty_i ∧ n-faulty ≤ f) ⇒ (∀ ⟨NEW-VIEW, v, V, O, N⟩σk ∈ in_i, n, v' ∈ ℕ : (prepared(m, v', n, merge-P(V)) ∧ prepared(m', v', n, merge-P(V)) ⇒ D(m) = D(m'))))",
    ref: `${REF}, Invariant A.1.5`,
    check(u: Universe, s: SystemState): Violation[] {
      if (nFaulty(s) > u.f) return [];
      const out: Violation[] = [];
      for (const st of s.replicas) {
        if (st.faulty) continue;
        for (const nv of newViewsOf(st))
          for (const { v, n, a, b } of mergePConflicts(u, nv))
            out.push(
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

export const A_1_6: SystemInvariant[] = [
  {
    id: 'A.1.6',
    family: 'A.1.6',
    subject: 'A',
    statement: '∀ i ∈ R : (¬faulty_i ⇒ ∀ ⟨COMMIT, v, n, d, i⟩σi ∈ in_i : (∃ m : (D(m) = d ∧ prepared(m, v, n, i) = true)))',
    ref: `${REF}, Invariant A.1.6`,
    check(u: Universe, s: SystemState): Violation[] {
      const out: Violation[] = [];
      for (const st of s.replicas) {
        if (st.faulty) continue;
        const own: Commit[] = [];
        for (const cs of st.in.commitsByN.values()) for (const c of cs) if (c.j === st.i) own.push(c);
        own.sort((a, b) => a.n - b.n || a.v - b.v || a.id - b.id);
        for (const c of own) {
          // candidates m: pre-prepares of in_i at (v, n) with D(m) = d (prepared() checks the signer)
          const pps = [...st.in.prePreparesAt(c.n)].filter((pp) => pp.v === c.v && u.interner.digest(pp.m) === c.d);
          if (pps.some((pp) => prepared(u, pp.m, c.v, c.n, st.in))) continue;
          const p = u.primary(c.v);
          const signers = [...st.in.prepareSignersOf(c.v, c.n, c.d)].filter((k) => k !== p).sort((a, b) => a - b);
          const fromPrimary = pps.filter((pp) => pp.signer === p);
          out.push(
            violation('A.1.6', `r${st.i} has its own ${formatMessage(u, c)} in in_${st.i} but no m with D(m) = d is prepared at view ${c.v}, n = ${c.n}`, {
              replicas: [st.i],
              messages: [c, ...pps],
              view: c.v,
              n: c.n,
              detail:
                `pre-prepare from primary(${c.v}) = r${p} with digest d in in_${st.i}: ${fromPrimary.length > 0 ? 'yes' : 'no'}; ` +
                `prepares ⟨PREPARE, ${c.v}, ${c.n}, d, k⟩σk with k ≠ primary(v): ${set(signers)} (2f = ${2 * u.f} needed)`,
            }),
          );
        }
      }
      return out;
    },
  },
];

// ---------------------------------------------------------------------------------- A.1.7

/** A fact committed(m, v, n, i). */
export interface CommittedTriple {
  m: Request | null;
  v: number;
  n: number;
  d: Digest;
  /** What makes committed's first conjunct true: a pre-prepare for (n, m) from primary(v'), or m ∈ in_i. */
  evidence: Message;
}

/** Every (m, v, n) with committed(m, v, n, in_i) (see the reduction at the top of the file), ordered by n, v. */
export function committedIn(u: Universe, inI: MessageSet): CommittedTriple[] {
  const out: CommittedTriple[] = [];
  let byDigest: Map<Digest, Request[]> | null = null;
  const requestsWith = (d: Digest): Request[] => {
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
  for (const [n, cs] of inI.commitsByN) {
    const seen = new Set<string>();
    for (const c of cs) {
      const vd = `${c.v}|${c.d}`;
      if (seen.has(vd)) continue;
      seen.add(vd);
      if (inI.commitSignersOf(c.v, n, c.d).size < 2 * u.f + 1) continue;
      const found = new Set<Request | null>();
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
  }
  return out.sort((a, b) => a.n - b.n || a.v - b.v || a.evidence.id - b.evidence.id);
}

export const A_1_7: SystemInvariant[] = [
  {
    id: 'A.1.7',
    family: 'A.1.7',
    subject: 'A',
    statement:
      '∀ i ∈ R, n, v ∈ ℕ, m ∈ M : ((¬faulty_i ∧ committed(m, v, n, i)) ⇒ (∃ R : (|R| > 2f − n-faulty ∧ ∀ k ∈ R : (faulty_k = false ∧ prepared(m, v, n, k)))))',
    ref: `${REF}, Invariant A.1.7`,
    check(u: Universe, s: SystemState): Violation[] {
      const out: Violation[] = [];
      const bound = 2 * u.f - nFaulty(s);
      let facts: Map<string, PreparedFact> | null = null; // computed only if something is committed
      for (const st of s.replicas) {
        if (st.faulty) continue;
        for (const x of committedIn(u, st.in)) {
          facts ??= preparedFacts(u, s);
          const R = facts.get(tripleKey(x.m, x.v, x.n))?.replicas ?? [];
          if (R.length > bound) continue;
          const commits = [...(st.in.commitsByN.get(x.n) ?? [])].filter((c) => c.v === x.v && c.d === x.d).sort((a, b) => a.j - b.j);
          out.push(
            violation(
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
            ),
          );
        }
      }
      return out;
    },
  },
];

/** All conjuncts of A.1.4-A.1.7, in order. */
export const A1_PREPARED: SystemInvariant[] = [...A_1_4, ...A_1_5, ...A_1_6, ...A_1_7];
