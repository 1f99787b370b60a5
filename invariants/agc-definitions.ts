// Appendix A.2 of the thesis (lines ~3106-3200), the definitions the invariants of
// agc-checkpoints.ts are stated with:
//   Definition A.2.1  r-val, r-last-rep, r-last-rep-t over sequences μ ∈ RM* of requests and null
//                     (RM, RValue, the fold rInitial / rStep / rFold, keys and display of values);
//   Definition A.2.2  the sets Wire, Wire+o, Wire+io (wireSets, with the messages nested in theirs)
//                     and AgcReadings, the choice between the literal and the corrected readings.
// committed-Wire, the predicate of Definition A.2.2, is in agc-committed-wire.ts.
//
// How the sets are built
// ----------------------
//  * Wire never forgets a message, and out_j / in_j are finite: Wire, Wire+o, Wire+io are built
//    from the state as sets of (interned) messages, once per check.
//
// Readings of the text
// --------------------
//  * Definition A.2.1 gives the inductive steps for μ ∈ RM⁺ only, which leaves r-val of a
//    one-element sequence undefined; we apply the steps to every μ ∈ RM* (λ included).
//  * Definition A.2.2 defines Wire as the messages m with (m, X) ∈ wire. The null pre-prepares of
//    a new view (and the re-issued pre-prepares of its O) never travel alone: they are inside the
//    NEW-VIEW, and SEND-NEW-VIEW leaves only the NEW-VIEW in out_i (Fig 2-13). Read literally,
//    committed-Wire can never hold for a replica that executed a null request, and A.2.3 fails on
//    the model (test (d) of test/invariants/agc-checkpoints.test.ts). The corrected reading
//    (default) adds to Wire, Wire+o and Wire+io the messages nested in theirs: the V, O, N of a
//    NEW-VIEW and the C, P of a VIEW-CHANGE (the thesis nests the same way in the set N of A.2.3(2)
//    and in Invariant A.1.1). Requests are not unpacked from pre-prepares: a pre-prepare is already
//    a witness for its request.
//    Literal: { literalWire: true } (wireSets, committedWire, agcCheckpointInvariants).
//  * The literal and corrected readings of "l = r-last-rep-t(μ)" in committed-Wire: see
//    agc-committed-wire.ts.
import type { SystemState } from '../automata/compose.ts';
import { formatMessage } from '../automata/format.ts';
import type { Message, Payload } from '../automata/messages.ts';
import type { Result, ServiceState } from '../automata/services.ts';
import { NULL_REP } from '../automata/services.ts';
import type { Universe } from '../automata/universe.ts';

// ---------------------------------------------------------------- Definition A.2.1

/** An element of RM: a request or the null request. */
export type RM = Payload;

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
 * μ.m for a payload m that is neither null nor a request: unchanged, as EXECUTE does nothing for
 * it (ERRATA R14; the definition names only the two cases).
 */
export function rStep(u: Universe, x: RValue, m: RM): RValue {
  if (m === null || m.tag !== 'REQUEST') return x;
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

/** ⟨s; l; t⟩ of a value, for reports. */
export function showValue(u: Universe, x: RValue): string {
  return `⟨${u.service.show(x.val)}; ${x.lastRep.join(',')}; ${x.lastRepT.join(',')}⟩`;
}
/** A request or null, for reports. */
export const showRM = (u: Universe, m: RM) => formatMessage(u, m);

// ---------------------------------------------------------------- Definition A.2.2: the sets

export interface WireSets {
  /** Wire ≡ {m | ∃ X : (m, X) ∈ wire} */
  readonly wire: ReadonlySet<Message>;
  /** Wire+o ≡ Wire ∪ {m | ∃ j ∈ R : ¬faulty_j ∧ m ∈ out_j} */
  readonly wireO: ReadonlySet<Message>;
  /** Wire+io ≡ Wire+o ∪ {m | ∃ j ∈ R : ¬faulty_j ∧ m ∈ in_j} */
  readonly wireIO: ReadonlySet<Message>;
}

/** Where the text of Appendix A.2 is read in two ways (see the headers of this file and agc-committed-wire.ts); default: corrected. */
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
