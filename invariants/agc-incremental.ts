// The incremental engine behind checkDelta of the invariants of agc-checkpoints.ts: Wire+o and
// its committed-Wire candidate index kept from one check of a run to the next (WireEngine), and
// the engine of a run's cache (engineOf).
//
// Incremental evaluation
// ----------------------
// The three conjuncts keep, from one check of a run to the next, Wire (closed under nesting) and
// its part of the candidate index, extended with delta.wireAdded; the part of Wire+o that comes
// from out_j is small and rebuilt every time. Candidates are recomputed only at the k's whose
// messages changed, and the search is kept as a chain of folds along k (one candidate per k, as
// A.2.4 guarantees), cut back from the least k whose candidates changed.
// Wire+o can lose messages too (out_i := {} of a new view, read literally, drops unsent
// commits): the k's the out_j part touched at the previous check are recomputed as well, so a
// certificate that disappears is seen (test/invariants/agc-checkpoints-delta.test.ts).
import type { SystemState } from '../automata/compose.ts';
import type { Digest } from '../automata/digests.ts';
import type { Commit, Message, PrePrepare, Request } from '../automata/messages.ts';
import type { Universe } from '../automata/universe.ts';
import {
  addCommit,
  addPrePrepare,
  buildCandidates,
  byId,
  getOr,
  SEARCH_BOUND,
  stepFrontier,
  type Candidate,
  type CommitsAtK,
  type Frontier,
  type Node,
  type WireSearch,
} from './agc-committed-wire.ts';
import { nestedMessages, rInitial, rStep, type AgcReadings, type RM } from './agc-definitions.ts';
import type { Delta } from './delta.ts';

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
export class WireEngine implements WireSearch {
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
export function engineOf(u: Universe, s: SystemState, delta: Delta, cache: Map<string, unknown>, readings: AgcReadings): { e: WireEngine; rebuilt: boolean } {
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
