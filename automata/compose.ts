// Composition A = (∏_c P_c) ∥ MC ∥ (∏_i R_i) (Fig 2-3), for either replica kind.
//
// Outputs are matched with the inputs of the same name (Lynch's composition): SEND(m, X)_x is an
// output of proxy or replica x and an input of MC, so one SEND step changes both; RECEIVE(m)_x is
// an output of MC and an input of node x. A message outside x's input signature is still
// delivered by MC, and x does not change. After a failure input, the node's stand-in (byzantine.ts)
// takes its inputs and proposes its outputs.
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
/** The thesis's replica module of the configured kind (what the default protocol table runs). */
export function thesisReplicaModule(variant: 'A' | 'Agc'): ReplicaModule {
  return variant === 'A' ? ReplicaA : ReplicaGc;
}
/** The replica module as the universe's protocol variants leave it (the thesis's when there are none). */
export function replicaModule(u: Universe): ReplicaModule {
  return u.variants.length === 0 ? thesisReplicaModule(u.config.variant) : mutatedModule(u);
}
const mutated = new WeakMap<Universe, ReplicaModule>();
/** pre, eff and receive from the protocol table; the enabled actions are the thesis's candidates that pass its pre. */
function mutatedModule(u: Universe): ReplicaModule {
  let m = mutated.get(u);
  if (m === undefined) {
    const base = thesisReplicaModule(u.config.variant);
    const p = u.proto;
    m = {
      receive: p.receive,
      pre: p.pre,
      eff: p.eff,
      enabledInternal: (uu, st) => base.enabledInternal(uu, st).filter((a) => p.pre(uu, st, a)),
      enabledOf: (uu, st, family) => base.enabledOf(uu, st, family).filter((a) => p.pre(uu, st, a)),
    };
    mutated.set(u, m);
  }
  return m;
}

export class ActionNotEnabled extends Error {}

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
/** The node whose step a is (besides MC's), or null for MISBEHAVE (the channel's own). */
export function actingNode(u: Universe, a: Action): number | null {
  switch (a.kind) {
    case 'REQUEST':
    case 'REPLY':
    case 'CLIENT-FAILURE':
      return u.n + a.c;
    case 'SEND':
    case 'RECEIVE':
      return a.x;
    case 'MISBEHAVE':
      return null;
    default:
      return a.i;
  }
}
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
  if (u.variants.length !== 0 && u.proto.mayForge(u, s, x, m)) return true; // a variant weakening unforgeability
  // What the node's own state held when it failed (its log is frozen then): for a replica of A_gc
  // that includes the initial checkpoint messages of every replica (Fig 2-10).
  if (isReplicaNode(u, x) && s.replicas[x]!.in.has(m)) return true;
  const sg = signerOf(m);
  const own = sg.kind === 'replica' ? isReplicaNode(u, x) && sg.id === x : isClientNode(u, x) && clientNode(u, sg.id) === x;
  return own && nestedMessages(m).every((n) => standInMaySend(u, s, x, n));
}

