// Appendix A.2 of the thesis, the part stated for A_gc (the algorithm with garbage collection):
//   Definition A.2.1  r-val, r-last-rep, r-last-rep-t over sequences μ ∈ RM* of requests and null;
//   Definition A.2.2  Wire, Wire+o, Wire+io and the predicate committed-Wire(s, l, t, n, v, μ);
//   Invariant A.2.3   (1) the state of a correct replica, and (2) the checkpoints a correct replica
//                     signs, are the result of a sequence of requests committed in Wire+o;
//   Invariant A.2.4   any two sequences for which committed-Wire holds are prefix-related.
// (thesis lines ~3106-3200.)
//
// How the quantifiers are reduced to what is present in a state
// --------------------------------------------------------------
// committed-Wire(s, l, t, n, v, μ) asks, for every 0 < k ≤ n, that m_k has a commit certificate
// (> 2f signers q of ⟨COMMIT, v', k, D(m_k), q⟩σq ∈ Wire+o, some v' ≤ v) AND that
// ⟨PRE-PREPARE, v'', k, m_k⟩σprimary(v'') ∈ Wire+o for some v'' ≤ v, or m_k ∈ Wire+o.
//  * RM is infinite, but the second conjunct only admits an m_k that is carried by a pre-prepare
//    in Wire+o or is itself a request in Wire+o, and Wire+o is a finite part of the state. So the
//    CANDIDATES at k are: the requests (and null) of the pre-prepares at k signed by the primary of
//    their view, plus the requests in Wire+o, restricted to those whose digest has a certificate at
//    k. Nothing is lost: an m_k outside this set fails the second conjunct.
//  * Digests are collision resistant (digests.ts): D(m) = d picks out at most one m among them.
//  * The bounds "∃ v' ≤ v" are monotone in v, so each candidate has a least admissible view
//    vmin = max(least view of a certificate, least view of a pre-prepare witness — or 0 when
//    m_k ∈ Wire+o); m_k is admissible for v iff vmin ≤ v.
//  * ∃ μ then becomes a search over candidate sequences of length n. The fold (Definition A.2.1)
//    is computed along them; sequences are merged when they reach the same checkpoint value
//    (the rest of the fold depends only on the value, and one witness μ per value suffices).
//    With at most one candidate per k (what A.2.4 guarantees while n-faulty ≤ f) there is exactly
//    one value at every k. If more than SEARCH_BOUND distinct values are alive at some k the
//    search stops and answers "inconclusive"; the invariants report that as a finding whose
//    message starts with "inconclusive" (it is not a proof of falsity, but it is not a pass).
//  * A.2.3(2) quantifies over ⟨s, l, t⟩ through a digest D(⟨s, l, t⟩) in a checkpoint. committed-
//    Wire forces ⟨s, l, t⟩ to be the fold of some candidate sequence of length n, so it suffices to
//    compare the digest with the digests of the values the search reaches at (n, v); the value
//    with that digest is unique. (To print what the checkpoint holds when no value matches, the
//    values held by replicas and carried by view-changes are looked up too.)
//  * Wire never forgets a message, and out_j / in_j are finite: Wire, Wire+o, Wire+io are built
//    from the state as sets of (interned) messages, once per check.
//  * Witnesses in reports depend on the sets only, not on the order in which the wire happens to
//    hold its entries: the commits shown when k has no certificate are the first by message id,
//    and the carrier shown for a checkpoint of N is the VIEW-CHANGE or NEW-VIEW of least id.
//
// Incremental evaluation (checkDelta, see WireEngine below)
// ---------------------------------------------------------
// The three conjuncts keep, from one check of a run to the next, Wire (closed under nesting) and
// its part of the candidate index, extended with delta.wireAdded; the part of Wire+o that comes
// from out_j is small and rebuilt every time. Candidates are recomputed only at the k's whose
// messages changed, and the search is kept as a chain of folds along k (one candidate per k, as
// A.2.4 guarantees), cut back from the least k whose candidates changed. Then
//  * A.2.3(1) looks again at a replica when its variables changed, when candidates at some
//    k ≤ last-exec_i changed, or when it was failing;
//  * A.2.3(2) judges a checkpoint when it first enters N and again when candidates at some
//    k ≤ n changed. Wire+io can lose messages (garbage collection of in_j), so the checkpoints
//    kept are those ever in N; only when one of them fails is N itself built, to report only
//    those still in it (a checkpoint leaving N cannot create a violation);
//  * A.2.4 is read off the k's with two candidates or more and the first k with none.
// Wire+o can lose messages too (out_i := {} of a new view, read literally, drops unsent
// commits): the k's the out_j part touched at the previous check are recomputed as well, so a
// certificate that disappears is seen (test/invariants/agc-checkpoints-delta.test.ts).
//
// Readings of the text
// --------------------
//  * Definition A.2.2 writes "l = r-last-rep-t(μ) ∧ t = r-last-rep-t(μ)": l is a last-rep
//    (C → O'), so the first should be r-last-rep(μ). committedWire implements the corrected
//    reading by default and the literal one with { literal: true } (under which no state with a
//    last-rep function satisfies it: O' results are never equal to timestamps).
//  * Definition A.2.1 gives the inductive steps for μ ∈ RM⁺ only, which leaves r-val of a
//    one-element sequence undefined; we apply the steps to every μ ∈ RM* (λ included).
//  * Definition A.2.2 defines Wire as the messages m with (m, X) ∈ wire. The null pre-prepares of
//    a new view (and the re-issued pre-prepares of its O) never travel alone: they are inside the
//    NEW-VIEW, and SEND-NEW-VIEW leaves only the NEW-VIEW in out_i (Fig 2-13). Read literally,
//    committed-Wire can never hold for a replica that executed a null request, and A.2.3 fails on
//    the model (test (d)). The corrected reading (default) adds to Wire, Wire+o and Wire+io the
//    messages nested in theirs: the V, O, N of a NEW-VIEW and the C, P of a VIEW-CHANGE (the thesis
//    nests the same way in the set N of A.2.3(2) and in Invariant A.1.1). Requests are not
//    unpacked from pre-prepares: a pre-prepare is already a witness for its request.
//    Literal: { literalWire: true } (wireSets, committedWire, agcCheckpointInvariants).
//  * Invariant A.2.4 says "of any reachable state in an execution of A", but committed-Wire is
//    defined on A_gc's state (Wire+o) and the invariant is used for A_gc; it is checked on A_gc.
//
// A failure of the text (ERRATA E3; corrected by readings.literalOutReset = false, the default)
// ----------------------------------------------------------------------------------------
// The proof of A.2.3 says messages leave out_j "only ... when they are sent over the multicast
// channel". In A_gc, SEND-NEW-VIEW sets out_i := {m} and RECEIVE(NEW-VIEW) sets out_i := {}
// (Fig 2-13): a COMMIT still in out_i is dropped unsent, while it stays in in_i and counts for
// committed(m, v, n, i). A replica can then execute (and checkpoint) a request whose certificate
// has only 2f signers in Wire+o, and A.2.3(1) (and (2)) fail with no faulty replica at all. See
// test (e) for a hand-built execution; random runs find it too (seed 25, no faults, step 211).
import type { SystemState } from '../automata/compose.ts';
import type { Digest } from '../automata/digests.ts';
import { shortDigest } from '../automata/digests.ts';
import { formatMessage } from '../automata/format.ts';
import type { Checkpoint, CheckpointValue, Commit, Message, PrePrepare, Request, ViewChange } from '../automata/messages.ts';
import type { Result, ServiceState } from '../automata/services.ts';
import { NULL_REP } from '../automata/services.ts';
import type { Universe } from '../automata/universe.ts';
import type { Delta } from './delta.ts';
import { nFaulty, violation, type SystemInvariant, type Violation } from './types.ts';

