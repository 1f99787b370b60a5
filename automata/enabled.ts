// The enabled locally-controlled actions of the composition and its admissible inputs, under the
// configured bounds, as a finite, stably ordered list; and a random draw of one enabled action
// that only lists one family of actions (or none, for deliveries), for fast random walks.
import type { Action } from './actions.ts';
import { clientNode, nodeBit, replicaModule, whyDisabled, type SystemState } from './compose.ts';
import { hasNewView } from './aux-functions.ts';
import type { Message } from './messages.ts';
import type { WireEntry } from './channel.ts';
import * as Proxy from './proxy.ts';
import { h, sendDestination, type ReplicaState } from './replica-state.ts';
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
      for (const r of s.replicas) if (!r.faulty) out.push(...R.enabledOf(u, r, family));
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
      // A stand-in proposes; the composition disposes (unforgeability is checked in one place).
      for (const standIn of s.standIns)
        if (standIn !== null) for (const a of standIn.proposals(u, s)) if (whyDisabled(u, s, a) === null) out.push(a);
      break;
  }
  return out;
}

/** Every enabled action in s (locally controlled, and admissible inputs), in a stable order. */
export function enabled(u: Universe, s: SystemState): Action[] {
  return FAMILIES.flatMap((f) => enabledIn(u, s, f));
}

export type Weights = Readonly<Record<Family, number>>;

/** How the random draw leans, without leaving the model (every drawn action is enabled). */
export interface DrawBias {
  /** Family weights. */
  weights: Weights;
  /**
   * Probability of holding back a delivery that the receiver would drop only because it is early
   * (a later view, or beyond its high water mark h + L): asynchrony allows any delivery order, and
   * delivering such a message later keeps a run live in a model without retransmissions.
   */
  patience: number;
  /**
   * Weight of the view-change family while some non-faulty replica is in a lower view than
   * another; the draw then picks a lagging replica. This mimics the liveness rule of Section
   * 2.3.5 (join a view change that f+1 others have started), which the safety model omits.
   */
  catchUp: number;
  /**
   * Deliveries the network adversary holds back for now (a partition: messages between two groups
   * wait). They are drawn only when nothing else is enabled.
   */
  held?: (m: Message, x: number) => boolean;
  /**
   * Deliveries the network adversary loses instead (MISBEHAVE(m, X, X − {x}) in place of the
   * RECEIVE drawn), e.g. everything sent to a lagging replica for a while; held when the
   * configuration does not allow loss.
   */
  lost?: (m: Message, x: number) => boolean;
  /**
   * Probability of drawing a proxy's retransmission (SEND of a request already on the wire, Fig
   * 2-7 allows it at any time) when the send family is drawn: a retransmission adds behaviour only
   * after a loss or a view change, so it is drawn less often than a first send. Default 1.
   */
  resend?: number;
  /**
   * Probability of drawing a REQUEST(o)_c at a proxy whose last request is still outstanding (only
   * enabled when clients do not wait for replies), when the request family is drawn: overlapping
   * requests that come faster than requests complete would abandon every one. Default 1.
   */
  overlap?: number;
  /**
   * Probability that a delivery is drawn among the messages of one signer, chosen uniformly among
   * those with messages in flight: a faulty node that floods the network then delays the others'
   * messages no more than any one sender's (the fairness the thesis's liveness argument assumes).
   * Default 0.
   */
  fairness?: number;
}

/**
 * Default weights: deliveries and sends dominate so that requests complete; view changes are rare
 * (the scheduler's timer, sim/drawer.ts, starts them when progress stops).
 */
export const DEFAULT_WEIGHTS: Weights = {
  failure: 1000,
  request: 5,
  reply: 10,
  send: 30,
  receive: 50,
  protocol: 25,
  'view-change': 0.05,
  garbage: 10,
  misbehave: 1,
  byzantine: 5,
};

export const DEFAULT_BIAS: DrawBias = { weights: DEFAULT_WEIGHTS, patience: 0.9, catchUp: 5 };

/**
 * One enabled action chosen at random: a family by weight among those with enabled actions, then
 * an action of that family. Deliveries and misbehaviours are drawn straight from the wire without
 * listing them; garbage collection is drawn among the COLLECT-GARBAGE steps that change the state.
 * Returns null when nothing is enabled (quiescence under the bounds).
 */
export function drawAction(u: Universe, s: SystemState, rng: Rng, bias: DrawBias = DEFAULT_BIAS): Action | null {
  const w = new Map<Family, number>(FAMILIES.map((f) => [f, Math.max(0, bias.weights[f])]));
  const laggards = lagging(u, s);
  if (laggards.length > 0) w.set('view-change', Math.max(w.get('view-change')!, bias.catchUp));
  for (;;) {
    let total = 0;
    for (const f of FAMILIES) total += w.get(f)!;
    if (total <= 0) break;
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
    const a = family === 'view-change' && laggards.length > 0 ? drawCatchUp(u, laggards, rng) : drawIn(u, s, family, rng, bias);
    if (a !== null) return a;
    w.set(family, 0);
  }
  // Only what the bias thinned out or held back remains: take one of those rather than stop.
  const unbiased: DrawBias = { ...bias, resend: 1, overlap: 1 };
  return drawIn(u, s, 'send', rng, unbiased) ?? drawIn(u, s, 'request', rng, unbiased) ?? drawReceive(u, s, rng, { patience: 0 });
}

