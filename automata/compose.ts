// Composition A = (∏_c P_c) ∥ MC ∥ (∏_i R_i) (Fig 2-3), for either replica kind.
//
// Outputs are matched with the inputs of the same name (Lynch's composition): SEND(m, X)_x is an
// output of proxy or replica x and an input of MC, so one SEND step changes both; RECEIVE(m)_x is
// an output of MC and an input of node x. A message outside x's input signature is still
// delivered by MC, and x does not change. After a failure input, the node's stand-in (byzantine.ts)
// takes its inputs and proposes its outputs.
import { match, P } from 'ts-pattern';
import type { Action, ReplicaInternal } from './actions.ts';
import { silentStandIns, type StandIn, type StandInFactory } from './byzantine.ts';
import * as MC from './channel.ts';
import type { Message } from './messages.ts';
import { nestedMessages, signerOf } from './messages.ts';
import * as Proxy from './proxy.ts';
import * as ReplicaA from './replica.ts';
import * as ReplicaGc from './replica-gc.ts';
import type { InternalFamily } from './replica-common.ts';
import { cloneReplica, initialReplica, sendEffect, sendEnabled, type ReplicaState } from './replica-state.ts';
import type { Universe } from './universe.ts';

export interface SystemState {
  readonly proxies: Proxy.ProxyState[];
  readonly replicas: ReplicaState[];
  readonly wire: MC.Wire;
  /** The stand-in of each failed node (by node number), or null while the node is not faulty. */
  readonly standIns: (StandIn | null)[];
}

/** The replica module of the configured variant (A.1 or Figs 2-8..2-13). */
export interface ReplicaModule {
  receive(u: Universe, st: ReplicaState, m: Message): void;
  pre(u: Universe, st: ReplicaState, a: ReplicaInternal): boolean;
  eff(u: Universe, st: ReplicaState, a: ReplicaInternal): void;
  enabledInternal(u: Universe, st: ReplicaState): ReplicaInternal[];
  enabledOf(u: Universe, st: ReplicaState, family: InternalFamily): ReplicaInternal[];
}
export function replicaModule(u: Universe): ReplicaModule {
  return u.config.variant === 'A' ? ReplicaA : ReplicaGc;
}

export class ActionNotEnabled extends Error {}

/** The internal actions of a replica, as one pattern. */
const REPLICA_INTERNAL = P.union('SEND-PRE-PREPARE', 'SEND-COMMIT', 'EXECUTE', 'SEND-VIEW-CHANGE', 'SEND-NEW-VIEW', 'COLLECT-GARBAGE');

export function initialSystem(u: Universe): SystemState {
  return {
    proxies: Array.from({ length: u.clients }, (_, c) => Proxy.initialProxy(c)),
    replicas: Array.from({ length: u.n }, (_, i) => initialReplica(u, i)),
    wire: new MC.Wire(),
    standIns: Array(u.n + u.clients).fill(null),
  };
}

export function cloneSystem(s: SystemState): SystemState {
  return {
    proxies: s.proxies.map(Proxy.cloneProxy),
    replicas: s.replicas.map(cloneReplica),
    wire: s.wire.clone(),
    standIns: s.standIns.map((x) => (x === null ? null : x.clone())),
  };
}

/** Node numbers: replica i is node i, client c is node |R| + c. */
export const clientNode = (u: Universe, c: number) => u.n + c;
export const nodeBit = (x: number) => 1 << x;
export const isReplicaNode = (u: Universe, x: number) => x >= 0 && x < u.n;
export const isClientNode = (u: Universe, x: number) => x >= u.n && x < u.n + u.clients;
export function nodeName(u: Universe, x: number): string {
  return isReplicaNode(u, x) ? `r${x}` : `c${x - u.n}`;
}

/**
 * Unforgeability (Sections 2.1, 2.4.2): a faulty node x may send m only if m has been seen (sent
 * before, or carried inside a message sent before; every message ever sent stays in MC's wire), or
 * x signs m itself and every message m carries may be sent by x in turn.
 */
export function standInMaySend(u: Universe, s: SystemState, x: number, m: Message): boolean {
  if (s.wire.hasSeen(m)) return true;
  // What the node's own state held when it failed (its log is frozen then): for a replica of A_gc
  // that includes the initial checkpoint messages of every replica (Fig 2-10).
  if (isReplicaNode(u, x) && s.replicas[x]!.in.has(m)) return true;
  const sg = signerOf(m);
  const own = sg.kind === 'replica' ? isReplicaNode(u, x) && sg.id === x : isClientNode(u, x) && clientNode(u, sg.id) === x;
  return own && nestedMessages(m).every((n) => standInMaySend(u, s, x, n));
}