// ---------------------------------------------------------------- Definition A.2.1

/** An element of RM: a request or the null request. */
export type RM = Request | null;

/** The three checkpoint components a sequence of requests computes: ⟨r-val, r-last-rep, r-last-rep-t⟩. */
export interface RValue {
  readonly val: ServiceState;
  readonly lastRep: readonly Result[];
  readonly lastRepT: readonly number[];
}

/** r-val(λ) = s_o, r-last-rep(λ)(c) = null-rep, r-last-rep-t(λ)(c) = 0 */
export function rInitial(u: Universe): RValue {
  return { val: u.service.initial, lastRep: Array(u.clients).fill(NULL_REP), lastRepT: Array(u.clients).fill(0) };
}

/**
 * One inductive step of Definition A.2.1, the value of μ.m from the value of μ:
 *   μ.null: unchanged;
 *   μ.⟨REQUEST, o, t, c⟩σc: other clients unchanged; if t > r-last-rep-t(μ)(c) then
 *     (r, s) = g(c, o, r-val(μ)); r-val := s; r-last-rep(c) := r; r-last-rep-t(c) := t; else unchanged.
 */
export function rStep(u: Universe, x: RValue, m: RM): RValue {
  if (m === null) return x;
  const { o, t, c } = m;
  if (!(t > x.lastRepT[c]!)) return x;
  const [r, s] = u.service.g(c, o, x.val);
  const lastRep = [...x.lastRep];
  const lastRepT = [...x.lastRepT];
  lastRep[c] = r;
  lastRepT[c] = t;
  return { val: s, lastRep, lastRepT };
}

/** ⟨r-val(μ), r-last-rep(μ), r-last-rep-t(μ)⟩ */
export function rFold(u: Universe, mu: readonly RM[]): RValue {
  let x = rInitial(u);
  for (const m of mu) x = rStep(u, x, m);
  return x;
}
/** r-val(μ) */
export const rVal = (u: Universe, mu: readonly RM[]): ServiceState => rFold(u, mu).val;
/** r-last-rep(μ) */
export const rLastRep = (u: Universe, mu: readonly RM[]): readonly Result[] => rFold(u, mu).lastRep;
/** r-last-rep-t(μ) */
export const rLastRepT = (u: Universe, mu: readonly RM[]): readonly number[] => rFold(u, mu).lastRepT;

/** The functions of Definition A.2.1, as one record. */
export const R_FUNCTIONS = { rInitial, rStep, rFold, rVal, rLastRep, rLastRepT } as const;

/** A canonical key of a value: equal keys, equal ⟨s, l, t⟩. */
export function rValueKey(u: Universe, x: RValue): string {
  return `${u.service.encode(x.val)}|${x.lastRep.map((r) => JSON.stringify(r)).join(',')}|${x.lastRepT.join(',')}`;
}

function showValue(u: Universe, x: RValue): string {
  return `⟨${u.service.show(x.val)}; ${x.lastRep.join(',')}; ${x.lastRepT.join(',')}⟩`;
}
const showRM = (u: Universe, m: RM) => formatMessage(u, m);

// ---------------------------------------------------------------- Definition A.2.2: the sets

export interface WireSets {
  /** Wire ≡ {m | ∃ X : (m, X) ∈ wire} */
  readonly wire: ReadonlySet<Message>;
  /** Wire+o ≡ Wire ∪ {m | ∃ j ∈ R : ¬faulty_j ∧ m ∈ out_j} */
  readonly wireO: ReadonlySet<Message>;
  /** Wire+io ≡ Wire+o ∪ {m | ∃ j ∈ R : ¬faulty_j ∧ m ∈ in_j} */
  readonly wireIO: ReadonlySet<Message>;
}

/** Where the text of Appendix A.2 is read in two ways (see the header); default: corrected. */
export interface AgcReadings {
  /**
   * Definition A.2.2 as written: Wire holds only the messages m with (m, X) ∈ wire. Corrected
   * (default): Wire, Wire+o and Wire+io also hold every message nested in one of their messages
   * (the V, O, N of a NEW-VIEW, the C, P of a VIEW-CHANGE, at any depth): the null
   * pre-prepares of a new view travel only inside its NEW-VIEW, so as written committed-Wire can
   * never hold for a replica that executed a null request (A.2.3(1) fails on the model).
   */
  literalWire?: boolean;
  /** Definition A.2.2 as written: "l = r-last-rep-t(μ)" (ERRATA E5). */
  literalLastRepT?: boolean;
}

/** Wire, Wire+o and Wire+io of state s (Definition A.2.2). */
export function wireSets(_u: Universe, s: SystemState, readings: AgcReadings = {}): WireSets {
  const close = readings.literalWire === true ? (x: Set<Message>) => x : closeNested;
  const wire = new Set<Message>();
  for (let k = 0; k < s.wire.size; k++) wire.add(s.wire.entryAt(k).m);
  const wireO = new Set(wire);
  for (const r of s.replicas) if (!r.faulty) for (const m of r.out) wireO.add(m);
  const wireIO = new Set(wireO);
  for (const r of s.replicas) if (!r.faulty) for (const m of r.in.all) wireIO.add(m);
  return { wire: close(wire), wireO: close(wireO), wireIO: close(wireIO) };
}

/** The signed messages a message carries: the V, O, N of a NEW-VIEW; the C, P of a VIEW-CHANGE. */
export function nestedMessages(m: Message): readonly Message[] {
  switch (m.tag) {
    case 'NEW-VIEW':
      return [...m.V, ...m.O, ...m.N];
    case 'VIEW-CHANGE':
      return m.gc === null ? m.P : [...m.gc.C, ...m.P];
    default:
      return [];
  }
}

/** x ∪ every message nested (at any depth) in a message of x; x itself is extended and returned. */
function closeNested(x: Set<Message>): Set<Message> {
  const work: Message[] = [...x].filter((m) => m.tag === 'NEW-VIEW' || m.tag === 'VIEW-CHANGE');
  while (work.length > 0)
    for (const c of nestedMessages(work.pop()!))
      if (!x.has(c)) {
        x.add(c);
        work.push(c);
      }
  return x;
}

// ---------------------------------------------------------------- Definition A.2.2: committed-Wire