function drawIn(u: Universe, s: SystemState, family: Family, rng: Rng, bias: DrawBias): Action | null {
  if (family === 'receive') return drawReceive(u, s, rng, bias);
  if (family === 'misbehave') return drawMisbehave(u, s, rng);
  if (family === 'byzantine') {
    const drawn = drawByzantine(u, s, rng);
    if (drawn !== undefined) return drawn;
  }
  let list = enabledIn(u, s, family);
  if (family === 'send' && bias.resend !== undefined && bias.resend < 1 && rng.float() >= bias.resend)
    list = list.filter((a) => !(a.kind === 'SEND' && a.x >= u.n && s.wire.hasMessage(a.m)));
  if (family === 'request' && bias.overlap !== undefined && bias.overlap < 1 && rng.float() >= bias.overlap)
    list = list.filter((a) => a.kind === 'REQUEST' && s.proxies[a.c]!.out === null);
  if (family === 'garbage') list = list.filter((a) => a.kind === 'COLLECT-GARBAGE' && collectGarbageChanges(s.replicas[a.i]!, a.n));
  return list.length === 0 ? null : list[rng.int(list.length)]!;
}

/**
 * An output of a stand-in that draws its own (Byzantine replicas and clients: a SEND, or a
 * faulty client's REPLY): a faulty node at random, then its draw, kept only if the composition
 * allows it (unforgeability). undefined when no stand-in draws, so that the listed proposals are
 * used instead.
 */
function drawByzantine(u: Universe, s: SystemState, rng: Rng): Action | null | undefined {
  const drawing = s.standIns.filter((x) => x?.draw !== undefined);
  if (drawing.length === 0) return undefined;
  for (let tries = 0; tries < 4; tries++) {
    const a = drawing[rng.int(drawing.length)]!.draw!(u, s, rng);
    if (a !== null && whyDisabled(u, s, a) === null) return a;
  }
  return null;
}

/** Non-faulty replicas in a lower view than some other non-faulty replica, that may still move. */
function lagging(u: Universe, s: SystemState): ReplicaState[] {
  let top = 0;
  for (const r of s.replicas) if (!r.faulty && r.view > top) top = r.view;
  return s.replicas.filter((r) => !r.faulty && r.view < top && r.view + 1 <= u.config.maxView);
}

function drawCatchUp(u: Universe, laggards: ReplicaState[], rng: Rng): Action | null {
  const r = laggards[rng.int(laggards.length)]!;
  const a: Action = { kind: 'SEND-VIEW-CHANGE', v: r.view + 1, i: r.i };
  return replicaModule(u).pre(u, r, a) ? a : null;
}

function drawReceive(u: Universe, s: SystemState, rng: Rng, bias: Pick<DrawBias, 'patience' | 'held' | 'lost' | 'fairness'>): Action | null {
  if (s.wire.pendingCount === 0) return null;
  const width = u.n + u.clients;
  for (let tries = 0; tries < 4; tries++) {
    const { m, X } = drawInFlight(s, rng, bias.fairness ?? 0);
    const xs = bitsOf(X, width);
    const x = xs[rng.int(xs.length)]!;
    if (bias.held?.(m, x)) continue;
    if (bias.lost?.(m, x)) {
      if (u.config.network.loss) return { kind: 'MISBEHAVE', m, X, X2: X & ~nodeBit(x) };
      continue;
    }
    if (!(x < u.n && isEarly(u, s.replicas[x]!, m) && rng.float() < bias.patience)) return { kind: 'RECEIVE', x, m, X };
  }
  return null;
}

/** An element in flight: with probability `fairness` from a signer chosen uniformly among those with messages in flight, else from all. */
function drawInFlight(s: SystemState, rng: Rng, fairness: number): WireEntry {
  const w = s.wire;
  if (!(fairness > 0 && rng.float() < fairness)) return w.pendingAt(rng.int(w.pendingCount));
  const signers = w.pendingSigners();
  const b = signers[rng.int(signers.length)]!;
  return w.pendingOf(b, rng.int(w.pendingCountOf(b)));
}

/**
 * Would replica r drop m now only because m is early: it belongs to a later view, it is a
 * pre-prepare for a view whose new-view r has not yet, or it lies beyond h + L?
 */
export function isEarly(u: Universe, r: ReplicaState, m: Message): boolean {
  if (r.faulty) return false;
  if (m.tag === 'PRE-PREPARE' && m.v === r.view && !hasNewView(u, m.v, r.in)) return true;
  switch (m.tag) {
    case 'PRE-PREPARE':
    case 'PREPARE':
    case 'COMMIT':
    case 'CHECKPOINT':
      return m.v > r.view || (u.config.variant === 'Agc' && m.n - h(r) > u.config.L);
    default:
      return false;
  }
}

/** Whether COLLECT-GARBAGE with this n removes any message or checkpoint of r (Fig 2-11). */
export function collectGarbageChanges(r: ReplicaState, n: number): boolean {
  if (r.chkpts.some((p) => p.n < n)) return true;
  for (const idx of [r.in.ppByN, r.in.preparesByN, r.in.commitsByN]) for (const k of idx.keys()) if (k <= n) return true;
  for (const k of r.in.checkpointsByN.keys()) if (k < n) return true;
  return false;
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
