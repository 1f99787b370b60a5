// The forward simulation G from A' to S' (Definition A.1.20, Theorem A.1.19, thesis lines
// ~3023-3104). x is a state of A' (the composed system A of Appendix A.1: proxies, MC and replicas
// without garbage collection; A' only hides outputs, so its states are A's), y a state of S'.
//
// Definition A.1.20 (G ⊆ states(A') × states(S')); (x, y) ∈ G iff:
//   1. ∀ i ∈ R : (x.faulty_i = y.faulty-replica_i)
//   2. ∀ c ∈ C : (x.faulty_c = y.faulty-client_c)
// and the following are satisfied when n-faulty ≤ f
//   3. ∀ c ∈ C : (¬x.faulty_c ⇒ x.last-req_c = y.last-req_c)
//   4. ∀ i ∈ R : (¬x.faulty_i ⇒ x.last-exec_i < y.seqno)
//   5. ∀ i ∈ R : (¬x.faulty_i ⇒ x.val_i = val(prefix(y.hist, x.last-exec_i)))
//   6. ∀ i ∈ R : (¬x.faulty_i ⇒ ∀ c ∈ C : (x.last-rep_i(c) = last-rep_i(prefix(y.hist, x.last-exec_i))(c)))
//   7. ∀ i ∈ R : (¬x.faulty_i ⇒ ∀ c ∈ C : (x.last-rep-t_i(c) = last-rep-t(prefix(x.hist, y.last-exec_i))(c)))
//   8. ∀ 0 < n ≤ y.seqno :
//        ∃ ⟨n, o, t, c⟩ ∈ y.hist : (∃ R ⊆ R, v ∈ ℕ : (|R| > 2f − y.n-faulty ∧
//            ∀ k ∈ R : (¬x.faulty_k ∧ prepared(⟨REQUEST, o, t, c⟩σc, v, n, A'.k)))) ∨
//        (¬∃ ⟨n, o, t, c⟩ ∈ y.hist ∧
//          (∃ R ⊆ R, v, t ∈ ℕ, o ∈ O, c ∈ C : (|R| > 2f − y.n-faulty ∧ t ≤ last-rep-t(prefix(y.hist, n−1))(c) ∧
//              ∀ k ∈ R : (¬x.faulty_k ∧ prepared(⟨REQUEST, o, t, c⟩σc, v, n, A'.k)))
//           ∨ ∃ R ⊆ R, v ∈ ℕ : (|R| > 2f − y.n-faulty ∧ ∀ k ∈ R : (¬x.faulty_k ∧ prepared(null, v, n, A'.k)))))
//      (the transcription repeats a conjunct of the second disjunct: READING-NOTES 11)
//   9. ∀ ⟨REPLY, v, t, c, i, r⟩σi ∈ (x.out_i ∪ {m | ∃ X : (m, X) ∈ x.wire} ∪ x.in_c) :
//        (¬x.faulty_i ⇒ ∃ ⟨n, o, t, c⟩ ∈ y.hist : (r = last-rep(prefix(y.hist, n))(c)))
//  10. ∀ ⟨n, o, y.last-req_c, c⟩ ∈ y.hist :
//        ((¬x.faulty_c ∧ x.out_c ≠ {}) ⇒ ⟨last-rep(prefix(y.hist, n))(c), y.last-req_c, c⟩ ∈ y.out)
//  11. Let M_c = x.out_c ∪ {m | ∃ i ∈ R : (¬x.faulty_i ∧ m ∈ x.in_i ∪ x.out_i)} ∪ {m | ∃ X : (m, X) ∈ x.wire},
//      and M_c¹ = merge-P({m = ⟨VIEW-CHANGE, v, P, j⟩σj | m ∈ M_c ∨ ∃ ⟨NEW-VIEW, v, V, O, N⟩σj ∈ M_c : (m ∈ V)}),
//      ∀ c ∈ C : (¬x.faulty_c ⇒ ∀ o ∈ O, t ∈ ℕ : ((m = ⟨REQUEST, o, t, c⟩σc ∈ M_c ∨
//          ∃ ⟨PRE-PREPARE, v, n, m⟩σj ∈ M_c ∪ M_c¹) ⇒ (⟨o, t, c⟩ ∈ y.in ∨ ∃ n : (⟨n, o, t, c⟩ ∈ y.hist))))
//
// Readings and errata (ERRATA.md; the literal forms are selected by readings.literalG):
// - E8: clause 4 writes "<", false in the start state (both 0) and in every state where a
//   non-faulty replica has caught up with S'; "≤" is meant (the proof splits on
//   "x.last-exec_i < y.seqno … otherwise", and says α "increments y.seqno in the case where
//   x.last-exec_i = y.seqno").
// - R10: clause 7 swaps x and y (x has no hist, y no last-exec_i); read as clauses 5 and 6. Clause
//   6 writes last-rep_i(prefix(…)), read as the function last-rep of Def A.1.13. No literal form.
// - E9: clause 9 fails when a faulty client sends ⟨REQUEST, o, 0, c⟩: a non-faulty replica answers
//   with ⟨REPLY, view_i, 0, c, i, null-rep⟩ (t = last-rep-t_i(c) = 0) and hist has no tuple with
//   t = 0. Corrected: the reply of the empty prefix is allowed, "∨ (t = 0 ∧ r = null-rep)", i.e.
//   r = last-rep(prefix(y.hist, n))(c) for n = 0 with t = last-rep-t(λ)(c).
// - E10: clause 11 fails when S' executes a request of a non-faulty client whose timestamp is
//   already below last-rep-t(y.hist)(c) (the client issued a newer request, ordered first): S'
//   removes ⟨o, t, c⟩ from in without adding it to hist, while the request stays on the wire (MC
//   keeps every message). Corrected: "… ∨ t ≤ last-rep-t(y.hist)(c)".
// - E11: the step correspondence's EXECUTE(o, t, c) for a request of a non-faulty client is not
//   enabled when ⟨o, t, c⟩ ∉ y.in (the request was already executed at another sequence number;
//   a new view can put one request at two sequence numbers). Corrected: EXECUTE-NULL then, whose
//   effect is that of EXECUTE(o, t, c) when t ≤ last-rep-t(y.hist)(c). See gFragment.
//
// Reduction of the quantifiers to what the state holds (nothing is lost):
// - Clause 8: prepared(m, v, n, A'.k) requires ⟨PRE-PREPARE, v, n, m⟩σprimary(v) ∈ in_k, so the v,
//   o, t, c (and null) of the existentials range over the primary-signed pre-prepares at n in the
//   logs of non-faulty replicas; each candidate is confirmed with prepared() itself. "∃ R : |R| >
//   2f − y.n-faulty ∧ ∀ k ∈ R : (¬x.faulty_k ∧ prepared(…))" holds iff the set of all non-faulty k
//   with prepared(m, v, n, k) (the largest such R) is big enough, so that set is counted. Request
//   messages are compared by their fields (no message is built, so checking never changes the
//   interner and thereby the run).
// - Clause 9: every REPLY message in out_i (of any replica; a reply names its signer i), on the
//   wire (every message ever sent: MC never drops one) or in in_c (of any proxy; a reply names its
//   c). The ∃ over hist is decided by a set of (c, t, r) built from hist.
// - Clause 10: the hist tuples with t = y.last-req_c of each client c.
// - Clause 11: M_c differs between clients only by x.out_c; the requests of c that M_c and M_c¹
//   name are the requests of M_c, the requests carried by its pre-prepares, and those carried by
//   the pre-prepares in P of its view-changes and of the view-changes in V of its new-views. The
//   pre-prepares in O and N of a new-view are not in M_c ∪ M_c¹ as written (their requests are those
//   of merge-P(V), which is). ∀ o, t then ranges over those requests.
// - prefix(y.hist, n) (Def A.1.16) and the functions val, last-rep and last-rep-t of it (Def
//   A.1.13): when the first components of hist strictly increase (always in reachable states),
//   prefix(hist, n) is an initial segment and its fold is memoized per position (appends refold
//   only the new tuples); otherwise (a state built by hand) it is folded from the definition.
import type { Action } from '../automata/actions.ts';
import { prepared } from '../invariants/reference/certificates.ts';
import type { SystemState } from '../automata/compose.ts';
import type { Message, Reply, Request, Payload } from '../automata/messages.ts';
import { NULL_REP } from '../automata/services.ts';
import { emptyFold, foldAppend, histFold, type HistEntry, type HistFold, type SpecHistAction, type SpecHistState } from '../automata/spec-hist.ts';
import { nFaulty, reqKey, repKey } from '../automata/spec.ts';
import type { Universe } from '../automata/universe.ts';
import { touchedNs, type Delta } from '../invariants/delta.ts';
import { prefix } from '../invariants/spec-hist.ts';
import { failingClauses, type Clause, type ClauseFailure } from './relation.ts';

