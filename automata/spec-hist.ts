// Automaton S' (Definition A.1.13): S with the value of the state machine replaced by the history
// of the operations executed, and a sequence-number counter. Appendix A proves that A implements
// S' and that S' implements S (Theorem A.1.14, forward simulation F).
//
// "Automaton S' has the same signature as S except for the addition of an internal action
// EXECUTE-NULL. It also has the same state components except that the val component is replaced
// by a sequence of operations: hist ∈ (ℕ × O × ℕ × C)*, initially λ; and there is a new seqno
// component: seqno ∈ ℕ, initially 0." So S' keeps in, out, last-req_c, last-rep-t_c,
// faulty-client_c and faulty-replica_i of S (spec.ts).
//
// "Similarly to S, the transitions for S' are only defined when n-faulty ≤ f. Also, the
// transitions for S' are identical to S's except for those defined below" (EXECUTE, EXECUTE-NULL).
import type { Result, ServiceState } from './services.ts';
import { NULL_REP } from './services.ts';
import {
  type SpecAction,
  type SpecCommon,
  clientFailureEff,
  cloneCommon,
  commonEnabled,
  commonPre,
  faultyRequestEff,
  inSpecSignature,
  initialCommon,
  nFaulty,
  repKey,
  replicaFailureEff,
  replyEff,
  reqKey,
  requestEff,
  showSpecAction,
} from './spec.ts';
import type { Universe } from './universe.ts';

/** An element ⟨n, o, t, c⟩ of hist ∈ (ℕ × O × ℕ × C)*. */
export interface HistEntry {
  readonly n: number;
  readonly o: string;
  readonly t: number;
  readonly c: number;
}

/** The three functions of Def A.1.13 evaluated at one history. */
export interface HistFold {
  /** val(hist) ∈ S */
  val: ServiceState;
  /** last-rep(hist) : C → O', indexed by c */
  lastRep: Result[];
  /** last-rep-t(hist) : C → ℕ, indexed by c */
  lastRepT: number[];
}

export interface SpecHistState extends SpecCommon {
  /** hist ∈ (ℕ × O × ℕ × C)*, initially λ */
  hist: HistEntry[];
  /** seqno ∈ ℕ, initially 0 */
  seqno: number;
  /**
   * Not a state component of S': a memo of histFold(u, hist), updated when hist is appended, so
   * that EXECUTE need not refold the whole history. Always equal to histFold(u, hist).
   *
   * Note that the S component lastRepT (last-rep-t_c, inherited from S) is a different thing from
   * fold.lastRepT (last-rep-t(hist)): S' EXECUTE as written never updates last-rep-t_c.
   */
  fold: HistFold;
}

export type SpecHistAction = SpecAction | { readonly kind: 'EXECUTE-NULL' };

// --- Def A.1.13: val, last-rep and last-rep-t, defined inductively ---------------------------

/**
 * val(λ) = s_o;  ∀ c : last-rep(λ)(c) = null-rep;  ∀ c : last-rep-t(λ)(c) = 0
 */
export function emptyFold(u: Universe): HistFold {
  return {
    val: u.service.initial,
    lastRep: new Array<Result>(u.clients).fill(NULL_REP),
    lastRepT: new Array<number>(u.clients).fill(0),
  };
}

/**
 * From μ to μ.⟨n, o, t, c⟩ (in place):
 *   val(μ.⟨n, o, t, c⟩) = s
 *   last-rep(μ.⟨n, o, t, c⟩)(c) = r
 *   last-rep-t(μ.⟨n, o, t, c⟩)(c) = t
 *   ∀ c' ≠ c : last-rep(μ.⟨n, o, t, c⟩)(c') = last-rep(μ)(c')
 *   ∀ c' ≠ c : last-rep-t(μ.⟨n, o, t, c⟩)(c') = last-rep-t(μ)(c')
 *   where (r, s) = g(c, o, val(μ))
 */
export function foldAppend(u: Universe, fold: HistFold, e: HistEntry): void {
  const [r, s] = u.service.g(e.c, e.o, fold.val);
  fold.val = s;
  fold.lastRep[e.c] = r;
  fold.lastRepT[e.c] = e.t;
}

/** The fold of Def A.1.13 over the whole sequence. */
export function histFold(u: Universe, hist: readonly HistEntry[]): HistFold {
  const fold = emptyFold(u);
  for (const e of hist) foldAppend(u, fold, e);
  return fold;
}

/** val(hist) */
export function histVal(u: Universe, hist: readonly HistEntry[]): ServiceState {
  return histFold(u, hist).val;
}
/** last-rep(hist), as an array indexed by c ∈ C */
export function histLastRep(u: Universe, hist: readonly HistEntry[]): Result[] {
  return histFold(u, hist).lastRep;
}
/** last-rep-t(hist), as an array indexed by c ∈ C */
export function histLastRepT(u: Universe, hist: readonly HistEntry[]): number[] {
  return histFold(u, hist).lastRepT;
}

// --- State ----------------------------------------------------------------------------------

export function initialSpecHist(u: Universe): SpecHistState {
  return { ...initialCommon(u), hist: [], seqno: 0, fold: emptyFold(u) };
}

export function cloneSpecHist(s: SpecHistState): SpecHistState {
  // Entries are immutable and service states are immutable values, so copies are shallow.
  return {
    ...cloneCommon(s),
    hist: [...s.hist],
    seqno: s.seqno,
    fold: { val: s.fold.val, lastRep: [...s.fold.lastRep], lastRepT: [...s.fold.lastRepT] },
  };
}

