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
// Incremental evaluation (checkDelta, the same result as check): every fact above depends on the
// log of one replica at one n, except "m ∈ in_i", which depends on the requests of in_i. Per
// non-faulty replica the cache keeps indexes of its primary-signed pre-prepares (by (v, n, D(m))
// and by (n, D(m))), its requests by digest, its commit certificates (views by (n, d), and the n
// with a certificate per d), and its facts (the prepared pre-prepares, the committed digests per
// n). Globally, per n: the digests prepared by more than f non-faulty replicas (with the
// pre-prepares and the replicas that prepared them) and the digests committed at non-faulty
// replicas. A step's journaled adds and deletes of in_i update these entries only: a PRE-PREPARE
// re-evaluates itself, a PREPARE the pre-prepares of its (v, n, d), a COMMIT its (n, d), a REQUEST
// the (n, D(m)) with a commit certificate (EXECUTE removes requests: committed can turn false).
// Every update re-reads the live log (MessageSet's signer indexes), so the order of the adds and
// deletes within a step does not matter. A conjunct fails at n iff these per-n digest tables say
// so (two certified digests; two committed; a committed and a different certified); the n whose
// tables changed, and those that failed before, are re-examined, and the violations of a failing
// n are built by the plain evaluation restricted to that n: equal to check's, in the same order
// (increasing n), even when a violation persists over several steps. The cache is rebuilt from
// the whole state when delta.full is set, or when the logs or faulty flags of s are not those it
// was built from (e.g. a cloned state); with n-faulty > f it keeps nothing.
//
// Witnesses: replicas (i, j or the sets R, R'), the clients of m and m', view v (of the first
// fact; v' is in the detail), n, and as messages the evidence of each fact: for prepared, the
// pre-prepare ⟨PRE-PREPARE, v, n, m⟩σprimary(v); for committed, a primary-signed pre-prepare for
// (n, m) in in_i if there is one, else the request m ∈ in_i (null has no message of its own).
import type { SystemState } from '../automata/compose.ts';
import type { Digest } from '../automata/digests.ts';
import type { MessageSet } from '../automata/message-set.ts';
import type { Commit, Message, PrePrepare, Request, Payload } from '../automata/messages.ts';
import type { ReplicaState } from '../automata/replica-state.ts';
import type { Universe } from '../automata/universe.ts';
import type { Delta } from './delta.ts';
import { nFaulty, violation, type SystemInvariant, type Violation, type Witness } from './types.ts';

const REF = 'Appendix A.1';

