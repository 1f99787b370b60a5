// The enabled actions of a state for explore, assembled from lists kept in the component records
// (explore-state.ts). What a replica enables (its SENDs and internal actions) depends on that
// replica only, and what the wire enables (deliveries, misbehaviours) on the wire only: each is
// listed once per component object, by automata/enabled.ts itself run on a state that holds that
// one component. The result is enabled(u, s), action for action and in the same order
// (test/explore.test.ts checks it); the same action objects come back for the same component,
// which the steps' memo (explore-step.ts) uses as keys.
import type { Action } from '../automata/actions.ts';
import type { SystemState } from '../automata/compose.ts';
import { enabledIn, FAMILIES, type Family } from '../automata/enabled.ts';
import type { Universe } from '../automata/universe.ts';
import type { ReplicaFamily, ReplicaPart, WireFamily, WirePart, XState } from './explore-state.ts';

const REPLICA_FAMILIES: readonly Family[] = ['send', 'protocol', 'view-change', 'garbage'] satisfies ReplicaFamily[];
const WIRE_FAMILIES: readonly Family[] = ['receive', 'misbehave'] satisfies WireFamily[];

/** Every enabled action in x, as enabled(u, x.s) lists them. */
export function enabledOf(u: Universe, x: XState): Action[] {
  const out: Action[] = [];
  for (const f of FAMILIES) {
    if (REPLICA_FAMILIES.includes(f)) {
      // The proxies' SENDs come before the replicas' (enabledIn lists them so).
      if (f === 'send') out.push(...enabledIn(u, { ...x.s, replicas: [] }, 'send'));
      for (const r of x.replicas) out.push(...replicaLists(u, x.s, r)[f as ReplicaFamily]);
    } else if (WIRE_FAMILIES.includes(f)) out.push(...wireLists(u, x.s, x.wire)[f as WireFamily]);
    else out.push(...enabledIn(u, x.s, f));
  }
  return out;
}

/** What replica r enables, family by family: enabledIn on a state whose only replica is r. */
function replicaLists(u: Universe, s: SystemState, r: ReplicaPart): Record<ReplicaFamily, Action[]> {
  if (r.listed === null) {
    const one: SystemState = { ...s, proxies: [], replicas: [r.obj] };
    r.listed = { send: enabledIn(u, one, 'send'), protocol: enabledIn(u, one, 'protocol'), 'view-change': enabledIn(u, one, 'view-change'), garbage: enabledIn(u, one, 'garbage') };
  }
  return r.listed;
}

/** What the wire enables: deliveries and, on an unreliable network, misbehaviours. */
function wireLists(u: Universe, s: SystemState, w: WirePart): Record<WireFamily, Action[]> {
  if (w.listed === null) {
    const bare: SystemState = { ...s, proxies: [], replicas: [], wire: w.obj };
    w.listed = { receive: enabledIn(u, bare, 'receive'), misbehave: enabledIn(u, bare, 'misbehave') };
  }
  return w.listed;
}
