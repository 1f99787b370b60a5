// The specification of safe behaviour S (Fig 2-6, columns restored as in READING-NOTES 2): a
// centralized implementation of the state machine ⟨S, C, O, O', g, s_o⟩ that executes requests
// atomically one at a time. A satisfies modified linearizability if it implements S (Section 2.4.3).
//
// Signature:
//   Input:    REQUEST(o)_c, CLIENT-FAILURE_c, REPLICA-FAILURE_i
//   Internal: EXECUTE(o, t, c), FAULTY-REQUEST(o, t, c)
//   Output:   REPLY(r)_c
//   where o ∈ O, t ∈ ℕ, c ∈ C, i ∈ R and r ∈ O'.
//
// "Transitions (if n-faulty ≤ ⌊(|R|−1)/3⌋)": outside that bound the behaviour of S is left
// unspecified by the thesis; here no action at all is enabled there (specPre is false).
//
// The per-action precondition and effect functions (and the triple sets) are exported because S'
// (Def A.1.13, spec-hist.ts) has "the same state components" and transitions "identical to S's"
// except EXECUTE and the new EXECUTE-NULL.
import type { Result, ServiceState } from './services.ts';
import type { Universe } from './universe.ts';

/** An element ⟨o, t, c⟩ of in ⊆ O × ℕ × C. */
export interface ReqTriple {
  readonly o: string;
  readonly t: number;
  readonly c: number;
}
/** An element ⟨r, t, c⟩ of out ⊆ O' × ℕ × C. */
export interface RepTriple {
  readonly r: Result;
  readonly t: number;
  readonly c: number;
}

/**
 * A finite set of triples, keyed by the canonical string JSON.stringify([x, t, c]) so that
 * membership is exact (structural, not by reference). Iteration order is insertion order; every
 * listing that callers see (specEnabled, sortedIn, sortedOut) is sorted, so it depends only on the
 * set's contents.
 */
export type TripleSet<T> = Map<string, T>;

export function reqKey(o: string, t: number, c: number): string {
  return JSON.stringify([o, t, c]);
}
export function repKey(r: Result, t: number, c: number): string {
  return JSON.stringify([r, t, c]);
}

/** The state components S and S' share (Fig 2-6; Def A.1.13 "the same state components"). */
export interface SpecCommon {
  /** in ⊆ O × ℕ × C, initially {} */
  in: TripleSet<ReqTriple>;
  /** out ⊆ O' × ℕ × C, initially {} */
  out: TripleSet<RepTriple>;
  /** ∀ c ∈ C, last-req_c ∈ ℕ, initially 0 */
  lastReq: number[];
  /** ∀ c ∈ C, last-rep-t_c ∈ ℕ, initially 0 */
  lastRepT: number[];
  /** ∀ c ∈ C, faulty-client_c ∈ Bool, initially false */
  faultyClient: boolean[];
  /** ∀ i ∈ R, faulty-replica_i ∈ Bool, initially false */
  faultyReplica: boolean[];
}

export interface SpecState extends SpecCommon {
  /** val ∈ S, initially s_o */
  val: ServiceState;
}

export type SpecAction =
  // Inputs
  | { readonly kind: 'REQUEST'; readonly o: string; readonly c: number }
  | { readonly kind: 'CLIENT-FAILURE'; readonly c: number }
  | { readonly kind: 'REPLICA-FAILURE'; readonly i: number }
  // Internal
  | { readonly kind: 'FAULTY-REQUEST'; readonly o: string; readonly t: number; readonly c: number }
  | { readonly kind: 'EXECUTE'; readonly o: string; readonly t: number; readonly c: number }
  // Output. The label is REPLY(r)_c; t records the hidden choice of which ⟨r, t, c⟩ the effect
  // removes from out. t = null: a faulty client's REPLY that removes nothing (see replyPre).
  | { readonly kind: 'REPLY'; readonly r: Result; readonly c: number; readonly t: number | null };

export type SpecActionKind = SpecAction['kind'];

export function initialCommon(u: Universe): SpecCommon {
  return {
    in: new Map(),
    out: new Map(),
    lastReq: new Array<number>(u.clients).fill(0),
    lastRepT: new Array<number>(u.clients).fill(0),
    faultyClient: new Array<boolean>(u.clients).fill(false),
    faultyReplica: new Array<boolean>(u.n).fill(false),
  };
}

export function cloneCommon(s: SpecCommon): SpecCommon {
  // Triples are immutable, so the maps are copied shallowly.
  return {
    in: new Map(s.in),
    out: new Map(s.out),
    lastReq: [...s.lastReq],
    lastRepT: [...s.lastRepT],
    faultyClient: [...s.faultyClient],
    faultyReplica: [...s.faultyReplica],
  };
}

export function initialSpec(u: Universe): SpecState {
  return { ...initialCommon(u), val: u.service.initial };
}