/** A request admissible as m_k in committed-Wire, with the least view bound v for which it is. */
export interface Candidate {
  readonly k: number;
  readonly m: RM;
  readonly d: Digest;
  /** Least v' with > 2f signers of ⟨COMMIT, v', k, d, q⟩σq in Wire+o. */
  readonly certView: number;
  /** The certificate at certView. */
  readonly certificate: readonly Commit[];
  /** Least v'' with ⟨PRE-PREPARE, v'', k, m⟩σprimary(v'') ∈ Wire+o, or 0 when m ∈ Wire+o. */
  readonly witnessView: number;
  /** The witness: the pre-prepare at witnessView, or m itself. */
  readonly witness: PrePrepare | Request;
  /** max(certView, witnessView): m is admissible at k for bound v iff vmin ≤ v. */
  readonly vmin: number;
}

/** One value reached by the search, with one sequence that reaches it. */
interface Node {
  readonly value: RValue;
  /** rValueKey(value), computed when first needed. */
  key?: string;
  readonly m: RM;
  readonly parent: Node | null;
  digest?: Digest;
}

/** The values reachable by candidate sequences of length n under a view bound, or why there are none. */
type Frontier = { kind: 'values'; nodes: Node[] } | { kind: 'empty'; k: number } | { kind: 'inconclusive'; k: number; size: number };

/** Distinct values the search keeps alive at one k before it gives up (see the header). */
export const SEARCH_BOUND = 64;

/** Signers of ⟨COMMIT, v', k, d, q⟩ at one k: by d, then v', then q. */
type CommitsAtK = Map<Digest, Map<number, Map<number, Commit>>>;

function addCommit(byD: CommitsAtK, m: Commit): void {
  const byV = getOr(byD, m.d, () => new Map<number, Map<number, Commit>>());
  getOr(byV, m.v, () => new Map<number, Commit>()).set(m.j, m);
}
/** Keeps, per request, the pre-prepare of least view; returns whether it changed. */
function addPrePrepare(byM: Map<RM, PrePrepare>, m: PrePrepare): boolean {
  const old = byM.get(m.m);
  if (old !== undefined && !(m.v < old.v)) return false;
  byM.set(m.m, m);
  return true;
}

/**
 * The candidates at k from what Wire+o holds at k: the commits at k, the primary-signed
 * pre-prepares at k (least view per request) and the requests of Wire+o by digest. Sorted by
 * vmin, then digest: a function of the sets only (not of any iteration order).
 */
function buildCandidates(u: Universe, k: number, commits: CommitsAtK | undefined, pps: ReadonlyMap<RM, PrePrepare> | undefined, requestOf: (d: Digest) => Request | undefined): Candidate[] {
  const list: Candidate[] = [];
  for (const [d, byV] of commits ?? []) {
    let certView = Infinity;
    for (const [v, signers] of byV) if (signers.size > 2 * u.f && v < certView) certView = v;
    if (certView === Infinity) continue;
    const certificate = [...byV.get(certView)!.values()].sort((a, b) => a.j - b.j);
    // The m with D(m) = d that Wire+o offers: carried by a pre-prepare at k, or a request.
    const offered = new Map<RM, { witnessView: number; witness: PrePrepare | Request }>();
    for (const [m, p] of pps ?? []) if (u.interner.digest(m) === d) offered.set(m, { witnessView: p.v, witness: p });
    const r = requestOf(d);
    if (r !== undefined) offered.set(r, { witnessView: 0, witness: r });
    for (const [m, w] of offered)
      list.push({ k, m, d, certView, certificate, witnessView: w.witnessView, witness: w.witness, vmin: Math.max(certView, w.witnessView) });
  }
  return list.sort((a, b) => a.vmin - b.vmin || (a.d < b.d ? -1 : a.d > b.d ? 1 : 0));
}

const keyOf = (u: Universe, x: Node): string => (x.key ??= rValueKey(u, x.value));

/** The frontier at k from the values at k − 1 and the candidates at k admissible for the bound. */
function stepFrontier(u: Universe, prev: readonly Node[], cs: readonly Candidate[], k: number, bound: number): Frontier {
  if (cs.length === 0) return { kind: 'empty', k };
  const next = new Map<string, Node>();
  for (const p of prev)
    for (const c of cs) {
      const value = rStep(u, p.value, c.m);
      const key = value === p.value ? keyOf(u, p) : rValueKey(u, value);
      if (!next.has(key)) next.set(key, { value, key, m: c.m, parent: p });
    }
  return next.size > bound ? { kind: 'inconclusive', k, size: next.size } : { kind: 'values', nodes: [...next.values()] };
}

/** What the invariants ask of a state's Wire+o: candidates, the search, and commits for reports. */
interface WireSearch {
  readonly u: Universe;
  readonly bound: number;
  /** The candidates at k admissible for view bound v (every bound when v is omitted). */
  candidatesAt(k: number, v?: number): Candidate[];
  /** The values reachable by candidate sequences of length n under bound v. */
  frontierAt(n: number, v: number): Frontier;
  /** The certificates at k, or (when there is none) the first few commits at k in Wire+o, by id. */
  commitsAt(k: number): Message[];
}

/** D(⟨s, l, t⟩) of a value the search reached (interned on first use). */
function digestOf(u: Universe, x: Node): Digest {
  x.digest ??= u.interner.valueDigest(u.interner.checkpointValue(x.value.val, x.value.lastRep, x.value.lastRepT));
  return x.digest;
}

/** ∃ μ : committed-Wire(s, l, t, n, v, μ), decided by search (see the header). */
function committedWireBy(w: WireSearch, q: CommittedWireQuery, opts: CommittedWireOptions): CommittedWireVerdict {
  const u = w.u;
  const fr = w.frontierAt(q.n, q.v);
  if (fr.kind === 'empty')
    return { kind: 'fails', k: fr.k, reason: `no request m_${fr.k} has a commit certificate and a pre-prepare (or itself) in Wire+o with view ≤ ${q.v}` };
  if (fr.kind === 'inconclusive')
    return { kind: 'inconclusive', k: fr.k, reason: `more than ${w.bound} distinct values (${fr.size}) at k = ${fr.k}: search not attempted` };
  for (const x of fr.nodes) if (matches(u, x.value, q, opts)) return { kind: 'holds', mu: sequenceOf(x), value: x.value };
  return {
    kind: 'fails',
    reason: `no candidate sequence of length ${q.n} (view ≤ ${q.v}) gives ${showQuery(u, q)}; candidate sequences give ${fr.nodes.map((x) => showValue(u, x.value)).join(' or ')}`,
    values: fr.nodes.map((x) => x.value),
  };
}