/** "the transitions for S' are only defined when n-faulty ≤ f" */
export function specHistDefined(u: Universe, s: SpecCommon): boolean {
  return nFaulty(s) <= u.f;
}

// --- Transitions that differ from S ---------------------------------------------------------

/**
 * EXECUTE(o, t, c)
 *   Pre: ⟨o, t, c⟩ ∈ in                     (as in S: commonPre)
 *   Eff: seqno := seqno + 1
 *        in := in − {⟨o, t, c⟩}
 *        if t > last-rep-t(hist)(c) then
 *          hist := hist.⟨seqno, o, t, c⟩
 *          out := out ∪ {⟨last-rep(hist)(c), t, c⟩}
 *
 * The transcription writes last-rep(c); it is read as last-rep(hist)(c) of the *new* hist (the
 * reply just computed), the only function of that name that takes c. The out line is inside the
 * if, as in S. The component last-rep-t_c inherited from S is NOT updated: the text lists no such
 * assignment, and the if-condition reads last-rep-t(hist)(c) instead. It therefore stays 0 forever
 * (nothing else writes it); this matters for condition 3 of the simulation relation F
 * (Def A.1.15), which relates S's last-rep-t_c to S''s state.
 */
export function executeHistEff(u: Universe, s: SpecHistState, o: string, t: number, c: number): void {
  s.seqno = s.seqno + 1;
  s.in.delete(reqKey(o, t, c));
  if (t > s.fold.lastRepT[c]!) {
    const e: HistEntry = { n: s.seqno, o, t, c };
    s.hist.push(e);
    foldAppend(u, s.fold, e);
    const r = s.fold.lastRep[c]!;
    s.out.set(repKey(r, t, c), { r, t, c });
  }
}

/**
 * EXECUTE-NULL
 *   Eff: seqno := seqno + 1
 * ("allow the seqno component to be incremented without removing any tuple from in"; it models
 * the execution of null requests.) Its precondition is true.
 */
export function executeNullEff(s: SpecHistState): void {
  s.seqno = s.seqno + 1;
}

// --- The automaton --------------------------------------------------------------------------

/** Pre of every action of S'; false for every action when the transitions are not defined. */
export function specHistPre(u: Universe, s: SpecHistState, a: SpecHistAction): boolean {
  if (!specHistDefined(u, s)) return false;
  if (a.kind === 'EXECUTE-NULL') return true;
  if (!inSpecSignature(u, a)) return false;
  // Every precondition of S' is S's: only effects of EXECUTE differ.
  return commonPre(s, a);
}

export function showSpecHistAction(a: SpecHistAction): string {
  return a.kind === 'EXECUTE-NULL' ? 'EXECUTE-NULL' : showSpecAction(a);
}

/** Apply the effect of a; throws if a is not enabled in s (including when S' is undefined in s). */
export function specHistStep(u: Universe, s: SpecHistState, a: SpecHistAction): void {
  if (!specHistPre(u, s, a)) {
    const why = !specHistDefined(u, s)
      ? `n-faulty = ${nFaulty(s)} > f = ${u.f}, transitions of S' undefined`
      : a.kind !== 'EXECUTE-NULL' && !inSpecSignature(u, a)
        ? "not in the signature of S'"
        : 'precondition false';
    throw new Error(`S': ${showSpecHistAction(a)} not enabled: ${why}`);
  }
  switch (a.kind) {
    // Identical to S (Fig 2-6):
    case 'REQUEST': // Eff: last-req_c := last-req_c + 1; in := in ∪ {⟨o, last-req_c, c⟩}
      return requestEff(s, a.o, a.c);
    case 'CLIENT-FAILURE': // Eff: faulty-client_c := true
      return clientFailureEff(s, a.c);
    case 'REPLICA-FAILURE': // Eff: faulty-replica_i := true
      return replicaFailureEff(s, a.i);
    case 'FAULTY-REQUEST': // Pre: faulty-client_c = true; Eff: in := in ∪ {⟨o, t, c⟩}
      return faultyRequestEff(s, a.o, a.t, a.c);
    case 'REPLY': // Pre: faulty-client_c = true ∨ ∃ t : (⟨r, t, c⟩ ∈ out); Eff: out := out − {⟨r, t, c⟩}
      return replyEff(s, a.r, a.c, a.t);
    // Defined in Def A.1.13:
    case 'EXECUTE':
      return executeHistEff(u, s, a.o, a.t, a.c);
    case 'EXECUTE-NULL':
      return executeNullEff(s);
  }
}

/**
 * The enabled locally controlled actions of S', in a stable order: as specEnabled for S
 * (EXECUTE for each triple of in, then REPLY for each triple of out, sorted; FAULTY-REQUEST and a
 * faulty client's REPLY with t = null are not listed, having infinitely many instances; inputs
 * are not listed), then EXECUTE-NULL, always enabled when the transitions are defined.
 */
export function specHistEnabled(u: Universe, s: SpecHistState, _ops: readonly string[]): SpecHistAction[] {
  if (!specHistDefined(u, s)) return [];
  const acts: SpecHistAction[] = commonEnabled(s);
  acts.push({ kind: 'EXECUTE-NULL' });
  return acts;
}
