// The predicate committed-Wire(s, l, t, n, v, μ) of Definition A.2.2 (Appendix A.2), decided by a
// search over the candidates Wire+o offers at each k: the candidate index of one state
// (CommittedWireIndex), the search (frontiers of fold values, SEARCH_BOUND), the queries
// committedWire / committedWireOf and their verdicts, and the building blocks the incremental
// engine (agc-incremental.ts) shares with the index.
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
//  * Witnesses in reports depend on the sets only, not on the order in which the wire happens to
//    hold its entries: the commits shown when k has no certificate are the first by message id
//    (commitsAt).
//
// Readings of the text
// --------------------
//  * Definition A.2.2 writes "l = r-last-rep-t(μ) ∧ t = r-last-rep-t(μ)": l is a last-rep
//    (C → O'), so the first should be r-last-rep(μ). committedWire implements the corrected
//    reading by default and the literal one with { literal: true } (under which no state with a
//    last-rep function satisfies it: O' results are never equal to timestamps).
import type { SystemState } from '../automata/compose.ts';
import type { Digest } from '../automata/digests.ts';
import { shortDigest } from '../automata/digests.ts';
import type { CheckpointValue, Commit, Message, PrePrepare, Request } from '../automata/messages.ts';
import type { Result, ServiceState } from '../automata/services.ts';
import type { Universe } from '../automata/universe.ts';
import { rFold, rInitial, rStep, rValueKey, showValue, wireSets, type AgcReadings, type RM, type RValue, type WireSets } from './agc-definitions.ts';

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
export interface Node {
  readonly value: RValue;
  /** rValueKey(value), computed when first needed. */
  key?: string;
  readonly m: RM;
  readonly parent: Node | null;
  digest?: Digest;
}

/** The values reachable by candidate sequences of length n under a view bound, or why there are none. */
export type Frontier = { kind: 'values'; nodes: Node[] } | { kind: 'empty'; k: number } | { kind: 'inconclusive'; k: number; size: number };

/** Distinct values the search keeps alive at one k before it gives up (see the header). */
export const SEARCH_BOUND = 64;

/** Signers of ⟨COMMIT, v', k, d, q⟩ at one k: by d, then v', then q. */
export type CommitsAtK = Map<Digest, Map<number, Map<number, Commit>>>;

export function addCommit(byD: CommitsAtK, m: Commit): void {
  const byV = getOr(byD, m.d, () => new Map<number, Map<number, Commit>>());
  getOr(byV, m.v, () => new Map<number, Commit>()).set(m.j, m);
}
/** Keeps, per request, the pre-prepare of least view; returns whether it changed. */
export function addPrePrepare(byM: Map<RM, PrePrepare>, m: PrePrepare): boolean {
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
export function buildCandidates(u: Universe, k: number, commits: CommitsAtK | undefined, pps: ReadonlyMap<RM, PrePrepare> | undefined, requestOf: (d: Digest) => Request | undefined): Candidate[] {
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
export function stepFrontier(u: Universe, prev: readonly Node[], cs: readonly Candidate[], k: number, bound: number): Frontier {
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
export interface WireSearch {
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
export function committedWireBy(w: WireSearch, q: CommittedWireQuery, opts: CommittedWireOptions): CommittedWireVerdict {
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
export function committedWireDigestBy(
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

export const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;

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

/** m.get(k), set to make() first if absent. */
export function getOr<K, V>(m: Map<K, V>, k: K, make: () => V): V {
  let x = m.get(k);
  if (x === undefined) m.set(k, (x = make()));
  return x;
}
