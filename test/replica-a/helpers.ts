// Shared builders for the tests of the replica automaton of A (Appendix A.1).
// f = 1 throughout: |R| = 4, primary(v) = v mod 4, 2f = 2 prepares, 2f + 1 = 3 commits.
import { computeON } from '../../automata/aux-functions.ts';
import type { ConfigInput } from '../../automata/config.ts';
import type { Message, NewView, Payload, PrePrepare, Prepare, Request, ViewChange } from '../../automata/messages.ts';
import { initialReplica, type ReplicaState } from '../../automata/replica-state.ts';
import { Universe } from '../../automata/universe.ts';

export function mkU(extra: ConfigInput = {}): Universe {
  return new Universe({ variant: 'A', f: 1, clients: 2, service: 'log', ...extra });
}

/** A fresh replica i of A, optionally with messages already in its log in_i. */
export function replica(u: Universe, i: number, inI: readonly Message[] = []): ReplicaState {
  const st = initialReplica(u, i);
  for (const m of inI) st.in.add(m);
  return st;
}

export const req = (u: Universe, o: string, t: number, c: number): Request => u.interner.request(o, t, c);
export const pp = (u: Universe, v: number, n: number, m: Payload, signer: number): PrePrepare =>
  u.interner.prePrepare(v, n, m, signer);
export const prep = (u: Universe, v: number, n: number, m: Request | null, j: number): Prepare =>
  u.interner.prepare(v, n, u.interner.digest(m), j);
export const com = (u: Universe, v: number, n: number, m: Request | null, j: number) => u.interner.commit(v, n, u.interner.digest(m), j);
export const vc = (u: Universe, v: number, P: readonly (PrePrepare | Prepare)[], j: number): ViewChange =>
  u.interner.viewChange(v, null, P, j);

/** ⟨PRE-PREPARE, v, n, m⟩σprimary(v) with prepares from `backups` (a prepared certificate if 2f of them ≠ primary). */
export function cert(u: Universe, v: number, n: number, m: Request | null, backups: readonly number[]): (PrePrepare | Prepare)[] {
  return [pp(u, v, n, m, u.primary(v)), ...backups.map((k) => prep(u, v, n, m, k))];
}

/** The new-view message the primary of v computes from V (O and N as in A.1). */
export function newViewFor(u: Universe, v: number, V: readonly ViewChange[]): NewView {
  const p = u.primary(v);
  const { O, N } = computeON(u, v, V, p);
  return u.interner.newView(v, V, O, N, p);
}

/** Sorted interning ids: a set of messages compared by identity. */
export function ids(ms: Iterable<Message>): number[] {
  return [...new Set(ms)].map((m) => m.id).sort((a, b) => a - b);
}

/** The whole state of a replica in a comparable form. */
export function snap(u: Universe, st: ReplicaState) {
  return {
    i: st.i,
    val: u.service.encode(st.val),
    lastRep: [...st.lastRep],
    lastRepT: [...st.lastRepT],
    chkpts: st.chkpts.length,
    in: ids(st.in.all),
    out: ids(st.out),
    view: st.view,
    lastExec: st.lastExec,
    seqno: st.seqno,
    faulty: st.faulty,
  };
}
export type Snap = ReturnType<typeof snap>;

/** ids ∪ {ms} */
export function plus(before: readonly number[], ...ms: Message[]): number[] {
  return [...new Set([...before, ...ms.map((m) => m.id)])].sort((a, b) => a - b);
}
/** ids − {ms} */
export function minus(before: readonly number[], ...ms: Message[]): number[] {
  const drop = new Set(ms.map((m) => m.id));
  return before.filter((x) => !drop.has(x));
}
