// Invariant A.1.1 (Appendix A.1): messages signed by a non-faulty replica are in its own log.
//
//   ∀ i, j ∈ R, m ∈ M : ((¬faulty_i ∧ ¬faulty_j ∧ ¬tag(m, REPLY)) ⇒
//     ((⟨m⟩σi ∈ in_j ∨
//       ∃ m' = ⟨VIEW-CHANGE, v, P, k⟩σk : (m' ∈ in_j ∧ ⟨m⟩σi ∈ P) ∨
//       ∃ m' = ⟨NEW-VIEW, v, V, O, N⟩σk : (m' ∈ in_j ∧ (⟨m⟩σi ∈ V ∨ ⟨m⟩σi ∈ merge-P(V))))
//      ⇒ ⟨m⟩σi ∈ in_i))
//   "The same is also true if one replaces in by {m | ∃ X : (m, X) ∈ wire} or by out_j."
//
// (READING-NOTES 9: the transcription's `(\not{m})_{σ_i} ∈ in_j` is ⟨m⟩σi ∈ in_j.)
//
// One registry entry per place the premise looks in: 'A.1.1(in)', 'A.1.1(wire)', 'A.1.1(out)'.
//
// "Signed by i" is signerOf(m) = replica i (messages.ts): the `signer` of a PRE-PREPARE or
// NEW-VIEW, the j (or i) field of the others. A REQUEST is signed by a client and never by a
// replica, so it satisfies the premise for no i; a REPLY is excluded by ¬tag(m, REPLY).
//
// Nested messages: exactly what the text names. For a VIEW-CHANGE m' the members of its P; for a
// NEW-VIEW m' the members of V (view-changes) and of merge-P(V) (the union of the P's of the
// view-changes in V). The O and N of a NEW-VIEW are NOT named by the text and are not checked
// here. (They are signed by the new-view's own signer, primary(v); a correct replica that logs a
// NEW-VIEW also logs O ∪ N, so for the (in) form they are covered by the top-level clause anyway.)
// The C of an A_gc view-change does not exist in A (A's view-change has no checkpoint part).
//
// Quantifier reduction. M, and the v, P, k, V, O, N of the existential premises, are infinite in
// the text; but every disjunct of the premise asserts membership of ⟨m⟩σi in a finite set
// determined by the state: in_j itself, the P of a view-change that is in in_j, the V of a
// new-view that is in in_j, or merge-P of such a V. A message outside all of those sets satisfies
// the premise vacuously. So iterating over the members of in_j (resp. the messages on the wire,
// resp. out_j), and over the nested sets of its VIEW-CHANGE and NEW-VIEW members, visits every m
// for which the premise is true, and the existentially bound m' range over the VIEW-CHANGE and
// NEW-VIEW members of that same finite set. i and j range over the finite R.
import type { SystemState } from '../automata/compose.ts';
import { formatMessage } from '../automata/format.ts';
import type { Message, NewView, ViewChange } from '../automata/messages.ts';
import { signerOf } from '../automata/messages.ts';
import type { Universe } from '../automata/universe.ts';
import { netInChange, type Delta, type LogChange } from './delta.ts';
import { violation, type SystemInvariant, type Violation } from './types.ts';

/** Where, inside a container message, a signed message was found. */
type Place = 'itself' | 'P' | 'V' | 'merge-P(V)';

/**
 * Calls visit(m, container, place) for every message m the premise of A.1.1 names for the top-level
 * message x: x itself, the P of a view-change, the V and merge-P(V) of a new-view.
 */
function forEachNamed(x: Message, visit: (m: Message, container: ViewChange | NewView | null, place: Place) => void): void {
  visit(x, null, 'itself');
  if (x.tag === 'VIEW-CHANGE') {
    for (const p of x.P) visit(p, x, 'P');
  } else if (x.tag === 'NEW-VIEW') {
    for (const vc of x.V) visit(vc, x, 'V');
    // merge-P(V) ≡ {m | ∃ ⟨VIEW-CHANGE, v, P, k⟩σk ∈ V : m ∈ P}. A message in the P of several
    // view-changes of V is one member of merge-P(V): report it once.
    const seen = new Set<Message>();
    for (const vc of x.V) if (vc.tag === 'VIEW-CHANGE') for (const p of vc.P) if (!seen.has(p)) seen.add(p), visit(p, x, 'merge-P(V)');
  }
}

