// MC, the multicast channel automaton (Fig 2-5, read as in READING-NOTES 1).
//
//   Signature: Input SEND(m, X)_x; Internal MISBEHAVE(m, X, X'); Output RECEIVE(m)_x
//   State: wire ⊆ M × 2^𝒳, initially {}
//   SEND(m, X)_x         Eff: wire := wire ∪ {(m, X)}
//   MISBEHAVE(m, X, X')  Pre: (m, X) ∈ wire;  Eff: wire := wire − {(m, X)} ∪ {(m, X')}
//   RECEIVE(m)_x         Pre: ∃ (m, X) ∈ wire : x ∈ X;  Eff: wire := wire − {(m, X)} ∪ {(m, X − {x})}
//
// Every message ever sent stays in wire (with an empty destination set once delivered), which is
// what lets MISBEHAVE replay it. Destination sets are bit masks over node numbers (actions.ts).
import { nestedMessages, signerOf, type Message } from './messages.ts';

/** One element (m, X) of wire. */
export interface WireEntry {
  readonly m: Message;
  readonly X: number;
}

interface Slot extends WireEntry {
  /** Position in `entries`, and in `pending` and in its signer's bucket, or -1 when X = {}. */
  at: number;
  pendingAt: number;
  bucketAt: number;
  /** The signer's bucket: 2·id for replica id, 2·id + 1 for client id. */
  bucket: number;
}

/** A message's bucket of in-flight elements: by the node that signed it. */
function bucketOf(m: Message): number {
  const sg = signerOf(m);
  return 2 * sg.id + (sg.kind === 'client' ? 1 : 0);
}

export class Wire {
  private readonly byMessage = new Map<Message, Map<number, Slot>>();
  /** All elements of wire, and those with a non-empty destination set (in flight). */
  private readonly entries: Slot[] = [];
  private readonly pendingList: Slot[] = [];
  /** The elements in flight by signer (bucketOf), for draws that are fair to every signer. */
  private readonly buckets: Slot[][] = [];
  /** Every distinct message ever sent, in the order first sent (messages never leave wire). */
  private readonly everSent: Message[] = [];
  private readonly everSentSet = new Set<Message>();
  /** Every message sent, and every message nested in one (what an adversary has seen). */
  private readonly seenSet = new Set<Message>();
  /** The same messages, in the order first seen (a message after those it carries). */
  private readonly seenList: Message[] = [];

  get size(): number {
    return this.entries.length;
  }
  get pendingCount(): number {
    return this.pendingList.length;
  }
  /** The distinct messages of wire, in the order first sent; the k-th onwards with `from = k`. */
  messagesSince(from: number): readonly Message[] {
    return this.everSent.slice(from);
  }
  /** Number of distinct messages in wire. */
  get messageCount(): number {
    return this.everSent.length;
  }
  /** m was sent, or is nested in a message that was sent (a request in a pre-prepare, P, C, V, O, N). */
  hasSeen(m: Message): boolean {
    return this.seenSet.has(m);
  }
  /** What has been seen (hasSeen), in the order first seen, from the k-th on. */
  seenSince(k: number): readonly Message[] {
    return this.seenList.slice(k);
  }
  /** The k-th message seen (0 ≤ k < seenCount), for random draws. */
  seenAt(k: number): Message {
    return this.seenList[k]!;
  }
  get seenCount(): number {
    return this.seenList.length;
  }
  private see(m: Message): void {
    if (this.seenSet.has(m)) return;
    this.seenSet.add(m);
    for (const x of nestedMessages(m)) this.see(x);
    this.seenList.push(m); // after what it carries
  }
  /** ∃ X : (m, X) ∈ wire — m was sent at some time. */
  hasMessage(m: Message): boolean {
    return this.byMessage.has(m);
  }
  /** The elements (m, X) of wire for one m, ordered by X. */
  entriesOf(m: Message): WireEntry[] {
    const byX = this.byMessage.get(m);
    return byX === undefined ? [] : [...byX.keys()].sort((a, b) => a - b).map((X) => ({ m, X }));
  }
  has(m: Message, X: number): boolean {
    return this.byMessage.get(m)?.has(X) ?? false;
  }
  /** Every (m, X) ∈ wire, in a stable order (by message id, then X). */
  all(): WireEntry[] {
    return this.entries.map(({ m, X }) => ({ m, X })).sort((a, b) => a.m.id - b.m.id || a.X - b.X);
  }
  /** The elements whose destination set is not empty, in a stable order. */
  pending(): WireEntry[] {
    return this.pendingList.map(({ m, X }) => ({ m, X })).sort((a, b) => a.m.id - b.m.id || a.X - b.X);
  }
  /** The k-th element of wire (0 ≤ k < size), for random draws. */
  entryAt(k: number): WireEntry {
    return this.entries[k]!;
  }
  /** The k-th element in flight (0 ≤ k < pendingCount), for random draws. */
  pendingAt(k: number): WireEntry {
    return this.pendingList[k]!;
  }
  /** The signers with elements in flight, as bucket numbers in increasing order. */
  pendingSigners(): number[] {
    const out: number[] = [];
    for (let b = 0; b < this.buckets.length; b++) if ((this.buckets[b]?.length ?? 0) > 0) out.push(b);
    return out;
  }
  /** How many elements in flight a bucket of pendingSigners() holds, and its k-th. */
  pendingCountOf(bucket: number): number {
    return this.buckets[bucket]?.length ?? 0;
  }
  pendingOf(bucket: number, k: number): WireEntry {
    return this.buckets[bucket]![k]!;
  }