const REF = 'Definition A.1.20';

// --- prefix folds -----------------------------------------------------------------------------

interface PrefixMemo {
  entries: HistEntry[];
  /** folds[k] is the fold of hist[0..k). */
  folds: HistFold[];
}

const copyFold = (f: HistFold): HistFold => ({ val: f.val, lastRep: [...f.lastRep], lastRepT: [...f.lastRepT] });

function strictlyIncreasing(hist: readonly HistEntry[]): boolean {
  for (let k = 1; k < hist.length; k++) if (!(hist[k]!.n > hist[k - 1]!.n)) return false;
  return true;
}

/** val, last-rep and last-rep-t of prefix(hist, n), with a memo per hist array. */
export class PrefixFolds {
  private readonly memo = new WeakMap<readonly HistEntry[], PrefixMemo>();
  constructor(private readonly u: Universe) {}

  /** The folds of every initial segment of hist (hist must have strictly increasing first components). */
  private segments(hist: readonly HistEntry[]): HistFold[] {
    let m = this.memo.get(hist);
    const valid = m !== undefined && m.entries.length <= hist.length && m.entries.every((e, k) => e === hist[k]);
    if (m === undefined || !valid) {
      m = { entries: [], folds: [emptyFold(this.u)] };
      this.memo.set(hist, m);
    }
    for (let k = m.entries.length; k < hist.length; k++) {
      const next = copyFold(m.folds[k]!);
      foldAppend(this.u, next, hist[k]!);
      m.folds.push(next);
      m.entries.push(hist[k]!);
    }
    return m.folds;
  }

  /** The fold of prefix(hist, n) (Def A.1.16): the tuples whose first component is ≤ n. */
  at(hist: readonly HistEntry[], n: number): HistFold {
    if (!strictlyIncreasing(hist)) return histFold(this.u, prefix(hist, n));
    const folds = this.segments(hist);
    // The number of tuples with first component ≤ n (binary search).
    let lo = 0;
    let hi = hist.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (hist[mid]!.n <= n) lo = mid + 1;
      else hi = mid;
    }
    return folds[lo]!;
  }
}

// --- helpers ----------------------------------------------------------------------------------

const showE = (e: HistEntry) => `⟨${e.n}, ${e.o}, ${e.t}, c${e.c}⟩`;
const showReq = (m: Payload) => (m === null ? 'null' : m.tag === 'REQUEST' ? `⟨REQUEST, ${m.o}, ${m.t}, c${m.c}⟩` : `a ${m.tag} (id ${m.id})`);

/** "when n-faulty ≤ f": the number of faulty replicas of S' (= of A' when clause 1 holds). */
function bounded(u: Universe, y: SpecHistState): boolean {
  return nFaulty(y) <= u.f;
}

/** The requests a message of M_c contributes to clause 11 (itself, or what its pre-prepares carry, directly or in M_c¹). */
const contributionMemo = new WeakMap<Message, readonly Request[]>();
function requestsNamedBy(m: Message): readonly Request[] {
  switch (m.tag) {
    case 'REQUEST':
      return [m];
    case 'PRE-PREPARE':
      return m.m?.tag === 'REQUEST' ? [m.m] : [];
    case 'VIEW-CHANGE':
    case 'NEW-VIEW': {
      let r = contributionMemo.get(m);
      if (r === undefined) {
        // merge-P of the view-change itself, or of every view-change in V.
        const vcs = m.tag === 'VIEW-CHANGE' ? [m] : m.V;
        const out: Request[] = [];
        for (const vc of vcs) if (vc.tag === 'VIEW-CHANGE') for (const p of vc.P) if (p.tag === 'PRE-PREPARE' && p.m?.tag === 'REQUEST') out.push(p.m);
        contributionMemo.set(m, (r = out));
      }
      return r;
    }
    default:
      return [];
  }
}

