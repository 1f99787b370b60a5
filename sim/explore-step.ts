// A step of explore's breadth-first search by copy on write: the child state gets its own copy of
// what the step changes (one replica or proxy, the wire) and shares every other object with its
// parent, where cloneSystem copied all of them for every child. Parents are never changed, so a
// state and all its children can be held at once, and what is learnt about an object is kept in
// its record (explore-state.ts).
//
// A step of the composition is the step of each component whose signature has the action
// (Fig 2-3): the node that sends or receives or acts, and the channel MC for SEND, RECEIVE and
// MISBEHAVE. A node's step depends on the node's state and the action only, and objects never
// change, so it is remembered in the node's record: (replica or proxy, action) → its next record.
// Most children of a breadth-first search are states reached before by another order of the same
// steps, whose nodes' steps have been taken before: such a child is put together from those
// records, with only MC's step taken (copying the wire is cheap; remembering wires cost more
// memory than it saved time).
import type { Action, ActionOf } from '../automata/actions.ts';
import * as MC from '../automata/channel.ts';
import type { StandInFactory } from '../automata/byzantine.ts';
import { actingNode, ActionNotEnabled, nodeBit, step, type SystemState } from '../automata/compose.ts';
import { collectGarbageChanges } from '../automata/enabled.ts';
import { cloneProxy } from '../automata/proxy.ts';
import { cloneReplica } from '../automata/replica-state.ts';
import { swapPart, type Fingerprint, type StateHashParts } from '../automata/state-hash-parts.ts';
import type { Universe } from '../automata/universe.ts';
import { childState, part, proxyLanes, remember, replicaLanes, type Key, type ProxyPart, type ReplicaPart, type WirePart, type XState } from './explore-state.ts';

export class Stepper {
  constructor(
    private readonly u: Universe,
    private readonly hash: StateHashParts,
    private readonly standIns: StandInFactory,
  ) {}

  /**
   * The fingerprint of the state after the enabled action a from x, when it is known without
   * taking the step: the node's step is remembered (or no node takes part), and MC's is read off
   * Fig 2-5 (StateHashParts.wireSwap). Null when the step must be taken. Most children are states
   * seen before, and this is all that is done for them.
   */
  fingerprint(x: XState, a: Action): Fingerprint | null {
    const u = this.u;
    if (a.kind === 'REPLICA-FAILURE' || a.kind === 'CLIENT-FAILURE') return null;
    let fp = x.fp;
    const node = actingNode(u, a);
    if (node !== null) {
      if (x.s.standIns[node] !== null) return null;
      if (node < u.n) {
        const was = x.replicas[node]!;
        const next = was.next?.get(nodeKey(a));
        if (next === undefined) return null;
        fp = swapPart(fp, replicaLanes(this.hash, was), replicaLanes(this.hash, next));
      } else {
        const was = x.proxies[node - u.n]!;
        const next = was.next?.get(nodeKey(a));
        if (next === undefined) return null;
        fp = swapPart(fp, proxyLanes(this.hash, was), proxyLanes(this.hash, next));
      }
    }
    if (a.kind === 'SEND' || a.kind === 'RECEIVE' || a.kind === 'MISBEHAVE') {
      if (a.kind !== 'SEND' && !x.wire.obj.has(a.m, a.X)) throw new ActionNotEnabled('(m, X) is not in wire');
      const { before, after } = this.hash.wireSwap(x.wire.obj, a);
      fp = swapPart(fp, before, after);
    }
    return fp;
  }

  /** The state after the enabled action a from x, without changing x. Throws ActionNotEnabled as step does. */
  child(x: XState, a: Action): XState {
    const u = this.u;
    const s = x.s;
    // Failures and faulty nodes (their stand-ins change, and install themselves): the plain way.
    if (a.kind === 'REPLICA-FAILURE' || a.kind === 'CLIENT-FAILURE') return this.taken(x, a, false);
    const node = actingNode(u, a);
    if (node !== null && s.standIns[node] !== null) return this.taken(x, a, false);
    let replicas = x.replicas;
    let proxies = x.proxies;
    let sys: SystemState = s;
    if (node !== null && node < u.n) {
      const next = replicas[node]!.next?.get(nodeKey(a));
      if (next === undefined) return this.taken(x, a, true);
      replicas = replaced(replicas, node, next);
      sys = { ...sys, replicas: replaced(s.replicas, node, next.obj) };
    } else if (node !== null) {
      const c = node - u.n;
      const next = proxies[c]!.next?.get(nodeKey(a));
      if (next === undefined) return this.taken(x, a, true);
      proxies = replaced(proxies, c, next);
      sys = { ...sys, proxies: replaced(s.proxies, c, next.obj) };
    }
    // The node's step is known (or there is none): MC's is taken alone (Fig 2-5).
    let wire = x.wire;
    if (a.kind === 'SEND' || a.kind === 'RECEIVE' || a.kind === 'MISBEHAVE') {
      wire = this.channelStep(x.wire, a);
      sys = { ...sys, wire: wire.obj };
    }
    return childState(this.hash, x, sys, replicas, proxies, wire);
  }

