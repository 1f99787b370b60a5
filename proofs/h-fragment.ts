// The step correspondence of Theorem A.2.5 (thesis lines ~3245-3365): for a step (x, π, x') of
// A'_gc and a state y of A' with (x, y) ∈ H, the execution fragment α of A' that the proof runs.
//
// α is produced one action at a time (a generator): the receive helper β(y, m, a) and the
// catch-up sequence C read y as it is when they are reached, after the earlier actions of α, and
// the caller applies each action before asking for the next one (and reports it if it is not
// enabled). Where the proof picks "some" element, the first in a stable order is taken.
//
//   β(y, m, a) = if ∃ X : ((m, X) ∈ y.wire) then
//                  if ∃ X : ((m, X) ∈ y.wire ∧ a ∈ X) then RECEIVE(m)_a
//                  else MISBEHAVE(m, X, X ∪ {a}). RECEIVE(m)_a | (m, X) ∈ y.wire
//                else if ∃ i : (y.faulty_i = false ∧ m ∈ y.out_i) then SEND(m, {a})_i. RECEIVE(m)_a
//                else ⊥
//
// Errata (ERRATA.md; each literal form selected by its reading, config.ts; E18 is in h-wire-index.ts):
// - E15: β's SEND(m, {a})_i is not an action of R_i: a replica sends m only to the destination
//   set of Fig 2-10 (R − {i}, {primary(i)} or {c}). Corrected: SEND(m, X)_i with that X, then
//   MISBEHAVE(m, X, X ∪ {a}) when a ∉ X, then RECEIVE(m)_a.
// - E16: "it is possible for the if condition to be true in y and false in x … only if the
//   sequence number of the message received is lower than or equal to x.h_i" misses the window's
//   upper end: A_gc ignores a pre-prepare, prepare or commit with n > h_i + L (in-w), A accepts
//   it, and clause 2 fails (a replica that lags behind gets a pre-prepare beyond its window; also
//   y's replica could then prepare, and its view-change differ, where x's cannot). Corrected: α
//   loses y's copy for i instead of delivering it (MISBEHAVE(m, X, X − {i}); λ if y has no copy for i).
// - E17: "Actions by faulty nodes … let α contain a single π step" is not enabled in y when the
//   faulty node receives or relays a view-change or new-view of A_gc, which y's wire does not hold
//   (it holds the consistent A-form message), or a non-faulty replica's checkpoint (which y never
//   sends); and a faulty replica's own A_gc-form view-change sent unchanged in y leaves clause 6
//   without a consistent message. Corrected: the faulty node's receives go through β with the
//   translated message, its sends send the translated message (h-consistency.ts Translation), and
//   both are λ for a checkpoint y's wire does not hold (one a replica sent while non-faulty, even
//   if it has failed since). A non-faulty proxy's receive of a
//   message other than a reply (which does not change it) is λ for the same reason.
// - E19: "Receive view-change … The definition of consistent-vc ensures that either both messages
//   are incorrect or both are correct" — it does not: consistent-vc(m, m') also holds when m is
//   incorrect and m' correct but P ≠ P' − {…}. That happens: after update-state-nv raised h_i
//   without discarding the log (ERRATA O2), a replica's A_gc view-change carries certificates at
//   n ≤ h_i and is incorrect (0 < n' − n fails), while A's replica builds a correct one. The
//   receiver in y accepts m', the one in x rejects m, and clause 3 fails. Corrected: when m is not
//   correct in A_gc, α loses y's copy for i (as for E16).
// Cases the proof leaves out, read as λ (they change nothing H reads): RECEIVE of a checkpoint or
// of a reply by a non-faulty replica, and COLLECT-GARBAGE (A has no such action).
import type { Action } from '../automata/actions.ts';
import { correctNewView, hasNewView, maxN } from '../invariants/reference/view-change.ts';
import { isEnabled, isReplicaNode, nodeBit, standInMaySend, type SystemState } from '../automata/compose.ts';
import type { Message, NewView, ViewChange } from '../automata/messages.ts';
import { h, sendDestination } from '../automata/replica-state.ts';
import type { Universe } from '../automata/universe.ts';
import type { HConsistency, Translation } from './h-consistency.ts';
import type { WireOIndex } from './h-wire-index.ts';

/** What the correspondence reads from the state before π. */
export interface HPreState {
  lastExec: number[];
  /** For RECEIVE(⟨NEW-VIEW, …⟩)_i at a non-faulty i: whether the outer if of Fig 2-13 holds in x. */
  newViewAccepted: boolean;
}

export function hPreState(hc: HConsistency, pi: Action, x: SystemState): HPreState {
  let newViewAccepted = false;
  if (pi.kind === 'RECEIVE' && pi.m.tag === 'NEW-VIEW' && isReplicaNode(hc.ux, pi.x) && !x.replicas[pi.x]!.faulty) {
    const st = x.replicas[pi.x]!;
    const m = pi.m;
    newViewAccepted = m.signer !== st.i && m.v > 0 && m.v >= st.view && correctNewView(hc.ux, m, m.v) && !hasNewView(hc.ux, m.v, st.in);
  }
  return { lastExec: x.replicas.map((r) => r.lastExec), newViewAccepted };
}

