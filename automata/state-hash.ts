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

/** Two independent 32-bit hashes of a string (MurmurHash3's mixing, two seeds). */
function hash2(s: string): [number, number] {
  let a = 0x9747b28c;
  let b = 0x5bd1e995;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    a = Math.imul(a ^ c, 0xcc9e2d51);
    a = (a << 15) | (a >>> 17);
    b = Math.imul(b ^ c, 0x1b873593);
    b = (b << 13) | (b >>> 19);
  }
  const fmix = (h: number) => {
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  };
  return [fmix(a ^ s.length), fmix(b ^ (s.length * 31))];
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
    const [x, y] = hash2(e);
    this.lo = (this.lo + sign * x) >>> 0;
    this.hi = (this.hi + sign * y) >>> 0;
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
    return this.hi.toString(16).padStart(8, '0') + this.lo.toString(16).padStart(8, '0');
  }

  private d(m: Message | null): string {
    return this.u.interner.digest(m);
  }
  private scalarsOf(r: ReplicaState): string {
    const I = this.u.interner;
    const chk = r.chkpts.map((p) => `${p.n}:${I.valueDigest(p.s)}`).join(',');
    return `R|${r.i}|${r.faulty}|${r.view}|${r.lastExec}|${r.seqno}|${this.u.service.encode(r.val)}|${JSON.stringify(r.lastRep)}|${r.lastRepT.join(',')}|${chk}`;
  }
  private outOf(r: ReplicaState): string {
    return `O|${r.i}|${[...r.out].map((m) => this.d(m)).sort().join(',')}`;
  }
  private proxyOf(p: SystemState['proxies'][number]): string {
    const inc = [...p.in].map((m) => this.d(m)).sort().join(',');
    return `P|${p.c}|${p.view}|${p.out === null ? '-' : this.d(p.out)}|${p.lastReq}|${p.retrans}|${p.faulty}|${inc}`;
  }
  private inOf(i: number, m: Message): string {
    return `I|${i}|${this.d(m)}`;
  }
  private wireOf(m: Message, X: number): string {
    return `W|${this.d(m)}|${X}`;
  }
}

/** The fingerprint of s computed from scratch (the same value the incremental one reaches). */
export function stateHash(u: Universe, s: SystemState): string {
  const h = new StateHasher(u).reset(s);
  h.close();
  return h.value;
}
