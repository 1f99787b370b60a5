// Shared helpers for the A_gc replica tests (Figs 2-8 .. 2-13).
//
// Two styles are used by the suites:
//  - unit style: a single ReplicaState from initialReplica(u, i), driven by receive/pre/eff of
//    automata/replica-gc.ts, with the messages built by hand through the interner;
//  - composed style: a SystemState from initialSystem(u), driven by explicit step(u, s, a)
//    actions of automata/compose.ts (SEND, RECEIVE from the wire, internal actions).
import { expect } from 'vitest';
import type { Action, ReplicaInternal } from '../../automata/actions.ts';
import { clientNode, step, type SystemState } from '../../automata/compose.ts';
import type { ConfigInput } from '../../automata/config.ts';
import { formatMessage } from '../../automata/format.ts';
import { OutSet } from '../../automata/out-set.ts';
import type {
  Checkpoint,
  CheckpointValue,
  Commit,
  Message,
  PrePrepare,
  Prepare,
  Request,
  ViewChange,
} from '../../automata/messages.ts';
import * as R from '../../automata/replica-gc.ts';
import { initialCheckpointValue, initialReplica, sendDestination, type ReplicaState } from '../../automata/replica-state.ts';
import { Universe } from '../../automata/universe.ts';

/** f = 1 (4 replicas), 2 clients, log service, chkpt-int = 2, L = 4 unless overridden. */
export function mkU(over: ConfigInput = {}): Universe {
  return new Universe({ variant: 'Agc', f: 1, clients: 2, service: 'log', chkptInt: 2, L: 4, ...over });
}

export function replica(u: Universe, i: number): ReplicaState {
  return initialReplica(u, i);
}

// ---------------------------------------------------------------- message builders

export const req = (u: Universe, o: string, t: number, c: number): Request => u.interner.request(o, t, c);
export const pp = (u: Universe, v: number, n: number, m: Request | null, signer: number): PrePrepare =>
  u.interner.prePrepare(v, n, m, signer);
export const prep = (u: Universe, v: number, n: number, m: Request | null, j: number): Prepare =>
  u.interner.prepare(v, n, u.interner.digest(m), j);
export const com = (u: Universe, v: number, n: number, m: Request | null, j: number): Commit =>
  u.interner.commit(v, n, u.interner.digest(m), j);
export const chk = (u: Universe, v: number, n: number, s: CheckpointValue, j: number): Checkpoint =>
  u.interner.checkpoint(v, n, u.interner.valueDigest(s), j);
export const s0 = (u: Universe): CheckpointValue => initialCheckpointValue(u);
/** The initial in_i: ⟨CHECKPOINT, 0, 0, D(s0), k⟩σk for every k (Fig 2-8, READING-NOTES 4). */
export const initialCheckpoints = (u: Universe): Checkpoint[] => Array.from({ length: u.n }, (_, k) => chk(u, 0, 0, s0(u), k));

/** A certificate for (m, v, n): the primary's pre-prepare and prepares from `preparers`. */
export function preparedCert(u: Universe, v: number, n: number, m: Request | null, preparers: number[]): (PrePrepare | Prepare)[] {
  return [pp(u, v, n, m, u.primary(v)), ...preparers.map((k) => prep(u, v, n, m, k))];
}

/** A view-change message as SEND-VIEW-CHANGE(v)_j would build it from replica state st (a copy is used). */
export function viewChangeOf(u: Universe, st: ReplicaState, v: number): ViewChange {
  const copy = { ...st, in: st.in.clone(), out: new OutSet(st.out), chkpts: [...st.chkpts], lastRep: [...st.lastRep], lastRepT: [...st.lastRepT] };
  copy.view = v - 1;
  R.eff(u, copy, { kind: 'SEND-VIEW-CHANGE', v, i: st.i });
  const m = [...copy.out].find((x): x is ViewChange => x.tag === 'VIEW-CHANGE' && x.v === v && x.j === st.i);
  if (m === undefined) throw new Error('no view-change built');
  return m;
}

// ---------------------------------------------------------------- set assertions

const show = (u: Universe, xs: Iterable<Message>) =>
  [...xs]
    .sort((a, b) => a.id - b.id)
    .map((m) => formatMessage(u, m));

/** The two collections hold exactly the same (interned) messages. */
export function expectSameMessages(u: Universe, actual: Iterable<Message>, expected: Iterable<Message>): void {
  expect(show(u, new Set(actual))).toEqual(show(u, new Set(expected)));
}

export const inOf = (st: ReplicaState): Message[] => [...st.in.all];
export const outOf = (st: ReplicaState): Message[] => [...st.out];

