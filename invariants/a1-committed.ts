// Invariants A.1.10, A.1.11 and A.1.12 of Appendix A (thesis lines ~2855-2935): for one sequence
// number n, requests prepared by f+1 non-faulty replicas and requests committed at non-faulty
// replicas all have the same digest. Stated for A (no garbage collection).
//
// Reduction of the quantifiers to what is in the state (nothing is lost):
// - n, v, m in prepared(m, v, n, k): prepared requires ⟨PRE-PREPARE, v, n, m⟩σprimary(v) ∈ in_k,
//   so every (m, v, n) with prepared(m, v, n, k) is the (m, v, n) of a primary-signed pre-prepare
//   of in_k (index ppByN), and is prepared iff 2f signers other than primary(v) of
//   ⟨PREPARE, v, n, D(m), j⟩ are in in_k (index preparesByN, grouped once per n by (D, v)). m
//   ranges over requests and null, the m of a pre-prepare; any other m ∈ M is never prepared.
// - ∃ R ⊆ R : (|R| > f ∧ ∀ k ∈ R : (¬faulty_k ∧ prepared(m, v, n, k))) holds iff the set of all
//   non-faulty k with prepared(m, v, n, k) has more than f members: that set is the largest such
//   R. So we count, for each (m, v, n), the non-faulty replicas that prepared it.
// - committed(m, v, n, i) requires 2f+1 signers of ⟨COMMIT, v, n, D(m), k⟩σk ∈ in_i, so (v, n) is
//   the view and sequence number of commits of in_i (index commitsByN, grouped once per n by
//   (D, v)) and D(m) their digest d; and it requires m ∈ in_i or ⟨PRE-PREPARE, v', n, m⟩σprimary(v')
//   ∈ in_i for some v'. The m for a certificate (v, n, d) are therefore exactly the m with
//   D(m) = d of in_i's primary-signed pre-prepares at n, and the requests of in_i with digest d.
//   The tests check both enumerations against the model's preparedAt and committedCandidates.
// - D(m) = D(m') is compared as digests (D(null) is the null digest), exactly as written; in the
//   model distinct requests have distinct (SHA-256) digests.
// - The universal statements over m and m' (and i and j in A.1.11) are symmetric and include
//   m = m', i = j: we group the certified (resp. committed) facts at n by digest and report one
//   violation per pair of distinct digests (A.1.12: per committed digest and different certified
//   digest), with the first fact found of each as the witness. Only n with facts on both sides
//   are visited: the facts are built per n from the logs' indexes, linear in the log sizes.
// - The hypothesis n-faulty ≤ f is common to all three: above f nothing is checked.
//
// Witnesses: replicas (i, j or the sets R, R'), the clients of m and m', view v (of the first
// fact; v' is in the detail), n, and as messages the evidence of each fact: for prepared, the
// pre-prepare ⟨PRE-PREPARE, v, n, m⟩σprimary(v); for committed, a primary-signed pre-prepare for
// (n, m) in in_i if there is one, else the request m ∈ in_i (null has no message of its own).
import type { SystemState } from '../automata/compose.ts';
import type { Digest } from '../automata/digests.ts';
import type { Message, PrePrepare, Request } from '../automata/messages.ts';
import type { ReplicaState } from '../automata/replica-state.ts';
import type { Universe } from '../automata/universe.ts';
import { nFaulty, violation, type SystemInvariant, type Violation, type Witness } from './types.ts';

const REF = 'Appendix A.1';

/** A fact prepared(m, v, n, k) held by every k of `replicas` (non-faulty). */
export interface PreparedFact {
  m: Request | null;
  v: number;
  n: number;
  d: Digest;
  /** ⟨PRE-PREPARE, v, n, m⟩σprimary(v), the pre-prepare of the certificate. */
  pp: PrePrepare;
  /** The non-faulty replicas k with prepared(m, v, n, k), in increasing order. */
  replicas: number[];
}

