// The states of explore's search: a SystemState with a record for each of its components (each
// replica, each proxy, the wire) and its fingerprint. Under copy on write (explore-step.ts) a child
// shares with its parent every component object its step left alone, and no object changes once
// made, so what explore learns about a component is kept in its record and holds for every state
// that shares it: its part of the fingerprint (automata/state-hash-parts.ts), the actions it
// enables (explore-enabled.ts), and, for a node, its next record after each step it has taken
// (explore-step.ts). Records are plain objects that die with the states holding them.
import type { Action } from '../automata/actions.ts';
import type { Wire } from '../automata/channel.ts';
import type { SystemState } from '../automata/compose.ts';
import type { ProxyState } from '../automata/proxy.ts';
import type { ReplicaState } from '../automata/replica-state.ts';
import { swapPart, type Fingerprint, type Lanes, type StateHashParts } from '../automata/state-hash-parts.ts';

/** What a component's step depends on besides its state: an action object, a message, or a string. */
export type Key = object | string;

/** One component object and what is known of it. */
export interface Part<T, Listed> {
  readonly obj: T;
  /** Its part of the fingerprint, once computed. */
  lanes: Lanes | null;
  /** The actions it enables, by family, once listed. */
  listed: Listed | null;
  /** Its next record after a step, by what the step depends on (kept for nodes only: explore-step.ts). */
  next: Map<Key, Part<T, Listed>> | null;
}

export type ReplicaFamily = 'send' | 'protocol' | 'view-change' | 'garbage';
export type WireFamily = 'receive' | 'misbehave';
export type ReplicaPart = Part<ReplicaState, Record<ReplicaFamily, Action[]>>;
export type ProxyPart = Part<ProxyState, never>;
export type WirePart = Part<Wire, Record<WireFamily, Action[]>>;

export interface XState {
  readonly s: SystemState;
  /** s.replicas[i] is replicas[i].obj, and so for the proxies and the wire. */
  readonly replicas: readonly ReplicaPart[];
  readonly proxies: readonly ProxyPart[];
  readonly wire: WirePart;
  readonly fp: Fingerprint;
}

export function part<T, L>(obj: T, lanes: Lanes | null = null): Part<T, L> {
  return { obj, lanes, listed: null, next: null };
}

/** The search's record of a state from scratch (the initial state). */
export function rootState(hash: StateHashParts, s: SystemState): XState {
  const replicas = s.replicas.map((r) => part<ReplicaState, Record<ReplicaFamily, Action[]>>(r, hash.replica(r)));
  const proxies = s.proxies.map((p) => part<ProxyState, never>(p, hash.proxy(p)));
  return { s, replicas, proxies, wire: part(s.wire, hash.wire(s.wire)), fp: hash.of(s) };
}

/**
 * The record of a child state given its parts: its fingerprint is the parent's with every part
 * that is another record swapped (each part's lanes computed once, when first needed).
 */
export function childState(hash: StateHashParts, parent: XState, s: SystemState, replicas: readonly ReplicaPart[], proxies: readonly ProxyPart[], wire: WirePart): XState {
  let fp = parent.fp;
  for (let i = 0; i < replicas.length; i++) {
    const was = parent.replicas[i]!;
    const now = replicas[i]!;
    if (was !== now) fp = swapPart(fp, replicaLanes(hash, was), replicaLanes(hash, now));
  }
  for (let c = 0; c < proxies.length; c++) {
    const was = parent.proxies[c]!;
    const now = proxies[c]!;
    if (was !== now) fp = swapPart(fp, proxyLanes(hash, was), proxyLanes(hash, now));
  }
  // A wire record is made with its lanes (explore-step.ts: from its parent's and the entries its step changed).
  if (wire !== parent.wire) fp = swapPart(fp, parent.wire.lanes!, wire.lanes!);
  return { s, replicas, proxies, wire, fp };
}

/** A replica's part of the fingerprint (computed once per record). */
export function replicaLanes(hash: StateHashParts, p: ReplicaPart): Lanes {
  return (p.lanes ??= hash.replica(p.obj));
}
export function proxyLanes(hash: StateHashParts, p: ProxyPart): Lanes {
  return (p.lanes ??= hash.proxy(p.obj));
}

/** Remembers that from's step by key leads to `to`. */
export function remember<T, L>(from: Part<T, L>, key: Key, to: Part<T, L>): void {
  (from.next ??= new Map()).set(key, to);
}
