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
  readonly key: string;
  readonly m: RM;
  readonly parent: Node | null;
  digest?: Digest;
}

type Frontier = { kind: 'values'; nodes: Node[] } | { kind: 'empty'; k: number } | { kind: 'inconclusive'; k: number; size: number };

/** Distinct values the search keeps alive at one k before it gives up (see the header). */
export const SEARCH_BOUND = 64;

/**
 * The candidate map of one state (built once per check) and the search of committed-Wire,
 * memoized per view bound v and sequence number k.
 */
export class CommittedWireIndex {
  /** Candidates at k (k ≥ 1), every view bound; sorted by vmin, then digest. */
  private readonly cands = new Map<number, Candidate[]>();
  /** Sequence numbers with at least one COMMIT certificate in Wire+o. */
  readonly certifiedK: readonly number[];
  private readonly frontiers = new Map<number, Frontier[]>();

  constructor(
    readonly u: Universe,
    readonly sets: WireSets,
    readonly bound: number = SEARCH_BOUND,
  ) {
    const f = u.f;
    // Signers of ⟨COMMIT, v', k, d, q⟩ by k, d, v'.
    const commits = new Map<number, Map<Digest, Map<number, Map<number, Commit>>>>();
    // Least view of ⟨PRE-PREPARE, v'', k, m⟩σprimary(v'') by k and m.
    const pps = new Map<number, Map<RM, PrePrepare>>();
    const requests = new Map<Digest, Request>();
    for (const m of sets.wireO) {
      if (m.tag === 'COMMIT') {
        const byD = getOr(commits, m.n, () => new Map<Digest, Map<number, Map<number, Commit>>>());
        const byV = getOr(byD, m.d, () => new Map<number, Map<number, Commit>>());
        getOr(byV, m.v, () => new Map<number, Commit>()).set(m.j, m);
      } else if (m.tag === 'PRE-PREPARE') {
        if (m.signer !== u.primary(m.v)) continue;
        const byM = getOr(pps, m.n, () => new Map<RM, PrePrepare>());
        const old = byM.get(m.m);
        if (old === undefined || m.v < old.v) byM.set(m.m, m);
      } else if (m.tag === 'REQUEST') {
        requests.set(u.interner.digest(m), m);
      }
    }
    const certified: number[] = [];
    for (const [k, byD] of commits) {
      const list: Candidate[] = [];
      for (const [d, byV] of byD) {
        let certView = Infinity;
        for (const [v, signers] of byV) if (signers.size > 2 * f && v < certView) certView = v;
        if (certView === Infinity) continue;
        const certificate = [...byV.get(certView)!.values()].sort((a, b) => a.j - b.j);
        // The m with D(m) = d that Wire+o offers: carried by a pre-prepare at k, or a request.
        const offered = new Map<RM, { witnessView: number; witness: PrePrepare | Request }>();
        for (const [m, p] of pps.get(k) ?? []) if (u.interner.digest(m) === d) offered.set(m, { witnessView: p.v, witness: p });
        const r = requests.get(d);
        if (r !== undefined) offered.set(r, { witnessView: 0, witness: r });
        for (const [m, w] of offered)
          list.push({ k, m, d, certView, certificate, witnessView: w.witnessView, witness: w.witness, vmin: Math.max(certView, w.witnessView) });
      }
      certified.push(k);
      list.sort((a, b) => a.vmin - b.vmin || (a.d < b.d ? -1 : a.d > b.d ? 1 : 0));
      this.cands.set(k, list);
    }
    this.certifiedK = certified.sort((a, b) => a - b);
  }

  /** The candidates at k admissible for view bound v (every bound when v is omitted). */
  candidatesAt(k: number, v: number = Infinity): Candidate[] {
    return (this.cands.get(k) ?? []).filter((c) => c.vmin <= v);
  }