/** A fact committed(m, v, n, i) at a non-faulty replica i. */
export interface CommittedFact {
  m: Request | null;
  v: number;
  n: number;
  d: Digest;
  i: number;
  /** What makes the first conjunct of committed true: a pre-prepare for (n, m) from a primary, or m itself. */
  evidence: Message;
}

/** Signers j of the PREPAREs (or COMMITs) ⟨·, v, n, d, j⟩ at one n, by digest d and view v. */
function signersAt(msgs: Iterable<{ v: number; d: Digest; j: number }> | undefined): Map<Digest, Map<number, Set<number>>> {
  const out = new Map<Digest, Map<number, Set<number>>>();
  for (const x of msgs ?? []) {
    let byV = out.get(x.d);
    if (byV === undefined) out.set(x.d, (byV = new Map()));
    let js = byV.get(x.v);
    if (js === undefined) byV.set(x.v, (js = new Set()));
    js.add(x.j);
  }
  return out;
}

/**
 * Every (m, v) with prepared(m, v, n, in_i), for each n, as the pre-prepare of its certificate.
 * The same as preparedAt(u, n, in_i) for every n of a pre-prepare in in_i (checked by the tests),
 * with the prepare signers grouped once per n instead of looked up once per pre-prepare.
 */
export function preparedFacts(u: Universe, st: ReplicaState): PrePrepare[] {
  const out: PrePrepare[] = [];
  for (const [n, pps] of st.in.ppByN) {
    let signers: Map<Digest, Map<number, Set<number>>> | null = null;
    for (const pp of pps) {
      const p = u.primary(pp.v);
      if (pp.signer !== p) continue;
      signers ??= signersAt(st.in.preparesByN.get(n));
      // prepared(m, v, n, M): the pre-prepare from primary(v) and 2f prepares from others than primary(v)
      const js = signers.get(u.interner.digest(pp.m))?.get(pp.v);
      if (js !== undefined && js.size - (js.has(p) ? 1 : 0) >= 2 * u.f) out.push(pp);
    }
  }
  return out;
}

/**
 * For every n: the (m, v) prepared at more than f non-faulty replicas, with those replicas.
 * Keys of the result are the sequence numbers that have at least one such (m, v).
 */
export function certifiedPrepared(u: Universe, s: SystemState): Map<number, PreparedFact[]> {
  const byN = new Map<number, Map<PrePrepare, PreparedFact>>();
  for (const st of s.replicas) {
    if (st.faulty) continue;
    for (const pp of preparedFacts(u, st)) {
      // interned: the pre-prepare of primary(v) for (v, n, m) is one object, so it keys (m, v, n)
      let atN = byN.get(pp.n);
      if (atN === undefined) byN.set(pp.n, (atN = new Map()));
      let fact = atN.get(pp);
      if (fact === undefined) atN.set(pp, (fact = { m: pp.m, v: pp.v, n: pp.n, d: u.interner.digest(pp.m), pp, replicas: [] }));
      fact.replicas.push(st.i);
    }
  }
  const out = new Map<number, PreparedFact[]>();
  for (const [n, atN] of byN) {
    const certified = [...atN.values()].filter((x) => x.replicas.length > u.f);
    if (certified.length > 0) out.set(n, certified);
  }
  return out;
}

/**
 * Every (m, v, n) with committed(m, v, n, i) at replica i (the union over n of
 * committedCandidates(u, st, n), checked by the tests), from the commit certificates of in_i:
 * for each (v, n, d) with 2f+1 commit signers, the m with D(m) = d that are the m of a
 * pre-prepare at n from the primary of its view, or requests in in_i.
 */