/** The wire only grows (MC keeps every message ever sent): its named requests and replies are memoized. */
interface WireMemo {
  count: number;
  requests: Set<Request>;
  replies: Reply[];
}
const wireMemo = new WeakMap<object, WireMemo>();
function wireContents(x: SystemState): WireMemo {
  let w = wireMemo.get(x.wire);
  if (w === undefined || w.count > x.wire.messageCount) wireMemo.set(x.wire, (w = { count: 0, requests: new Set(), replies: [] }));
  for (const m of x.wire.messagesSince(w.count)) {
    for (const r of requestsNamedBy(m)) w.requests.add(r);
    if (m.tag === 'REPLY') w.replies.push(m);
  }
  w.count = x.wire.messageCount;
  return w;
}

// --- the clauses ------------------------------------------------------------------------------

/** The fold of prefix(y.hist, n), however it is looked up (PrefixFolds, or HistIndex in the incremental evaluation). */
type FoldAt = (n: number) => HistFold;

// The bodies of the clauses that the plain and the incremental evaluation share, so that both
// produce the same messages.

function checkG5(u: Universe, x: SystemState, at: FoldAt): string | null {
  for (const r of x.replicas) {
    if (r.faulty) continue;
    const v = at(r.lastExec).val;
    if (u.service.encode(v) !== u.service.encode(r.val))
      return `replica ${r.i}: x.val = ${u.service.show(r.val)}, val(prefix(y.hist, ${r.lastExec})) = ${u.service.show(v)}`;
  }
  return null;
}

function checkG6(u: Universe, x: SystemState, at: FoldAt): string | null {
  for (const r of x.replicas) {
    if (r.faulty) continue;
    const f = at(r.lastExec);
    for (let c = 0; c < u.clients; c++)
      if (r.lastRep[c] !== f.lastRep[c])
        return `replica ${r.i}, client ${c}: x.last-rep = ${r.lastRep[c]}, last-rep(prefix(y.hist, ${r.lastExec}))(c) = ${f.lastRep[c]}`;
  }
  return null;
}

function checkG7(u: Universe, x: SystemState, at: FoldAt): string | null {
  for (const r of x.replicas) {
    if (r.faulty) continue;
    const f = at(r.lastExec);
    for (let c = 0; c < u.clients; c++)
      if (r.lastRepT[c] !== f.lastRepT[c])
        return `replica ${r.i}, client ${c}: x.last-rep-t = ${r.lastRepT[c]}, last-rep-t(prefix(y.hist, ${r.lastExec}))(c) = ${f.lastRepT[c]}`;
  }
  return null;
}

/**
 * Clause 8 at one n: `correct` are the non-faulty replicas (in order), `need` is 2f − y.n-faulty,
 * `at` the tuples of y.hist with first component n, `before()` the fold of prefix(y.hist, n − 1).
 */
function checkG8At(u: Universe, correct: readonly SystemState['replicas'][number][], n: number, need: number, at: readonly HistEntry[], before: () => HistFold): string | null {
  // Every (m, v) prepared at n by some non-faulty replica, with how many non-faulty replicas prepared it.
  const certs = new Map<string, { m: Payload; v: number; count: number }>();
  for (const r of correct)
    for (const pp of r.in.prePreparesAt(n)) {
      if (pp.signer !== u.primary(pp.v) || !prepared(u, pp.m, pp.v, n, r.in)) continue;
      const key = `${pp.v}|${pp.m === null ? -1 : pp.m.id}`;
      const e = certs.get(key);
      if (e === undefined) certs.set(key, { m: pp.m, v: pp.v, count: 1 });
      else e.count++;
    }
  const strong = [...certs.values()].filter((e) => e.count > need);
  if (at.length > 0) {
    const ok = at.some((e) => strong.some((s) => s.m?.tag === 'REQUEST' && s.m.o === e.o && s.m.t === e.t && s.m.c === e.c));
    if (!ok) return `n = ${n}: ${at.map(showE).join(', ')} ∈ y.hist but no v with more than ${need} non-faulty replicas that prepared it${describe(certs)}`;
  } else {
    const fold = before();
    const ok = strong.some((s) => s.m === null || s.m.tag !== 'REQUEST' || s.m.t <= fold.lastRepT[s.m.c]!);
    if (!ok)
      return `n = ${n}: no tuple in y.hist, and no null request or request with t ≤ last-rep-t(prefix(y.hist, ${n - 1}))(c) prepared by more than ${need} non-faulty replicas${describe(certs)}`;
  }
  return null;
}

/** Clause 9's test of one reply, given the (c, t, r) that hist explains. */
function g9Ok(x: SystemState, explained: ReadonlySet<string>, literal: boolean): (m: Reply) => boolean {
  return (m) => x.replicas[m.i]?.faulty === true || explained.has(repKey(m.r, m.t, m.c)) || (!literal && m.t === 0 && m.r === NULL_REP);
}
const g9Bad = (m: Reply, where: string) =>
  `⟨REPLY, ${m.v}, ${m.t}, c${m.c}, ${m.i}, ${m.r}⟩σ${m.i} ∈ ${where}: no ⟨n, o, ${m.t}, c${m.c}⟩ ∈ y.hist with last-rep(prefix(y.hist, n))(c${m.c}) = ${m.r}`;

/** Clause 10 for one tuple e of y.hist with e.t = y.last-req_{e.c}; `rep()` is last-rep(prefix(y.hist, e.n))(e.c). */
function checkG10At(x: SystemState, y: SpecHistState, e: HistEntry, rep: () => string): string | null {
  const p = x.proxies[e.c]!;
  if (p.faulty || p.out === null) return null;
  const r = rep();
  if (!y.out.has(repKey(r, e.t, e.c))) return `${showE(e)} ∈ y.hist, client ${e.c} waits (x.out_c ≠ {}), but ⟨${r}, ${e.t}, c${e.c}⟩ ∉ y.out`;
  return null;
}