export function cloneSpec(s: SpecState): SpecState {
  // Service states are immutable values (services.ts), so val is shared.
  return { ...cloneCommon(s), val: s.val };
}

/** n-faulty ≡ |{i | faulty-replica_i = true}| */
export function nFaulty(s: SpecCommon): number {
  let k = 0;
  for (const b of s.faultyReplica) if (b) k++;
  return k;
}

/** "Transitions (if n-faulty ≤ ⌊(|R|−1)/3⌋)" (Fig 2-6). */
export function specDefined(u: Universe, s: SpecCommon): boolean {
  return nFaulty(s) <= Math.floor((u.n - 1) / 3);
}

const isNat = (t: number): boolean => Number.isInteger(t) && t >= 0;
const isClient = (u: Universe, c: number): boolean => Number.isInteger(c) && c >= 0 && c < u.clients;
const isReplica = (u: Universe, i: number): boolean => Number.isInteger(i) && i >= 0 && i < u.n;

/** Whether the action is in the signature: c ∈ C, i ∈ R, t ∈ ℕ (o ∈ O and r ∈ O' are any strings). */
export function inSpecSignature(u: Universe, a: SpecAction): boolean {
  switch (a.kind) {
    case 'REQUEST':
    case 'CLIENT-FAILURE':
      return isClient(u, a.c);
    case 'REPLICA-FAILURE':
      return isReplica(u, a.i);
    case 'FAULTY-REQUEST':
    case 'EXECUTE':
      return isClient(u, a.c) && isNat(a.t);
    case 'REPLY':
      return isClient(u, a.c) && (a.t === null || isNat(a.t));
  }
}

/**
 * REQUEST(o)_c
 *   Eff: last-req_c := last-req_c + 1
 *        in := in ∪ {⟨o, last-req_c, c⟩}
 */
export function requestEff(s: SpecCommon, o: string, c: number): void {
  s.lastReq[c] = s.lastReq[c]! + 1;
  const t = s.lastReq[c]!;
  s.in.set(reqKey(o, t, c), { o, t, c });
}

/**
 * CLIENT-FAILURE_c
 *   Eff: faulty-client_c := true
 */
export function clientFailureEff(s: SpecCommon, c: number): void {
  s.faultyClient[c] = true;
}

/**
 * REPLICA-FAILURE_i
 *   Eff: faulty-replica_i := true
 */
export function replicaFailureEff(s: SpecCommon, i: number): void {
  s.faultyReplica[i] = true;
}

/**
 * FAULTY-REQUEST(o, t, c)
 *   Pre: faulty-client_c = true
 */
export function faultyRequestPre(s: SpecCommon, c: number): boolean {
  return s.faultyClient[c] === true;
}
/**
 *   Eff: in := in ∪ {⟨o, t, c⟩}
 */
export function faultyRequestEff(s: SpecCommon, o: string, t: number, c: number): void {
  s.in.set(reqKey(o, t, c), { o, t, c });
}

/**
 * EXECUTE(o, t, c)
 *   Pre: ⟨o, t, c⟩ ∈ in
 * (The same precondition in S', Def A.1.13.)
 */
export function executePre(s: SpecCommon, o: string, t: number, c: number): boolean {
  return s.in.has(reqKey(o, t, c));
}
/**
 *   Eff: in := in − {⟨o, t, c⟩}
 *        if t > last-rep-t_c then
 *          (r, val) := g(c, o, val)
 *          out := out ∪ {⟨r, t, c⟩}
 *          last-rep-t_c := t
 */
export function executeEff(u: Universe, s: SpecState, o: string, t: number, c: number): void {
  s.in.delete(reqKey(o, t, c));
  if (t > s.lastRepT[c]!) {
    const [r, val] = u.service.g(c, o, s.val);
    s.val = val;
    s.out.set(repKey(r, t, c), { r, t, c });
    s.lastRepT[c] = t;
  }
}

/**
 * REPLY(r)_c
 *   Pre: faulty-client_c = true ∨ ∃ t : (⟨r, t, c⟩ ∈ out)
 *   Eff: out := out − {⟨r, t, c⟩}
 *
 * The t of the effect is a hidden choice that the action records:
 *  - t ∈ ℕ: the triple ⟨r, t, c⟩ removed; it must be in out (for a correct client that is the
 *    precondition's witness; for a faulty client a t with ⟨r, t, c⟩ ∉ out removes nothing and is
 *    represented canonically by t = null instead).
 *  - t = null: only for a faulty client; the effect removes nothing. Literally the first disjunct
 *    leaves t unconstrained, so a faulty client may take REPLY(r)_c while choosing a t whose triple
 *    is not in out, even if some other ⟨r, t', c⟩ is in out; null is allowed in that case too.
 */
export function replyPre(s: SpecCommon, r: Result, c: number, t: number | null): boolean {
  if (t === null) return s.faultyClient[c] === true;
  return s.out.has(repKey(r, t, c));
}
export function replyEff(s: SpecCommon, r: Result, c: number, t: number | null): void {
  if (t !== null) s.out.delete(repKey(r, t, c));
}

