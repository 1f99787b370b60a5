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
    for (const vc of x.V) for (const p of vc.P) if (!seen.has(p)) seen.add(p), visit(p, x, 'merge-P(V)');
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

export const A_1_1: SystemInvariant[] = [
  {
    id: A11_IN,
    family: 'A.1.1',
    subject: 'A',
    statement: `∀ i,j ∈ R, m ∈ M : ((¬faulty_i ∧ ¬faulty_j ∧ ¬tag(m,REPLY)) ⇒ (${PREMISE('in_j')} ⇒ ⟨m⟩σi ∈ in_i))`,
    ref: REF,
    check(u, s) {
      const out: Violation[] = [];
      for (const rj of s.replicas) {
        if (rj.faulty) continue; // ¬faulty_j
        out.push(...checkFrom(u, s, A11_IN, rj.in.all, rj.i, `in_${rj.i}`, true));
      }
      return out;
    },
  },
  {
    id: A11_WIRE,
    family: 'A.1.1',
    subject: 'A',
    statement: `∀ i ∈ R, m ∈ M : ((¬faulty_i ∧ ¬tag(m,REPLY)) ⇒ (${PREMISE('W')} ⇒ ⟨m⟩σi ∈ in_i)), W = {m | ∃ X : (m,X) ∈ wire}`,
    ref: `${REF} ("replace in by {m | ∃X : (m,X) ∈ wire}")`,
    check(u, s) {
      // W = {m | ∃ X : (m, X) ∈ wire}: each message once, whatever its destination sets.
      // (j, which only named the log looked in, has no role here.)
      const W = new Set<Message>();
      for (let k = 0; k < s.wire.size; k++) W.add(s.wire.entryAt(k).m);
      const sorted = [...W].sort((a, b) => a.id - b.id);
      return checkFrom(u, s, A11_WIRE, sorted, null, 'wire', false);
    },
  },
  {
    id: A11_OUT,
    family: 'A.1.1',
    subject: 'A',
    statement: `∀ i,j ∈ R, m ∈ M : ((¬faulty_i ∧ ¬faulty_j ∧ ¬tag(m,REPLY)) ⇒ (${PREMISE('out_j')} ⇒ ⟨m⟩σi ∈ in_i))`,
    ref: `${REF} ("replace in by out_j")`,
    check(u, s) {
      const out: Violation[] = [];
      for (const rj of s.replicas) {
        if (rj.faulty) continue; // ¬faulty_j
        out.push(...checkFrom(u, s, A11_OUT, rj.out, rj.i, `out_${rj.i}`, false));
      }
      return out;
    },
  },
];