/** The proof's β is undefined (⊥), or C has no tuple for some n: there is no α to run. */
export class FragmentUndefined extends Error {}

export interface HFragmentContext {
  hc: HConsistency;
  tr: Translation;
  /** The commits, pre-prepares and requests of x.Wire+o, by sequence number (for C). */
  wireO: WireOIndex;
}

// Helpers of hFragment at module level: closures made per call cost a __name call each under tsx.
const faultyNode = (u: Universe, x: SystemState, node: number) => (isReplicaNode(u, node) ? x.replicas[node]!.faulty : x.proxies[node - u.n]!.faulty);
// A checkpoint a replica sent while non-faulty was never sent in y (λ for SEND of a checkpoint):
// a faulty node cannot relay it there, nor receive it.
const unsendableCheckpoint = (uy: Universe, y: SystemState, node: number, m: Message) => m.tag === 'CHECKPOINT' && !standInMaySend(uy, y, node, m);
const absentCheckpoint = (y: SystemState, m: Message) => m.tag === 'CHECKPOINT' && !y.wire.hasMessage(m);

/**
 * α for π, given the pre-state of x, the state x' after π, and y (read lazily, as α runs). After
 * an action of α has been applied the generator resumes and may read y again.
 */
export function* hFragment(ctx: HFragmentContext, pi: Action, pre: HPreState, x: SystemState, y: SystemState): Generator<Action, void, void> {
  const { hc, tr } = ctx;
  const literal = hc.literal;
  const u = hc.ux;
  switch (pi.kind) {
    case 'REQUEST':
    case 'CLIENT-FAILURE':
    case 'REPLICA-FAILURE':
    case 'REPLY':
    case 'SEND-PRE-PREPARE':
    case 'SEND-COMMIT':
    case 'EXECUTE':
      yield pi;
      return;
    case 'COLLECT-GARBAGE':
      return;
    case 'MISBEHAVE':
      if (isEnabled(hc.uy, y, pi)) yield pi;
      return;
    case 'SEND-VIEW-CHANGE': {
      yield pi;
      tr.register(ownViewChange(x, pi.i, pi.v, true), ownViewChange(y, pi.i, pi.v, false));
      return;
    }
    case 'SEND-NEW-VIEW': {
      yield { kind: 'SEND-NEW-VIEW', v: pi.v, V: pi.V.map((vc) => tr.tr(vc) as ViewChange), i: pi.i };
      tr.register(ownNewView(x, pi.i, pi.v), ownNewView(y, pi.i, pi.v));
      yield* catchUp(ctx, pi.i, pi.v, pi.V, pre.lastExec[pi.i]!, x, y);
      return;
    }
    case 'SEND': {
      const { m } = pi;
      if (faultyNode(u, x, pi.x)) {
        if (literal.faultyActions) yield pi;
        else if (!unsendableCheckpoint(hc.uy, y, pi.x, m)) yield { ...pi, m: tr.tr(m) };
        return;
      }
      if (!isReplicaNode(u, pi.x)) {
        yield pi; // a non-faulty proxy's request
        return;
      }
      if (m.tag === 'CHECKPOINT') return;
      const b: Action = { ...pi, m: tr.tr(m) };
      if (isEnabled(hc.uy, y, b)) yield b;
      return;
    }
    case 'RECEIVE': {
      const { m } = pi;
      const a = pi.x;
      if (faultyNode(u, x, a)) {
        if (literal.faultyActions) yield pi;
        else if (!absentCheckpoint(y, m)) yield* beta(ctx, y, tr.tr(m), a);
        return;
      }
      if (!isReplicaNode(u, a)) {
        if (m.tag === 'REPLY') yield* beta(ctx, y, m, a);
        else if (literal.faultyActions) yield pi;
        return;
      }
      switch (m.tag) {
        case 'PRE-PREPARE':
        case 'PREPARE':
        case 'COMMIT':
          if (!literal.window && m.n - h(x.replicas[a]!) > u.config.L) {
            yield* lose(y, m, a);
            return;
          }
          yield* beta(ctx, y, m, a);
          return;
        case 'REQUEST':
          yield* beta(ctx, y, m, a);
          return;
        case 'VIEW-CHANGE':
          if (!literal.vcDelivery && !hc.correctGcVc(m)) yield* lose(y, tr.tr(m), a);
          else yield* beta(ctx, y, tr.tr(m), a);
          return;
        case 'NEW-VIEW':
          yield* beta(ctx, y, tr.tr(m), a);
          if (pre.newViewAccepted) yield* catchUp(ctx, a, m.v, m.V, pre.lastExec[a]!, x, y);
          return;
        case 'CHECKPOINT':
        case 'REPLY':
          return;
      }
    }
  }
}

