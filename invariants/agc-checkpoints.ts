// Appendix A.2 of the thesis, the part stated for A_gc (the algorithm with garbage collection):
//   Definition A.2.1  r-val, r-last-rep, r-last-rep-t over sequences μ ∈ RM* of requests and null;
//   Definition A.2.2  Wire, Wire+o, Wire+io and the predicate committed-Wire(s, l, t, n, v, μ);
//   Invariant A.2.3   (1) the state of a correct replica, and (2) the checkpoints a correct replica
//                     signs, are the result of a sequence of requests committed in Wire+o;
//   Invariant A.2.4   any two sequences for which committed-Wire holds are prefix-related.
// (thesis lines ~3106-3200.)
//
// This file holds the invariants A.2.3(1), A.2.3(2) and A.2.4 (entries, factories under other
// readings, agcCheckpointInvariants). The definitions are in agc-definitions.ts (A.2.1, and the
// sets of A.2.2) and agc-committed-wire.ts (committed-Wire and its search); the engine of
// checkDelta is in agc-incremental.ts. What those files export that importers of this one use is
// re-exported below.
//
// How the quantifiers are reduced to what is present in a state
// --------------------------------------------------------------
// (committed-Wire itself: see agc-committed-wire.ts.)
//  * A.2.3(2) quantifies over ⟨s, l, t⟩ through a digest D(⟨s, l, t⟩) in a checkpoint. committed-
//    Wire forces ⟨s, l, t⟩ to be the fold of some candidate sequence of length n, so it suffices to
//    compare the digest with the digests of the values the search reaches at (n, v); the value
//    with that digest is unique. (To print what the checkpoint holds when no value matches, the
//    values held by replicas and carried by view-changes are looked up too.)
//  * Witnesses in reports depend on the sets only, not on the order in which the wire happens to
//    hold its entries: the carrier shown for a checkpoint of N is the VIEW-CHANGE or NEW-VIEW of
//    least id.
//
// Incremental evaluation (checkDelta, see WireEngine in agc-incremental.ts)
// ---------------------------------------------------------------------------
// The three conjuncts share one engine per run, which keeps Wire+o's candidates from one check to
// the next and the least k whose candidates changed. Then
//  * A.2.3(1) looks again at a replica when its variables changed, when candidates at some
//    k ≤ last-exec_i changed, or when it was failing;
//  * A.2.3(2) judges a checkpoint when it first enters N and again when candidates at some
//    k ≤ n changed. Wire+io can lose messages (garbage collection of in_j), so the checkpoints
//    kept are those ever in N; only when one of them fails is N itself built, to report only
//    those still in it (a checkpoint leaving N cannot create a violation);
//  * A.2.4 is read off the k's with two candidates or more and the first k with none.
//
// Readings of the text
// --------------------
//  * Invariant A.2.4 says "of any reachable state in an execution of A", but committed-Wire is
//    defined on A_gc's state (Wire+o) and the invariant is used for A_gc; it is checked on A_gc.
//  (Definitions A.2.1 and A.2.2: see agc-definitions.ts and agc-committed-wire.ts.)
//
// A failure of the text (ERRATA E3; corrected by readings.literalOutReset = false, the default)
// ----------------------------------------------------------------------------------------
// The proof of A.2.3 says messages leave out_j "only ... when they are sent over the multicast
// channel". In A_gc, SEND-NEW-VIEW sets out_i := {m} and RECEIVE(NEW-VIEW) sets out_i := {}
// (Fig 2-13): a COMMIT still in out_i is dropped unsent, while it stays in in_i and counts for
// committed(m, v, n, i). A replica can then execute (and checkpoint) a request whose certificate
// has only 2f signers in Wire+o, and A.2.3(1) (and (2)) fail with no faulty replica at all. See
// test (e) for a hand-built execution; random runs find it too (seed 36, no faults, step 492).
import type { SystemState } from '../automata/compose.ts';
import type { Digest } from '../automata/digests.ts';
import { shortDigest } from '../automata/digests.ts';
import { formatMessage } from '../automata/format.ts';
import type { Checkpoint, CheckpointValue, Message, Request } from '../automata/messages.ts';
import type { Universe } from '../automata/universe.ts';
import { CommittedWireIndex, committedWireBy, committedWireDigestBy, type Candidate, type WireSearch } from './agc-committed-wire.ts';
import { nestedMessages, showRM, showValue, wireSets, type AgcReadings, type WireSets } from './agc-definitions.ts';
import { engineOf } from './agc-incremental.ts';
import { nFaulty, violation, type SystemInvariant, type Violation } from './types.ts';

// What importers of this file used before it was split (Definitions A.2.1 and A.2.2).
export { nestedMessages, R_FUNCTIONS, rFold, rInitial, rLastRep, rLastRepT, rStep, rVal, rValueKey, wireSets } from './agc-definitions.ts';
export type { AgcReadings, RM, RValue, WireSets } from './agc-definitions.ts';
export { CommittedWireIndex, committedWire, committedWireOf, SEARCH_BOUND } from './agc-committed-wire.ts';
export type { Candidate, CommittedWireOptions, CommittedWireQuery, CommittedWireVerdict } from './agc-committed-wire.ts';

// ---------------------------------------------------------------- Invariant A.2.3

/**
 * The checkpoint messages of the set N of Invariant A.2.3, each with a VIEW-CHANGE or NEW-VIEW of
 * Wire+io that carries it (the one of least id, so that the answer depends on the sets only; null
 * if none does: then it is itself in Wire+io).
 */
export function checkpointSetN(sets: WireSets): { m: Checkpoint; via: Message | null }[] {
  const out = new Map<Checkpoint, Message | null>();
  const fromVC = (vc: Message, via: Message) => {
    if (vc.tag !== 'VIEW-CHANGE' || vc.gc === null) return;
    for (const c of vc.gc.C) {
      if (c.tag !== 'CHECKPOINT') continue;
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
  const fromVC = (vc: Message) => {
    if (vc.tag === 'VIEW-CHANGE') for (const c of vc.gc?.C ?? []) if (c.tag === 'CHECKPOINT') add(c);
  };
  if (m.tag === 'CHECKPOINT') add(m);
  else if (m.tag === 'VIEW-CHANGE') fromVC(m);
  else if (m.tag === 'NEW-VIEW') for (const vc of m.V) fromVC(vc);
}

/** Checkpoint values held by replicas or carried by view-changes in Wire+io, by digest (for reports). */
function knownValues(u: Universe, s: SystemState, sets: WireSets): Map<Digest, CheckpointValue> {
  const out = new Map<Digest, CheckpointValue>();
  const add = (x: CheckpointValue) => out.set(u.interner.valueDigest(x), x);
  for (const r of s.replicas) for (const e of r.chkpts) add(e.s);
  for (const m of sets.wireIO) {
    if (m.tag === 'VIEW-CHANGE' && m.gc !== null) add(m.gc.s);
    else if (m.tag === 'NEW-VIEW') for (const vc of m.V) if (vc.tag === 'VIEW-CHANGE' && vc.gc !== null) add(vc.gc.s);
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