/** ∃ s, l, t, μ : D(⟨s, l, t⟩) = d ∧ committed-Wire(s, l, t, n, v, μ) (see CommittedWireIndex.committedWireDigest). */
function committedWireDigestBy(
  w: WireSearch,
  d: Digest,
  n: number,
  v: number,
  known: ReadonlyMap<Digest, CheckpointValue>,
  opts: CommittedWireOptions,
): CommittedWireVerdict & { resolved: RValue | null } {
  const u = w.u;
  const fr = w.frontierAt(n, v);
  let resolved: RValue | null = null;
  if (fr.kind === 'values') for (const x of fr.nodes) if (digestOf(u, x) === d) resolved = x.value;
  resolved ??= known.get(d) ?? null;
  if (resolved === null) {
    const why =
      fr.kind === 'values'
        ? `no candidate sequence of length ${n} (view ≤ ${v}) gives a value with digest ${shortDigest(d)} (they give ${fr.nodes.map((x) => showValue(u, x.value)).join(' or ')})`
        : fr.kind === 'empty'
          ? `no request m_${fr.k} has a commit certificate and a pre-prepare (or itself) in Wire+o with view ≤ ${v}`
          : `more than ${w.bound} values at k = ${fr.k}, and no known value has digest ${shortDigest(d)}`;
    return fr.kind === 'inconclusive' ? { kind: 'inconclusive', k: fr.k, reason: why, resolved } : { kind: 'fails', reason: why, resolved, ...(fr.kind === 'empty' ? { k: fr.k } : {}) };
  }
  return { ...committedWireBy(w, { s: resolved.val, l: resolved.lastRep, t: resolved.lastRepT, n, v }, opts), resolved };
}

const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;

/**
 * The candidate map of one state (built once per check) and the search of committed-Wire,
 * memoized per view bound v and sequence number k.
 */
export class CommittedWireIndex implements WireSearch {
  /** Candidates at k (k ≥ 1), every view bound; sorted by vmin, then digest. */
  private readonly cands = new Map<number, Candidate[]>();
  /** Sequence numbers with at least one COMMIT in Wire+o. */
  readonly certifiedK: readonly number[];
  private readonly frontiers = new Map<number, Frontier[]>();

  constructor(
    readonly u: Universe,
    readonly sets: WireSets,
    readonly bound: number = SEARCH_BOUND,
  ) {
    const commits = new Map<number, CommitsAtK>();
    // Least view of ⟨PRE-PREPARE, v'', k, m⟩σprimary(v'') by k and m.
    const pps = new Map<number, Map<RM, PrePrepare>>();
    const requests = new Map<Digest, Request>();
    for (const m of sets.wireO) {
      if (m.tag === 'COMMIT') addCommit(getOr(commits, m.n, () => new Map()), m);
      else if (m.tag === 'PRE-PREPARE') {
        if (m.signer === u.primary(m.v)) addPrePrepare(getOr(pps, m.n, () => new Map()), m);
      } else if (m.tag === 'REQUEST') requests.set(u.interner.digest(m), m);
    }
    for (const [k, byD] of commits) this.cands.set(k, buildCandidates(u, k, byD, pps.get(k), (d) => requests.get(d)));
    this.certifiedK = [...commits.keys()].sort((a, b) => a - b);
  }

  candidatesAt(k: number, v: number = Infinity): Candidate[] {
    return (this.cands.get(k) ?? []).filter((c) => c.vmin <= v);
  }

  commitsAt(k: number): Message[] {
    const fromCands = this.candidatesAt(k).flatMap((c) => c.certificate);
    if (fromCands.length > 0) return fromCands;
    return [...this.sets.wireO].filter((m) => m.tag === 'COMMIT' && m.n === k).sort(byId).slice(0, 8);
  }

  /** The values reachable by candidate sequences of length n under bound v (memoized). */
  frontierAt(n: number, v: number): Frontier {
    let list = this.frontiers.get(v);
    if (list === undefined) {
      list = [{ kind: 'values', nodes: [{ value: rInitial(this.u), m: null, parent: null }] }];
      this.frontiers.set(v, list);
    }
    while (list.length <= n) {
      const k = list.length;
      const prev = list[k - 1]!;
      list.push(prev.kind !== 'values' ? prev : stepFrontier(this.u, prev.nodes, this.candidatesAt(k, v), k, this.bound));
    }
    return list[n]!;
  }

  /** ∃ μ : committed-Wire(s, l, t, n, v, μ), decided by search (see the header). */
  committedWire(q: CommittedWireQuery, opts: CommittedWireOptions = {}): CommittedWireVerdict {
    return committedWireBy(this, q, opts);
  }

  /**
   * ∃ s, l, t, μ : D(⟨s, l, t⟩) = d ∧ committed-Wire(s, l, t, n, v, μ): the value with digest d is
   * looked for among the values the search reaches, then among `known` values.
   */
  committedWireDigest(d: Digest, n: number, v: number, known: ReadonlyMap<Digest, CheckpointValue> = new Map(), opts: CommittedWireOptions = {}): CommittedWireVerdict & { resolved: RValue | null } {
    return committedWireDigestBy(this, d, n, v, known, opts);
  }
}

export interface CommittedWireQuery {
  readonly s: ServiceState;
  /** last-rep (corrected reading); the literal reading compares it with r-last-rep-t(μ). */
  readonly l: readonly (Result | number)[];
  readonly t: readonly number[];
  readonly n: number;
  readonly v: number;
}

export interface CommittedWireOptions extends AgcReadings {
  /**
   * The literal text of Definition A.2.2, "l = r-last-rep-t(μ)", instead of the corrected
   * "l = r-last-rep(μ)" (default false).
   */
  literal?: boolean;
}

export type CommittedWireVerdict =
  | { kind: 'holds'; mu: RM[]; value: RValue }
  | { kind: 'fails'; reason: string; k?: number; values?: RValue[] }
  | { kind: 'inconclusive'; reason: string; k: number };

function matches(u: Universe, x: RValue, q: CommittedWireQuery, opts: CommittedWireOptions): boolean {
  const l: readonly (Result | number)[] = opts.literal === true ? x.lastRepT : x.lastRep;
  return u.service.encode(x.val) === u.service.encode(q.s) && sameArray(l, q.l) && sameArray(x.lastRepT, q.t);
}
const sameArray = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((x, k) => x === b[k]);

function sequenceOf(x: Node): RM[] {
  const out: RM[] = [];
  for (let p: Node | null = x; p !== null && p.parent !== null; p = p.parent) out.push(p.m);
  return out.reverse();
}
function showQuery(u: Universe, q: CommittedWireQuery): string {
  return `⟨${u.service.show(q.s)}; ${q.l.join(',')}; ${q.t.join(',')}⟩`;
}

/**
 * ∃ μ : committed-Wire(s, l, t, n, v, μ) in state s_ (Definition A.2.2), decided by search.
 * Pass an index to share the candidate map between queries on the same state.
 */
export function committedWire(
  u: Universe,
  state: SystemState | CommittedWireIndex,
  q: CommittedWireQuery,
  opts: CommittedWireOptions = {},
): CommittedWireVerdict {
  const idx = state instanceof CommittedWireIndex ? state : new CommittedWireIndex(u, wireSets(u, state, opts));
  return idx.committedWire(q, opts);
}

/** committed-Wire(s, l, t, n, v, μ) for a given μ: the definition, conjunct by conjunct. */
export function committedWireOf(
  u: Universe,
  state: SystemState | CommittedWireIndex,
  q: CommittedWireQuery,
  mu: readonly RM[],
  opts: CommittedWireOptions = {},
): boolean {
  const idx = state instanceof CommittedWireIndex ? state : new CommittedWireIndex(u, wireSets(u, state, opts));
  if (mu.length !== q.n) return false;
  if (!matches(u, rFold(u, mu), q, opts)) return false;
  return mu.every((m, k) => idx.candidatesAt(k + 1, q.v).some((c) => c.m === m));
}