/** Pre of every action of S; false for every action when the transitions are not defined. */
export function specPre(u: Universe, s: SpecState, a: SpecAction): boolean {
  if (!specDefined(u, s) || !inSpecSignature(u, a)) return false;
  return commonPre(s, a);
}

/** Pre of the S actions, without the definedness check (shared with S'). Inputs: Pre true. */
export function commonPre(s: SpecCommon, a: SpecAction): boolean {
  switch (a.kind) {
    case 'REQUEST':
    case 'CLIENT-FAILURE':
    case 'REPLICA-FAILURE':
      return true;
    case 'FAULTY-REQUEST':
      return faultyRequestPre(s, a.c);
    case 'EXECUTE':
      return executePre(s, a.o, a.t, a.c);
    case 'REPLY':
      return replyPre(s, a.r, a.c, a.t);
  }
}

export function showSpecAction(a: SpecAction): string {
  switch (a.kind) {
    case 'REQUEST':
      return `REQUEST(${a.o})_${a.c}`;
    case 'CLIENT-FAILURE':
      return `CLIENT-FAILURE_${a.c}`;
    case 'REPLICA-FAILURE':
      return `REPLICA-FAILURE_${a.i}`;
    case 'FAULTY-REQUEST':
      return `FAULTY-REQUEST(${a.o}, ${a.t}, ${a.c})`;
    case 'EXECUTE':
      return `EXECUTE(${a.o}, ${a.t}, ${a.c})`;
    case 'REPLY':
      return `REPLY(${a.r})_${a.c} [t=${a.t === null ? 'none' : a.t}]`;
  }
}

/** Apply the effect of a; throws if a is not enabled in s (including when S is undefined in s). */
export function specStep(u: Universe, s: SpecState, a: SpecAction): void {
  if (!specPre(u, s, a)) {
    const why = !specDefined(u, s)
      ? `n-faulty = ${nFaulty(s)} > ⌊(|R|−1)/3⌋ = ${Math.floor((u.n - 1) / 3)}, transitions of S undefined`
      : !inSpecSignature(u, a)
        ? 'not in the signature of S'
        : 'precondition false';
    throw new Error(`S: ${showSpecAction(a)} not enabled: ${why}`);
  }
  switch (a.kind) {
    case 'REQUEST':
      return requestEff(s, a.o, a.c);
    case 'CLIENT-FAILURE':
      return clientFailureEff(s, a.c);
    case 'REPLICA-FAILURE':
      return replicaFailureEff(s, a.i);
    case 'FAULTY-REQUEST':
      return faultyRequestEff(s, a.o, a.t, a.c);
    case 'EXECUTE':
      return executeEff(u, s, a.o, a.t, a.c);
    case 'REPLY':
      return replyEff(s, a.r, a.c, a.t);
  }
}

/** in, sorted by (c, t, o): a listing that depends only on the set. */
export function sortedIn(s: SpecCommon): ReqTriple[] {
  return [...s.in.values()].sort((x, y) => x.c - y.c || x.t - y.t || (x.o < y.o ? -1 : x.o > y.o ? 1 : 0));
}
/** out, sorted by (c, t, r). */
export function sortedOut(s: SpecCommon): RepTriple[] {
  return [...s.out.values()].sort((x, y) => x.c - y.c || x.t - y.t || (x.r < y.r ? -1 : x.r > y.r ? 1 : 0));
}

/**
 * The enabled locally controlled actions of S that have finitely many instances, in a stable order:
 * EXECUTE(o, t, c) for each ⟨o, t, c⟩ ∈ in, then REPLY(r)_c (with t) for each ⟨r, t, c⟩ ∈ out,
 * each sorted by (c, t, o/r). Not listed:
 *  - inputs (REQUEST, CLIENT-FAILURE, REPLICA-FAILURE), which the environment chooses;
 *  - FAULTY-REQUEST(o, t, c) of a faulty client: enabled for every t ∈ ℕ (infinitely many);
 *  - REPLY(r)_c with t = null of a faulty client: enabled for every r ∈ O' (infinitely many).
 * ops (the operation alphabet) is accepted for a signature uniform with the other automata; no
 * listed action ranges over it, since the only one that would (FAULTY-REQUEST) is not listed.
 */
export function specEnabled(u: Universe, s: SpecState, _ops: readonly string[]): SpecAction[] {
  if (!specDefined(u, s)) return [];
  return commonEnabled(s);
}

/** The listing of specEnabled, without the definedness check (shared with S'). */
export function commonEnabled(s: SpecCommon): SpecAction[] {
  const acts: SpecAction[] = [];
  for (const { o, t, c } of sortedIn(s)) acts.push({ kind: 'EXECUTE', o, t, c });
  for (const { r, t, c } of sortedOut(s)) acts.push({ kind: 'REPLY', r, c, t });
  return acts;
}
