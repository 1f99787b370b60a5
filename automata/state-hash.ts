// A 64-bit fingerprint of a global state that is updated by what a step changed, not recomputed:
// the state is a multiset of elements (each replica's scalar variables, each message of each
// in_i, each replica's out_i, each proxy, each (m, X) of the wire), and its hash is
// the sum, lane by lane modulo 2^32, of the elements' hashes. Elements are written with digests
// (not interning ids), so the same state reached in two universes or by two paths hashes the same.
// It is for recognising states (replay checks, exhaustive search), not for security. A faulty
// node counts by its flag only: its stand-in's internals are not part of the automata's state
// (a trace replays a faulty node's sends as explicit actions, whatever stand-in is installed).
import type { Action } from './actions.ts';
import type { SystemState } from './compose.ts';
import type { Journal } from './message-set.ts';
import type { Message } from './messages.ts';
import type { ReplicaState } from './replica-state.ts';
import type { Universe } from './universe.ts';

// MurmurHash3's finalizer, at module level: a closure inside the hash would be re-created (and,
// under tsx, re-named) for every element.
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The two lanes of the last hashInto, so that hashing an element allocates nothing. */
let laneLo = 0;
let laneHi = 0;

/** Two independent 32-bit hashes of a string (MurmurHash3's mixing, two seeds), into laneLo and laneHi. */
function hashInto(s: string): void {
  let a = 0x9747b28c;
  let b = 0x5bd1e995;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    a = Math.imul(a ^ c, 0xcc9e2d51);
    a = (a << 15) | (a >>> 17);
    b = Math.imul(b ^ c, 0x1b873593);
    b = (b << 13) | (b >>> 19);
  }
  laneLo = fmix(a ^ s.length);
  laneHi = fmix(b ^ (s.length * 31));
}

/** The two lanes of one element's hash: what the fingerprint sums, lane by lane modulo 2^32. */
export interface Lanes {
  readonly lo: number;
  readonly hi: number;
}

/** The lanes of element e (one of the strings below). */
export function elementLanes(e: string): Lanes {
  hashInto(e);
  return { lo: laneLo, hi: laneHi };
}

/** The fingerprint's text from its lanes: 16 hex digits, the high lane first. */
export function fingerprintText(lo: number, hi: number): string {
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}

// The elements of a state, as strings. Exported for incremental users that keep their own sums
// (sim/explore via state-hash-parts.ts); StateHasher uses the same functions, so they agree.

/** A replica's scalar variables (and chkpts_i). */
export function scalarsElement(u: Universe, r: ReplicaState): string {
  const I = u.interner;
  const chk = r.chkpts.map((p) => `${p.n}:${I.valueDigest(p.s)}`).join(',');
  return `R|${r.i}|${r.faulty}|${r.view}|${r.lastExec}|${r.seqno}|${u.service.encode(r.val)}|${JSON.stringify(r.lastRep)}|${r.lastRepT.join(',')}|${chk}`;
}
/** A replica's out_i, as one element. */
export function outElement(u: Universe, r: ReplicaState): string {
  return `O|${r.i}|${[...r.out].map((m) => u.interner.digest(m)).sort().join(',')}`;
}
/** A proxy, as one element. */
export function proxyElement(u: Universe, p: SystemState['proxies'][number]): string {
  const d = (m: Message | null) => u.interner.digest(m);
  const inc = [...p.in].map(d).sort().join(',');
  return `P|${p.c}|${p.view}|${p.out === null ? '-' : d(p.out)}|${p.lastReq}|${p.retrans}|${p.faulty}|${inc}`;
}
/** One message m of in_i. */
export function inElement(u: Universe, i: number, m: Message): string {
  return `I|${i}|${u.interner.digest(m)}`;
}
/** One element (m, X) of the wire. */
export function wireElement(u: Universe, m: Message, X: number): string {
  return `W|${u.interner.digest(m)}|${X}`;
}