/** The replica i that signed m, if the premise can concern it: m is not a REPLY and i is not faulty. */
function correctSigner(s: SystemState, m: Message): number | null {
  if (m.tag === 'REPLY') return null; // ¬tag(m, REPLY)
  const sg = signerOf(m);
  if (sg.kind !== 'replica') return null; // a REQUEST: ⟨m⟩σi for no replica i
  const r = s.replicas[sg.id];
  return r === undefined || r.faulty ? null : sg.id; // ¬faulty_i
}

function describe(u: Universe, m: Message, container: ViewChange | NewView | null, place: Place, where: string): string {
  const mm = formatMessage(u, m);
  if (container === null) return `${mm} is in ${where}`;
  const c = formatMessage(u, container);
  return place === 'P' ? `${mm} is in P of ${c} ∈ ${where}` : `${mm} is in ${place} of ${c} ∈ ${where}`;
}

/**
 * Checks every message the premise names for the top-level messages `xs`, found in `where`
 * (a set belonging to replica `j`, or the wire when j is null), and returns a violation for each
 * ⟨m⟩σi with ¬faulty_i that is not in in_i. `isInJ`: the set is in_j, so that a top-level
 * ⟨m⟩σj ∈ in_j is its own conclusion and need not be looked up.
 */
function checkFrom(u: Universe, s: SystemState, id: string, xs: Iterable<Message>, j: number | null, where: string, isInJ: boolean): Violation[] {
  const out: Violation[] = [];
  for (const x of xs) {
    forEachNamed(x, (m, container, place) => {
      const i = correctSigner(s, m);
      if (i === null) return;
      // ⟨m⟩σi ∈ in_i is trivially true when the set looked in is in_i itself.
      if (isInJ && container === null && j === i) return;
      if (s.replicas[i]!.in.has(m)) return;
      const replicas = j === null || j === i ? [i] : [i, j];
      out.push(
        violation(id, `${describe(u, m, container, place, where)} but not in in_${i}, the log of its signer r${i}`, {
          replicas,
          messages: container === null ? [m] : [m, container],
          ...viewAndN(m),
          detail: container === null ? `found in ${where}` : `found in ${place} of a ${container.tag} in ${where}`,
        }),
      );
    });
  }
  return out;
}

function viewAndN(m: Message): { view?: number; n?: number } {
  switch (m.tag) {
    case 'PRE-PREPARE':
    case 'PREPARE':
    case 'COMMIT':
    case 'CHECKPOINT':
      return { view: m.v, n: m.n };
    case 'VIEW-CHANGE':
    case 'NEW-VIEW':
      return { view: m.v };
    default:
      return {};
  }
}

const A11_IN = 'A.1.1(in)';
const A11_WIRE = 'A.1.1(wire)';
const A11_OUT = 'A.1.1(out)';
const REF = 'Appendix A.1, Invariant A.1.1';
const PREMISE = (S: string) =>
  `(⟨m⟩σi ∈ ${S} ∨ ∃ ⟨VIEW-CHANGE,v,P,k⟩σk ∈ ${S} : ⟨m⟩σi ∈ P ∨ ∃ ⟨NEW-VIEW,v,V,O,N⟩σk ∈ ${S} : (⟨m⟩σi ∈ V ∨ ⟨m⟩σi ∈ merge-P(V)))`;

function checkIn(u: Universe, s: SystemState): Violation[] {
  const out: Violation[] = [];
  for (const rj of s.replicas) {
    if (rj.faulty) continue; // ¬faulty_j
    out.push(...checkFrom(u, s, A11_IN, rj.in.all, rj.i, `in_${rj.i}`, true));
  }
  return out;
}

function checkWire(u: Universe, s: SystemState): Violation[] {
  // W = {m | ∃ X : (m, X) ∈ wire}: each message once, whatever its destination sets.
  // (j, which only named the log looked in, has no role here.)
  const sorted = [...wireMessages(s)].sort((a, b) => a.id - b.id);
  return checkFrom(u, s, A11_WIRE, sorted, null, 'wire', false);
}