/** A snapshot of every state variable of Fig 2-8, for "nothing changed" assertions. */
export function snapshot(st: ReplicaState) {
  return {
    val: st.val,
    lastRep: [...st.lastRep],
    lastRepT: [...st.lastRepT],
    chkpts: st.chkpts.map((p) => `${p.n}:${p.s.id}`),
    in: [...st.in.all].map((m) => m.id).sort((a, b) => a - b),
    out: [...st.out].map((m) => m.id).sort((a, b) => a - b),
    view: st.view,
    lastExec: st.lastExec,
    seqno: st.seqno,
    faulty: st.faulty,
  };
}

/** receive(m) must leave every state variable unchanged. */
export function expectIgnored(u: Universe, st: ReplicaState, m: Message): void {
  const before = snapshot(st);
  R.receive(u, st, m);
  expect(snapshot(st)).toEqual(before);
}

/** pre(a) is false, and enabledInternal does not list a. */
export function expectDisabled(u: Universe, st: ReplicaState, a: ReplicaInternal): void {
  expect(R.pre(u, st, a)).toBe(false);
  expect(R.enabledInternal(u, st)).not.toContainEqual(a);
}
/**
 * pre(a) is true, and enabledInternal lists a (SEND-NEW-VIEW excepted: the scheduler offers only
 * a bounded number of certificates V per view).
 */
export function expectEnabled(u: Universe, st: ReplicaState, a: ReplicaInternal): void {
  expect(R.pre(u, st, a)).toBe(true);
  if (a.kind !== 'SEND-NEW-VIEW') expect(R.enabledInternal(u, st)).toContainEqual(a);
}

// ---------------------------------------------------------------- composed-system drivers

export const allReplicas = (u: Universe): number[] => Array.from({ length: u.n }, (_, i) => i);

/** SEND every message of out_i with its Fig 2-10 destination (in id order). Returns how many were sent. */
export function sendOut(u: Universe, s: SystemState, i: number): number {
  const st = s.replicas[i]!;
  let k = 0;
  for (const m of [...st.out].sort((a, b) => a.id - b.id)) {
    const X = sendDestination(u, st, m);
    if (X === null) continue;
    step(u, s, { kind: 'SEND', x: i, m, X });
    k++;
  }
  return k;
}

/** RECEIVE(m)_x taking the first element (m, X) of wire with x ∈ X. */
export function deliver(u: Universe, s: SystemState, m: Message, x: number): void {
  const e = s.wire.pending().find((w) => w.m === m && (w.X & (1 << x)) !== 0);
  if (e === undefined) throw new Error(`${formatMessage(u, m)} is not in flight to node ${x}`);
  step(u, s, { kind: 'RECEIVE', x, m, X: e.X });
}

/**
 * Exchange messages among `replicas` (and to every client) until quiet: the replicas send all of
 * out_i, and every in-flight copy addressed to one of them (or to a client) is delivered, except
 * those that `hold(m, x)` keeps in the wire.
 */
export function flush(
  u: Universe,
  s: SystemState,
  replicas: readonly number[] = allReplicas(u),
  hold: (m: Message, x: number) => boolean = () => false,
): void {
  const nodes = new Set<number>([...replicas, ...Array.from({ length: u.clients }, (_, c) => clientNode(u, c))]);
  for (let round = 0; round < 100; round++) {
    let progress = 0;
    for (const i of replicas) progress += sendOut(u, s, i);
    for (const { m, X } of s.wire.pending()) {
      let cur = X;
      for (const x of nodes) {
        if ((cur & (1 << x)) === 0 || hold(m, x)) continue;
        step(u, s, { kind: 'RECEIVE', x, m, X: cur });
        cur &= ~(1 << x);
        progress++;
      }
    }
    if (progress === 0) return;
  }
  throw new Error('flush did not settle');
}

/** REQUEST(o)_c then the proxy's first SEND (to the primary of view_c). Returns the request. */
export function clientRequest(u: Universe, s: SystemState, c: number, o: string): Request {
  step(u, s, { kind: 'REQUEST', o, c });
  const p = s.proxies[c]!;
  const m = p.out!;
  step(u, s, { kind: 'SEND', x: clientNode(u, c), m, X: u.replicaBit(u.primary(p.view)) });
  return m;
}

/** Takes a list of actions with step, in order. */
export function run(u: Universe, s: SystemState, actions: readonly Action[]): void {
  for (const a of actions) step(u, s, a);
}

/**
 * The normal case for one request already in the primary's log: SEND-PRE-PREPARE, the prepare
 * exchange, SEND-COMMIT at every replica in `replicas`, the commit exchange, EXECUTE everywhere.
 */
export function orderAndExecute(u: Universe, s: SystemState, m: Request, v: number, n: number, replicas: readonly number[], hold?: (m: Message, x: number) => boolean): void {
  const p = u.primary(v);
  step(u, s, { kind: 'SEND-PRE-PREPARE', m, v, n, i: p });
  flush(u, s, replicas, hold);
  for (const i of replicas) step(u, s, { kind: 'SEND-COMMIT', m, v, n, i });
  flush(u, s, replicas, hold);
  for (const i of replicas) step(u, s, { kind: 'EXECUTE', m, v, n, i });
}