  /** The values reachable by candidate sequences of length n under bound v (memoized). */
  private frontier(n: number, v: number): Frontier {
    let list = this.frontiers.get(v);
    if (list === undefined) {
      const key = rValueKey(this.u, rInitial(this.u));
      list = [{ kind: 'values', nodes: [{ value: rInitial(this.u), key, m: null, parent: null }] }];
      this.frontiers.set(v, list);
    }
    while (list.length <= n) {
      const k = list.length;
      const prev = list[k - 1]!;
      if (prev.kind !== 'values') {
        list.push(prev);
        continue;
      }
      const cs = this.candidatesAt(k, v);
      if (cs.length === 0) {
        list.push({ kind: 'empty', k });
        continue;
      }
      const next = new Map<string, Node>();
      for (const p of prev.nodes)
        for (const c of cs) {
          const value = rStep(this.u, p.value, c.m);
          const key = value === p.value ? p.key : rValueKey(this.u, value);
          if (!next.has(key)) next.set(key, { value, key, m: c.m, parent: p });
        }
      list.push(next.size > this.bound ? { kind: 'inconclusive', k, size: next.size } : { kind: 'values', nodes: [...next.values()] });
    }
    return list[n]!;
  }

  /** D(⟨s, l, t⟩) of a value the search reached (interned on first use). */
  private digestOf(x: Node): Digest {
    x.digest ??= this.u.interner.valueDigest(this.u.interner.checkpointValue(x.value.val, x.value.lastRep, x.value.lastRepT));
    return x.digest;
  }

  /** ∃ μ : committed-Wire(s, l, t, n, v, μ), decided by search (see the header). */
  committedWire(q: CommittedWireQuery, opts: CommittedWireOptions = {}): CommittedWireVerdict {
    const fr = this.frontier(q.n, q.v);
    if (fr.kind === 'empty')
      return { kind: 'fails', k: fr.k, reason: `no request m_${fr.k} has a commit certificate and a pre-prepare (or itself) in Wire+o with view ≤ ${q.v}` };
    if (fr.kind === 'inconclusive')
      return { kind: 'inconclusive', k: fr.k, reason: `more than ${this.bound} distinct values (${fr.size}) at k = ${fr.k}: search not attempted` };
    for (const x of fr.nodes) if (matches(this.u, x.value, q, opts)) return { kind: 'holds', mu: sequenceOf(x), value: x.value };
    return {
      kind: 'fails',
      reason: `no candidate sequence of length ${q.n} (view ≤ ${q.v}) gives ${showQuery(this.u, q)}; candidate sequences give ${fr.nodes.map((x) => showValue(this.u, x.value)).join(' or ')}`,
      values: fr.nodes.map((x) => x.value),
    };
  }