// ---------------------------------------------------------------- incremental evaluation

/**
 * Wire+o and its candidate index, kept from one check to the next of a run (checkDelta). Wire
 * only grows (delta.wireAdded), so its closure and its part of the index are extended in place;
 * the out_j of correct replicas are small, so their part ("overlay": the messages of Wire+o not in
 * Wire) is rebuilt at every update, and the k's it touched before and touches now are recomputed
 * (this is how Wire+o losing a message — out_i := {} of a new view, read literally — is seen).
 * Candidates are recomputed only at the k's whose messages changed. With exactly one candidate at
 * every k ≤ L (L = chainLen()), the search is a chain: the fold at k and the largest vmin up to
 * k are kept per k, so frontierAt(n, v) for n ≤ L is a look-up (and a binary search when the
 * bound v excludes some m_k); the chain is cut back from the least k whose candidates changed
 * (as far as the search sees them: the pairs (m, vmin)). Past L the search of CommittedWireIndex
 * runs from the chain's value at L (only in states that violate A.2.4 or A.2.3).
 */
class WireEngine implements WireSearch {
  readonly bound = SEARCH_BOUND;
  /** Wire (with the messages nested in its messages, unless literalWire). */
  readonly wire = new Set<Message>();
  /** The messages the last update added to `wire`. */
  newWire: Message[] = [];
  /** The least k whose candidates (m, vmin) changed in the last update (Infinity: none). */
  changedFrom = Infinity;
  // The index of Wire: commits by k, least-view primary pre-prepares by k and request, requests
  // by digest, and the k's with a commit of each digest (a new request matters there).
  private readonly wCommits = new Map<number, CommitsAtK>();
  private readonly wPps = new Map<number, Map<RM, PrePrepare>>();
  private readonly wRequests = new Map<Digest, Request>();
  private readonly wCommitKs = new Map<Digest, Set<number>>();
  // The overlay of the last update, by k, and the k's it touched.
  private oCommits = new Map<number, Commit[]>();
  private oPps = new Map<number, PrePrepare[]>();
  private oRequests = new Map<Digest, Request>();
  private overlayKs = new Set<number>();
  /** Candidates of Wire+o at k, for the k's that have some. */
  private readonly cands = new Map<number, Candidate[]>();
  /** The k's with two candidates or more. */
  private readonly multi = new Set<number>();
  /** Every k in 1..contiguous has a candidate; contiguous + 1 has none. */
  private contiguous = 0;
  /** chain[k]: the fold of the candidates at 1..k; pmax[k]: their largest vmin. */
  private readonly chain: Node[];
  private readonly pmax: number[] = [-Infinity];
  /** Searches past the chain, for this update. */
  private readonly memo = new Map<string, Frontier>();

  constructor(
    readonly u: Universe,
    readonly s: SystemState,
    readonly literalWire: boolean,
  ) {
    this.chain = [{ value: rInitial(u), m: null, parent: null }];
    const dirty = new Set<number>();
    for (const m of s.wire.messagesSince(0)) this.addWire(m, dirty);
    this.refresh(dirty);
  }

  /** Brings the index up to date with the changes of `delta` (not a full one). */
  update(delta: Delta): void {
    this.newWire = [];
    const dirty = new Set<number>();
    for (const m of delta.wireAdded) this.addWire(m, dirty);
    this.refresh(dirty);
  }

  private addWire(m: Message, dirty: Set<number>): void {
    if (this.wire.has(m)) return;
    const work = [m];
    while (work.length > 0) {
      const x = work.pop()!;
      if (this.wire.has(x)) continue;
      this.wire.add(x);
      this.newWire.push(x);
      this.indexWire(x, dirty);
      if (!this.literalWire) for (const c of nestedMessages(x)) if (!this.wire.has(c)) work.push(c);
    }
  }

  private indexWire(m: Message, dirty: Set<number>): void {
    const u = this.u;
    if (m.tag === 'COMMIT') {
      addCommit(getOr(this.wCommits, m.n, () => new Map()), m);
      getOr(this.wCommitKs, m.d, () => new Set()).add(m.n);
      dirty.add(m.n);
    } else if (m.tag === 'PRE-PREPARE') {
      if (m.signer === u.primary(m.v) && addPrePrepare(getOr(this.wPps, m.n, () => new Map()), m)) dirty.add(m.n);
    } else if (m.tag === 'REQUEST') {
      const d = u.interner.digest(m);
      this.wRequests.set(d, m);
      for (const k of this.wCommitKs.get(d) ?? []) dirty.add(k);
    }
  }

  /** Rebuilds the overlay and recomputes the candidates at the dirty k's. */
  private refresh(dirty: Set<number>): void {
    const u = this.u;
    this.memo.clear();
    for (const k of this.overlayKs) dirty.add(k);
    const overlay = new Set<Message>();
    const work: Message[] = [];
    for (const r of this.s.replicas) if (!r.faulty) for (const m of r.out) work.push(m);
    while (work.length > 0) {
      const x = work.pop()!;
      if (this.wire.has(x) || overlay.has(x)) continue;
      overlay.add(x);
      if (!this.literalWire) work.push(...nestedMessages(x));
    }
    this.oCommits = new Map();
    this.oPps = new Map();
    this.oRequests = new Map();
    this.overlayKs = new Set();
    for (const m of overlay) {
      if (m.tag === 'COMMIT') {
        getOr(this.oCommits, m.n, () => []).push(m);
        this.overlayKs.add(m.n);
      } else if (m.tag === 'PRE-PREPARE') {
        if (m.signer !== u.primary(m.v)) continue;
        getOr(this.oPps, m.n, () => []).push(m);
        this.overlayKs.add(m.n);
      } else if (m.tag === 'REQUEST') {
        const d = u.interner.digest(m);
        this.oRequests.set(d, m);
        for (const k of this.wCommitKs.get(d) ?? []) this.overlayKs.add(k);
      }
    }
    for (const k of this.overlayKs) dirty.add(k);

    this.changedFrom = Infinity;
    let lostFrom = Infinity;
    for (const k of dirty) {
      const list = this.recompute(k);
      const old = this.cands.get(k) ?? [];
      if (list.length !== old.length || list.some((c, x) => c.m !== old[x]!.m || c.vmin !== old[x]!.vmin)) this.changedFrom = Math.min(this.changedFrom, k);
      if (list.length === 0) {
        if (old.length > 0) lostFrom = Math.min(lostFrom, k);
        this.cands.delete(k);
      } else this.cands.set(k, list);
      if (list.length >= 2) this.multi.add(k);
      else this.multi.delete(k);
    }
    if (lostFrom <= this.contiguous) this.contiguous = lostFrom - 1;
    while (this.cands.has(this.contiguous + 1)) this.contiguous++;
    if (this.changedFrom < this.chain.length) {
      this.chain.length = this.changedFrom;
      this.pmax.length = this.changedFrom;
    }
  }