/** The clauses of G, corrected (default) or literal. x is the state of A', y the state of S'. */
export function gClauses(u: Universe, literal = false): Clause<SystemState, SpecHistState>[] {
  const folds = new PrefixFolds(u);
  const when = 'when n-faulty ≤ f: ';
  return [
    {
      id: 'G(1)',
      statement: '∀ i ∈ R : (x.faulty_i = y.faulty-replica_i)',
      ref: `${REF}, clause 1`,
      check(x, y) {
        for (const r of x.replicas)
          if (r.faulty !== y.faultyReplica[r.i]) return `replica ${r.i}: x.faulty = ${r.faulty}, y.faulty-replica = ${y.faultyReplica[r.i]}`;
        return null;
      },
    },
    {
      id: 'G(2)',
      statement: '∀ c ∈ C : (x.faulty_c = y.faulty-client_c)',
      ref: `${REF}, clause 2`,
      check(x, y) {
        for (const p of x.proxies)
          if (p.faulty !== y.faultyClient[p.c]) return `client ${p.c}: x.faulty = ${p.faulty}, y.faulty-client = ${y.faultyClient[p.c]}`;
        return null;
      },
    },
    {
      id: 'G(3)',
      statement: `${when}∀ c ∈ C : (¬x.faulty_c ⇒ x.last-req_c = y.last-req_c)`,
      ref: `${REF}, clause 3`,
      check(x, y) {
        if (!bounded(u, y)) return null;
        for (const p of x.proxies)
          if (!p.faulty && p.lastReq !== y.lastReq[p.c]) return `client ${p.c}: x.last-req = ${p.lastReq}, y.last-req = ${y.lastReq[p.c]}`;
        return null;
      },
    },
    {
      id: 'G(4)',
      statement: literal
        ? `${when}∀ i ∈ R : (¬x.faulty_i ⇒ x.last-exec_i < y.seqno)   [as written]`
        : `${when}∀ i ∈ R : (¬x.faulty_i ⇒ x.last-exec_i ≤ y.seqno)   [the text writes <]`,
      ref: `${REF}, clause 4`,
      check(x, y) {
        if (!bounded(u, y)) return null;
        for (const r of x.replicas) {
          if (r.faulty) continue;
          if (literal ? !(r.lastExec < y.seqno) : !(r.lastExec <= y.seqno))
            return `replica ${r.i}: x.last-exec = ${r.lastExec} ${literal ? '≥' : '>'} y.seqno = ${y.seqno}`;
        }
        return null;
      },
    },
    {
      id: 'G(5)',
      statement: `${when}∀ i ∈ R : (¬x.faulty_i ⇒ x.val_i = val(prefix(y.hist, x.last-exec_i)))`,
      ref: `${REF}, clause 5`,
      check(x, y) {
        if (!bounded(u, y)) return null;
        return checkG5(u, x, (n) => folds.at(y.hist, n));
      },
    },
    {
      id: 'G(6)',
      statement: `${when}∀ i ∈ R : (¬x.faulty_i ⇒ ∀ c ∈ C : (x.last-rep_i(c) = last-rep(prefix(y.hist, x.last-exec_i))(c)))   [the text writes last-rep_i(prefix(…))]`,
      ref: `${REF}, clause 6`,
      check(x, y) {
        if (!bounded(u, y)) return null;
        return checkG6(u, x, (n) => folds.at(y.hist, n));
      },
    },
    {
      id: 'G(7)',
      statement: `${when}∀ i ∈ R : (¬x.faulty_i ⇒ ∀ c ∈ C : (x.last-rep-t_i(c) = last-rep-t(prefix(y.hist, x.last-exec_i))(c)))   [the text writes prefix(x.hist, y.last-exec_i)]`,
      ref: `${REF}, clause 7`,
      check(x, y) {
        if (!bounded(u, y)) return null;
        return checkG7(u, x, (n) => folds.at(y.hist, n));
      },
    },
    {
      id: 'G(8)',
      statement:
        `${when}∀ 0 < n ≤ y.seqno : ∃ ⟨n, o, t, c⟩ ∈ y.hist : (∃ R, v : (|R| > 2f − y.n-faulty ∧ ∀ k ∈ R : (¬x.faulty_k ∧ prepared(⟨REQUEST, o, t, c⟩σc, v, n, A′.k)))) ∨ ` +
        '(¬∃ ⟨n, o, t, c⟩ ∈ y.hist ∧ (∃ R, v, t, o, c : (|R| > 2f − y.n-faulty ∧ t ≤ last-rep-t(prefix(y.hist, n−1))(c) ∧ ∀ k ∈ R : (¬x.faulty_k ∧ prepared(⟨REQUEST, o, t, c⟩σc, v, n, A′.k))) ∨ ' +
        '∃ R, v : (|R| > 2f − y.n-faulty ∧ ∀ k ∈ R : (¬x.faulty_k ∧ prepared(null, v, n, A′.k)))))',
      ref: `${REF}, clause 8 (read as in READING-NOTES 11)`,
      check(x, y) {
        if (!bounded(u, y)) return null;
        const need = 2 * u.f - nFaulty(y); // |R| > need
        const correct = x.replicas.filter((r) => !r.faulty);
        for (let n = 1; n <= y.seqno; n++) {
          const msg = checkG8At(
            u,
            correct,
            n,
            need,
            y.hist.filter((e) => e.n === n),
            () => folds.at(y.hist, n - 1),
          );
          if (msg !== null) return msg;
        }
        return null;
      },
    },
    {
      id: 'G(9)',
      statement: literal
        ? `${when}∀ ⟨REPLY, v, t, c, i, r⟩σi ∈ (x.out_i ∪ {m | ∃ X : (m, X) ∈ x.wire} ∪ x.in_c) : (¬x.faulty_i ⇒ ∃ ⟨n, o, t, c⟩ ∈ y.hist : (r = last-rep(prefix(y.hist, n))(c)))   [as written]`
        : `${when}∀ ⟨REPLY, v, t, c, i, r⟩σi ∈ (x.out_i ∪ {m | ∃ X : (m, X) ∈ x.wire} ∪ x.in_c) : (¬x.faulty_i ⇒ (∃ ⟨n, o, t, c⟩ ∈ y.hist : (r = last-rep(prefix(y.hist, n))(c)) ∨ (t = 0 ∧ r = null-rep)))`,
      ref: `${REF}, clause 9`,
      check(x, y) {
        if (!bounded(u, y)) return null;
        // (c, t, r) such that ∃ ⟨n, o, t, c⟩ ∈ y.hist : r = last-rep(prefix(y.hist, n))(c)
        const explained = new Set<string>();
        for (const e of y.hist) explained.add(repKey(folds.at(y.hist, e.n).lastRep[e.c]!, e.t, e.c));
        const ok = g9Ok(x, explained, literal);
        for (const r of x.replicas) for (const m of r.out) if (m.tag === 'REPLY' && !ok(m)) return g9Bad(m, `x.out_${r.i}`);
        for (const m of wireContents(x).replies) if (!ok(m)) return g9Bad(m, 'x.wire');
        for (const p of x.proxies) for (const m of p.in) if (!ok(m)) return g9Bad(m, `x.in_c${p.c}`);
        return null;
      },
    },
    {
      id: 'G(10)',
      statement: `${when}∀ ⟨n, o, y.last-req_c, c⟩ ∈ y.hist : ((¬x.faulty_c ∧ x.out_c ≠ {}) ⇒ ⟨last-rep(prefix(y.hist, n))(c), y.last-req_c, c⟩ ∈ y.out)`,
      ref: `${REF}, clause 10`,
      check(x, y) {
        if (!bounded(u, y)) return null;
        for (const e of y.hist) {
          if (e.t !== y.lastReq[e.c]) continue;
          const msg = checkG10At(x, y, e, () => folds.at(y.hist, e.n).lastRep[e.c]!);
          if (msg !== null) return msg;
        }
        return null;
      },
    },
    {
      id: 'G(11)',
      statement: literal
        ? `${when}∀ c ∈ C : (¬x.faulty_c ⇒ ∀ o, t : ((m = ⟨REQUEST, o, t, c⟩σc ∈ M_c ∨ ∃ ⟨PRE-PREPARE, v, n, m⟩σj ∈ M_c ∪ M_c¹) ⇒ (⟨o, t, c⟩ ∈ y.in ∨ ∃ n : (⟨n, o, t, c⟩ ∈ y.hist))))   [as written]`
        : `${when}∀ c ∈ C : (¬x.faulty_c ⇒ ∀ o, t : ((m = ⟨REQUEST, o, t, c⟩σc ∈ M_c ∨ ∃ ⟨PRE-PREPARE, v, n, m⟩σj ∈ M_c ∪ M_c¹) ⇒ (⟨o, t, c⟩ ∈ y.in ∨ ∃ n : (⟨n, o, t, c⟩ ∈ y.hist) ∨ t ≤ last-rep-t(y.hist)(c))))`,
      ref: `${REF}, clause 11`,
      check(x, y) {
        if (!bounded(u, y)) return null;
        const inHist = new Set(y.hist.map((e) => reqKey(e.o, e.t, e.c)));
        const top = folds.at(y.hist, Number.POSITIVE_INFINITY).lastRepT;
        const ok = (m: Request) => y.in.has(reqKey(m.o, m.t, m.c)) || inHist.has(reqKey(m.o, m.t, m.c)) || (!literal && m.t <= top[m.c]!);
        const faulty = (c: number) => x.proxies[c]?.faulty !== false;
        const bad = (m: Request, where: string) =>
          `${showReq(m)} (in ${where}) of non-faulty client ${m.c}: ⟨${m.o}, ${m.t}, c${m.c}⟩ ∉ y.in and not in y.hist`;
        for (const p of x.proxies) if (!p.faulty && p.out !== null && !ok(p.out)) return bad(p.out, `x.out_c${p.c}`);
        for (const r of x.replicas) {
          if (r.faulty) continue;
          for (const m of r.in.requests) if (!faulty(m.c) && !ok(m)) return bad(m, `x.in_${r.i}`);
          for (const pps of r.in.ppByN.values())
            for (const pp of pps) if (pp.m?.tag === 'REQUEST' && !faulty(pp.m.c) && !ok(pp.m)) return bad(pp.m, `a pre-prepare in x.in_${r.i}`);
          for (const vcs of r.in.viewChangesByV.values())
            for (const vc of vcs) for (const m of requestsNamedBy(vc)) if (!faulty(m.c) && !ok(m)) return bad(m, `merge-P of a view-change in x.in_${r.i}`);
          for (const nvs of r.in.newViewsByV.values())
            for (const nv of nvs) for (const m of requestsNamedBy(nv)) if (!faulty(m.c) && !ok(m)) return bad(m, `merge-P(V) of a new-view in x.in_${r.i}`);
          for (const msg of r.out) for (const m of requestsNamedBy(msg)) if (!faulty(m.c) && !ok(m)) return bad(m, `x.out_${r.i}`);
        }
        for (const m of wireContents(x).requests) if (!faulty(m.c) && !ok(m)) return bad(m, 'x.wire (or nested in a message there)');
        return null;
      },
    },
  ];
}