/** Why action a is not enabled in s, or null if it is. Inputs of A are always enabled. */
export function whyDisabled(u: Universe, s: SystemState, a: Action): string | null {
  // A switch, not ts-pattern's match: this runs for every step and every drawn proposal, and
  // match's matcher objects cost ~8% of a checked run (profile of 2026-12-04).
  switch (a.kind) {
    case 'REQUEST':
    case 'CLIENT-FAILURE':
      return clientOk(u, a.c);
    case 'REPLICA-FAILURE':
      return a.i >= 0 && a.i < u.n ? null : `no replica ${a.i}`;
    case 'REPLY': {
      const bad = clientOk(u, a.c);
      if (bad !== null) return bad;
      const p = s.proxies[a.c]!;
      // A failed client is an arbitrary automaton with the proxy's interface (Section 2.4.2): it
      // may output any REPLY(r)_c (S allows it: faulty-client_c = true, Fig 2-6).
      if (p.faulty) return s.standIns[clientNode(u, a.c)] !== null ? null : `client ${a.c} is faulty`;
      return Proxy.replyPre(u, p, a.r) ? null : `no reply certificate for ${JSON.stringify(a.r)} at client ${a.c}`;
    }
    case 'SEND': {
      if (!isReplicaNode(u, a.x) && !isClientNode(u, a.x)) return `no node ${a.x}`;
      if ((a.X & ~u.allNodes) !== 0) return 'X names nodes that do not exist';
      if (s.standIns[a.x] !== null)
        return standInMaySend(u, s, a.x, a.m) ? null : `faulty ${nodeName(u, a.x)} cannot forge this message`;
      if (isReplicaNode(u, a.x)) return sendEnabled(u, s.replicas[a.x]!, a.m, a.X) ? null : `SEND precondition false at r${a.x}`;
      const p = s.proxies[a.x - u.n]!;
      return a.m.tag === 'REQUEST' && Proxy.sendPre(u, p, a.m, a.X) ? null : `SEND precondition false at ${nodeName(u, a.x)}`;
    }
    case 'RECEIVE':
      if (!isReplicaNode(u, a.x) && !isClientNode(u, a.x)) return `no node ${a.x}`;
      return MC.receivePre(s.wire, a.m, a.X, nodeBit(a.x)) ? null : 'no such (m, X) in wire with x ∈ X';
    case 'MISBEHAVE':
      if ((a.X2 & ~u.allNodes) !== 0) return "X' names nodes that do not exist";
      return MC.misbehavePre(s.wire, a.m, a.X) ? null : '(m, X) is not in wire';
    case 'SEND-PRE-PREPARE':
    case 'SEND-COMMIT':
    case 'EXECUTE':
    case 'SEND-VIEW-CHANGE':
    case 'SEND-NEW-VIEW':
    case 'COLLECT-GARBAGE': {
      const i = a.i;
      if (!Number.isInteger(i) || i < 0 || i >= u.n) return `no replica ${i}`;
      if (s.replicas[i]!.faulty) return `replica ${i} is faulty`;
      return replicaModule(u).pre(u, s.replicas[i]!, a) ? null : `precondition of ${a.kind} false at r${i}`;
    }
    default:
      return unreachable(a);
  }
}

const clientOk = (u: Universe, c: number) => (!Number.isInteger(c) || c < 0 || c >= u.clients ? `no client ${c}` : null);

/** Exhaustiveness of a switch over the action kinds, checked by the compiler. */
function unreachable(a: never): never {
  throw new Error(`unknown action ${JSON.stringify(a)}`);
}

export function isEnabled(u: Universe, s: SystemState, a: Action): boolean {
  return whyDisabled(u, s, a) === null;
}

/** Takes step a from s (mutating s). Throws ActionNotEnabled if a is not enabled. */
export function step(u: Universe, s: SystemState, a: Action, standIns: StandInFactory = silentStandIns): void {
  const why = whyDisabled(u, s, a);
  if (why !== null) throw new ActionNotEnabled(why);
  switch (a.kind) {
    case 'REQUEST': {
      const p = s.proxies[a.c]!;
      if (!p.faulty) Proxy.request(u, p, a.o);
      return;
    }
    case 'CLIENT-FAILURE': {
      Proxy.clientFailure(s.proxies[a.c]!);
      const x = clientNode(u, a.c);
      s.standIns[x] ??= standIns(u, x);
      return;
    }
    case 'REPLICA-FAILURE':
      // REPLICA-FAILURE_i  Eff: faulty_i := true
      s.replicas[a.i]!.faulty = true;
      s.standIns[a.i] ??= standIns(u, a.i);
      return;
    case 'REPLY': {
      const p = s.proxies[a.c]!;
      if (!p.faulty) u.proto.proxyReply(u, p, a.r); // a failed client's output changes no proxy state
      return;
    }
    case 'SEND':
      if (s.standIns[a.x] === null) {
        if (isReplicaNode(u, a.x)) sendEffect(s.replicas[a.x]!, a.m);
        else Proxy.sendEff(s.proxies[a.x - u.n]!);
      }
      MC.send(s.wire, a.m, a.X);
      return;
    case 'RECEIVE': {
      MC.receive(s.wire, a.m, a.X, nodeBit(a.x));
      const standIn = s.standIns[a.x];
      if (standIn !== null) standIn.receive(a.m);
      else if (isReplicaNode(u, a.x)) replicaModule(u).receive(u, s.replicas[a.x]!, a.m);
      else if (a.m.tag === 'REPLY') u.proto.proxyReceive(u, s.proxies[a.x - u.n]!, a.m);
      return;
    }
    case 'MISBEHAVE':
      MC.misbehave(s.wire, a.m, a.X, a.X2);
      return;
    case 'SEND-PRE-PREPARE':
    case 'SEND-COMMIT':
    case 'EXECUTE':
    case 'SEND-VIEW-CHANGE':
    case 'SEND-NEW-VIEW':
    case 'COLLECT-GARBAGE':
      replicaModule(u).eff(u, s.replicas[a.i]!, a);
      return;
    default:
      unreachable(a);
  }
}
