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
import { prepared } from '../automata/aux-functions.ts';
import type { SystemState } from '../automata/compose.ts';
import type { Message, Reply, Request } from '../automata/messages.ts';
import { NULL_REP } from '../automata/services.ts';
import { emptyFold, foldAppend, histFold, type HistEntry, type HistFold, type SpecHistAction, type SpecHistState } from '../automata/spec-hist.ts';
import { nFaulty, reqKey, repKey } from '../automata/spec.ts';
import type { Universe } from '../automata/universe.ts';
import { prefix } from '../invariants/spec-hist.ts';
import type { Clause } from './relation.ts';

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
const showReq = (m: Request | null) => (m === null ? 'null' : `⟨REQUEST, ${m.o}, ${m.t}, c${m.c}⟩`);

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
      return m.m === null ? [] : [m.m];
    case 'VIEW-CHANGE':
    case 'NEW-VIEW': {
      let r = contributionMemo.get(m);
      if (r === undefined) {
        // merge-P of the view-change itself, or of every view-change in V.
        const vcs = m.tag === 'VIEW-CHANGE' ? [m] : m.V;
        const out: Request[] = [];
        for (const vc of vcs) for (const p of vc.P) if (p.tag === 'PRE-PREPARE' && p.m !== null) out.push(p.m);
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
        for (const r of x.replicas) {
          if (r.faulty) continue;
          const v = folds.at(y.hist, r.lastExec).val;
          if (u.service.encode(v) !== u.service.encode(r.val))
            return `replica ${r.i}: x.val = ${u.service.show(r.val)}, val(prefix(y.hist, ${r.lastExec})) = ${u.service.show(v)}`;
        }
        return null;
      },
    },
    {
      id: 'G(6)',
      statement: `${when}∀ i ∈ R : (¬x.faulty_i ⇒ ∀ c ∈ C : (x.last-rep_i(c) = last-rep(prefix(y.hist, x.last-exec_i))(c)))   [the text writes last-rep_i(prefix(…))]`,
      ref: `${REF}, clause 6`,
      check(x, y) {
        if (!bounded(u, y)) return null;
        for (const r of x.replicas) {
          if (r.faulty) continue;
          const f = folds.at(y.hist, r.lastExec);
          for (let c = 0; c < u.clients; c++)
            if (r.lastRep[c] !== f.lastRep[c])
              return `replica ${r.i}, client ${c}: x.last-rep = ${r.lastRep[c]}, last-rep(prefix(y.hist, ${r.lastExec}))(c) = ${f.lastRep[c]}`;
        }
        return null;
      },
    },
    {
      id: 'G(7)',
      statement: `${when}∀ i ∈ R : (¬x.faulty_i ⇒ ∀ c ∈ C : (x.last-rep-t_i(c) = last-rep-t(prefix(y.hist, x.last-exec_i))(c)))   [the text writes prefix(x.hist, y.last-exec_i)]`,
      ref: `${REF}, clause 7`,
      check(x, y) {
        if (!bounded(u, y)) return null;
        for (const r of x.replicas) {
          if (r.faulty) continue;
          const f = folds.at(y.hist, r.lastExec);
          for (let c = 0; c < u.clients; c++)
            if (r.lastRepT[c] !== f.lastRepT[c])
              return `replica ${r.i}, client ${c}: x.last-rep-t = ${r.lastRepT[c]}, last-rep-t(prefix(y.hist, ${r.lastExec}))(c) = ${f.lastRepT[c]}`;
        }
        return null;
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
          // Every (m, v) prepared at n by some non-faulty replica, with how many non-faulty replicas prepared it.
          const certs = new Map<string, { m: Request | null; v: number; count: number }>();
          for (const r of correct)
            for (const pp of r.in.prePreparesAt(n)) {
              if (pp.signer !== u.primary(pp.v) || !prepared(u, pp.m, pp.v, n, r.in)) continue;
              const key = `${pp.v}|${pp.m === null ? -1 : pp.m.id}`;
              const e = certs.get(key);
              if (e === undefined) certs.set(key, { m: pp.m, v: pp.v, count: 1 });
              else e.count++;
            }
          const strong = [...certs.values()].filter((e) => e.count > need);
          const at = y.hist.filter((e) => e.n === n);
          if (at.length > 0) {
            const ok = at.some((e) => strong.some((s) => s.m !== null && s.m.o === e.o && s.m.t === e.t && s.m.c === e.c));
            if (!ok)
              return `n = ${n}: ${at.map(showE).join(', ')} ∈ y.hist but no v with more than ${need} non-faulty replicas that prepared it${describe(certs)}`;
          } else {
            const before = folds.at(y.hist, n - 1);
            const ok = strong.some((s) => s.m === null || s.m.t <= before.lastRepT[s.m.c]!);
            if (!ok)
              return `n = ${n}: no tuple in y.hist, and no null request or request with t ≤ last-rep-t(prefix(y.hist, ${n - 1}))(c) prepared by more than ${need} non-faulty replicas${describe(certs)}`;
          }
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
        const ok = (m: Reply) =>
          x.replicas[m.i]?.faulty === true || explained.has(repKey(m.r, m.t, m.c)) || (!literal && m.t === 0 && m.r === NULL_REP);
        const bad = (m: Reply, where: string) =>
          `⟨REPLY, ${m.v}, ${m.t}, c${m.c}, ${m.i}, ${m.r}⟩σ${m.i} ∈ ${where}: no ⟨n, o, ${m.t}, c${m.c}⟩ ∈ y.hist with last-rep(prefix(y.hist, n))(c${m.c}) = ${m.r}`;
        for (const r of x.replicas) for (const m of r.out) if (m.tag === 'REPLY' && !ok(m)) return bad(m, `x.out_${r.i}`);
        for (const m of wireContents(x).replies) if (!ok(m)) return bad(m, 'x.wire');
        for (const p of x.proxies) for (const m of p.in) if (!ok(m)) return bad(m, `x.in_c${p.c}`);
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
          const p = x.proxies[e.c]!;
          if (p.faulty || p.out === null) continue;
          const r = folds.at(y.hist, e.n).lastRep[e.c]!;
          if (!y.out.has(repKey(r, e.t, e.c))) return `${showE(e)} ∈ y.hist, client ${e.c} waits (x.out_c ≠ {}), but ⟨${r}, ${e.t}, c${e.c}⟩ ∉ y.out`;
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
            for (const pp of pps) if (pp.m !== null && !faulty(pp.m.c) && !ok(pp.m)) return bad(pp.m, `a pre-prepare in x.in_${r.i}`);
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

function describe(certs: Map<string, { m: Request | null; v: number; count: number }>): string {
  if (certs.size === 0) return ' (nothing prepared there)';
  return ` (prepared: ${[...certs.values()].map((e) => `${showReq(e.m)} in view ${e.v} by ${e.count}`).join('; ')})`;
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
        if (pi.m === null) return [{ kind: 'EXECUTE-NULL' }];
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