/** A fact prepared(m, v, n, k) held by every k of `replicas` (non-faulty). */
export interface PreparedFact {
  m: Payload;
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
  m: Payload;
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

/** The pre-prepares pps (those of in_i at n) whose (m, v, n) is prepared in in_i, in their order. */
function preparedFactsAt(u: Universe, st: ReplicaState, n: number, pps: Iterable<PrePrepare>, out: PrePrepare[]): void {
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

/**
 * Every (m, v) with prepared(m, v, n, in_i), for each n, as the pre-prepare of its certificate.
 * The same as preparedAt(u, n, in_i) for every n of a pre-prepare in in_i (checked by the tests),
 * with the prepare signers grouped once per n instead of looked up once per pre-prepare.
 */
export function preparedFacts(u: Universe, st: ReplicaState): PrePrepare[] {
  const out: PrePrepare[] = [];
  for (const [n, pps] of st.in.ppByN) preparedFactsAt(u, st, n, pps, out);
  return out;
}

/** Records prepared(pp.m, pp.v, pp.n, i) in the facts at pp.n (keyed by the interned pre-prepare). */
function addPrepared(u: Universe, atN: Map<PrePrepare, PreparedFact>, pp: PrePrepare, i: number): void {
  // interned: the pre-prepare of primary(v) for (v, n, m) is one object, so it keys (m, v, n)
  let fact = atN.get(pp);
  if (fact === undefined) atN.set(pp, (fact = { m: pp.m, v: pp.v, n: pp.n, d: u.interner.digest(pp.m), pp, replicas: [] }));
  fact.replicas.push(i);
}
const certifiedOf = (u: Universe, atN: Map<PrePrepare, PreparedFact>) => [...atN.values()].filter((x) => x.replicas.length > u.f);

/**
 * For every n: the (m, v) prepared at more than f non-faulty replicas, with those replicas.
 * Keys of the result are the sequence numbers that have at least one such (m, v).
 */
export function certifiedPrepared(u: Universe, s: SystemState): Map<number, PreparedFact[]> {
  const byN = new Map<number, Map<PrePrepare, PreparedFact>>();
  for (const st of s.replicas) {
    if (st.faulty) continue;
    for (const pp of preparedFacts(u, st)) {
      let atN = byN.get(pp.n);
      if (atN === undefined) byN.set(pp.n, (atN = new Map()));
      addPrepared(u, atN, pp, st.i);
    }
  }
  const out = new Map<number, PreparedFact[]>();
  for (const [n, atN] of byN) {
    const certified = certifiedOf(u, atN);
    if (certified.length > 0) out.set(n, certified);
  }
  return out;
}

/** certifiedPrepared(u, s).get(n) ?? [], computed from the logs at n only. */
function certifiedAt(u: Universe, s: SystemState, n: number): PreparedFact[] {
  const atN = new Map<PrePrepare, PreparedFact>();
  const pps: PrePrepare[] = [];
  for (const st of s.replicas) {
    if (st.faulty) continue;
    pps.length = 0;
    preparedFactsAt(u, st, n, st.in.prePreparesAt(n), pps);
    for (const pp of pps) addPrepared(u, atN, pp, st.i);
  }
  return certifiedOf(u, atN);
}

/** The requests of in_i with digest d (the table is built on first use). */
function requestLookup(u: Universe, st: ReplicaState): (d: Digest) => Request[] {
  let requestsByDigest: Map<Digest, Request[]> | null = null;
  return (d) => {
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
}

/** The committed facts of replica i at n (commits: those of in_i at n), appended to out. */
function committedFactsAt(u: Universe, st: ReplicaState, n: number, commits: Iterable<Commit> | undefined, requestsWith: (d: Digest) => Request[], out: CommittedFact[]): void {
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
      const found = new Set<Payload>();
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

/**
 * Every (m, v, n) with committed(m, v, n, i) at replica i (the union over n of
 * committedCandidates(u, st, n), checked by the tests), from the commit certificates of in_i:
 * for each (v, n, d) with 2f+1 commit signers, the m with D(m) = d that are the m of a
 * pre-prepare at n from the primary of its view, or requests in in_i.
 */
export function committedFacts(u: Universe, st: ReplicaState): CommittedFact[] {
  const out: CommittedFact[] = [];
  const requestsWith = requestLookup(u, st);
  for (const [n, commits] of st.in.commitsByN) committedFactsAt(u, st, n, commits, requestsWith, out);
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

/** committedByN(u, s).get(n) ?? [], computed from the logs at n (and the requests) only. */
function committedAt(u: Universe, s: SystemState, n: number): CommittedFact[] {
  const out: CommittedFact[] = [];
  for (const st of s.replicas) {
    if (st.faulty) continue;
    const commits = st.in.commitsByN.get(n);
    if (commits !== undefined) committedFactsAt(u, st, n, commits, requestLookup(u, st), out);
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
const showM = (m: Payload) => (m === null ? 'null' : m.tag === 'REQUEST' ? `⟨REQUEST, ${m.o}, ${m.t}, c${m.c}⟩` : `a ${m.tag} (id ${m.id})`);
const clientsOf = (...ms: Payload[]) => [...new Set(ms.filter((m): m is Request => m?.tag === 'REQUEST').map((m) => m.c))].sort((a, b) => a - b);
const union = (...xs: number[][]) => [...new Set(xs.flat())].sort((a, b) => a - b);

function w(replicas: number[], messages: Message[], ms: (Payload)[], view: number, n: number, detail: string): Witness {
  return { replicas, clients: clientsOf(...ms), messages, view, n, detail };
}

/** A.1.10's violations at n: one per pair of distinct digests among the certified facts. */
function violations10(n: number, cert: readonly PreparedFact[], out: Violation[]): void {
  const reps = firstByDigest(cert);
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

/** A.1.11's violations at n: one per pair of distinct digests among the committed facts. */
function violations11(n: number, com: readonly CommittedFact[], out: Violation[]): void {
  const reps = firstByDigest(com);
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

/** A.1.12's violations at n: one per committed digest and different certified digest. */
function violations12(n: number, com: readonly CommittedFact[], cert: readonly PreparedFact[], out: Violation[]): void {
  const ps = firstByDigest(cert);
  for (const x of firstByDigest(com))
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

// ---------------------------------------------------------------- incremental evaluation

function syncSet<K, V>(map: Map<K, Set<V>>, k: K, v: V, present: boolean): boolean {
  let set = map.get(k);
  if (present) {
    if (set === undefined) map.set(k, (set = new Set()));
    if (set.has(v)) return false;
    set.add(v);
    return true;
  }
  if (set === undefined || !set.delete(v)) return false;
  if (set.size === 0) map.delete(k);
  return true;
}
function syncNested<K1, K2, V>(map: Map<K1, Map<K2, Set<V>>>, k1: K1, k2: K2, v: V, present: boolean): boolean {
  let inner = map.get(k1);
  if (inner === undefined) {
    if (!present) return false;
    map.set(k1, (inner = new Map()));
  }
  const changed = syncSet(inner, k2, v, present);
  if (inner.size === 0) map.delete(k1);
  return changed;
}
const sizeOf = (x: { size: number } | undefined) => x?.size ?? 0;
const vndKey = (v: number, n: number, d: Digest) => `${v}|${n}|${d}`;

/** The indexes and facts of one non-faulty replica i (module comment, "Incremental evaluation"). */
class ReplicaTables {
  /** Prepared side: primary-signed pre-prepares of in_i by (v, n, D(m)); those prepared in in_i. */
  readonly ppByVnd = new Map<string, Set<PrePrepare>>();
  readonly prepared = new Set<PrePrepare>();
  /** Committed side: primary-signed pre-prepares by n and D(m); requests by digest. */
  readonly ppByNd = new Map<number, Map<Digest, Set<PrePrepare>>>();
  readonly requestsByD = new Map<Digest, Set<Request>>();
  /** Views v with 2f+1 signers of ⟨COMMIT, v, n, d, ·⟩ in in_i, by n and d; the n with one, by d. */
  readonly certViews = new Map<number, Map<Digest, Set<number>>>();
  readonly certNs = new Map<Digest, Set<number>>();
  /** The digests d with committed(m, v, n, i) for some m (D(m) = d) and v, by n. */
  readonly committed = new Map<number, Set<Digest>>();
  /** Re-evaluations pending after the current batch of adds and deletes. */
  readonly pendingPrepared = new Set<PrePrepare>();
  readonly pendingCommitted = new Map<number, Set<Digest>>();

  constructor(
    readonly i: number,
    readonly log: MessageSet,
  ) {}
}

/** What the last evaluation examined: messages of the delta, sequence numbers re-checked. */
export interface DeltaWork {
  messages: number;
  ns: number;
}

type FailsAt = (cert: ReadonlyMap<Digest, unknown> | undefined, com: ReadonlyMap<Digest, unknown> | undefined) => boolean;

/** The cache of one conjunct for one run. */
class FactTables {
  /** Per replica, null when faulty. */
  readonly replicas: (ReplicaTables | null)[];
  readonly faulty: boolean[];
  /** n-faulty > f: nothing is checked, nothing is kept (the faulty flags change only with delta.full). */
  readonly off: boolean;
  /** The non-faulty replicas k with prepared(m, v, n, k), by the pre-prepare of (m, v, n). */
  readonly preparers = new Map<PrePrepare, Set<number>>();
  /** Per n and digest: the pre-prepares prepared at more than f non-faulty replicas. */
  readonly certByN = new Map<number, Map<Digest, Set<PrePrepare>>>();
  /** Per n and digest: the non-faulty replicas at which a request with that digest is committed. */
  readonly comByN = new Map<number, Map<Digest, Set<number>>>();
  /** The n at which the conjunct fails (empty while it holds). */
  bad = new Set<number>();
  /** The n whose certByN or comByN entry changed since the last evaluation. */
  private readonly changed = new Set<number>();
  work: DeltaWork = { messages: 0, ns: 0 };

  constructor(
    private readonly u: Universe,
    s: SystemState,
    readonly side: { prepared: boolean; committed: boolean },
    private readonly failsAt: FailsAt,
  ) {
    this.faulty = s.replicas.map((r) => r.faulty);
    this.off = nFaulty(s) > u.f;
    this.replicas = s.replicas.map((r) => (r.faulty || this.off ? null : new ReplicaTables(r.i, r.in)));
    if (this.off) return;
    for (const rt of this.replicas) {
      if (rt === null) continue;
      for (const m of rt.log.all) this.touch(rt, m);
      this.settle(rt);
    }
    this.changed.clear();
    for (const n of new Set([...this.certByN.keys(), ...this.comByN.keys()])) if (this.fails(n)) this.bad.add(n);
  }

  /** Whether the tables were built for this state's replicas (same logs, same faulty flags). */
  fits(s: SystemState): boolean {
    if (s.replicas.length !== this.replicas.length) return false;
    for (const r of s.replicas) {
      if (r.faulty !== this.faulty[r.i]) return false;
      const rt = this.replicas[r.i];
      if (rt != null && rt.log !== r.in) return false;
    }
    return true;
  }

  /** Applies the journaled adds and deletes of delta; returns the n at which the conjunct now fails. */
  update(delta: Delta): ReadonlySet<number> {
    this.work = { messages: 0, ns: 0 };
    if (this.off) return this.bad;
    for (const rt of this.replicas) {
      if (rt === null) continue;
      const added = delta.inAdded.get(rt.i);
      const removed = delta.inRemoved.get(rt.i);
      if (added === undefined && removed === undefined) continue;
      for (const m of added ?? []) this.touch(rt, m);
      for (const m of removed ?? []) this.touch(rt, m);
      this.work.messages += (added?.length ?? 0) + (removed?.length ?? 0);
      this.settle(rt);
    }
    if (this.changed.size === 0 && this.bad.size === 0) return this.bad;
    const bad = new Set<number>();
    for (const n of [...this.changed, ...this.bad]) {
      this.work.ns++;
      if (this.fails(n)) bad.add(n);
    }
    this.changed.clear();
    this.bad = bad;
    return bad;
  }

  private fails(n: number): boolean {
    return this.failsAt(this.certByN.get(n), this.comByN.get(n));
  }

  /** Brings rt's indexes up to date with the live log for message m (added or deleted) and marks what to re-evaluate. */
  private touch(rt: ReplicaTables, m: Message): void {
    const u = this.u;
    switch (m.tag) {
      case 'REQUEST': {
        if (!this.side.committed) return;
        const d = u.interner.digest(m);
        syncSet(rt.requestsByD, d, m, rt.log.has(m));
        for (const n of rt.certNs.get(d) ?? []) syncSet(rt.pendingCommitted, n, d, true);
        return;
      }
      case 'PRE-PREPARE': {
        if (m.signer !== u.primary(m.v)) return; // neither prepared nor committed looks at it
        const d = u.interner.digest(m.m);
        const present = rt.log.has(m);
        if (this.side.prepared) {
          syncSet(rt.ppByVnd, vndKey(m.v, m.n, d), m, present);
          rt.pendingPrepared.add(m);
        }
        if (this.side.committed) {
          syncNested(rt.ppByNd, m.n, d, m, present);
          syncSet(rt.pendingCommitted, m.n, d, true);
        }
        return;
      }
      case 'PREPARE':
        if (this.side.prepared) for (const pp of rt.ppByVnd.get(vndKey(m.v, m.n, m.d)) ?? []) rt.pendingPrepared.add(pp);
        return;
      case 'COMMIT': {
        if (!this.side.committed) return;
        const certified = rt.log.commitSignersOf(m.v, m.n, m.d).size >= 2 * u.f + 1;
        syncNested(rt.certViews, m.n, m.d, m.v, certified);
        syncSet(rt.certNs, m.d, m.n, sizeOf(rt.certViews.get(m.n)?.get(m.d)) > 0);
        syncSet(rt.pendingCommitted, m.n, m.d, true);
        return;
      }
      default:
        return;
    }
  }

  /** Re-evaluates the facts of rt marked by touch, and the per-n tables they feed. */
  private settle(rt: ReplicaTables): void {
    const u = this.u;
    for (const pp of rt.pendingPrepared) {
      const d = u.interner.digest(pp.m);
      const p = u.primary(pp.v);
      const js = rt.log.prepareSignersOf(pp.v, pp.n, d);
      const now = rt.log.has(pp) && js.size - (js.has(p) ? 1 : 0) >= 2 * u.f;
      if (now === rt.prepared.has(pp)) continue;
      if (now) rt.prepared.add(pp);
      else rt.prepared.delete(pp);
      const before = sizeOf(this.preparers.get(pp)) > u.f;
      syncSet(this.preparers, pp, rt.i, now);
      const after = sizeOf(this.preparers.get(pp)) > u.f;
      if (before !== after && syncNested(this.certByN, pp.n, d, pp, after)) this.changed.add(pp.n);
    }
    rt.pendingPrepared.clear();
    for (const [n, ds] of rt.pendingCommitted)
      for (const d of ds) {
        const now = sizeOf(rt.certViews.get(n)?.get(d)) > 0 && (sizeOf(rt.ppByNd.get(n)?.get(d)) > 0 || sizeOf(rt.requestsByD.get(d)) > 0);
        if (!syncSet(rt.committed, n, d, now)) continue;
        if (syncNested(this.comByN, n, d, rt.i, now)) this.changed.add(n);
      }
    rt.pendingCommitted.clear();
  }
}

const CACHE_KEY = 'a1-committed';

/** The work done by the last checkDelta with this cache (for cost tests), if it kept tables. */
export function lastDeltaWork(cache: Map<string, unknown>): DeltaWork | undefined {
  const t = cache.get(CACHE_KEY);
  return t instanceof FactTables ? t.work : undefined;
}

/**
 * The per-n digest tables kept by a checkDelta cache (for tests): the digests prepared at more
 * than f non-faulty replicas, and those committed at non-faulty replicas (each only if the
 * conjunct needs it; undefined when nothing is kept).
 */
export function incrementalDigests(cache: Map<string, unknown>): { certified?: Map<number, Set<Digest>>; committed?: Map<number, Set<Digest>> } | undefined {
  const t = cache.get(CACHE_KEY);
  if (!(t instanceof FactTables) || t.off) return undefined;
  const keys = (m: Map<number, Map<Digest, unknown>>) => new Map([...m].map(([n, byD]) => [n, new Set(byD.keys())]));
  return { ...(t.side.prepared ? { certified: keys(t.certByN) } : {}), ...(t.side.committed ? { committed: keys(t.comByN) } : {}) };
}

/**
 * checkDelta for one conjunct: `side` says which facts it needs, `failsAt` when its per-n digest
 * tables show a violation, and `at` builds check's violations at one n.
 */
function incremental(
  check: (u: Universe, s: SystemState) => Violation[],
  side: { prepared: boolean; committed: boolean },
  failsAt: FailsAt,
  at: (u: Universe, s: SystemState, n: number, out: Violation[]) => void,
): NonNullable<SystemInvariant['checkDelta']> {
  return (u, s, delta, cache) => {
    const t = cache.get(CACHE_KEY);
    if (delta.full || !(t instanceof FactTables) || !t.fits(s)) {
      cache.set(CACHE_KEY, new FactTables(u, s, side, failsAt));
      return check(u, s);
    }
    const out: Violation[] = [];
    const bad = t.update(delta);
    if (bad.size > 0) for (const n of [...bad].sort((a, b) => a - b)) at(u, s, n, out);
    return out;
  };
}

function check10(u: Universe, s: SystemState): Violation[] {
  if (nFaulty(s) > u.f) return [];
  const out: Violation[] = [];
  const cert = certifiedPrepared(u, s);
  for (const n of sortedNs(cert)) violations10(n, cert.get(n)!, out);
  return out;
}

export const A_1_10: SystemInvariant[] = [
  {
    id: 'A.1.10',
    family: 'A.1.10',
    subject: 'A',
    statement:
      "∀ n, v, v', m, m' : (n-faulty ≤ f ⇒ (∃ R : (|R| > f ∧ ∀ k ∈ R : (¬faulty_k ∧ prepared(m, v, n, k))) ∧ ∃ R' : (|R'| > f ∧ ∀ k ∈ R' : (¬faulty_k ∧ prepared(m', v', n, k)))) ⇒ D(m) = D(m'))",
    ref: `${REF}, Invariant A.1.10`,
    check: check10,
    checkDelta: incremental(
      check10,
      { prepared: true, committed: false },
      (cert) => sizeOf(cert) >= 2,
      (u, s, n, out) => violations10(n, certifiedAt(u, s, n), out),
    ),
  },
];

function check11(u: Universe, s: SystemState): Violation[] {
  if (nFaulty(s) > u.f) return [];
  const out: Violation[] = [];
  const com = committedByN(u, s);
  for (const n of sortedNs(com)) violations11(n, com.get(n)!, out);
  return out;
}

export const A_1_11: SystemInvariant[] = [
  {
    id: 'A.1.11',
    family: 'A.1.11',
    subject: 'A',
    statement: "∀ i, j, n, v, v', m, m' : ((¬faulty_i ∧ ¬faulty_j ∧ n-faulty ≤ f) ⇒ (committed(m, v, n, i) ∧ committed(m', v', n, j) ⇒ D(m) = D(m')))",
    ref: `${REF}, Invariant A.1.11`,
    check: check11,
    checkDelta: incremental(
      check11,
      { prepared: false, committed: true },
      (_cert, com) => sizeOf(com) >= 2,
      (u, s, n, out) => violations11(n, committedAt(u, s, n), out),
    ),
  },
];

function check12(u: Universe, s: SystemState): Violation[] {
  if (nFaulty(s) > u.f) return [];
  const out: Violation[] = [];
  const cert = certifiedPrepared(u, s);
  if (cert.size === 0) return out;
  const com = committedByN(u, s);
  for (const n of sortedNs(com)) {
    const prepared = cert.get(n);
    if (prepared !== undefined) violations12(n, com.get(n)!, prepared, out);
  }
  return out;
}

export const A_1_12: SystemInvariant[] = [
  {
    id: 'A.1.12',
    family: 'A.1.12',
    subject: 'A',
    statement:
      "∀ i, n, v, v', m, m' : ((¬faulty_i ∧ n-faulty ≤ f) ⇒ (committed(m, v, n, i) ∧ ∃ R' : (|R'| > f ∧ ∀ k ∈ R' : (¬faulty_k ∧ prepared(m', v', n, k)))) ⇒ D(m) = D(m'))",
    ref: `${REF}, Invariant A.1.12`,
    check: check12,
    checkDelta: incremental(
      check12,
      { prepared: true, committed: true },
      // some committed digest and a different certified one
      (cert, com) => sizeOf(cert) > 0 && sizeOf(com) > 0 && (sizeOf(cert) > 1 || sizeOf(com) > 1 || cert!.keys().next().value !== com!.keys().next().value),
      (u, s, n, out) => {
        const cert = certifiedAt(u, s, n);
        if (cert.length > 0) violations12(n, committedAt(u, s, n), cert, out);
      },
    ),
  },
];

/** All conjuncts of A.1.10-A.1.12, in order. */
export const A1_COMMITTED: SystemInvariant[] = [...A_1_10, ...A_1_11, ...A_1_12];