function checkOut(u: Universe, s: SystemState): Violation[] {
  const out: Violation[] = [];
  for (const rj of s.replicas) {
    if (rj.faulty) continue; // ¬faulty_j
    out.push(...checkFrom(u, s, A11_OUT, rj.out, rj.i, `out_${rj.i}`, false));
  }
  return out;
}

/** W = {m | ∃ X : (m, X) ∈ wire}. */
function wireMessages(s: SystemState): Set<Message> {
  const W = new Set<Message>();
  for (let k = 0; k < s.wire.size; k++) W.add(s.wire.entryAt(k).m);
  return W;
}

// ------------------------------------------------------------------ incremental evaluation
//
// checkDelta decides from the change alone whether the state violates the entry, given that the
// state before the change did not; when it does, the violations are those of the plain check
// (same order and wording; this happens at most once per run, since the checker stops there).
// Faulty flags are constant between two calls with delta.full unset, so "correct i" and
// "correct j" mean the same before and after. A violation after the change needs either
//   - a premise that is new: a top-level message x new in in_j (resp. new on the wire, new in
//     out_j), whose named messages (x, P, V, merge-P(V)) are then looked up in their signers'
//     logs; messages are immutable, so an x that stays names the same messages; or
//   - a conclusion ⟨m⟩σi ∈ in_i that became false, which only a removal of m from in_i can do.
//     In A only EXECUTE removes, and only requests, which are signed by clients and outside
//     A.1.1, so in runs of A this costs a look at the removed requests. For any other removal
//     (a corrupted state), the entry needs to know whether m is named anywhere: (in) keeps a
//     count of the places in correct logs that name each signed message, (wire) the set of the
//     messages named on the wire (which only grows), and (out) scans the out_j, which are small.
// The cost of a step is the size of what it added (with the nested P, V, merge-P(V)) and removed.

/** Messages examined by checkDelta (for tests that measure the cost without timing). */
export const A_1_1_DELTA_WORK = { examined: 0 };


/** The net changes of the logs of the non-faulty replicas the delta names. */
function correctChanges(s: SystemState, delta: Delta): Map<number, LogChange> {
  const out = new Map<number, LogChange>();
  for (const i of delta.replicas) if (!s.replicas[i]!.faulty) out.set(i, netInChange(delta, i));
  return out;
}

/**
 * visit(m, i) for every ⟨m⟩σi with ¬faulty_i that the premise names for top-level x found in a
 * set of j (null: the wire), leaving out the trivial ⟨m⟩σj ∈ in_j when the set is in_j itself —
 * exactly the messages whose membership in in_i checkFrom looks up.
 */
function forEachPremise(s: SystemState, x: Message, j: number | null, isInJ: boolean, visit: (m: Message, i: number) => void): void {
  forEachNamed(x, (m, container) => {
    A_1_1_DELTA_WORK.examined++;
    const i = correctSigner(s, m);
    if (i === null || (isInJ && container === null && j === i)) return;
    visit(m, i);
  });
}

/** Signed messages of a non-faulty i removed from in_i by the change (so their conclusion is false now). */
function lostConclusions(s: SystemState, changes: ReadonlyMap<number, LogChange>): Set<Message> {
  const lost = new Set<Message>();
  for (const [i, ch] of changes)
    for (const m of ch.removed) {
      A_1_1_DELTA_WORK.examined++;
      if (correctSigner(s, m) === i && !s.replicas[i]!.in.has(m)) lost.add(m);
    }
  return lost;
}

const NAMED = 'named';

/** (in): for each signed message, the number of places in the logs of non-faulty replicas that name it. */
function buildInIndex(s: SystemState): Map<Message, number> {
  const named = new Map<Message, number>();
  for (const rj of s.replicas)
    if (!rj.faulty) for (const x of rj.in.all) forEachPremise(s, x, rj.i, true, (m) => named.set(m, (named.get(m) ?? 0) + 1));
  return named;
}

