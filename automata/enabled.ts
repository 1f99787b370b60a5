// The enabled locally-controlled actions of the composition and its admissible inputs, under the
// configured bounds, as a finite, stably ordered list; and a random draw of one enabled action
// that only lists one family of actions (or none, for deliveries), for fast random walks.
import type { Action } from './actions.ts';
import { clientNode, nodeBit, replicaModule, type SystemState } from './compose.ts';
import * as Proxy from './proxy.ts';
import { sendDestination } from './replica-state.ts';
import type { Universe } from './universe.ts';

/** Families of actions, the unit of the scheduler's weights. */
export type Family = 'failure' | 'request' | 'reply' | 'send' | 'receive' | 'protocol' | 'view-change' | 'garbage' | 'misbehave' | 'byzantine';
export const FAMILIES: readonly Family[] = ['failure', 'request', 'reply', 'send', 'receive', 'protocol', 'view-change', 'garbage', 'misbehave', 'byzantine'];

/** A source of randomness: int(k) is uniform in 0..k-1. */
export interface Rng {
  int(k: number): number;
  float(): number;
}

/** The family an action is drawn from. */
export function familyOf(s: SystemState, a: Action): Family {
  switch (a.kind) {
    case 'REPLICA-FAILURE':
    case 'CLIENT-FAILURE':
      return 'failure';
    case 'REQUEST':
      return 'request';
    case 'REPLY':
      return 'reply';
    case 'SEND':
      return s.standIns[a.x] !== null ? 'byzantine' : 'send';
    case 'RECEIVE':
      return 'receive';
    case 'MISBEHAVE':
      return 'misbehave';
    case 'SEND-VIEW-CHANGE':
      return 'view-change';
    case 'COLLECT-GARBAGE':
      return 'garbage';
    default:
      return 'protocol';
  }
}

const bitsOf = (X: number, width: number) => {
  const out: number[] = [];
  for (let x = 0; x < width; x++) if (X & (1 << x)) out.push(x);
  return out;
};

/** Every enabled action of one family in s, in a stable order. */
export function enabledIn(u: Universe, s: SystemState, family: Family): Action[] {
  const out: Action[] = [];
  const width = u.n + u.clients;
  switch (family) {
    case 'failure':
      // Failure inputs are admissible for the nodes the configuration makes faulty.
      for (const i of u.config.faultyReplicas) if (!s.replicas[i]!.faulty) out.push({ kind: 'REPLICA-FAILURE', i });
      for (const c of u.config.faultyClients) if (!s.proxies[c]!.faulty) out.push({ kind: 'CLIENT-FAILURE', c });
      break;
    case 'request':
      for (const p of s.proxies) {
        if (p.faulty || p.lastReq >= u.config.maxRequestsPerClient) continue;
        if (u.config.clientsWaitForReply && p.out !== null) continue;
        for (const o of u.ops) out.push({ kind: 'REQUEST', o, c: p.c });
      }
      break;
    case 'reply':
      for (const p of s.proxies) if (!p.faulty) for (const r of Proxy.certifiedResults(u, p)) out.push({ kind: 'REPLY', r, c: p.c });
      break;
    case 'send':
      for (const p of s.proxies) {
        const X = Proxy.sendDestination(u, p);
        if (!p.faulty && p.out !== null && X !== null) out.push({ kind: 'SEND', x: clientNode(u, p.c), m: p.out, X });
      }
      for (const r of s.replicas) {
        if (r.faulty) continue;
        for (const m of [...r.out].sort((a, b) => a.id - b.id)) {
          const X = sendDestination(u, r, m);
          if (X !== null) out.push({ kind: 'SEND', x: r.i, m, X });
        }
      }
      break;
    case 'receive':
      for (const { m, X } of s.wire.pending()) for (const x of bitsOf(X, width)) out.push({ kind: 'RECEIVE', x, m, X });
      break;
    case 'protocol':
    case 'view-change':
    case 'garbage': {
      const R = replicaModule(u);
      for (const r of s.replicas)
        if (!r.faulty) for (const a of R.enabledInternal(u, r)) if (familyOf(s, a) === family) out.push(a);
      break;
    }
    case 'misbehave': {
      const net = u.config.network;
      for (const { m, X } of s.wire.all()) {
        if (net.loss) for (const x of bitsOf(X, width)) out.push({ kind: 'MISBEHAVE', m, X, X2: X & ~nodeBit(x) });
        if ((X !== 0 && net.duplicate) || (X === 0 && net.replay))
          for (let y = 0; y < width; y++) if (!(X & nodeBit(y))) out.push({ kind: 'MISBEHAVE', m, X, X2: X | nodeBit(y) });
      }
      break;
    }
    case 'byzantine':
      for (const standIn of s.standIns) if (standIn !== null) out.push(...standIn.proposals(u));
      break;
  }
  return out;
}

