// The forward simulation F from S' to S (Definition A.1.15, Theorem A.1.14).
//
// Definition A.1.15 (F ⊆ states(S') × states(S)); (x, y) ∈ F iff:
//   1. All state components with the same name are equal in x and y.
//   2. x.val = val(y.hist)
//   3. x.last-rep-t_c = last-rep(y.hist)(c), ∀ c ∈ C
// The text swaps x and y in 2 and 3 (x ∈ states(S') has hist, y ∈ states(S) has val); we read
// them with the roles of the definition's first line (ERRATA R9). Two more slips are errata with a
// literal form (readings.literalF): clause 3 compares a timestamp with last-rep (a reply) where
// last-rep-t is meant (E6), and clause 1 includes last-rep-t_c, a component S' keeps but never
// updates (Def A.1.13), while S updates it on every execution (E7).
//
// Step correspondence (proof of Theorem A.1.14): α is the single step π for every action of S'
// except EXECUTE-NULL, for which α is empty.
import { NULL_REP } from '../automata/services.ts';
import type { SpecAction, SpecState } from '../automata/spec.ts';
import type { SpecHistAction, SpecHistState } from '../automata/spec-hist.ts';
import type { Universe } from '../automata/universe.ts';
import type { Clause } from './relation.ts';

const REF = 'Definition A.1.15';

function sameSet(a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>): boolean {
  return a.size === b.size && [...a.keys()].every((k) => b.has(k));
}
function sameArray<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, k) => x === b[k]);
}

/** The clauses of F, corrected (default) or literal. x is the state of S', y the state of S. */
export function fClauses(u: Universe, literal = false): Clause<SpecHistState, SpecState>[] {
  return [
    {
      id: 'F(1)',
      statement: literal
        ? 'all state components with the same name are equal in x and y (in, out, last-req, last-rep-t, faulty-client, faulty-replica)'
        : 'all state components with the same name are equal in x and y, but last-rep-t (which S′ does not update; see F(3))',
      ref: `${REF}, clause 1`,
      check(x, y) {
        if (!sameSet(x.in, y.in)) return 'in differs';
        if (!sameSet(x.out, y.out)) return 'out differs';
        if (!sameArray(x.lastReq, y.lastReq)) return `last-req differs: S′ ${x.lastReq.join(',')}, S ${y.lastReq.join(',')}`;
        if (!sameArray(x.faultyClient, y.faultyClient)) return 'faulty-client differs';
        if (!sameArray(x.faultyReplica, y.faultyReplica)) return 'faulty-replica differs';
        if (literal && !sameArray(x.lastRepT, y.lastRepT))
          return `last-rep-t differs: S′ ${x.lastRepT.join(',')}, S ${y.lastRepT.join(',')} (S′ never updates it)`;
        return null;
      },
    },
    {
      id: 'F(2)',
      statement: 'y.val = val(x.hist)   [the text writes x.val = val(y.hist)]',
      ref: `${REF}, clause 2`,
      check(x, y) {
        const v = x.fold.val; // the memo of val(hist) that S' keeps (always equal to histFold)
        return u.service.encode(v) === u.service.encode(y.val)
          ? null
          : `S.val = ${u.service.show(y.val)}, val(hist) = ${u.service.show(v)}`;
      },
    },
    {
      id: 'F(3)',
      statement: literal
        ? 'y.last-rep-t_c = last-rep(x.hist)(c), ∀ c ∈ C   [as written: last-rep]'
        : 'y.last-rep-t_c = last-rep-t(x.hist)(c), ∀ c ∈ C',
      ref: `${REF}, clause 3`,
      check(x, y) {
        const fold = x.fold; // last-rep(hist), last-rep-t(hist), kept as S' appends
        const expected: readonly (string | number)[] = literal ? fold.lastRep : fold.lastRepT;
        for (let c = 0; c < u.clients; c++)
          if (y.lastRepT[c] !== expected[c])
            return `client ${c}: S.last-rep-t = ${y.lastRepT[c]}, ${literal ? 'last-rep' : 'last-rep-t'}(hist) = ${String(expected[c] ?? NULL_REP)}`;
        return null;
      },
    },
  ];
}

/** The step correspondence of Theorem A.1.14: α = π, except α = λ for EXECUTE-NULL. */
export function fFragment(a: SpecHistAction): SpecAction[] {
  return a.kind === 'EXECUTE-NULL' ? [] : [a];
}