function describe(certs: Map<string, { m: Payload; v: number; count: number }>): string {
  if (certs.size === 0) return ' (nothing prepared there)';
  return ` (prepared: ${[...certs.values()].map((e) => `${showReq(e.m)} in view ${e.v} by ${e.count}`).join('; ')})`;
}

// --- incremental evaluation ----------------------------------------------------------------------
//
// gIncremental(u, literal).check(x, y, delta, s) returns what failingClauses(gClauses(u, literal),
// x, y) returns (same clauses, order and messages), given what changed in x (delta: a Delta of
// invariants/delta.ts, from a DeltaTracker) and in y (s: SpecChanges, from a SpecTracker)
// since its previous call. A clause that held then can only be falsified by what changed:
// - G(1)-(4) cost O(|R| + |C|) and are evaluated as they are.
// - G(5)-(7), and every prefix(y.hist, n) below, read a HistIndex: the folds of the initial
//   segments of y.hist, extended by appends (binary search for n), instead of PrefixFolds (which
//   re-validates the whole history on each call).
// - G(8): the set of failing n ≤ y.seqno is kept. Only the n of the pre-prepares and prepares added
//   to or removed from the log of a non-faulty replica (touchedNs), and the n in (old seqno, seqno],
//   are re-evaluated: hist only grows at n > old seqno (S' appends ⟨seqno, o, t, c⟩ after
//   incrementing seqno), so prefix(y.hist, n − 1) and the tuples at n of every older n are unchanged.
//   The message is that of the smallest failing n, as the plain loop finds it first.
// - G(9): the (c, t, r) that hist explains only grow (an append explains its own tuple and changes no
//   older prefix). out_i and in_c are small and are scanned; of the wire (it never loses a
//   message), the replies not explained are kept in wire order, the new ones added.
// - G(10): S' appends ⟨n, o, t, c⟩ only when t > last-rep-t(hist)(c), so the t of one client strictly
//   increase along hist and each client has at most one tuple with t = y.last-req_c: O(|C|) tuples.
// - G(11): ⟨o, t, c⟩ ∈ y.in ∨ ∈ hist ∨ t ≤ last-rep-t(y.hist)(c) can turn false only by a removal from
//   y.in (hist and last-rep-t(y.hist) only grow). The clause is re-evaluated in full (plain) when it
//   may fail: when it failed before, when a request of a non-faulty client named by a message new
//   to M_c (added to in_i or out_i of a non-faulty replica, or to the wire), or by x.out_c (small,
//   read each time), is not accepted, or when a triple removed from y.in is among the requests
//   ever named by M_c since the last full evaluation (a superset of those in M_c now). Full
//   evaluations give the message.
// Everything is re-examined (the plain clauses, and the caches rebuilt) when delta.full or s.full
// is set, when x or y is not the state of the previous call, on any change of faulty flags, or when
// y.hist is not an extension by S'-like appends (n strictly increasing and above the old seqno, t
// above last-rep-t(hist)(c)) of what was seen; with y.n-faulty > f nothing is cached. hist is
// assumed to change by appends only (as in S'): that the array and its last seen tuple are the
// same is checked, not the older tuples.

