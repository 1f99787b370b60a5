// x.Wire+o (Def A.2.2: the messages on the wire or in the out of a non-faulty replica), indexed by
// sequence number for the catch-up sequence C of Theorem A.2.5's proof. The wire only gains
// messages, so its part is indexed incrementally; the out sets are small and read when asked.
//
// E18: with Wire as Def A.2.2 writes it (the messages sent), C has no tuple for a null request:
// its pre-prepare travels only inside a NEW-VIEW (the same gap as E4 in committed-Wire). Corrected
// (default): Wire+o holds the messages nested in its messages too (E4's Wire); `nested = false`
// is the literal form.
import type { SystemState } from '../automata/compose.ts';
import type { Digest } from '../automata/digests.ts';
import { nestedMessages, type Commit, type Message, type PrePrepare, type Request, type Payload } from '../automata/messages.ts';
import type { Universe } from '../automata/universe.ts';

/** A tuple (v_n, R_n, m_n) of C, with the pre-prepares for m_n at n (signed by primary(v')) in x.Wire+o. */
export interface CatchUpTuple {
  v: number;
  R: number[];
  m: Payload;
  prePrepares: PrePrepare[];
}

export class WireOIndex {
  private seen = 0;
  private readonly commits = new Map<number, Commit[]>();
  private readonly prePrepares = new Map<number, PrePrepare[]>();
  private readonly requests = new Map<Digest, Request>();
  private outs: Message[] = [];

  constructor(
    private readonly u: Universe,
    /** Whether messages nested in others count (E18 corrected) or only the messages themselves. */
    private readonly nested: boolean,
  ) {}

  /** Bring the index up to x (call before tuple). */
  sync(x: SystemState): void {
    for (const m of x.wire.messagesSince(this.seen)) this.index(m, this.commits, this.prePrepares, this.requests);
    this.seen = x.wire.messageCount;
    this.outs = x.replicas.filter((r) => !r.faulty).flatMap((r) => [...r.out]);
  }

  private index(m: Message, commits: Map<number, Commit[]>, pps: Map<number, PrePrepare[]>, reqs: Map<Digest, Request>): void {
    if (this.nested) for (const n of nestedMessages(m)) this.index(n, commits, pps, reqs);
    if (m.tag === 'COMMIT') push(commits, m.n, m);
    else if (m.tag === 'PRE-PREPARE' && m.signer === this.u.primary(m.v)) push(pps, m.n, m);
    else if (m.tag === 'REQUEST') reqs.set(this.u.interner.digest(m), m);
  }

  /** The tuple C takes for n in a new view v: the lowest v_n < v (then the least digest) with a request or pre-prepare; null if none. */
  tuple(n: number, v: number): CatchUpTuple | null {
    const u = this.u;
    const commits = new Map<number, Commit[]>();
    const pps = new Map<number, PrePrepare[]>();
    const reqs = new Map<Digest, Request>();
    for (const m of this.outs) this.index(m, commits, pps, reqs);
    const allCommits = [...(this.commits.get(n) ?? []), ...(commits.get(n) ?? [])];
    const allPps = [...(this.prePrepares.get(n) ?? []), ...(pps.get(n) ?? [])].sort((a, b) => a.v - b.v || a.id - b.id);
    const groups = new Map<string, { v: number; d: Digest; signers: Set<number> }>();
    for (const c of allCommits) {
      if (!(c.v < v)) continue;
      const key = `${c.v}|${c.d}`;
      let g = groups.get(key);
      if (g === undefined) groups.set(key, (g = { v: c.v, d: c.d, signers: new Set() }));
      g.signers.add(c.j);
    }
    const ordered = [...groups.values()].sort((a, b) => a.v - b.v || (a.d < b.d ? -1 : a.d > b.d ? 1 : 0));
    for (const g of ordered) {
      if (g.signers.size <= 2 * u.f) continue;
      const R = [...g.signers].sort((a, b) => a - b).slice(0, 2 * u.f + 1);
      const prePrepares = allPps.filter((p) => u.interner.digest(p.m) === g.d);
      const request = this.requests.get(g.d) ?? reqs.get(g.d);
      if (prePrepares.length > 0) return { v: g.v, R, m: prePrepares[0]!.m, prePrepares };
      if (request !== undefined) return { v: g.v, R, m: request, prePrepares: [] };
    }
    return null;
  }
}

function push<T>(map: Map<number, T[]>, k: number, x: T): void {
  const l = map.get(k);
  if (l === undefined) map.set(k, [x]);
  else l.push(x);
}
