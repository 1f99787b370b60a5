// State of replica automaton R_i (Fig 2-8 for A_gc; "State" of A.1 for A) and its output
// actions (Fig 2-10, identical in A.1).
import { MessageSet } from './message-set.ts';
import { OutSet } from './out-set.ts';
import type { CheckpointValue, Message } from './messages.ts';
import type { Result, ServiceState } from './services.ts';
import { NULL_REP } from './services.ts';
import type { Universe } from './universe.ts';

/** An element ⟨n, s⟩ of chkpts_i ⊆ ℕ × V' (A_gc only). */
export interface ChkptEntry {
  readonly n: number;
  readonly s: CheckpointValue;
}

export interface ReplicaState {
  readonly i: number;
  /** val_i ∈ S, initially s_o */
  val: ServiceState;
  /** last-rep_i : C → O', initially null-rep */
  lastRep: Result[];
  /** last-rep-t_i : C → ℕ, initially 0 */
  lastRepT: number[];
  /** chkpts_i ⊆ ℕ × V', initially {⟨0, ⟨s_o, null-rep, 0⟩⟩} (A_gc); always empty in A. Sorted by n, then by value. */
  chkpts: ChkptEntry[];
  /** in_i ⊆ M: the log. */
  in: MessageSet;
  /** out_i ⊆ M: messages about to be sent. */
  out: OutSet;
  /** view_i ∈ ℕ, initially 0 */
  view: number;
  /** last-exec_i ∈ ℕ, initially 0 */
  lastExec: number;
  /** seqno_i ∈ ℕ, initially 0 */
  seqno: number;
  /** faulty_i ∈ Bool, initially false */
  faulty: boolean;
}

/** The initial checkpoint value ⟨s_o, null-rep everywhere, 0 everywhere⟩ (Fig 2-8). */
export function initialCheckpointValue(u: Universe): CheckpointValue {
  return u.interner.checkpointValue(u.service.initial, Array(u.clients).fill(NULL_REP), Array(u.clients).fill(0));
}

export function initialReplica(u: Universe, i: number): ReplicaState {
  const st: ReplicaState = {
    i,
    val: u.service.initial,
    lastRep: Array(u.clients).fill(NULL_REP),
    lastRepT: Array(u.clients).fill(0),
    chkpts: [],
    in: new MessageSet(u.interner, i),
    out: new OutSet(),
    view: 0,
    lastExec: 0,
    seqno: 0,
    faulty: false,
  };
  if (u.config.variant === 'Agc') {
    // Fig 2-8: chkpts_i = {⟨0, ⟨v_0, null-rep, 0⟩⟩};
    // in_i = {⟨CHECKPOINT, 0, 0, D(⟨v_0, null-rep, 0⟩), k⟩σk | ∀ k ∈ R} (READING-NOTES 4)
    const s0 = initialCheckpointValue(u);
    st.chkpts = [{ n: 0, s: s0 }];
    const d = u.interner.valueDigest(s0);
    for (let k = 0; k < u.n; k++) st.in.add(u.interner.checkpoint(0, 0, d, k));
  }
  return st;
}

export function cloneReplica(st: ReplicaState): ReplicaState {
  return { ...st, lastRep: [...st.lastRep], lastRepT: [...st.lastRepT], chkpts: [...st.chkpts], in: st.in.clone(), out: new OutSet(st.out) };
}

/**
 * h_i ≡ min({n | ⟨n, ν⟩ ∈ chkpts_i}) (Fig 2-8). In A (no chkpts) and, undefined by the text, for
 * an empty chkpts_i (reachable only with more than f faulty replicas), we take 0.
 */
export function h(st: ReplicaState): number {
  return st.chkpts.length === 0 ? 0 : st.chkpts[0]!.n;
}

/** stable-chkpt_i ≡ ν | ⟨h_i, ν⟩ ∈ chkpts_i; with several values at h_i, the first in our order. */
export function stableChkpt(st: ReplicaState): CheckpointValue | null {
  return st.chkpts.length === 0 ? null : st.chkpts[0]!.s;
}

/** chkpts_i := chkpts_i ∪ {⟨n, s⟩}, kept sorted by (n, value id) so the order is canonical. */
export function addChkpt(st: ReplicaState, n: number, s: CheckpointValue): void {
  if (st.chkpts.some((e) => e.n === n && e.s === s)) return;
  st.chkpts = [...st.chkpts, { n, s }].sort((a, b) => a.n - b.n || a.s.id - b.s.id);
}

/** primary(i) ≡ view_i mod |R| */
export function primaryOf(u: Universe, st: ReplicaState): number {
  return u.primary(st.view);
}

/**
 * Fig 2-10 (and A.1 Output Transitions): the destination set of the one SEND action that each
 * m ∈ out_i enables.
 *   SEND(m, R − {i})_i          Pre: m ∈ out_i ∧ ¬tag(m, REQUEST) ∧ ¬tag(m, REPLY)
 *   SEND(m, {primary(i)})_i     Pre: m ∈ out_i ∧ tag(m, REQUEST)
 *   SEND(⟨REPLY, v, t, c, i, r⟩σi, {c})_i   Pre: ⟨REPLY, v, t, c, i, r⟩σi ∈ out_i
 * All three have Eff: out_i := out_i − {m}.
 */
export function sendDestination(u: Universe, st: ReplicaState, m: Message): number | null {
  if (m.tag === 'REQUEST') return u.replicaBit(primaryOf(u, st));
  if (m.tag === 'REPLY') return m.i === st.i ? u.clientBit(m.c) : null;
  return u.allReplicas & ~u.replicaBit(st.i);
}

export function sendEnabled(u: Universe, st: ReplicaState, m: Message, X: number): boolean {
  return st.out.has(m) && sendDestination(u, st, m) === X;
}

export function sendEffect(st: ReplicaState, m: Message): void {
  st.out.delete(m);
}