/** Why action a is not enabled in s, or null if it is. Inputs of A are always enabled. */
export function whyDisabled(u: Universe, s: SystemState, a: Action): string | null {
  const R = replicaModule(u);
  const replicaOk = (i: number) =>
    !Number.isInteger(i) || i < 0 || i >= u.n ? `no replica ${i}` : s.replicas[i]!.faulty ? `replica ${i} is faulty` : null;
  const clientOk = (c: number) => (!Number.isInteger(c) || c < 0 || c >= u.clients ? `no client ${c}` : null);
  return match(a)
    .with({ kind: 'REQUEST' }, (a) => clientOk(a.c))
    .with({ kind: 'CLIENT-FAILURE' }, (a) => clientOk(a.c))
    .with({ kind: 'REPLICA-FAILURE' }, (a) => (a.i >= 0 && a.i < u.n ? null : `no replica ${a.i}`))
    .with({ kind: 'REPLY' }, (a) => {
      const bad = clientOk(a.c);
      if (bad !== null) return bad;
      const p = s.proxies[a.c]!;
      // A failed client is an arbitrary automaton with the proxy's interface (Section 2.4.2): it
      // may output any REPLY(r)_c (S allows it: faulty-client_c = true, Fig 2-6).
      if (p.faulty) return s.standIns[clientNode(u, a.c)] !== null ? null : `client ${a.c} is faulty`;
      return Proxy.replyPre(u, p, a.r) ? null : `no reply certificate for ${JSON.stringify(a.r)} at client ${a.c}`;
    })
    .with({ kind: 'SEND' }, (a) => {
      if (!isReplicaNode(u, a.x) && !isClientNode(u, a.x)) return `no node ${a.x}`;
      if ((a.X & ~u.allNodes) !== 0) return 'X names nodes that do not exist';
      if (s.standIns[a.x] !== null)
        return standInMaySend(u, s, a.x, a.m) ? null : `faulty ${nodeName(u, a.x)} cannot forge this message`;
      if (isReplicaNode(u, a.x)) return sendEnabled(u, s.replicas[a.x]!, a.m, a.X) ? null : `SEND precondition false at r${a.x}`;
      const p = s.proxies[a.x - u.n]!;
      return a.m.tag === 'REQUEST' && Proxy.sendPre(u, p, a.m, a.X) ? null : `SEND precondition false at ${nodeName(u, a.x)}`;
    })
    .with({ kind: 'RECEIVE' }, (a) => {
      if (!isReplicaNode(u, a.x) && !isClientNode(u, a.x)) return `no node ${a.x}`;
      return MC.receivePre(s.wire, a.m, a.X, nodeBit(a.x)) ? null : 'no such (m, X) in wire with x ∈ X';
    })
    .with({ kind: 'MISBEHAVE' }, (a) => {
      if ((a.X2 & ~u.allNodes) !== 0) return "X' names nodes that do not exist";
      return MC.misbehavePre(s.wire, a.m, a.X) ? null : '(m, X) is not in wire';
    })
    .with({ kind: REPLICA_INTERNAL }, (a) => replicaOk(a.i) ?? (R.pre(u, s.replicas[a.i]!, a) ? null : `precondition of ${a.kind} false at r${a.i}`))
    .exhaustive();
}

export function isEnabled(u: Universe, s: SystemState, a: Action): boolean {
  return whyDisabled(u, s, a) === null;
}

/** Takes step a from s (mutating s). Throws ActionNotEnabled if a is not enabled. */
export function step(u: Universe, s: SystemState, a: Action, standIns: StandInFactory = silentStandIns): void {
  const why = whyDisabled(u, s, a);
  if (why !== null) throw new ActionNotEnabled(why);
  const R = replicaModule(u);
  match(a)
    .with({ kind: 'REQUEST' }, (a) => {
      const p = s.proxies[a.c]!;
      if (!p.faulty) Proxy.request(u, p, a.o);
    })
    .with({ kind: 'CLIENT-FAILURE' }, (a) => {
      Proxy.clientFailure(s.proxies[a.c]!);
      const x = clientNode(u, a.c);
      s.standIns[x] ??= standIns(u, x);
    })
    .with({ kind: 'REPLICA-FAILURE' }, (a) => {
      // REPLICA-FAILURE_i  Eff: faulty_i := true
      s.replicas[a.i]!.faulty = true;
      s.standIns[a.i] ??= standIns(u, a.i);
    })
    .with({ kind: 'REPLY' }, (a) => {
      const p = s.proxies[a.c]!;
      if (!p.faulty) Proxy.reply(p, a.r); // a failed client's output changes no proxy state
    })
    .with({ kind: 'SEND' }, (a) => {
      if (s.standIns[a.x] === null) {
        if (isReplicaNode(u, a.x)) sendEffect(s.replicas[a.x]!, a.m);
        else Proxy.sendEff(s.proxies[a.x - u.n]!);
      }
      MC.send(s.wire, a.m, a.X);
    })
    .with({ kind: 'RECEIVE' }, (a) => {
      MC.receive(s.wire, a.m, a.X, nodeBit(a.x));
      const standIn = s.standIns[a.x];
      if (standIn !== null) standIn.receive(a.m);
      else if (isReplicaNode(u, a.x)) R.receive(u, s.replicas[a.x]!, a.m);
      else if (a.m.tag === 'REPLY') Proxy.receive(s.proxies[a.x - u.n]!, a.m);
    })
    .with({ kind: 'MISBEHAVE' }, (a) => MC.misbehave(s.wire, a.m, a.X, a.X2))
    .with({ kind: REPLICA_INTERNAL }, (a) => R.eff(u, s.replicas[a.i]!, a))
    .exhaustive();
}