  /**
   * ∃ s, l, t, μ : D(⟨s, l, t⟩) = d ∧ committed-Wire(s, l, t, n, v, μ): the value with digest d is
   * looked for among the values the search reaches, then among `known` values.
   */
  committedWireDigest(d: Digest, n: number, v: number, known: ReadonlyMap<Digest, CheckpointValue> = new Map(), opts: CommittedWireOptions = {}): CommittedWireVerdict & { resolved: RValue | null } {
    const fr = this.frontier(n, v);
    let resolved: RValue | null = null;
    if (fr.kind === 'values') for (const x of fr.nodes) if (this.digestOf(x) === d) resolved = x.value;
    resolved ??= known.get(d) ?? null;
    if (resolved === null) {
      const why =
        fr.kind === 'values'
          ? `no candidate sequence of length ${n} (view ≤ ${v}) gives a value with digest ${shortDigest(d)} (they give ${fr.nodes.map((x) => showValue(this.u, x.value)).join(' or ')})`
          : fr.kind === 'empty'
            ? `no request m_${fr.k} has a commit certificate and a pre-prepare (or itself) in Wire+o with view ≤ ${v}`
            : `more than ${this.bound} values at k = ${fr.k}, and no known value has digest ${shortDigest(d)}`;
      return fr.kind === 'inconclusive' ? { kind: 'inconclusive', k: fr.k, reason: why, resolved } : { kind: 'fails', reason: why, resolved, ...(fr.kind === 'empty' ? { k: fr.k } : {}) };
    }
    return { ...this.committedWire({ s: resolved.val, l: resolved.lastRep, t: resolved.lastRepT, n, v }, opts), resolved };
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

// ---------------------------------------------------------------- Invariant A.2.3

/**
 * The checkpoint messages of the set N of Invariant A.2.3, each with a VIEW-CHANGE or NEW-VIEW of
 * Wire+io that carries it (null if none does: then it is itself in Wire+io).
 */
export function checkpointSetN(sets: WireSets): { m: Checkpoint; via: Message | null }[] {
  const out = new Map<Checkpoint, Message | null>();
  const fromVC = (vc: ViewChange, via: Message) => {
    if (vc.gc !== null) for (const c of vc.gc.C) if (!out.has(c)) out.set(c, via);
  };
  for (const m of sets.wireIO) {
    if (m.tag === 'VIEW-CHANGE') fromVC(m, m);
    else if (m.tag === 'NEW-VIEW') for (const vc of m.V) fromVC(vc, m);
  }
  for (const m of sets.wireIO) if (m.tag === 'CHECKPOINT' && !out.has(m)) out.set(m, null);
  return [...out].map(([m, via]) => ({ m, via })).sort((a, b) => a.m.id - b.m.id);
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
      const res = idx.committedWire({ s: r.val, l: r.lastRep, t: r.lastRepT, n: r.lastExec, v: r.view }, { literal: readings.literalLastRepT === true });
      if (res.kind === 'holds') continue;
      const k = res.k;
      out.push(
        violation(
          'A.2.3(1)',
          `${res.kind === 'inconclusive' ? 'inconclusive: ' : ''}replica ${r.i} (last-exec ${r.lastExec}, view ${r.view}) holds ${showValue(u, r)}, which no sequence committed in Wire+o gives: ${res.reason}`,
          { replicas: [r.i], view: r.view, n: k ?? r.lastExec, messages: k !== undefined ? commitsAt(idx, k) : [], detail: res.reason },
        ),
      );
    }
    return out;
  },
});
export const A_2_3_1: SystemInvariant = makeA_2_3_1();

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
    const idx = new CommittedWireIndex(u, sets);
    let known: Map<Digest, CheckpointValue> | null = null;
    const out: Violation[] = [];
    for (const { m, via } of checkpointSetN(sets)) {
      if (s.replicas[m.j]?.faulty !== false) continue;
      // Fast path: the search reaches a value with the checkpoint's digest.
      const lit = { literal: readings.literalLastRepT === true };
      let res = idx.committedWireDigest(m.d, m.n, m.v, undefined, lit);
      if (res.kind === 'holds') continue;
      known ??= knownValues(u, s, sets);
      res = idx.committedWireDigest(m.d, m.n, m.v, known, lit);
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
  },
});
export const A_2_3_2: SystemInvariant = makeA_2_3_2();

/** Invariant A.2.3, one entry per condition (corrected readings). */
export const A_2_3: readonly SystemInvariant[] = [A_2_3_1, A_2_3_2];

/** The certificates at k, or (when there is none) the first few commits at k in Wire+o. */
function commitsAt(idx: CommittedWireIndex, k: number): Message[] {
  const fromCands = idx.candidatesAt(k).flatMap((c) => c.certificate);
  if (fromCands.length > 0) return fromCands;
  return [...idx.sets.wireO].filter((m) => m.tag === 'COMMIT' && m.n === k).slice(0, 8);
}

// ---------------------------------------------------------------- Invariant A.2.4

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
      const ms = [...new Set(cs.map((c) => c.m))];
      if (ms.length < 2) continue;
      out.push(
        violation(
          'A.2.4',
          `sequences committed in Wire+o are not prefix-related: at k = ${k} both ${ms.map((m) => showRM(u, m)).join(' and ')} have a commit certificate and a pre-prepare (or are themselves) in Wire+o`,
          {
            n: k,
            messages: [...ms.filter((m): m is Request => m !== null), ...cs.flatMap((c) => [c.witness, ...c.certificate])].filter((m, x, a) => a.indexOf(m) === x),
            replicas: [...new Set(cs.flatMap((c) => c.certificate.map((x) => x.j)))].sort((a, b) => a - b),
            detail: cs.map((c) => `${showRM(u, c.m)}: certificate in view ${c.certView}, witness in view ${c.witnessView}`).join('; '),
          },
        ),
      );
    }
    return out;
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
