// Invariants A.1.17 and A.1.18 of S' (Def A.1.13), with prefix of Def A.1.16 (thesis lines
// ~3000-3020). S''s faulty-client_c is what A.1.18 writes faulty_c.
//
// Reduction of the quantifiers to what is in the state (nothing is lost):
// - "∀ ⟨n, o, t, c⟩ ∈ hist" and "∀ ⟨o, t, c⟩ ∈ in" range over finite components: one pass each.
// - last-rep-t(prefix(hist, n−1))(c) (Def A.1.13) is the t of the last tuple of client c in the
//   subsequence of hist whose first components are ≤ n−1, or 0 if there is none; it does not
//   depend on g, so no operation is re-executed. When the first components of hist strictly
//   increase (always so in reachable states: EXECUTE appends ⟨seqno + 1, …⟩ after incrementing
//   seqno), prefix(hist, n−1) for the k-th tuple is exactly hist[0..k), and one pass with a
//   running last-rep-t per client decides every tuple. Otherwise (a state built by hand) each
//   tuple is decided from the definition, by a backward scan over the whole of hist.
// - last-rep-t here is the function of Def A.1.13, not the component last-rep-t_c that S' keeps
//   from S (never updated by S''s EXECUTE; ERRATA O3), and not the memo s.fold (it is of the whole
//   hist, not of its prefixes).
import type { HistEntry, SpecHistState } from '../automata/spec-hist.ts';
import type { Universe } from '../automata/universe.ts';
import { violation, type SpecHistInvariant, type Violation } from './types.ts';

/**
 * prefix(μ, n) (Def A.1.16): the subsequence obtained from μ by removing all tuples whose first
 * component is greater than n.
 */
export function prefix(hist: readonly HistEntry[], n: number): HistEntry[] {
  return hist.filter((e) => e.n <= n);
}

const REF = 'Appendix A.1';
const showE = (e: HistEntry) => `⟨${e.n}, ${e.o}, ${e.t}, c${e.c}⟩`;

/** Whether the first components of hist strictly increase. */
function strictlyIncreasing(hist: readonly HistEntry[]): boolean {
  for (let k = 1; k < hist.length; k++) if (!(hist[k]!.n > hist[k - 1]!.n)) return false;
  return true;
}

/** last-rep-t(prefix(hist, n))(c), from the definition: the last tuple of c with first component ≤ n. */
function lastRepTOfPrefix(hist: readonly HistEntry[], n: number, c: number): number {
  for (let k = hist.length - 1; k >= 0; k--) {
    const e = hist[k]!;
    if (e.c === c && e.n <= n) return e.t;
  }
  return 0;
}

export const A_1_17: SpecHistInvariant[] = [
  {
    id: 'A.1.17',
    family: 'A.1.17',
    subject: "S'",
    statement: '∀ ⟨n, o, t, c⟩ ∈ hist : (t > last-rep-t(prefix(hist, n − 1))(c))',
    ref: `${REF}, Invariant A.1.17 (S', Def A.1.13; prefix, Def A.1.16)`,
    check(u: Universe, s: SpecHistState): Violation[] {
      const out: Violation[] = [];
      const report = (k: number, e: HistEntry, prev: number) =>
        out.push(
          violation('A.1.17', `hist[${k}] = ${showE(e)} has t = ${e.t} ≤ last-rep-t(prefix(hist, ${e.n - 1}))(c${e.c}) = ${prev}`, {
            clients: [e.c],
            n: e.n,
            detail: `tuple ${showE(e)} at position ${k} of hist; last-rep-t(prefix(hist, ${e.n - 1}))(c${e.c}) = ${prev}`,
          }),
        );
      if (strictlyIncreasing(s.hist)) {
        const last = new Array<number>(u.clients).fill(0);
        s.hist.forEach((e, k) => {
          const prev = last[e.c] ?? 0;
          if (!(e.t > prev)) report(k, e, prev);
          last[e.c] = e.t;
        });
      } else {
        s.hist.forEach((e, k) => {
          const prev = lastRepTOfPrefix(s.hist, e.n - 1, e.c);
          if (!(e.t > prev)) report(k, e, prev);
        });
      }
      return out;
    },
  },
];

export const A_1_18: SpecHistInvariant[] = [
  {
    id: 'A.1.18(1)',
    family: 'A.1.18',
    subject: "S'",
    statement: '∀ ⟨n, o, t, c⟩ ∈ hist : (¬faulty_c ⇒ t ≤ last-req_c)',
    ref: `${REF}, Invariant A.1.18 (S', Def A.1.13), condition 1`,
    check(_u: Universe, s: SpecHistState): Violation[] {
      const out: Violation[] = [];
      s.hist.forEach((e, k) => {
        if (s.faultyClient[e.c] || e.t <= s.lastReq[e.c]!) return;
        out.push(
          violation('A.1.18(1)', `hist[${k}] = ${showE(e)} of non-faulty client c${e.c} has t = ${e.t} > last-req_c = ${s.lastReq[e.c]}`, {
            clients: [e.c],
            n: e.n,
            detail: `tuple ${showE(e)} at position ${k} of hist; last-req_c${e.c} = ${s.lastReq[e.c]}`,
          }),
        );
      });
      return out;
    },
  },
  {
    id: 'A.1.18(2)',
    family: 'A.1.18',
    subject: "S'",
    statement: '∀ ⟨o, t, c⟩ ∈ in : (¬faulty_c ⇒ t ≤ last-req_c)',
    ref: `${REF}, Invariant A.1.18 (S', Def A.1.13), condition 2`,
    check(_u: Universe, s: SpecHistState): Violation[] {
      const out: Violation[] = [];
      for (const x of s.in.values()) {
        if (s.faultyClient[x.c] || x.t <= s.lastReq[x.c]!) continue;
        out.push(
          violation('A.1.18(2)', `⟨${x.o}, ${x.t}, c${x.c}⟩ ∈ in of non-faulty client c${x.c} has t = ${x.t} > last-req_c = ${s.lastReq[x.c]}`, {
            clients: [x.c],
            detail: `triple ⟨${x.o}, ${x.t}, c${x.c}⟩ ∈ in; last-req_c${x.c} = ${s.lastReq[x.c]}`,
          }),
        );
      }
      return out;
    },
  },
];