  /** The candidates at k of Wire+o: Wire's index at k with the overlay's messages at k. */
  private recompute(k: number): Candidate[] {
    const wc = this.wCommits.get(k);
    const oc = this.oCommits.get(k);
    if (wc === undefined && oc === undefined) return [];
    let commits = wc;
    if (oc !== undefined) {
      commits = new Map();
      for (const [d, byV] of wc ?? []) commits.set(d, new Map([...byV].map(([v, signers]) => [v, new Map(signers)])));
      for (const m of oc) addCommit(commits, m);
    }
    let pps: Map<RM, PrePrepare> | undefined = this.wPps.get(k);
    const op = this.oPps.get(k);
    if (op !== undefined) {
      pps = new Map(pps);
      for (const m of op) addPrePrepare(pps, m);
    }
    return buildCandidates(this.u, k, commits, pps, (d) => this.wRequests.get(d) ?? this.oRequests.get(d));
  }

  candidatesAt(k: number, v: number = Infinity): Candidate[] {
    return (this.cands.get(k) ?? []).filter((c) => c.vmin <= v);
  }

  /** The certificates at k, or the first commits at k in Wire+o by id (as CommittedWireIndex). */
  commitsAt(k: number): Message[] {
    const fromCands = this.candidatesAt(k).flatMap((c) => c.certificate);
    if (fromCands.length > 0) return fromCands;
    const all: Commit[] = [...(this.oCommits.get(k) ?? [])];
    for (const byV of this.wCommits.get(k)?.values() ?? []) for (const signers of byV.values()) all.push(...signers.values());
    return all.sort(byId).slice(0, 8);
  }

  /** The k's, in order, with two candidates or more and a candidate at every k' < k (A.2.4). */
  forkedKs(): number[] {
    return [...this.multi].filter((k) => k <= this.contiguous && new Set(this.cands.get(k)!.map((c) => c.m)).size >= 2).sort((a, b) => a - b);
  }

  /** The largest L with exactly one candidate at every k in 1..L. */
  private chainLen(): number {
    let L = this.contiguous;
    for (const k of this.multi) if (k - 1 < L) L = k - 1;
    return L;
  }

  frontierAt(n: number, v: number): Frontier {
    const L = this.chainLen();
    const top = Math.min(n, L);
    while (this.chain.length <= top) {
      const k = this.chain.length;
      const c = this.cands.get(k)![0]!;
      const prev = this.chain[k - 1]!;
      this.chain.push({ value: rStep(this.u, prev.value, c.m), m: c.m, parent: prev });
      this.pmax.push(Math.max(this.pmax[k - 1]!, c.vmin));
    }
    if (this.pmax[top]! > v) {
      // The least k with vmin_k > v: there the only candidate is not admissible.
      let lo = 1;
      let hi = top;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.pmax[mid]! > v) hi = mid;
        else lo = mid + 1;
      }
      return { kind: 'empty', k: lo };
    }
    if (n <= L) return { kind: 'values', nodes: [this.chain[n]!] };
    const key = `${n}|${v}`;
    let fr = this.memo.get(key);
    if (fr === undefined) {
      fr = { kind: 'values', nodes: [this.chain[L]!] };
      for (let k = L + 1; k <= n && fr.kind === 'values'; k++) fr = stepFrontier(this.u, fr.nodes, this.candidatesAt(k, v), k, this.bound);
      this.memo.set(key, fr);
    }
    return fr;
  }
}

/** The engine of a cache, rebuilt when the delta is full or the cache belongs to another run. */
function engineOf(u: Universe, s: SystemState, delta: Delta, cache: Map<string, unknown>, readings: AgcReadings): { e: WireEngine; rebuilt: boolean } {
  const old = cache.get('engine') as WireEngine | undefined;
  if (delta.full || old === undefined || old.u !== u || old.s !== s) {
    cache.clear();
    const e = new WireEngine(u, s, readings.literalWire === true);
    cache.set('engine', e);
    return { e, rebuilt: true };
  }
  old.update(delta);
  return { e: old, rebuilt: false };
}

// ---------------------------------------------------------------- Invariant A.2.3

/**
 * The checkpoint messages of the set N of Invariant A.2.3, each with a VIEW-CHANGE or NEW-VIEW of
 * Wire+io that carries it (the one of least id, so that the answer depends on the sets only; null
 * if none does: then it is itself in Wire+io).
 */
export function checkpointSetN(sets: WireSets): { m: Checkpoint; via: Message | null }[] {
  const out = new Map<Checkpoint, Message | null>();
  const fromVC = (vc: ViewChange, via: Message) => {
    if (vc.gc === null) return;
    for (const c of vc.gc.C) {
      const old = out.get(c);
      if (old === undefined || old === null || via.id < old.id) out.set(c, via);
    }
  };
  for (const m of sets.wireIO) {
    if (m.tag === 'VIEW-CHANGE') fromVC(m, m);
    else if (m.tag === 'NEW-VIEW') for (const vc of m.V) fromVC(vc, m);
  }
  for (const m of sets.wireIO) if (m.tag === 'CHECKPOINT' && !out.has(m)) out.set(m, null);
  return [...out].map(([m, via]) => ({ m, via })).sort((a, b) => a.m.id - b.m.id);
}

/**
 * The checkpoints of N a message of Wire+io brings, under the literal Definition A.2.2: itself,
 * the C of a VIEW-CHANGE, the C of the view-changes in the V of a NEW-VIEW. (Under the corrected
 * one Wire+io is closed under nesting and N is the set of checkpoints in Wire+io.)
 */
function checkpointsBroughtBy(m: Message, add: (c: Checkpoint) => void): void {
  if (m.tag === 'CHECKPOINT') add(m);
  else if (m.tag === 'VIEW-CHANGE') for (const c of m.gc?.C ?? []) add(c);
  else if (m.tag === 'NEW-VIEW') for (const vc of m.V) for (const c of vc.gc?.C ?? []) add(c);
}

/** Checkpoint values held by replicas or carried by view-changes in Wire+io, by digest (for reports). */
function knownValues(u: Universe, s: SystemState, sets: WireSets): Map<Digest, CheckpointValue> {
  const out = new Map<Digest, CheckpointValue>();
  const add = (x: CheckpointValue) => out.set(u.interner.valueDigest(x), x);
  for (const r of s.replicas) for (const e of r.chkpts) add(e.s);
  for (const m of sets.wireIO) {
    if (m.tag === 'VIEW-CHANGE' && m.gc !== null) add(m.gc.s);
    else if (m.tag === 'NEW-VIEW') for (const vc of m.V) if (vc.gc !== null) add(vc.gc.s);
  }
  return out;
}

const A23_REF = 'Invariant A.2.3 (Appendix A.2), with Definitions A.2.1 and A.2.2';
const NO_VALUES: ReadonlyMap<Digest, CheckpointValue> = new Map();