export class StateHasher {
  private lo = 0;
  private hi = 0;
  /** The current element string of each replica's scalars, out set, and of each proxy. */
  private scalars: string[] = [];
  private outs: string[] = [];
  private proxies: string[] = [];
  private journals: Journal[] = [];
  private wireBefore: string[] = [];

  constructor(private readonly u: Universe) {}

  private add(e: string, sign: 1 | -1): void {
    hashInto(e);
    this.lo = (this.lo + sign * laneLo) >>> 0;
    this.hi = (this.hi + sign * laneHi) >>> 0;
  }
  private replace(old: string, now: string): void {
    if (old === now) return;
    this.add(old, -1);
    this.add(now, 1);
  }

  /** Stops watching the logs. */
  close(): void {
    for (const j of this.journals) j.of.closeJournal(j);
    this.journals = [];
  }

  /** Starts from s: hashes every element, and watches the logs from now on. */
  reset(s: SystemState): this {
    this.lo = this.hi = 0;
    this.close();
    this.journals = s.replicas.map((r) => r.in.openJournal());
    this.scalars = s.replicas.map((r) => this.scalarsOf(r));
    this.outs = s.replicas.map((r) => this.outOf(r));
    this.proxies = s.proxies.map((p) => this.proxyOf(p));
    for (const e of [...this.scalars, ...this.outs, ...this.proxies]) this.add(e, 1);
    for (const r of s.replicas) for (const m of r.in.all) this.add(this.inOf(r.i, m), 1);
    for (const e of s.wire.all()) this.add(this.wireOf(e.m, e.X), 1);
    return this;
  }

  /** Before step a from s: remembers the wire entries a touches. */
  before(s: SystemState, a: Action): void {
    this.wireBefore = a.kind === 'SEND' || a.kind === 'RECEIVE' || a.kind === 'MISBEHAVE' ? s.wire.entriesOf(a.m).map((e) => this.wireOf(e.m, e.X)) : [];
  }

  /** After step a, now in s: folds in what changed. */
  after(s: SystemState, a: Action): void {
    if (a.kind === 'SEND' || a.kind === 'RECEIVE' || a.kind === 'MISBEHAVE') {
      for (const e of this.wireBefore) this.add(e, -1);
      for (const e of s.wire.entriesOf(a.m)) this.add(this.wireOf(e.m, e.X), 1);
    }
    s.replicas.forEach((r, i) => {
      const j = this.journals[i]!;
      if (j.of !== r.in) throw new Error('StateHasher: a log was replaced; call reset');
      const { added, removed } = j.take();
      for (const m of added) this.add(this.inOf(i, m), 1);
      for (const m of removed) this.add(this.inOf(i, m), -1);
      const sc = this.scalarsOf(r);
      this.replace(this.scalars[i]!, sc);
      this.scalars[i] = sc;
      const out = this.outOf(r);
      this.replace(this.outs[i]!, out);
      this.outs[i] = out;
    });
    s.proxies.forEach((p, c) => {
      const e = this.proxyOf(p);
      this.replace(this.proxies[c]!, e);
      this.proxies[c] = e;
    });
  }

  /** The fingerprint: 16 hex digits. */
  get value(): string {
    return fingerprintText(this.lo, this.hi);
  }

  private scalarsOf(r: ReplicaState): string {
    return scalarsElement(this.u, r);
  }
  private outOf(r: ReplicaState): string {
    return outElement(this.u, r);
  }
  private proxyOf(p: SystemState['proxies'][number]): string {
    return proxyElement(this.u, p);
  }
  private inOf(i: number, m: Message): string {
    return inElement(this.u, i, m);
  }
  private wireOf(m: Message, X: number): string {
    return wireElement(this.u, m, X);
  }
}

/** The fingerprint of s computed from scratch (the same value the incremental one reaches). */
export function stateHash(u: Universe, s: SystemState): string {
  const h = new StateHasher(u).reset(s);
  h.close();
  return h.value;
}