export function committedFacts(u: Universe, st: ReplicaState): CommittedFact[] {
  const out: CommittedFact[] = [];
  let requestsByDigest: Map<Digest, Request[]> | null = null;
  const requestsWith = (d: Digest): Request[] => {
    if (requestsByDigest === null) {
      requestsByDigest = new Map();
      for (const r of st.in.requests) {
        const k = u.interner.digest(r);
        const l = requestsByDigest.get(k);
        if (l === undefined) requestsByDigest.set(k, [r]);
        else l.push(r);
      }
    }
    return requestsByDigest.get(d) ?? [];
  };
  for (const [n, commits] of st.in.commitsByN) {
    let ppByDigest: Map<Digest, PrePrepare[]> | null = null;
    for (const [d, byV] of signersAt(commits)) {
      for (const [v, js] of byV) {
        if (js.size < 2 * u.f + 1) continue;
        if (ppByDigest === null) {
          ppByDigest = new Map();
          for (const pp of st.in.prePreparesAt(n)) {
            if (pp.signer !== u.primary(pp.v)) continue;
            const k = u.interner.digest(pp.m);
            const l = ppByDigest.get(k);
            if (l === undefined) ppByDigest.set(k, [pp]);
            else l.push(pp);
          }
        }
        // ∃ v' : ⟨PRE-PREPARE, v', n, m⟩σprimary(v') ∈ in_i ∨ m ∈ in_i
        const found = new Set<Request | null>();
        for (const pp of ppByDigest.get(d) ?? []) {
          if (found.has(pp.m)) continue;
          found.add(pp.m);
          out.push({ m: pp.m, v, n, d, i: st.i, evidence: pp });
        }
        for (const r of requestsWith(d)) {
          if (found.has(r)) continue;
          found.add(r);
          out.push({ m: r, v, n, d, i: st.i, evidence: r });
        }
      }
    }
  }
  return out;
}

/** committed facts of all non-faulty replicas, by n. */
export function committedByN(u: Universe, s: SystemState): Map<number, CommittedFact[]> {
  const out = new Map<number, CommittedFact[]>();
  for (const st of s.replicas) {
    if (st.faulty) continue;
    for (const x of committedFacts(u, st)) {
      const l = out.get(x.n);
      if (l === undefined) out.set(x.n, [x]);
      else l.push(x);
    }
  }
  return out;
}

/** The first fact of each digest, in the order found. */
function firstByDigest<T extends { d: Digest }>(xs: readonly T[]): T[] {
  const seen = new Map<Digest, T>();
  for (const x of xs) if (!seen.has(x.d)) seen.set(x.d, x);
  return [...seen.values()];
}

const sortedNs = (m: Map<number, unknown>) => [...m.keys()].sort((a, b) => a - b);
const showM = (m: Request | null) => (m === null ? 'null' : `⟨REQUEST, ${m.o}, ${m.t}, c${m.c}⟩`);
const clientsOf = (...ms: (Request | null)[]) => [...new Set(ms.filter((m): m is Request => m !== null).map((m) => m.c))].sort((a, b) => a - b);
const union = (...xs: number[][]) => [...new Set(xs.flat())].sort((a, b) => a - b);

function w(replicas: number[], messages: Message[], ms: (Request | null)[], view: number, n: number, detail: string): Witness {
  return { replicas, clients: clientsOf(...ms), messages, view, n, detail };
}

export const A_1_10: SystemInvariant[] = [
  {
    id: 'A.1.10',
    family: 'A.1.10',
    subject: 'A',
    statement:
      "∀ n, v, v', m, m' : (n-faulty ≤ f ⇒ (∃ R : (|R| > f ∧ ∀ k ∈ R : (¬faulty_k ∧ prepared(m, v, n, k))) ∧ ∃ R' : (|R'| > f ∧ ∀ k ∈ R' : (¬faulty_k ∧ prepared(m', v', n, k)))) ⇒ D(m) = D(m'))",
    ref: `${REF}, Invariant A.1.10`,
    check(u: Universe, s: SystemState): Violation[] {
      if (nFaulty(s) > u.f) return [];
      const out: Violation[] = [];
      const cert = certifiedPrepared(u, s);
      for (const n of sortedNs(cert)) {
        const reps = firstByDigest(cert.get(n)!);
        for (let a = 0; a < reps.length; a++)
          for (let b = a + 1; b < reps.length; b++) {
            const x = reps[a]!;
            const y = reps[b]!;
            out.push(
              violation(
                'A.1.10',
                `at n = ${n}, ${showM(x.m)} (view ${x.v}) is prepared at f+1 non-faulty replicas {${x.replicas.join(', ')}} and ${showM(y.m)} (view ${y.v}) at {${y.replicas.join(', ')}}, with different digests`,
                w(union(x.replicas, y.replicas), [x.pp, y.pp], [x.m, y.m], x.v, n, `R = {${x.replicas.join(', ')}} prepared (m, v=${x.v}); R' = {${y.replicas.join(', ')}} prepared (m', v'=${y.v})`),
              ),
            );
          }
      }
      return out;
    },
  },
];