/** Every enabled action in s (locally controlled, and admissible inputs), in a stable order. */
export function enabled(u: Universe, s: SystemState): Action[] {
  return FAMILIES.flatMap((f) => enabledIn(u, s, f));
}

export type Weights = Readonly<Record<Family, number>>;

/** Default weights: deliveries and sends dominate so that requests complete; view changes are rare. */
export const DEFAULT_WEIGHTS: Weights = {
  failure: 1000,
  request: 5,
  reply: 10,
  send: 30,
  receive: 50,
  protocol: 25,
  'view-change': 0.4,
  garbage: 2,
  misbehave: 1,
  byzantine: 5,
};

/**
 * One enabled action chosen at random: a family by weight among those with enabled actions, then
 * an action of that family. Deliveries and misbehaviours are drawn straight from the wire without
 * listing them. Returns null when nothing is enabled (quiescence under the bounds).
 */
export function drawAction(u: Universe, s: SystemState, rng: Rng, weights: Weights = DEFAULT_WEIGHTS): Action | null {
  const w = new Map<Family, number>(FAMILIES.map((f) => [f, Math.max(0, weights[f])]));
  for (;;) {
    let total = 0;
    for (const f of FAMILIES) total += w.get(f)!;
    if (total <= 0) return null;
    let pick = rng.float() * total;
    let family: Family = FAMILIES[FAMILIES.length - 1]!;
    for (const f of FAMILIES) {
      const x = w.get(f)!;
      if (x > 0 && pick < x) {
        family = f;
        break;
      }
      pick -= x;
    }
    const a = drawIn(u, s, family, rng);
    if (a !== null) return a;
    w.set(family, 0);
  }
}

function drawIn(u: Universe, s: SystemState, family: Family, rng: Rng): Action | null {
  const width = u.n + u.clients;
  if (family === 'receive') {
    if (s.wire.pendingCount === 0) return null;
    const { m, X } = s.wire.pendingAt(rng.int(s.wire.pendingCount));
    const xs = bitsOf(X, width);
    return { kind: 'RECEIVE', x: xs[rng.int(xs.length)]!, m, X };
  }
  if (family === 'misbehave') return drawMisbehave(u, s, rng);
  const list = enabledIn(u, s, family);
  return list.length === 0 ? null : list[rng.int(list.length)]!;
}

function drawMisbehave(u: Universe, s: SystemState, rng: Rng): Action | null {
  const width = u.n + u.clients;
  const net = u.config.network;
  const kinds = (['loss', 'duplicate', 'replay'] as const).filter((k) => net[k]);
  if (kinds.length === 0 || s.wire.size === 0) return null;
  const kind = kinds[rng.int(kinds.length)]!;
  if (kind === 'loss' || kind === 'duplicate') {
    if (s.wire.pendingCount === 0) return null;
    const { m, X } = s.wire.pendingAt(rng.int(s.wire.pendingCount));
    if (kind === 'loss') {
      const xs = bitsOf(X, width);
      return { kind: 'MISBEHAVE', m, X, X2: X & ~nodeBit(xs[rng.int(xs.length)]!) };
    }
    const ys = bitsOf(~X & ((1 << width) - 1), width);
    return ys.length === 0 ? null : { kind: 'MISBEHAVE', m, X, X2: X | nodeBit(ys[rng.int(ys.length)]!) };
  }
  // replay: a delivered message (X = {}) goes again to one node y
  for (let tries = 0; tries < 8; tries++) {
    const { m, X } = s.wire.entryAt(rng.int(s.wire.size));
    if (X === 0) return { kind: 'MISBEHAVE', m, X, X2: nodeBit(rng.int(width)) };
  }
  return null;
}