function deltaIn(u: Universe, s: SystemState, delta: Delta, cache: Map<string, unknown>): Violation[] {
  const named = cache.get(NAMED) as Map<Message, number> | undefined;
  if (delta.full || named === undefined) {
    cache.set(NAMED, buildInIndex(s));
    return checkIn(u, s);
  }
  let broken = false;
  const changes = correctChanges(s, delta);
  for (const [j, ch] of changes) {
    for (const x of ch.removed)
      forEachPremise(s, x, j, true, (m) => {
        const k = (named.get(m) ?? 1) - 1;
        if (k > 0) named.set(m, k);
        else named.delete(m);
      });
    for (const x of ch.added)
      forEachPremise(s, x, j, true, (m, i) => {
        named.set(m, (named.get(m) ?? 0) + 1);
        if (!s.replicas[i]!.in.has(m)) broken = true;
      });
  }
  if (!broken) for (const m of lostConclusions(s, changes)) if (named.has(m)) broken = true;
  return broken ? checkIn(u, s) : [];
}

function deltaWire(u: Universe, s: SystemState, delta: Delta, cache: Map<string, unknown>): Violation[] {
  let named = cache.get(NAMED) as Set<Message> | undefined;
  if (delta.full || named === undefined) {
    const W = new Set<Message>();
    for (const x of wireMessages(s)) forEachPremise(s, x, null, false, (m) => W.add(m));
    cache.set(NAMED, W);
    return checkWire(u, s);
  }
  const W = named;
  let broken = false;
  for (const x of delta.wireAdded)
    forEachPremise(s, x, null, false, (m, i) => {
      W.add(m);
      if (!s.replicas[i]!.in.has(m)) broken = true;
    });
  if (!broken) for (const m of lostConclusions(s, correctChanges(s, delta))) if (W.has(m)) broken = true;
  return broken ? checkWire(u, s) : [];
}

function deltaOut(u: Universe, s: SystemState, delta: Delta, cache: Map<string, unknown>): Violation[] {
  if (delta.full || !cache.has(NAMED)) {
    cache.set(NAMED, true); // nothing to keep: out_j is small and the tracker reports its additions
    return checkOut(u, s);
  }
  let broken = false;
  for (const [j, xs] of delta.outAdded) {
    const rj = s.replicas[j]!;
    if (rj.faulty) continue;
    for (const x of xs)
      if (rj.out.has(x))
        forEachPremise(s, x, j, false, (m, i) => {
          if (!s.replicas[i]!.in.has(m)) broken = true;
        });
  }
  if (!broken) {
    const lost = lostConclusions(s, correctChanges(s, delta));
    if (lost.size > 0)
      for (const rj of s.replicas)
        if (!rj.faulty)
          for (const x of rj.out)
            forEachPremise(s, x, rj.i, false, (m) => {
              if (lost.has(m)) broken = true;
            });
  }
  return broken ? checkOut(u, s) : [];
}

export const A_1_1: SystemInvariant[] = [
  {
    id: A11_IN,
    family: 'A.1.1',
    subject: 'A',
    statement: `∀ i,j ∈ R, m ∈ M : ((¬faulty_i ∧ ¬faulty_j ∧ ¬tag(m,REPLY)) ⇒ (${PREMISE('in_j')} ⇒ ⟨m⟩σi ∈ in_i))`,
    ref: REF,
    check: checkIn,
    checkDelta: deltaIn,
  },
  {
    id: A11_WIRE,
    family: 'A.1.1',
    subject: 'A',
    statement: `∀ i ∈ R, m ∈ M : ((¬faulty_i ∧ ¬tag(m,REPLY)) ⇒ (${PREMISE('W')} ⇒ ⟨m⟩σi ∈ in_i)), W = {m | ∃ X : (m,X) ∈ wire}`,
    ref: `${REF} ("replace in by {m | ∃X : (m,X) ∈ wire}")`,
    check: checkWire,
    checkDelta: deltaWire,
  },
  {
    id: A11_OUT,
    family: 'A.1.1',
    subject: 'A',
    statement: `∀ i,j ∈ R, m ∈ M : ((¬faulty_i ∧ ¬faulty_j ∧ ¬tag(m,REPLY)) ⇒ (${PREMISE('out_j')} ⇒ ⟨m⟩σi ∈ in_i))`,
    ref: `${REF} ("replace in by out_j")`,
    check: checkOut,
    checkDelta: deltaOut,
  },
];