  /** Takes the step (compose.ts) on copies of what it changes, and remembers each component's part of it. */
  private taken(x: XState, a: Action, rememberNode: boolean): XState {
    const s = x.s;
    const c = copyOnWrite(this.u, s, a, this.standIns);
    const replicas = c.replicas.map((r, i): ReplicaPart => (r === s.replicas[i] ? x.replicas[i]! : part(r)));
    const proxies = c.proxies.map((p, k): ProxyPart => (p === s.proxies[k] ? x.proxies[k]! : part(p)));
    if (rememberNode) {
      const node = actingNode(this.u, a)!;
      if (node < this.u.n) remember(x.replicas[node]!, nodeKey(a), replicas[node]!);
      else remember(x.proxies[node - this.u.n]!, nodeKey(a), proxies[node - this.u.n]!);
    }
    const wire = c.wire === s.wire ? x.wire : this.wirePart(x.wire, c.wire, a);
    return childState(this.hash, x, c, replicas, proxies, wire);
  }

  /** MC's step alone (Fig 2-5): SEND is an input; RECEIVE and MISBEHAVE need (m, X) ∈ wire. */
  private channelStep(from: WirePart, a: ActionOf<'SEND' | 'RECEIVE' | 'MISBEHAVE'>): WirePart {
    const w = from.obj.clone();
    if (a.kind === 'SEND') MC.send(w, a.m, a.X);
    else if (a.kind === 'RECEIVE') {
      if (!MC.receivePre(w, a.m, a.X, nodeBit(a.x))) throw new ActionNotEnabled('no such (m, X) in wire with x ∈ X');
      MC.receive(w, a.m, a.X, nodeBit(a.x));
    } else {
      if (!MC.misbehavePre(w, a.m, a.X)) throw new ActionNotEnabled('(m, X) is not in wire');
      MC.misbehave(w, a.m, a.X, a.X2);
    }
    return this.wirePart(from, w, a);
  }

  /** The record of wire w, the wire after step a from `from`: its lanes are from's with what a changed swapped. */
  private wirePart(from: WirePart, w: MC.Wire, a: Action): WirePart {
    const { before, after } = this.hash.wireSwap(from.obj, a);
    return part(w, swapPart(from.lanes!, before, after));
  }
}

function replaced<T>(xs: readonly T[], k: number, x: T): T[] {
  const out = xs.slice();
  out[k] = x;
  return out;
}

/**
 * What a node's step depends on besides its state: a delivered message (RECEIVE(m)_x, whatever
 * the X it was taken from), the operation of a REQUEST, the result of a REPLY, the m and X of a
 * proxy's SEND, or the action object itself (a replica's SEND and internal actions, listed once
 * per replica object by explore-enabled.ts, so the same objects come back).
 */
function nodeKey(a: Action): Key {
  switch (a.kind) {
    case 'RECEIVE':
      return a.m;
    case 'REQUEST':
      return `REQUEST|${a.o}`;
    case 'REPLY':
      return `REPLY|${a.r}`;
    case 'SEND':
      return a.m.tag === 'REQUEST' ? `SEND|${a.m.id}|${a.X}` : a;
    default:
      return a;
  }
}

/**
 * The step itself (compose.ts) on a state that owns copies of what a changes: REQUEST, REPLY and
 * CLIENT-FAILURE their proxy; REPLICA-FAILURE and the internal actions their replica; SEND and
 * RECEIVE their node (or its stand-in) and the wire; MISBEHAVE the wire; a failure also installs
 * a stand-in.
 */
function copyOnWrite(u: Universe, s: SystemState, a: Action, standIns: StandInFactory): SystemState {
  let { proxies, replicas, wire } = s;
  let installed = s.standIns;
  const ownReplica = (i: number) => {
    replicas = replicas.slice();
    replicas[i] = cloneReplica(s.replicas[i]!);
  };
  const ownProxy = (c: number) => {
    proxies = proxies.slice();
    proxies[c] = cloneProxy(s.proxies[c]!);
  };
  const ownNode = (x: number) => {
    const standIn = s.standIns[x];
    if (standIn !== null && standIn !== undefined) {
      installed = installed.slice();
      installed[x] = standIn.clone();
    } else if (x >= 0 && x < u.n) ownReplica(x);
    else if (x >= u.n && x < u.n + u.clients) ownProxy(x - u.n);
  };
  switch (a.kind) {
    case 'REQUEST':
    case 'REPLY':
      ownProxy(a.c);
      break;
    case 'CLIENT-FAILURE':
      ownProxy(a.c);
      installed = installed.slice();
      break;
    case 'REPLICA-FAILURE':
      ownReplica(a.i);
      installed = installed.slice();
      break;
    case 'SEND':
    case 'RECEIVE':
      ownNode(a.x);
      wire = wire.clone();
      break;
    case 'MISBEHAVE':
      wire = wire.clone();
      break;
    default:
      ownReplica(a.i);
  }
  const c: SystemState = { proxies, replicas, wire, standIns: installed };
  step(u, c, a, standIns);
  return c;
}

/**
 * Whether the enabled action a leaves s as it is, known without taking it: COLLECT-GARBAGE with an
 * n below everything in the log (Fig 2-11; the stable checkpoint at 0 keeps it enabled forever).
 * Its child is s itself, already seen.
 */
export function leavesAlone(s: SystemState, a: Action): boolean {
  return a.kind === 'COLLECT-GARBAGE' && !s.replicas[a.i]!.faulty && !collectGarbageChanges(s.replicas[a.i]!, a.n);
}