export const A_1_11: SystemInvariant[] = [
  {
    id: 'A.1.11',
    family: 'A.1.11',
    subject: 'A',
    statement: "∀ i, j, n, v, v', m, m' : ((¬faulty_i ∧ ¬faulty_j ∧ n-faulty ≤ f) ⇒ (committed(m, v, n, i) ∧ committed(m', v', n, j) ⇒ D(m) = D(m')))",
    ref: `${REF}, Invariant A.1.11`,
    check(u: Universe, s: SystemState): Violation[] {
      if (nFaulty(s) > u.f) return [];
      const out: Violation[] = [];
      const com = committedByN(u, s);
      for (const n of sortedNs(com)) {
        const reps = firstByDigest(com.get(n)!);
        for (let a = 0; a < reps.length; a++)
          for (let b = a + 1; b < reps.length; b++) {
            const x = reps[a]!;
            const y = reps[b]!;
            out.push(
              violation(
                'A.1.11',
                `at n = ${n}, committed(${showM(x.m)}, ${x.v}, ${n}, ${x.i}) and committed(${showM(y.m)}, ${y.v}, ${n}, ${y.i}) with different digests`,
                w(union([x.i], [y.i]), [x.evidence, y.evidence], [x.m, y.m], x.v, n, `i = ${x.i}, v = ${x.v}; j = ${y.i}, v' = ${y.v}`),
              ),
            );
          }
      }
      return out;
    },
  },
];

export const A_1_12: SystemInvariant[] = [
  {
    id: 'A.1.12',
    family: 'A.1.12',
    subject: 'A',
    statement:
      "∀ i, n, v, v', m, m' : ((¬faulty_i ∧ n-faulty ≤ f) ⇒ (committed(m, v, n, i) ∧ ∃ R' : (|R'| > f ∧ ∀ k ∈ R' : (¬faulty_k ∧ prepared(m', v', n, k)))) ⇒ D(m) = D(m'))",
    ref: `${REF}, Invariant A.1.12`,
    check(u: Universe, s: SystemState): Violation[] {
      if (nFaulty(s) > u.f) return [];
      const out: Violation[] = [];
      const cert = certifiedPrepared(u, s);
      if (cert.size === 0) return out;
      const com = committedByN(u, s);
      for (const n of sortedNs(com)) {
        const prepared = cert.get(n);
        if (prepared === undefined) continue;
        const ps = firstByDigest(prepared);
        for (const x of firstByDigest(com.get(n)!))
          for (const y of ps) {
            if (x.d === y.d) continue;
            out.push(
              violation(
                'A.1.12',
                `at n = ${n}, committed(${showM(x.m)}, ${x.v}, ${n}, ${x.i}) but ${showM(y.m)} (view ${y.v}) is prepared at f+1 non-faulty replicas {${y.replicas.join(', ')}}, with a different digest`,
                w(union([x.i], y.replicas), [x.evidence, y.pp], [x.m, y.m], x.v, n, `i = ${x.i}, v = ${x.v}; R' = {${y.replicas.join(', ')}}, v' = ${y.v}`),
              ),
            );
          }
      }
      return out;
    },
  },
];

/** All conjuncts of A.1.10-A.1.12, in order. */
export const A1_COMMITTED: SystemInvariant[] = [...A_1_10, ...A_1_11, ...A_1_12];
