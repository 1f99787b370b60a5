// The universal message set M (Sections 2.3 and 2.4.4, Fig 2-8 and A.1) and the crypto model.
//
// Signatures are symbolic: a message names its signer (σ_c, σ_i), and a node's automaton can only
// build messages that it signs itself; others' messages it can only pass on. Digests are
// SHA-256 over a canonical encoding (digests.ts). Every distinct message exists exactly once
// (interned by a canonical key), so messages compare by identity and a set of messages is a
// set of object references; each digest is computed at most once, on first use.
import { D, type Digest } from './digests.ts';
import type { Result, ServiceState, StateMachine } from './services.ts';

/** ⟨REQUEST, o, t, c⟩σc */
export interface Request {
  readonly tag: 'REQUEST';
  readonly id: number;
  readonly o: string;
  readonly t: number;
  readonly c: number;
}
/** ⟨REPLY, v, t, c, i, r⟩σi */
export interface Reply {
  readonly tag: 'REPLY';
  readonly id: number;
  readonly v: number;
  readonly t: number;
  readonly c: number;
  readonly i: number;
  readonly r: Result;
}
/**
 * ⟨PRE-PREPARE, v, n, m⟩σsigner, where m ∈ M is any message (Fig 2-8 and A.1: m ∈ M) or null (the
 * null request, Section 2.3.5). Correct primaries only pre-prepare requests and null; a faulty one
 * may pre-prepare anything it can sign or has seen.
 */
export interface PrePrepare {
  readonly tag: 'PRE-PREPARE';
  readonly id: number;
  readonly v: number;
  readonly n: number;
  readonly m: Message | null;
  readonly signer: number;
}
/** ⟨PREPARE, v, n, d, j⟩σj */
export interface Prepare {
  readonly tag: 'PREPARE';
  readonly id: number;
  readonly v: number;
  readonly n: number;
  readonly d: Digest;
  readonly j: number;
}
/** ⟨COMMIT, v, n, d, j⟩σj */
export interface Commit {
  readonly tag: 'COMMIT';
  readonly id: number;
  readonly v: number;
  readonly n: number;
  readonly d: Digest;
  readonly j: number;
}
/** ⟨CHECKPOINT, v, n, d, j⟩σj (Fig 2-8, read as in READING-NOTES 4) */
export interface Checkpoint {
  readonly tag: 'CHECKPOINT';
  readonly id: number;
  readonly v: number;
  readonly n: number;
  readonly d: Digest;
  readonly j: number;
}
/** The stable-checkpoint part of the A_gc view-change message: n, s and C (C ⊆ M, Fig 2-8). */
export interface ViewChangeCheckpoint {
  readonly n: number;
  readonly s: CheckpointValue;
  readonly C: readonly Message[];
}
/**
 * ⟨VIEW-CHANGE, v, P, j⟩σj (A.1) when `gc` is null, and ⟨VIEW-CHANGE, v, n, s, C, P, j⟩σj
 * (Fig 2-13) when `gc` holds n, s and C.
 */
export interface ViewChange {
  readonly tag: 'VIEW-CHANGE';
  readonly id: number;
  readonly v: number;
  readonly gc: ViewChangeCheckpoint | null;
  /** P ⊆ M (Fig 2-8, A.1): a correct replica puts pre-prepares and prepares in it; a faulty one anything. */
  readonly P: readonly Message[];
  readonly j: number;
}
/** ⟨NEW-VIEW, v, V, O, N⟩σsigner, with V, O, N ⊆ M (Fig 2-8, A.1). */
export interface NewView {
  readonly tag: 'NEW-VIEW';
  readonly id: number;
  readonly v: number;
  readonly V: readonly Message[];
  readonly O: readonly Message[];
  readonly N: readonly Message[];
  readonly signer: number;
}

export type Message = Request | Reply | PrePrepare | Prepare | Commit | Checkpoint | ViewChange | NewView;
/** What a pre-prepare carries: any message m ∈ M, or null (the null request). */
export type Payload = Message | null;
export type Tag = Message['tag'];

