// What changed since the last check, so that invariants can re-examine only that part of the
// state (incremental evaluation). Every change to a log goes through MessageSet.add/delete and is
// recorded in each open journal (one per tracker, so several trackers may watch one state); out_i
// remembers its additions (automata/out-set.ts); the wire only ever gains messages.
import type { SystemState } from '../automata/compose.ts';
import type { Message } from '../automata/messages.ts';
import type { Journal } from '../automata/message-set.ts';
import type { OutSet } from '../automata/out-set.ts';

export interface Delta {
  /** Re-examine everything: the first check of a run, or a change of faulty flags. */
  full: boolean;
  /** Replicas any of whose variables changed. */
  replicas: ReadonlySet<number>;
  /** Per replica: messages added to and removed from in_i. */
  inAdded: ReadonlyMap<number, readonly Message[]>;
  inRemoved: ReadonlyMap<number, readonly Message[]>;
  /** Per replica: messages added to out_i. */
  outAdded: ReadonlyMap<number, readonly Message[]>;
  /** Messages put on the wire for the first time. */
  wireAdded: readonly Message[];
  /** Replicas whose scalar variables (view, seqno, last-exec, val, last-rep, last-rep-t, chkpts) changed. */
  scalars: ReadonlySet<number>;
  /** Structures derived from the state that several invariants read, kept by the tracker. */
  shared: SharedDerived;
}

/**
 * Derived structures shared by the invariants that one tracker feeds: each is built on a full
 * delta and updated once per delta, however many invariants ask for it.
 */
export class SharedDerived {
  private readonly entries = new Map<string, { value: unknown; delta: Delta; changes: unknown }>();

  /** The structure under `key`, brought up to `delta`, with what `update` returned for it (null when built). */
  get<T, C>(delta: Delta, key: string, build: () => T, update: (value: T) => C): { value: T; changes: C | null } {
    let e = this.entries.get(key);
    if (e === undefined || delta.full) {
      if (e?.delta !== delta) this.entries.set(key, (e = { value: build(), delta, changes: null }));
    } else if (e.delta !== delta) {
      e.changes = update(e.value as T);
      e.delta = delta;
    }
    return { value: e!.value as T, changes: e!.changes as C | null };
  }
}

interface ReplicaSnapshot {
  /** out_i itself, where it stood in its additions, and its version (out_i is not copied). */
  out: OutSet;
  outAdditions: number;
  outVersion: number;
  view: number;
  seqno: number;
  lastExec: number;
  val: unknown;
  lastRep: readonly string[];
  lastRepT: readonly number[];
  chkpts: unknown;
  faulty: boolean;
}

export class DeltaTracker {
  private readonly shared = new SharedDerived();
  private snapshots: ReplicaSnapshot[] | null = null;
  /** This tracker's journal of each replica's log (a log replaced, e.g. by a clone, gets a new one). */
  private journals: (Journal | undefined)[] = [];
  private wireSeen = 0;
  private proxiesFaulty: boolean[] = [];

  /** The changes since the previous call (the first call reports everything). */
  next(s: SystemState): Delta {
    const first = this.snapshots === null;
    const replicas = new Set<number>();
    const scalars = new Set<number>();
    const inAdded = new Map<number, Message[]>();
    const inRemoved = new Map<number, Message[]>();
    const outAdded = new Map<number, Message[]>();
    let full = first;
    const snaps: ReplicaSnapshot[] = [];
    for (const r of s.replicas) {
      let journal = this.journals[r.i];
      if (journal === undefined || journal.of !== r.in) {
        journal?.of.closeJournal(journal);
        journal = this.journals[r.i] = r.in.openJournal();
        full = true;
      }
      const j = journal.take();
      const prev = this.snapshots?.[r.i];
      if (j.added.length > 0) inAdded.set(r.i, j.added);
      if (j.removed.length > 0) inRemoved.set(r.i, j.removed);
      // A new out set (a clone) is read whole; otherwise only what was added since.
      const sameOut = prev !== undefined && prev.out === r.out;
      const added = sameOut ? (prev.outVersion === r.out.version ? [] : r.out.addedSince(prev.outAdditions)) : [...r.out];
      if (added.length > 0) outAdded.set(r.i, added);
      const snap: ReplicaSnapshot = {
        out: r.out,
        outAdditions: r.out.additionCount,
        outVersion: r.out.version,
        view: r.view,
        seqno: r.seqno,
        lastExec: r.lastExec,
        val: r.val,
        lastRep: [...r.lastRep],
        lastRepT: [...r.lastRepT],
        chkpts: r.chkpts,
        faulty: r.faulty,
      };
      snaps.push(snap);
      const scalarChanged =
        prev === undefined ||
        prev.view !== r.view ||
        prev.seqno !== r.seqno ||
        prev.lastExec !== r.lastExec ||
        prev.val !== r.val ||
        !sameArray(prev.lastRep, r.lastRep) ||
        !sameArray(prev.lastRepT, r.lastRepT) ||
        prev.chkpts !== r.chkpts;
      if (scalarChanged) scalars.add(r.i);
      if (prev !== undefined && prev.faulty !== r.faulty) full = true;
      if (scalarChanged || j.added.length || j.removed.length || added.length || !sameOut || prev.outVersion !== r.out.version)
        replicas.add(r.i);
    }
    const proxiesFaulty = s.proxies.map((p) => p.faulty);
    if (!first && proxiesFaulty.some((x, c) => x !== this.proxiesFaulty[c])) full = true;
    this.proxiesFaulty = proxiesFaulty;
    this.snapshots = snaps;
    const wireAdded = s.wire.messagesSince(this.wireSeen);
    this.wireSeen = s.wire.messageCount;
    return { full, replicas, inAdded, inRemoved, outAdded, wireAdded, scalars, shared: this.shared };
  }
}

function sameArray<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, k) => x === b[k]);
}

/** The sequence numbers of the messages added to or removed from in_i (PRE-PREPARE to CHECKPOINT). */
export function touchedNs(delta: Delta, i: number): Set<number> {
  const out = new Set<number>();
  for (const list of [delta.inAdded.get(i), delta.inRemoved.get(i)])
    for (const m of list ?? [])
      if (m.tag === 'PRE-PREPARE' || m.tag === 'PREPARE' || m.tag === 'COMMIT' || m.tag === 'CHECKPOINT') out.add(m.n);
  return out;
}

/** The net change of in_i over a delta: what is in it now and was not, and what was and is not. */
export interface LogChange {
  readonly added: readonly Message[];
  readonly removed: readonly Message[];
}

/**
 * The net change of in_i from the journal: an add succeeds only on an absent message and a
 * delete only on a present one, so across one delta the adds and deletes of a message alternate
 * and their difference (+1, 0, −1) says whether it came, stayed as it was, or went.
 */
export function netInChange(delta: Delta, i: number): LogChange {
  const add = delta.inAdded.get(i) ?? [];
  const rem = delta.inRemoved.get(i) ?? [];
  if (rem.length === 0 || add.length === 0) return { added: add, removed: rem };
  const net = new Map<Message, number>();
  for (const m of add) net.set(m, (net.get(m) ?? 0) + 1);
  for (const m of rem) net.set(m, (net.get(m) ?? 0) - 1);
  const added: Message[] = [];
  const removed: Message[] = [];
  for (const [m, k] of net) {
    if (k > 0) added.push(m);
    else if (k < 0) removed.push(m);
  }
  return { added, removed };
}