/** β(y, m, a), read in y as it is when reached. */
export function* beta(ctx: HFragmentContext, y: SystemState, m: Message, a: number): Generator<Action, void, void> {
  const uy = ctx.hc.uy;
  const bit = nodeBit(a);
  const entries = y.wire.entriesOf(m);
  if (entries.length > 0) {
    const direct = entries.find((e) => (e.X & bit) !== 0);
    if (direct !== undefined) {
      yield { kind: 'RECEIVE', x: a, m, X: direct.X };
      return;
    }
    const { X } = entries[0]!;
    yield { kind: 'MISBEHAVE', m, X, X2: X | bit };
    yield { kind: 'RECEIVE', x: a, m, X: X | bit };
    return;
  }
  const sender = y.replicas.find((r) => !r.faulty && r.out.has(m));
  if (sender === undefined) throw new FragmentUndefined(`β(y, m, ${a}) = ⊥: m is neither on y.wire nor in the out of a non-faulty replica`);
  if (ctx.hc.literal.betaSend) {
    yield { kind: 'SEND', x: sender.i, m, X: bit };
    yield { kind: 'RECEIVE', x: a, m, X: bit };
    return;
  }
  const X = sendDestination(uy, sender, m) ?? 0;
  yield { kind: 'SEND', x: sender.i, m, X };
  if ((X & bit) === 0) yield { kind: 'MISBEHAVE', m, X, X2: X | bit };
  yield { kind: 'RECEIVE', x: a, m, X: X | bit };
}

/** E16, E19: the loss of a's copy of m in y (MC's MISBEHAVE(m, X, X − {a})), or λ when y.wire holds none. */
function* lose(y: SystemState, m: Message, a: number): Generator<Action, void, void> {
  const bit = nodeBit(a);
  const e = y.wire.entriesOf(m).find((e) => (e.X & bit) !== 0);
  if (e !== undefined) yield { kind: 'MISBEHAVE', m, X: e.X, X2: e.X & ~bit };
}

/** Whether β(y, m, a) is defined (the "if enabled" of C's step b). */
function betaDefined(y: SystemState, m: Message): boolean {
  return y.wire.hasMessage(m) || y.replicas.some((r) => !r.faulty && r.out.has(m));
}

/**
 * The catch-up sequence C after a new view (Receive new-view, Send-new-view): for each n with
 * x.last-exec_i < n ≤ max-n(V), in order, a tuple (v_n, R_n, m_n) with v_n < v, |R_n| > 2f, the
 * commits ⟨COMMIT, v_n, n, D(m_n), k⟩σk of every k ∈ R_n in x.Wire+o, and a pre-prepare
 * ⟨PRE-PREPARE, v', n, m_n⟩σprimary(v') or m_n in x.Wire+o; then
 *   a) β(y, c_nk, i) for each k ∈ R_n;  b) if enabled β(y, p_n, i) else β(y, m_n, i);  c) EXECUTE(m_n, v_n, n)_i.
 * The tuple taken is the one of the lowest v_n (then the least digest), R_n its 2f + 1 lowest signers.
 */
function* catchUp(ctx: HFragmentContext, i: number, v: number, V: readonly Message[], lastExec: number, x: SystemState, y: SystemState): Generator<Action, void, void> {
  const { hc, wireO } = ctx;
  const u = hc.ux;
  const top = maxN('Agc', V);
  if (!(top > lastExec)) return;
  wireO.sync(x);
  for (let n = lastExec + 1; n <= top; n++) {
    const t = wireO.tuple(n, v);
    if (t === null) throw new FragmentUndefined(`C has no tuple for n = ${n}: no request or pre-prepare in x.Wire+o with 2f + 1 commits below view ${v}`);
    for (const k of t.R) yield* beta(ctx, y, u.interner.commit(t.v, n, u.interner.digest(t.m), k), i);
    const pn = t.prePrepares.find((p) => betaDefined(y, p));
    if (pn !== undefined) yield* beta(ctx, y, pn, i);
    else if (t.m !== null) yield* beta(ctx, y, t.m, i);
    else if (hc.literal.catchUp) throw new FragmentUndefined(`C at n = ${n}: β(y, null, i) is not defined (null is not a message)`);
    // E18 corrected: a null request's pre-prepare was never sent by itself; EXECUTE's precondition
    // rests on the pre-prepares that new views put in y.in_i (the one just taken included).
    yield { kind: 'EXECUTE', m: t.m, v: t.v, n, i };
  }
}

/** The view-change of view v that replica i built (its own form in each automaton). */
function ownViewChange(s: SystemState, i: number, v: number, gcForm: boolean): ViewChange {
  for (const m of s.replicas[i]!.in.viewChangesByV.get(v) ?? []) if (m.j === i && (m.gc !== null) === gcForm) return m;
  throw new Error(`no view-change of view ${v} by r${i}`);
}
function ownNewView(s: SystemState, i: number, v: number): NewView {
  for (const m of s.replicas[i]!.in.newViewsByV.get(v) ?? []) if (m.signer === i) return m;
  throw new Error(`no new-view of view ${v} by r${i}`);
}