/** A.2.3(1) for one correct replica: its violation, or null. */
function a231Of(u: Universe, r: SystemState['replicas'][number], w: WireSearch, readings: AgcReadings): Violation | null {
  const res = committedWireBy(w, { s: r.val, l: r.lastRep, t: r.lastRepT, n: r.lastExec, v: r.view }, { literal: readings.literalLastRepT === true });
  if (res.kind === 'holds') return null;
  const k = res.k;
  return violation(
    'A.2.3(1)',
    `${res.kind === 'inconclusive' ? 'inconclusive: ' : ''}replica ${r.i} (last-exec ${r.lastExec}, view ${r.view}) holds ${showValue(u, r)}, which no sequence committed in Wire+o gives: ${res.reason}`,
    { replicas: [r.i], view: r.view, n: k ?? r.lastExec, messages: k !== undefined ? w.commitsAt(k) : [], detail: res.reason },
  );
}

/** A.2.3(1) under the given readings (A_2_3_1 is the default, corrected one). */
export const makeA_2_3_1 = (readings: AgcReadings = {}): SystemInvariant => ({
  id: 'A.2.3(1)',
  family: 'A.2.3',
  subject: 'Agc',
  statement: '∀ i ∈ R : (¬faulty_i ∧ n-faulty ≤ f) ⇒ ∃ μ ∈ RM* : committed-Wire(val_i, last-rep_i, last-rep-t_i, last-exec_i, view_i, μ)',
  ref: A23_REF,
  check(u, s) {
    if (nFaulty(s) > u.f) return [];
    const idx = new CommittedWireIndex(u, wireSets(u, s, readings));
    const out: Violation[] = [];
    for (const r of s.replicas) {
      if (r.faulty) continue;
      const v = a231Of(u, r, idx, readings);
      if (v !== null) out.push(v);
    }
    return out;
  },
  // Kept: each replica's last answer. A replica is looked at again when its variables changed,
  // when the candidates at some k ≤ last-exec_i changed, or when its last answer was a violation
  // (whose witnesses may change with any commit at its k).
  checkDelta(u, s, delta, cache) {
    if (nFaulty(s) > u.f) {
      cache.clear();
      return [];
    }
    const { e, rebuilt } = engineOf(u, s, delta, cache, readings);
    let last = cache.get('A.2.3(1)') as (Violation | null)[] | undefined;
    if (last === undefined) cache.set('A.2.3(1)', (last = []));
    const out: Violation[] = [];
    for (const r of s.replicas) {
      if (r.faulty) {
        last[r.i] = null;
        continue;
      }
      const prev = last[r.i];
      if (rebuilt || prev === undefined || prev !== null || delta.scalars.has(r.i) || r.lastExec >= e.changedFrom) last[r.i] = a231Of(u, r, e, readings);
      const v = last[r.i];
      if (v !== null && v !== undefined) out.push(v);
    }
    return out;
  },
});
export const A_2_3_1: SystemInvariant = makeA_2_3_1();

/** A.2.3(2) for the given members of N: the plain evaluation, shared by check and checkDelta. */
function a232Violations(u: Universe, s: SystemState, w: WireSearch, sets: WireSets, entries: readonly { m: Checkpoint; via: Message | null }[], readings: AgcReadings): Violation[] {
  let known: Map<Digest, CheckpointValue> | null = null;
  const out: Violation[] = [];
  const lit = { literal: readings.literalLastRepT === true };
  for (const { m, via } of entries) {
    if (s.replicas[m.j]?.faulty !== false) continue;
    // Fast path: the search reaches a value with the checkpoint's digest.
    let res = committedWireDigestBy(w, m.d, m.n, m.v, NO_VALUES, lit);
    if (res.kind === 'holds') continue;
    known ??= knownValues(u, s, sets);
    res = committedWireDigestBy(w, m.d, m.n, m.v, known, lit);
    if (res.kind === 'holds') continue;
    const what = res.resolved === null ? `a value with digest ${shortDigest(m.d)} not known to the checker` : showValue(u, res.resolved);
    out.push(
      violation(
        'A.2.3(2)',
        `${res.kind === 'inconclusive' ? 'inconclusive: ' : ''}correct replica ${m.j} signed ${formatMessage(u, m)}${via === null ? '' : ` (in ${via.tag} ${formatMessage(u, via)})`} for ${what}, which no sequence committed in Wire+o gives: ${res.reason}`,
        { replicas: [m.j], view: m.v, n: m.n, messages: via === null ? [m] : [m, via], detail: res.reason },
      ),
    );
  }
  return out;
}

/** What checkDelta of A.2.3(2) keeps: every checkpoint of a correct replica ever in N, and which fail the fast path. */
interface SetNState {
  readonly seen: Set<Checkpoint>;
  /** The seen checkpoints by sequence number, and those numbers in increasing order. */
  readonly byN: Map<number, Checkpoint[]>;
  readonly ns: number[];
  /** Seen checkpoints for which the search reaches no value with their digest (or is inconclusive). */
  readonly failing: Set<Checkpoint>;
}

/** A.2.3(2) under the given readings (A_2_3_2 is the default, corrected one). */
export const makeA_2_3_2 = (readings: AgcReadings = {}): SystemInvariant => ({
  id: 'A.2.3(2)',
  family: 'A.2.3',
  subject: 'Agc',
  statement:
    '∀ i ∈ R : (¬faulty_i ∧ n-faulty ≤ f) ⇒ ∀ ⟨CHECKPOINT, v, n, D(⟨s, l, t⟩), i⟩σi ∈ N : ∃ μ ∈ RM* : committed-Wire(s, l, t, n, v, μ), N = checkpoints in Wire+io or in the C of a VIEW-CHANGE in Wire+io (or in the V of a NEW-VIEW in Wire+io)',
  ref: A23_REF,
  check(u, s) {
    if (nFaulty(s) > u.f) return [];
    const sets = wireSets(u, s, readings);
    return a232Violations(u, s, new CommittedWireIndex(u, sets), sets, checkpointSetN(sets), readings);
  },
  // Kept: the checkpoints of correct replicas that have ever been in N (a superset of N: Wire+io
  // loses messages when in_i is garbage collected) with the fast-path verdict of each. A
  // checkpoint is judged when it first enters N (a new message of Wire, or of in_j or out_j of a
  // correct j) and again when the candidates at some k ≤ its n change. Only when some seen
  // checkpoint fails is N built (checkpointSetN): a checkpoint that left N is not reported.
  checkDelta(u, s, delta, cache) {
    if (nFaulty(s) > u.f) {
      cache.clear();
      return [];
    }
    const { e, rebuilt } = engineOf(u, s, delta, cache, readings);
    let st = cache.get('A.2.3(2)') as SetNState | undefined;
    const fresh = rebuilt || st === undefined;
    if (st === undefined) cache.set('A.2.3(2)', (st = { seen: new Set(), byN: new Map(), ns: [], failing: new Set() }));
    const lit = { literal: readings.literalLastRepT === true };
    const judge = (c: Checkpoint) => {
      if (committedWireDigestBy(e, c.d, c.n, c.v, NO_VALUES, lit).kind === 'holds') st.failing.delete(c);
      else st.failing.add(c);
    };
    if (!fresh && e.changedFrom !== Infinity)
      for (let x = lowerBound(st.ns, e.changedFrom); x < st.ns.length; x++) for (const c of st.byN.get(st.ns[x]!)!) judge(c);
    const consider = (c: Checkpoint) => {
      if (st.seen.has(c) || s.replicas[c.j]?.faulty !== false) return;
      st.seen.add(c);
      let list = st.byN.get(c.n);
      if (list === undefined) {
        st.byN.set(c.n, (list = []));
        st.ns.splice(lowerBound(st.ns, c.n), 0, c.n);
      }
      list.push(c);
      judge(c);
    };
    // Messages of Wire: closed under nesting (corrected reading), or each with what it carries.
    for (const m of fresh ? e.wire : e.newWire) {
      if (e.literalWire) checkpointsBroughtBy(m, consider);
      else if (m.tag === 'CHECKPOINT') consider(m);
    }
    // Messages of in_j and out_j (correct j) that are not in Wire.
    const visited = new Set<Message>();
    const fromIO = (m: Message) => {
      if (e.wire.has(m)) return;
      if (e.literalWire) return checkpointsBroughtBy(m, consider);
      const work = [m];
      while (work.length > 0) {
        const x = work.pop()!;
        if (e.wire.has(x) || visited.has(x)) continue;
        visited.add(x);
        if (x.tag === 'CHECKPOINT') consider(x);
        else work.push(...nestedMessages(x));
      }
    };
    for (const r of s.replicas) {
      if (r.faulty) continue;
      for (const m of fresh ? r.in.all : (delta.inAdded.get(r.i) ?? [])) fromIO(m);
      for (const m of r.out) fromIO(m);
    }
    if (st.failing.size === 0) return [];
    const sets = wireSets(u, s, readings);
    const failing = st.failing;
    return a232Violations(u, s, e, sets, checkpointSetN(sets).filter((x) => failing.has(x.m)), readings);
  },
});
export const A_2_3_2: SystemInvariant = makeA_2_3_2();

