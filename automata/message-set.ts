// A set of messages (a log in_i, a set P of a view-change, merge-P(V), ...) with the indexes the
// auxiliary functions of Fig 2-9 and A.1 ask for, so that prepared, committed, last-prepared and
// the certificate counts cost a few map look-ups instead of a scan of the whole log.
import type { Payload } from './messages.ts';
import type { Digest } from './digests.ts';
import type { Checkpoint, Commit, Interner, Message, NewView, PrePrepare, Prepare, Request, ViewChange } from './messages.ts';

function addTo<K, V>(map: Map<K, Set<V>>, k: K, v: V): void {
  let s = map.get(k);
  if (s === undefined) map.set(k, (s = new Set()));
  s.add(v);
}
function deleteFrom<K, V>(map: Map<K, Set<V>>, k: K, v: V): void {
  const s = map.get(k);
  if (s === undefined) return;
  s.delete(v);
  if (s.size === 0) map.delete(k);
}
const vnd = (v: number, n: number, d: Digest) => `${v}|${n}|${d}`;
const EMPTY: ReadonlySet<never> = new Set();

export class MessageSet {
  /** The members, in insertion order (deterministic for a given execution). */
  readonly all = new Set<Message>();
  readonly requests = new Set<Request>();
  /** PRE-PREPAREs by sequence number n, and by the request they carry. */
  readonly ppByN = new Map<number, Set<PrePrepare>>();
  readonly ppByRequest = new Map<Payload, Set<PrePrepare>>();
  /** PREPAREs by n (for garbage collection) and signers of PREPARE(v, n, d, ·). */
  readonly preparesByN = new Map<number, Set<Prepare>>();
  private readonly prepareSigners = new Map<string, Set<number>>();
  /** COMMITs by n, and signers of COMMIT(v, n, d, ·). */
  readonly commitsByN = new Map<number, Set<Commit>>();
  private readonly commitSigners = new Map<string, Set<number>>();
  /** CHECKPOINTs by n. */
  readonly checkpointsByN = new Map<number, Set<Checkpoint>>();
  readonly viewChangesByV = new Map<number, Set<ViewChange>>();
  readonly newViewsByV = new Map<number, Set<NewView>>();
  /**
   * With an owner replica i: the PRE-PREPAREs in the set for which ⟨COMMIT, v, n, D(m), i⟩ is not
   * in the set, the only candidates for SEND-COMMIT(m, v, n)_i (Fig 2-12).
   */
  readonly uncommitted = new Set<PrePrepare>();

  /** Open journals: each records every add and delete for one reader (invariants/delta.ts). */
  private readonly journals: Journal[] = [];

  constructor(
    private readonly interner: Interner,
    /** The replica whose own commits `uncommitted` tracks, or -1. */
    readonly owner: number = -1,
  ) {}

  static of(interner: Interner, ms: Iterable<Message>): MessageSet {
    const s = new MessageSet(interner);
    for (const m of ms) s.add(m);
    return s;
  }

  get size(): number {
    return this.all.size;
  }
  has(m: Message): boolean {
    return this.all.has(m);
  }

  /** Adds m; returns false if it was already there. */
  add(m: Message): boolean {
    if (this.all.has(m)) return false;
    this.all.add(m);
    for (const j of this.journals) j.added.push(m);
    switch (m.tag) {
      case 'REQUEST':
        this.requests.add(m);
        break;
      case 'PRE-PREPARE':
        addTo(this.ppByN, m.n, m);
        addTo(this.ppByRequest, m.m, m);
        if (this.owner >= 0 && !this.hasCommitFrom(m.v, m.n, this.interner.digest(m.m), this.owner)) this.uncommitted.add(m);
        break;
      case 'PREPARE':
        addTo(this.preparesByN, m.n, m);
        addTo(this.prepareSigners, vnd(m.v, m.n, m.d), m.j);
        break;
      case 'COMMIT':
        addTo(this.commitsByN, m.n, m);
        addTo(this.commitSigners, vnd(m.v, m.n, m.d), m.j);
        if (m.j === this.owner) for (const p of this.prePreparesFor(m.v, m.n, m.d)) this.uncommitted.delete(p);
        break;
      case 'CHECKPOINT':
        addTo(this.checkpointsByN, m.n, m);
        break;
      case 'VIEW-CHANGE':
        addTo(this.viewChangesByV, m.v, m);
        break;
      case 'NEW-VIEW':
        addTo(this.newViewsByV, m.v, m);
        break;
      case 'REPLY':
        break;
    }
    return true;
  }