/** The folds of the initial segments of y.hist, and what G reads from hist, extended as hist grows. */
class HistIndex {
  private hist: readonly HistEntry[] | null = null;
  private len = 0;
  /** hist[len − 1] when it was read. */
  private last: HistEntry | null = null;
  /** folds[k]: the fold of hist[0..k). */
  private readonly folds: HistFold[];
  /** The tuple at n, by n; the index of the tuple of c with timestamp t (`${c}|${t}`). */
  private readonly byN = new Map<number, HistEntry>();
  private readonly byCT = new Map<string, number>();
  /** repKey(last-rep(prefix(hist, e.n))(e.c), e.t, e.c) and reqKey(e.o, e.t, e.c) of each tuple e. */
  readonly explained = new Set<string>();
  readonly inHist = new Set<string>();

  constructor(private readonly u: Universe) {
    this.folds = [emptyFold(u)];
  }

  /** Appends y.hist[len..]; the new tuples, or null when y.hist is not such an extension of what was seen. */
  sync(hist: readonly HistEntry[]): HistEntry[] | null {
    if (this.hist === null) this.hist = hist;
    if (hist !== this.hist || hist.length < this.len) return null;
    if (this.len > 0 && hist[this.len - 1] !== this.last) return null;
    const added: HistEntry[] = [];
    for (let k = this.len; k < hist.length; k++) {
      const e = hist[k]!;
      const prev = this.folds[k]!;
      if ((k > 0 && !(e.n > hist[k - 1]!.n)) || !(e.t > prev.lastRepT[e.c]!) || !Number.isInteger(e.c) || e.c < 0 || e.c >= this.u.clients) return null;
      const next = copyFold(prev);
      foldAppend(this.u, next, e);
      this.folds.push(next);
      this.last = e;
      this.byN.set(e.n, e);
      this.byCT.set(`${e.c}|${e.t}`, k);
      this.explained.add(repKey(next.lastRep[e.c]!, e.t, e.c));
      this.inHist.add(reqKey(e.o, e.t, e.c));
      added.push(e);
      this.len = k + 1;
    }
    return added;
  }

  get length(): number {
    return this.len;
  }
  /** The fold of prefix(hist, n): of the tuples with first component ≤ n. */
  readonly at = (n: number): HistFold => {
    const hist = this.hist!;
    let lo = 0;
    let hi = this.len;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (hist[mid]!.n <= n) lo = mid + 1;
      else hi = mid;
    }
    return this.folds[lo]!;
  };
  /** last-rep-t(hist) */
  get top(): readonly number[] {
    return this.folds[this.len]!.lastRepT;
  }
  /** The tuples with first component n (at most one). */
  tuplesAt(n: number): HistEntry[] {
    const e = this.byN.get(n);
    return e === undefined ? [] : [e];
  }
  /** The index of the tuple of client c with timestamp t, if any. */
  indexOf(c: number, t: number): number | undefined {
    return this.byCT.get(`${c}|${t}`);
  }
  entryAt(k: number): HistEntry {
    return this.hist![k]!;
  }
}

/** What changed in S' since the previous call of SpecTracker.next. */
export interface SpecChanges {
  /** Re-examine everything: the first call, another state, a change of faulty flags, seqno or hist not grown. */
  full: boolean;
  /** y.seqno and |y.hist| at the previous call. */
  seqnoBefore: number;
  histBefore: number;
  /** Keys (reqKey) of the triples added to and removed from y.in. */
  inAdded: readonly string[];
  inRemoved: readonly string[];
}

/**
 * Observes S' from call to call (its in is small: the requests not yet executed; it is compared
 * with a copy of its keys). Observing, rather than replaying α, also sees changes made by hand.
 */
export class SpecTracker {
  private y: SpecHistState | null = null;
  private seqno = 0;
  private hist: readonly HistEntry[] | null = null;
  private histLen = 0;
  private inKeys = new Set<string>();
  private faultyReplica: boolean[] = [];
  private faultyClient: boolean[] = [];

  next(y: SpecHistState): SpecChanges {
    const same = (a: readonly boolean[], b: readonly boolean[]) => a.length === b.length && a.every((v, k) => v === b[k]);
    const full =
      this.y !== y ||
      y.seqno < this.seqno ||
      y.hist !== this.hist ||
      y.hist.length < this.histLen ||
      !same(this.faultyReplica, y.faultyReplica) ||
      !same(this.faultyClient, y.faultyClient);
    const inAdded: string[] = [];
    const inRemoved: string[] = [];
    for (const k of y.in.keys()) if (!this.inKeys.has(k)) inAdded.push(k);
    if (this.inKeys.size + inAdded.length !== y.in.size) for (const k of this.inKeys) if (!y.in.has(k)) inRemoved.push(k);
    const out: SpecChanges = { full, seqnoBefore: this.seqno, histBefore: this.histLen, inAdded, inRemoved };
    this.y = y;
    this.seqno = y.seqno;
    this.hist = y.hist;
    this.histLen = y.hist.length;
    if (inAdded.length > 0 || inRemoved.length > 0) this.inKeys = new Set(y.in.keys());
    this.faultyReplica = [...y.faultyReplica];
    this.faultyClient = [...y.faultyClient];
    return out;
  }
}