/** A checkpoint value ⟨val, last-rep, last-rep-t⟩ ∈ V' (Fig 2-8), interned like messages. */
export interface CheckpointValue {
  readonly id: number;
  readonly val: ServiceState;
  readonly lastRep: readonly Result[];
  readonly lastRepT: readonly number[];
}

/** m is a pre-prepare or a prepare: what a correct replica puts in a view-change's P. */
export function isPrepareLike(m: Message): m is PrePrepare | Prepare {
  return m.tag === 'PRE-PREPARE' || m.tag === 'PREPARE';
}

/** Who signed a message: a client (σ_c) or a replica (σ_i). */
export interface Signer {
  readonly kind: 'client' | 'replica';
  readonly id: number;
}

/** The signer named by a well-formed message: the identity field equals the signer. */
export function signerOf(m: Message): Signer {
  switch (m.tag) {
    case 'REQUEST':
      return { kind: 'client', id: m.c };
    case 'REPLY':
      return { kind: 'replica', id: m.i };
    case 'PRE-PREPARE':
    case 'NEW-VIEW':
      return { kind: 'replica', id: m.signer };
    default:
      return { kind: 'replica', id: m.j };
  }
}

/** The signed messages a message carries: a pre-prepare's request, the P and C of a view-change, the V, O and N of a new-view. */
export function nestedMessages(m: Message): readonly Message[] {
  switch (m.tag) {
    case 'PRE-PREPARE':
      return m.m === null ? [] : [m.m];
    case 'VIEW-CHANGE':
      return m.gc === null ? m.P : [...m.gc.C, ...m.P];
    case 'NEW-VIEW':
      return [...m.V, ...m.O, ...m.N];
    default:
      return [];
  }
}

const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;
const ids = (xs: readonly { id: number }[]) => xs.map((x) => x.id).join(',');

/**
 * The interner of one universe (one configuration): builds each distinct message or checkpoint
 * value once and computes digests lazily, once each.
 */
export class Interner {
  private readonly table = new Map<string, Message>();
  private readonly values = new Map<string, CheckpointValue>();
  private readonly digests: Digest[] = [];
  private readonly valueDigests: Digest[] = [];
  private readonly list: Message[] = [];
  private readonly valueList: CheckpointValue[] = [];
  private readonly valueKeys: string[] = [];
  /** D(null): the digest of the special null request (Section 2.3.5). */
  readonly nullDigest: Digest = D('null-request');

  constructor(readonly service: StateMachine) {}

  /** Number of distinct messages built so far. */
  get size(): number {
    return this.list.length;
  }
  /** The message with interning id `id`. */
  byId(id: number): Message {
    const m = this.list[id];
    if (m === undefined) throw new RangeError(`no message with id ${id}`);
    return m;
  }

  private intern<M extends Message>(key: string, build: (id: number) => M): M {
    const found = this.table.get(key);
    if (found !== undefined) return found as M;
    const m = build(this.list.length);
    this.table.set(key, m);
    this.list.push(m);
    return m;
  }