  /** Removes m; returns false if it was not there. */
  delete(m: Message): boolean {
    if (!this.all.delete(m)) return false;
    for (const j of this.journals) j.removed.push(m);
    switch (m.tag) {
      case 'REQUEST':
        this.requests.delete(m);
        break;
      case 'PRE-PREPARE':
        deleteFrom(this.ppByN, m.n, m);
        deleteFrom(this.ppByRequest, m.m, m);
        this.uncommitted.delete(m);
        break;
      case 'PREPARE':
        deleteFrom(this.preparesByN, m.n, m);
        deleteFrom(this.prepareSigners, vnd(m.v, m.n, m.d), m.j);
        break;
      case 'COMMIT':
        deleteFrom(this.commitsByN, m.n, m);
        deleteFrom(this.commitSigners, vnd(m.v, m.n, m.d), m.j);
        if (m.j === this.owner) for (const p of this.prePreparesFor(m.v, m.n, m.d)) this.uncommitted.add(p);
        break;
      case 'CHECKPOINT':
        deleteFrom(this.checkpointsByN, m.n, m);
        break;
      case 'VIEW-CHANGE':
        deleteFrom(this.viewChangesByV, m.v, m);
        break;
      case 'NEW-VIEW':
        deleteFrom(this.newViewsByV, m.v, m);
        break;
      case 'REPLY':
        break;
    }
    return true;
  }

  /** PRE-PREPAREs with view v and sequence number n whose request has digest d. */
  private *prePreparesFor(v: number, n: number, d: Digest): Iterable<PrePrepare> {
    for (const p of this.ppByN.get(n) ?? EMPTY) if (p.v === v && this.interner.digest(p.m) === d) yield p;
  }

  /** Signers k of ⟨PREPARE, v, n, d, k⟩σk in the set. */
  prepareSignersOf(v: number, n: number, d: Digest): ReadonlySet<number> {
    return this.prepareSigners.get(vnd(v, n, d)) ?? EMPTY;
  }
  /** Signers k of ⟨COMMIT, v, n, d, k⟩σk in the set. */
  commitSignersOf(v: number, n: number, d: Digest): ReadonlySet<number> {
    return this.commitSigners.get(vnd(v, n, d)) ?? EMPTY;
  }
  hasCommitFrom(v: number, n: number, d: Digest, k: number): boolean {
    return this.commitSignersOf(v, n, d).has(k);
  }
  /** ⟨PRE-PREPARE, v, n, m⟩σsigner ∈ set */
  hasPrePrepare(v: number, n: number, m: Payload, signer: number): boolean {
    for (const p of this.ppByN.get(n) ?? EMPTY) if (p.v === v && p.m === m && p.signer === signer) return true;
    return false;
  }
  /** ∃ n' : ⟨PRE-PREPARE, v, n', m⟩σsigner ∈ set */
  hasPrePrepareOf(v: number, m: Payload, signer: number): boolean {
    for (const p of this.ppByRequest.get(m) ?? EMPTY) if (p.v === v && p.signer === signer) return true;
    return false;
  }
  prePreparesAt(n: number): ReadonlySet<PrePrepare> {
    return this.ppByN.get(n) ?? EMPTY;
  }

  /**
   * A new journal of this set's adds and deletes from now on, for one reader, who takes what it
   * recorded with Journal.take. Close it when done, or it keeps recording.
   */
  openJournal(): Journal {
    const j = new Journal(this);
    this.journals.push(j);
    return j;
  }
  /** Stops a journal's recording. */
  closeJournal(j: Journal): void {
    const k = this.journals.indexOf(j);
    if (k >= 0) this.journals.splice(k, 1);
  }

  /** A copy with the same members, in the same order (with no journals open). */
  clone(): MessageSet {
    const s = new MessageSet(this.interner, this.owner);
    for (const m of this.all) s.add(m);
    return s;
  }
}

/** What a message set recorded for one reader since the reader last took it. */
export class Journal {
  added: Message[] = [];
  removed: Message[] = [];
  constructor(readonly of: MessageSet) {}
  /** The adds and deletes recorded since the previous take, in order; recording goes on. */
  take(): { added: Message[]; removed: Message[] } {
    const out = { added: this.added, removed: this.removed };
    this.added = [];
    this.removed = [];
    return out;
  }
}