/** What the incremental evaluation examined, for tests and reports. */
export interface GIncrementalStats {
  /** Calls of check. */
  checks: number;
  /** Calls that re-examined everything (plain clauses, caches rebuilt). */
  full: number;
  /** Calls in which G(11) was evaluated plainly (it may fail). */
  plainG11: number;
  /** Items examined by the incremental paths: sequence numbers re-evaluated for G(8), messages and triples read. */
  examined: number;
}

export interface GIncremental {
  /**
   * The failing clauses of G on (x, y), as failingClauses(gClauses(u, literal), x, y) gives them.
   * delta and s are the changes of x and y since the previous call (DeltaTracker and
   * SpecTracker, fed at every call).
   */
  check(x: SystemState, y: SpecHistState, delta: Delta, s: SpecChanges): ClauseFailure[];
  readonly stats: GIncrementalStats;
}

interface GCache {
  x: SystemState;
  y: SpecHistState;
  seqno: number;
  hist: HistIndex;
  /** G(8): the n ≤ seqno at which the clause fails. */
  g8Failing: Set<number>;
  /** G(9): the replies on the wire (in wire order) that hist does not explain, of non-faulty signers. */
  g9Wire: Reply[];
  /** G(11): the requests of non-faulty clients named by M_c since the last full evaluation, by reqKey. */
  g11Named: Map<string, Request>;
  g11Failed: boolean;
}

/** The incremental evaluation of the clauses of G (see above). */
export function gIncremental(u: Universe, literal = false): GIncremental {
  const plain = gClauses(u, literal);
  const clause = (id: string) => plain.find((c) => c.id === id)!;
  const [g1, g2, g3, g4, g11] = ['G(1)', 'G(2)', 'G(3)', 'G(4)', 'G(11)'].map(clause) as [
    Clause<SystemState, SpecHistState>,
    Clause<SystemState, SpecHistState>,
    Clause<SystemState, SpecHistState>,
    Clause<SystemState, SpecHistState>,
    Clause<SystemState, SpecHistState>,
  ];
  const stats: GIncrementalStats = { checks: 0, full: 0, plainG11: 0, examined: 0 };
  let cache: GCache | null = null;

  const correctOf = (x: SystemState) => x.replicas.filter((r) => !r.faulty);
  const g8At = (y: SpecHistState, h: HistIndex, correct: ReturnType<typeof correctOf>, n: number) =>
    checkG8At(u, correct, n, 2 * u.f - nFaulty(y), h.tuplesAt(n), () => h.at(n - 1));
  const nonFaultyClient = (x: SystemState, c: number) => x.proxies[c]?.faulty === false;
  const g11Ok = (y: SpecHistState, h: HistIndex, m: { o: string; t: number; c: number }) => {
    const k = reqKey(m.o, m.t, m.c);
    return y.in.has(k) || h.inHist.has(k) || (!literal && m.t <= h.top[m.c]!);
  };

  function full(x: SystemState, y: SpecHistState): ClauseFailure[] {
    stats.full++;
    const found = failingClauses(plain, x, y);
    cache = null;
    if (!bounded(u, y)) return found;
    const h = new HistIndex(u);
    if (h.sync(y.hist) === null) return found; // not a history S' builds: plain from now on
    const correct = correctOf(x);
    const g8Failing = new Set<number>();
    for (let n = 1; n <= y.seqno; n++) if (g8At(y, h, correct, n) !== null) g8Failing.add(n);
    const ok9 = g9Ok(x, h.explained, literal);
    const g9Wire = wireContents(x).replies.filter((m) => !ok9(m));
    const g11Named = new Map<string, Request>();
    const name = (m: Message) => {
      for (const q of requestsNamedBy(m)) if (nonFaultyClient(x, q.c)) g11Named.set(reqKey(q.o, q.t, q.c), q);
    };
    for (const r of correct) {
      for (const m of r.in.all) name(m);
      for (const m of r.out) name(m);
    }
    for (const m of wireContents(x).requests) name(m);
    cache = { x, y, seqno: y.seqno, hist: h, g8Failing, g9Wire, g11Named, g11Failed: found.some((f) => f.id === 'G(11)') };
    return found;
  }

  function check(x: SystemState, y: SpecHistState, delta: Delta, s: SpecChanges): ClauseFailure[] {
    stats.checks++;
    const c = cache;
    if (delta.full || s.full || c === null || c.x !== x || c.y !== y || s.seqnoBefore !== c.seqno || s.histBefore !== c.hist.length || !bounded(u, y))
      return full(x, y);
    const h = c.hist;
    const appended = h.sync(y.hist);
    if (appended === null || appended.some((e) => e.n <= c.seqno)) return full(x, y);
    stats.examined += appended.length + s.inAdded.length + s.inRemoved.length;

    const out: ClauseFailure[] = [];
    const push = (id: string, message: string | null) => {
      if (message !== null) out.push({ id, message });
    };
    push('G(1)', g1.check(x, y));
    push('G(2)', g2.check(x, y));
    push('G(3)', g3.check(x, y));
    push('G(4)', g4.check(x, y));
    push('G(5)', checkG5(u, x, h.at));
    push('G(6)', checkG6(u, x, h.at));
    push('G(7)', checkG7(u, x, h.at));

    // G(8)
    const correct = correctOf(x);
    const ns = new Set<number>();
    for (const r of correct) for (const n of touchedNs(delta, r.i)) if (n >= 1 && n <= y.seqno) ns.add(n);
    for (let n = c.seqno + 1; n <= y.seqno; n++) ns.add(n);
    for (const n of ns) {
      stats.examined++;
      if (g8At(y, h, correct, n) !== null) c.g8Failing.add(n);
      else c.g8Failing.delete(n);
    }
    if (c.g8Failing.size > 0) push('G(8)', g8At(y, h, correct, Math.min(...c.g8Failing)));

    // G(9)
    const ok9 = g9Ok(x, h.explained, literal);
    if (appended.length > 0 && c.g9Wire.length > 0) c.g9Wire = c.g9Wire.filter((m) => !ok9(m));
    for (const m of delta.wireAdded) if (m.tag === 'REPLY' && !ok9(m)) c.g9Wire.push(m);
    let msg9: string | null = null;
    for (const r of x.replicas) {
      for (const m of r.out) {
        stats.examined++;
        if (m.tag === 'REPLY' && !ok9(m)) {
          msg9 = g9Bad(m, `x.out_${r.i}`);
          break;
        }
      }
      if (msg9 !== null) break;
    }
    if (msg9 === null && c.g9Wire.length > 0) msg9 = g9Bad(c.g9Wire[0]!, 'x.wire');
    if (msg9 === null)
      for (const p of x.proxies) {
        for (const m of p.in) {
          stats.examined++;
          if (!ok9(m)) {
            msg9 = g9Bad(m, `x.in_c${p.c}`);
            break;
          }
        }
        if (msg9 !== null) break;
      }
    push('G(9)', msg9);

    // G(10): the tuples with t = y.last-req_c, in hist order.
    const idx: number[] = [];
    for (let cl = 0; cl < u.clients; cl++) {
      const k = h.indexOf(cl, y.lastReq[cl]!);
      if (k !== undefined) idx.push(k);
    }
    idx.sort((a, b) => a - b);
    let msg10: string | null = null;
    for (const k of idx) {
      const e = h.entryAt(k);
      msg10 = checkG10At(x, y, e, () => h.at(e.n).lastRep[e.c]!);
      if (msg10 !== null) break;
    }
    push('G(10)', msg10);

    // G(11)
    let suspect = c.g11Failed;
    const see = (m: Message) => {
      for (const q of requestsNamedBy(m)) {
        stats.examined++;
        if (!nonFaultyClient(x, q.c)) continue;
        c.g11Named.set(reqKey(q.o, q.t, q.c), q);
        if (!g11Ok(y, h, q)) suspect = true;
      }
    };
    for (const p of x.proxies) if (!p.faulty && p.out !== null && !g11Ok(y, h, p.out)) suspect = true;
    for (const r of correct) {
      for (const m of delta.inAdded.get(r.i) ?? []) see(m);
      for (const m of r.out) see(m);
    }
    for (const m of delta.wireAdded) see(m);
    for (const k of s.inRemoved) {
      const q = c.g11Named.get(k);
      if (q !== undefined && !g11Ok(y, h, q)) suspect = true;
    }
    if (suspect) {
      stats.plainG11++;
      const msg11 = g11.check(x, y);
      c.g11Failed = msg11 !== null;
      push('G(11)', msg11);
    }
    stats.examined += delta.wireAdded.length;
    for (const list of delta.inAdded.values()) stats.examined += list.length;
    for (const list of delta.inRemoved.values()) stats.examined += list.length;

    c.seqno = y.seqno;
    return out;
  }

  return { check, stats };
}