  /** wire := wire ∪ {(m, X)} */
  add(m: Message, X: number): void {
    let byX = this.byMessage.get(m);
    if (byX === undefined) this.byMessage.set(m, (byX = new Map()));
    if (!this.everSentSet.has(m)) {
      this.everSentSet.add(m);
      this.everSent.push(m);
      this.see(m);
    }
    if (byX.has(X)) return;
    const slot: Slot = { m, X, at: this.entries.length, pendingAt: -1, bucketAt: -1, bucket: -1 };
    byX.set(X, slot);
    this.entries.push(slot);
    if (X !== 0) {
      slot.pendingAt = this.pendingList.length;
      this.pendingList.push(slot);
      slot.bucket = bucketOf(m);
      const bucket = (this.buckets[slot.bucket] ??= []);
      slot.bucketAt = bucket.length;
      bucket.push(slot);
    }
  }

  /** wire := wire − {(m, X)} */
  remove(m: Message, X: number): void {
    const byX = this.byMessage.get(m);
    const slot = byX?.get(X);
    if (slot === undefined || byX === undefined) return;
    byX.delete(X);
    if (byX.size === 0) this.byMessage.delete(m);
    swapRemove(this.entries, slot.at, (s, k) => (s.at = k));
    if (slot.pendingAt >= 0) {
      swapRemove(this.pendingList, slot.pendingAt, (s, k) => (s.pendingAt = k));
      swapRemove(this.buckets[slot.bucket]!, slot.bucketAt, (s, k) => (s.bucketAt = k));
    }
  }

  clone(): Wire {
    const w = new Wire();
    for (const m of this.everSent) {
      w.everSentSet.add(m);
      w.everSent.push(m);
      w.see(m);
    }
    for (const s of this.entries) w.add(s.m, s.X);
    return w;
  }
}

function swapRemove(list: Slot[], k: number, setIndex: (s: Slot, k: number) => void): void {
  const last = list.pop()!;
  if (k < list.length) {
    list[k] = last;
    setIndex(last, k);
  }
}

/** SEND(m, X)_x   Eff: wire := wire ∪ {(m, X)} */
export function send(wire: Wire, m: Message, X: number): void {
  wire.add(m, X);
}

/** MISBEHAVE(m, X, X')   Pre: (m, X) ∈ wire */
export function misbehavePre(wire: Wire, m: Message, X: number): boolean {
  return wire.has(m, X);
}
/** Eff: wire := wire − {(m, X)} ∪ {(m, X')} */
export function misbehave(wire: Wire, m: Message, X: number, X2: number): void {
  wire.remove(m, X);
  wire.add(m, X2);
}

/** RECEIVE(m)_x taking (m, X)   Pre: (m, X) ∈ wire ∧ x ∈ X */
export function receivePre(wire: Wire, m: Message, X: number, xBit: number): boolean {
  return (X & xBit) !== 0 && wire.has(m, X);
}
/** Eff: wire := wire − {(m, X)} ∪ {(m, X − {x})} */
export function receive(wire: Wire, m: Message, X: number, xBit: number): void {
  wire.remove(m, X);
  wire.add(m, X & ~xBit);
}