/** Invariant A.2.3, one entry per condition (corrected readings). */
export const A_2_3: readonly SystemInvariant[] = [A_2_3_1, A_2_3_2];

// ---------------------------------------------------------------- Invariant A.2.4

/** The violation of A.2.4 at k, where the candidates are cs (two or more). */
function a24Violation(u: Universe, k: number, cs: readonly Candidate[]): Violation {
  const ms = [...new Set(cs.map((c) => c.m))];
  return violation(
    'A.2.4',
    `sequences committed in Wire+o are not prefix-related: at k = ${k} both ${ms.map((m) => showRM(u, m)).join(' and ')} have a commit certificate and a pre-prepare (or are themselves) in Wire+o`,
    {
      n: k,
      messages: [...ms.filter((m): m is Request => m !== null), ...cs.flatMap((c) => [c.witness, ...c.certificate])].filter((m, x, a) => a.indexOf(m) === x),
      replicas: [...new Set(cs.flatMap((c) => c.certificate.map((x) => x.j)))].sort((a, b) => a - b),
      detail: cs.map((c) => `${showRM(u, c.m)}: certificate in view ${c.certView}, witness in view ${c.witnessView}`).join('; '),
    },
  );
}

/**
 * Invariant A.2.4: n-faulty ≤ f ⇒ ∀ μ, μ' ∈ RM* : ((∃ s, l, t, v, s', l', t', v' :
 *   committed-Wire(s, l, t, n, v, μ) ∧ committed-Wire(s', l', t', n', v', μ')) ∧ |μ| ≤ |μ'|) ⇒ ∃ μ'' : μ' = μ.μ''
 *
 * Reduction. s, l, t are determined by μ (take the fold), and v is existential and unbounded, so
 * "∃ s, l, t, v : committed-Wire(s, l, t, |μ|, v, μ)" holds exactly when every m_k of μ is a
 * candidate at k for some view (CommittedWireIndex.candidatesAt(k) with no bound). The set of such
 * μ is therefore {m_1..m_n | n ≥ 0, m_k ∈ cand(k)}. Two of them with |μ| ≤ |μ'| fail to be
 * prefix-related iff they differ at some k ≤ |μ|, which needs two candidates at k and at least one
 * candidate at every k' < k (so that sequences of length ≥ k exist). Conversely such a k gives
 * two non-prefix-related sequences of length k. So the invariant is violated iff there is k with
 * |cand(k)| ≥ 2 and |cand(k')| ≥ 1 for all 0 < k' < k; this is what is checked (every such k up to
 * the first k with no candidate is reported).
 */
export const makeA_2_4 = (readings: AgcReadings = {}): SystemInvariant => ({
  id: 'A.2.4',
  family: 'A.2.4',
  subject: 'Agc',
  statement:
    "n-faulty ≤ f ⇒ ∀ μ, μ' ∈ RM* : ((∃ s, l, t, v, s', l', t', v' : committed-Wire(s, l, t, n, v, μ) ∧ committed-Wire(s', l', t', n', v', μ')) ∧ μ.length ≤ μ'.length) ⇒ ∃ μ'' ∈ RM* : μ' = μ.μ''",
  ref: 'Invariant A.2.4 (Appendix A.2; stated "of A", checked on A_gc where committed-Wire is defined)',
  check(u, s) {
    if (nFaulty(s) > u.f) return [];
    const idx = new CommittedWireIndex(u, wireSets(u, s, readings));
    const out: Violation[] = [];
    const top = idx.certifiedK.length === 0 ? 0 : idx.certifiedK[idx.certifiedK.length - 1]!;
    for (let k = 1; k <= top; k++) {
      const cs = idx.candidatesAt(k);
      if (cs.length === 0) break;
      if (new Set(cs.map((c) => c.m)).size >= 2) out.push(a24Violation(u, k, cs));
    }
    return out;
  },
  // The engine keeps the k's with two candidates or more and the first k without one: the
  // answer is read off them, whatever the previous state.
  checkDelta(u, s, delta, cache) {
    if (nFaulty(s) > u.f) {
      cache.clear();
      return [];
    }
    const { e } = engineOf(u, s, delta, cache, readings);
    return e.forkedKs().map((k) => a24Violation(u, k, e.candidatesAt(k)));
  },
});
/** The one conjunct of Invariant A.2.4 (corrected readings). */
export const A_2_4_0: SystemInvariant = makeA_2_4();
/** Invariant A.2.4, as a list like the other families (one entry). */
export const A_2_4: readonly SystemInvariant[] = [A_2_4_0];

/** Every conjunct of this file, in the thesis's order (corrected readings). */
export const AGC_CHECKPOINT_INVARIANTS: readonly SystemInvariant[] = [A_2_3_1, A_2_3_2, A_2_4_0];

/** The same conjuncts under other readings, e.g. { literalWire: true } for Definition A.2.2 as written. */
export function agcCheckpointInvariants(readings: AgcReadings = {}): SystemInvariant[] {
  return [makeA_2_3_1(readings), makeA_2_3_2(readings), makeA_2_4(readings)];
}

function getOr<K, V>(m: Map<K, V>, k: K, make: () => V): V {
  let x = m.get(k);
  if (x === undefined) m.set(k, (x = make()));
  return x;
}

/** The least index x with a[x] ≥ n in an increasing array. */
function lowerBound(a: readonly number[], n: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < n) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