// --- the step correspondence --------------------------------------------------------------------

/** What the step correspondence reads from the state x before the step π. */
export interface PreState {
  /** x.last-exec_i */
  lastExec: number[];
  /** x.faulty_i */
  faultyReplica: boolean[];
  /** x.faulty_c */
  faultyClient: boolean[];
  /** x.last-req_c (the proxy's) */
  lastReq: number[];
}

export function preState(x: SystemState): PreState {
  return {
    lastExec: x.replicas.map((r) => r.lastExec),
    faultyReplica: x.replicas.map((r) => r.faulty),
    faultyClient: x.proxies.map((p) => p.faulty),
    lastReq: x.proxies.map((p) => p.lastReq),
  };
}

/** A step correspondence: α for step π of A' from a state x (summarized by pre) related to y. */
export type GFragment = (pi: Action, pre: PreState, y: SpecHistState) => SpecHistAction[];

/**
 * The step correspondence of the proof of Theorem A.1.19:
 * - proxy REQUEST(o)_c, CLIENT-FAILURE_c and REPLY(r)_c (non-faulty or faulty proxy): α = π. S'
 *   REPLY records a hidden t: x.last-req_c for a non-faulty client (the t its precondition needs,
 *   by clauses 9 and 10), none (t = null) for a faulty one.
 * - REPLICA-FAILURE_i: α = π.
 * - SEND, RECEIVE, MISBEHAVE and the replicas' internal actions other than EXECUTE: α = λ; so are
 *   all actions of a faulty replica.
 * - EXECUTE(⟨REQUEST, o, t, c⟩σc, v, n)_i of a non-faulty replica: λ if x.last-exec_i < y.seqno;
 *   otherwise EXECUTE(o, t, c), preceded by FAULTY-REQUEST(o, t, c) if x.faulty_c. Corrected (E11):
 *   for a non-faulty client with ⟨o, t, c⟩ ∉ y.in and t ≤ last-rep-t(y.hist)(c), EXECUTE-NULL.
 * - EXECUTE(null, v, n)_i of a non-faulty replica: λ if x.last-exec_i < y.seqno, else EXECUTE-NULL.
 */
export function gFragment(literal = false): GFragment {
  return (pi, pre, y) => {
    switch (pi.kind) {
      case 'REQUEST':
        return [{ kind: 'REQUEST', o: pi.o, c: pi.c }];
      case 'CLIENT-FAILURE':
        return [{ kind: 'CLIENT-FAILURE', c: pi.c }];
      case 'REPLICA-FAILURE':
        return [{ kind: 'REPLICA-FAILURE', i: pi.i }];
      case 'REPLY':
        return [{ kind: 'REPLY', r: pi.r, c: pi.c, t: pre.faultyClient[pi.c] ? null : pre.lastReq[pi.c]! }];
      case 'EXECUTE': {
        if (pre.faultyReplica[pi.i] || pre.lastExec[pi.i]! < y.seqno) return [];
        // A payload that is not a request executes nothing, like null (ERRATA R14).
        if (pi.m === null || pi.m.tag !== 'REQUEST') return [{ kind: 'EXECUTE-NULL' }];
        const { o, t, c } = pi.m;
        if (pre.faultyClient[c]) return [{ kind: 'FAULTY-REQUEST', o, t, c }, { kind: 'EXECUTE', o, t, c }];
        if (!literal && !y.in.has(reqKey(o, t, c)) && t <= y.fold.lastRepT[c]!) return [{ kind: 'EXECUTE-NULL' }];
        return [{ kind: 'EXECUTE', o, t, c }];
      }
      default:
        return [];
    }
  };
}