  request(o: string, t: number, c: number): Request {
    return this.intern(`Q|${JSON.stringify(o)}|${t}|${c}`, (id) => ({ tag: 'REQUEST', id, o, t, c }));
  }
  reply(v: number, t: number, c: number, i: number, r: Result): Reply {
    return this.intern(`R|${v}|${t}|${c}|${i}|${JSON.stringify(r)}`, (id) => ({ tag: 'REPLY', id, v, t, c, i, r }));
  }
  prePrepare(v: number, n: number, m: Message | null, signer: number): PrePrepare {
    return this.intern(`PP|${v}|${n}|${m === null ? -1 : m.id}|${signer}`, (id) => ({ tag: 'PRE-PREPARE', id, v, n, m, signer }));
  }
  prepare(v: number, n: number, d: Digest, j: number): Prepare {
    return this.intern(`P|${v}|${n}|${d}|${j}`, (id) => ({ tag: 'PREPARE', id, v, n, d, j }));
  }
  commit(v: number, n: number, d: Digest, j: number): Commit {
    return this.intern(`C|${v}|${n}|${d}|${j}`, (id) => ({ tag: 'COMMIT', id, v, n, d, j }));
  }
  checkpoint(v: number, n: number, d: Digest, j: number): Checkpoint {
    return this.intern(`K|${v}|${n}|${d}|${j}`, (id) => ({ tag: 'CHECKPOINT', id, v, n, d, j }));
  }
  viewChange(v: number, gc: ViewChangeCheckpoint | null, P: readonly Message[], j: number): ViewChange {
    const sortedP = [...new Set(P)].sort(byId);
    const sortedC = gc === null ? [] : [...new Set(gc.C)].sort(byId);
    const gcKey = gc === null ? '-' : `${gc.n}|${gc.s.id}|${ids(sortedC)}`;
    return this.intern(`VC|${v}|${gcKey}|${ids(sortedP)}|${j}`, (id) => ({
      tag: 'VIEW-CHANGE',
      id,
      v,
      gc: gc === null ? null : { n: gc.n, s: gc.s, C: sortedC },
      P: sortedP,
      j,
    }));
  }
  newView(v: number, V: readonly Message[], O: readonly Message[], N: readonly Message[], signer: number): NewView {
    const sV = [...new Set(V)].sort(byId);
    const sO = [...new Set(O)].sort(byId);
    const sN = [...new Set(N)].sort(byId);
    return this.intern(`NV|${v}|${ids(sV)}|${ids(sO)}|${ids(sN)}|${signer}`, (id) => ({ tag: 'NEW-VIEW', id, v, V: sV, O: sO, N: sN, signer }));
  }

  /** ⟨val, last-rep, last-rep-t⟩ as one interned value. */
  checkpointValue(val: ServiceState, lastRep: readonly Result[], lastRepT: readonly number[]): CheckpointValue {
    const key = `${this.service.encode(val)}|${lastRep.map((r) => JSON.stringify(r)).join(',')}|${lastRepT.join(',')}`;
    const found = this.values.get(key);
    if (found !== undefined) return found;
    const v: CheckpointValue = { id: this.valueList.length, val, lastRep: [...lastRep], lastRepT: [...lastRepT] };
    this.values.set(key, v);
    this.valueList.push(v);
    this.valueKeys.push(key);
    return v;
  }

  /** D(m) for a message, or D(null) for the null request. */
  digest(m: Message | null): Digest {
    if (m === null) return this.nullDigest;
    let d = this.digests[m.id];
    if (d === undefined) {
      d = D(this.encode(m));
      this.digests[m.id] = d;
    }
    return d;
  }
  /** D(s) for a checkpoint value s. */
  valueDigest(s: CheckpointValue): Digest {
    let d = this.valueDigests[s.id];
    if (d === undefined) {
      d = D(`VALUE|${this.valueKeys[s.id]}`);
      this.valueDigests[s.id] = d;
    }
    return d;
  }

  /** The canonical encoding hashed by D: fields in order, sub-messages by their digests, sets sorted. */
  private encode(m: Message): string {
    const set = (xs: readonly Message[]) => xs.map((x) => this.digest(x)).sort().join(',');
    switch (m.tag) {
      case 'REQUEST':
        return `REQUEST|${JSON.stringify(m.o)}|${m.t}|c${m.c}`;
      case 'REPLY':
        return `REPLY|${m.v}|${m.t}|c${m.c}|${m.i}|${JSON.stringify(m.r)}`;
      case 'PRE-PREPARE':
        return `PRE-PREPARE|${m.v}|${m.n}|${this.digest(m.m)}|σ${m.signer}`;
      case 'PREPARE':
      case 'COMMIT':
      case 'CHECKPOINT':
        return `${m.tag}|${m.v}|${m.n}|${m.d}|${m.j}`;
      case 'VIEW-CHANGE':
        return m.gc === null
          ? `VIEW-CHANGE|${m.v}|{${set(m.P)}}|${m.j}`
          : `VIEW-CHANGE|${m.v}|${m.gc.n}|${this.valueDigest(m.gc.s)}|{${set(m.gc.C)}}|{${set(m.P)}}|${m.j}`;
      case 'NEW-VIEW':
        return `NEW-VIEW|${m.v}|{${set(m.V)}}|{${set(m.O)}}|{${set(m.N)}}|σ${m.signer}`;
    }
  }
}
