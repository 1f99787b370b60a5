// The fingerprint of state-hash.ts taken part by part, for searches that branch (sim/explore.ts):
// a child state's fingerprint is its parent's with the parts its step replaced taken out and their
// new versions put in, never recomputed from scratch. The values are exactly those of stateHash:
// the same elements, summed lane by lane modulo 2^32.
//
// The parts are each replica (its scalars, its out_i and every message of its in_i), each proxy,
// and the wire (its entries (m, X)). A step replaces at most one node's part and changes the
// wire only in the entries of its own message m (Fig 2-5). Callers that never change an object
// once hashed (copy on write) can keep each part's lanes with the object, so that a child costs
// only what its step replaced; each message's element is hashed once per replica number here.
import type { Action } from './actions.ts';
import type { Wire } from './channel.ts';
import type { SystemState } from './compose.ts';
import type { Message } from './messages.ts';
import type { ProxyState } from './proxy.ts';
import type { ReplicaState } from './replica-state.ts';
import { elementLanes, fingerprintText, inElement, outElement, proxyElement, scalarsElement, wireElement, type Lanes } from './state-hash.ts';
import type { Universe } from './universe.ts';

/** A fingerprint as its two lanes (fingerprintText gives its 16 hex digits). */
export type Fingerprint = Lanes;
export { fingerprintText, type Lanes };

/** fp − before + after, lane by lane modulo 2^32: the fingerprint with one part swapped. */
export function swapPart(fp: Fingerprint, before: Lanes, after: Lanes): Fingerprint {
  return { lo: (fp.lo - before.lo + after.lo) >>> 0, hi: (fp.hi - before.hi + after.hi) >>> 0 };
}

export class StateHashParts {
  /** Element lanes of a message of in_i, by replica number, then message id. */
  private readonly inLanes: Lanes[][] = [];
  /** Element lanes of (m, X) of the wire, by m.id · 2^30 + X (X < 2^30: config.MAX_NODES). */
  private readonly wireLanes = new Map<number, Lanes>();

  constructor(private readonly u: Universe) {}

  /** The fingerprint of s from its parts (the value stateHash gives). */
  of(s: SystemState): Fingerprint {
    let fp: Fingerprint = this.wire(s.wire);
    const none: Lanes = { lo: 0, hi: 0 };
    for (const r of s.replicas) fp = swapPart(fp, none, this.replica(r));
    for (const p of s.proxies) fp = swapPart(fp, none, this.proxy(p));
    return fp;
  }

  /**
   * The fingerprint of child, the state after step a from parent, from parent's: the replicas and
   * proxies that are other objects in child are swapped, and when the wire is another object, the
   * entries (a.m, X) — the only ones SEND, RECEIVE and MISBEHAVE change (Fig 2-5; after any other
   * step, a copied wire is swapped whole). It costs least when child shares with parent every
   * object the step left alone (copy on write).
   */
  child(parentFp: Fingerprint, parent: SystemState, child: SystemState, a: Action): Fingerprint {
    let fp = parentFp;
    parent.replicas.forEach((r, i) => {
      if (child.replicas[i] !== r) fp = swapPart(fp, this.replica(r), this.replica(child.replicas[i]!));
    });
    parent.proxies.forEach((p, c) => {
      if (child.proxies[c] !== p) fp = swapPart(fp, this.proxy(p), this.proxy(child.proxies[c]!));
    });
    if (child.wire === parent.wire) return fp;
    if (a.kind === 'SEND' || a.kind === 'RECEIVE' || a.kind === 'MISBEHAVE') return swapPart(fp, this.wireEntries(parent.wire, a), this.wireEntries(child.wire, a));
    return swapPart(fp, this.wire(parent.wire), this.wire(child.wire));
  }

  /** A replica's part: its scalars, its out_i and the messages of its in_i. */
  replica(r: ReplicaState): Lanes {
    const s = elementLanes(scalarsElement(this.u, r));
    const o = elementLanes(outElement(this.u, r));
    let lo = s.lo + o.lo;
    let hi = s.hi + o.hi;
    const cache = (this.inLanes[r.i] ??= []);
    for (const m of r.in.all) {
      const e = (cache[m.id] ??= elementLanes(inElement(this.u, r.i, m)));
      lo += e.lo;
      hi += e.hi;
    }
    return { lo: lo >>> 0, hi: hi >>> 0 };
  }

  /** A proxy's part. */
  proxy(p: ProxyState): Lanes {
    return elementLanes(proxyElement(this.u, p));
  }

  /** The wire's part: the sum over its entries (m, X). */
  wire(w: Wire): Lanes {
    return this.sum(w.all());
  }

  /**
   * The entries of wire w that step a takes out and puts in, read off MC's effects (Fig 2-5)
   * without taking the step: SEND(m, X) adds (m, X); RECEIVE(m)_x taking (m, X) and
   * MISBEHAVE(m, X, X') replace (m, X) by (m, X − {x}) or (m, X'). Sets: what is already there is
   * not added twice. The wire after a has w's part with `before` swapped for `after`.
   */
  wireSwap(w: Wire, a: Action): { before: Lanes; after: Lanes } {
    const none: Lanes = { lo: 0, hi: 0 };
    if (a.kind === 'SEND') return { before: none, after: w.has(a.m, a.X) ? none : this.entry(a.m, a.X) };
    if (a.kind !== 'RECEIVE' && a.kind !== 'MISBEHAVE') throw new Error(`StateHashParts: ${a.kind} does not change the wire`);
    const X2 = a.kind === 'RECEIVE' ? a.X & ~(1 << a.x) : a.X2;
    const before = w.has(a.m, a.X) ? this.entry(a.m, a.X) : none;
    return { before, after: X2 !== a.X && w.has(a.m, X2) ? none : this.entry(a.m, X2) };
  }

  /** The part of the wire that step a changes: the entries (a.m, X). Only SEND, RECEIVE and MISBEHAVE change the wire. */
  wireEntries(w: Wire, a: Action): Lanes {
    if (a.kind !== 'SEND' && a.kind !== 'RECEIVE' && a.kind !== 'MISBEHAVE') throw new Error(`StateHashParts: ${a.kind} does not change the wire`);
    return this.sum(w.entriesOf(a.m));
  }

  private sum(entries: readonly { m: Message; X: number }[]): Lanes {
    let lo = 0;
    let hi = 0;
    for (const { m, X } of entries) {
      const e = this.entry(m, X);
      lo += e.lo;
      hi += e.hi;
    }
    return { lo: lo >>> 0, hi: hi >>> 0 };
  }

  /** The lanes of the wire's element (m, X). */
  private entry(m: Message, X: number): Lanes {
    const key = m.id * 0x40000000 + X;
    let e = this.wireLanes.get(key);
    if (e === undefined) this.wireLanes.set(key, (e = elementLanes(wireElement(this.u, m, X))));
    return e;
  }
}
