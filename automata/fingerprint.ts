// A canonical description of a global state, built from digests (not interning ids), so that the
// same state reached in two universes or by two paths has the same fingerprint.
import type { SystemState } from './compose.ts';
import { D, type Digest } from './digests.ts';
import type { Message } from './messages.ts';
import type { Universe } from './universe.ts';

export function canonicalState(u: Universe, s: SystemState): unknown {
  const I = u.interner;
  const set = (ms: Iterable<Message>) => [...ms].map((m) => I.digest(m)).sort();
  return {
    replicas: s.replicas.map((r) => ({
      i: r.i,
      faulty: r.faulty,
      val: u.service.encode(r.val),
      lastRep: r.lastRep,
      lastRepT: r.lastRepT,
      chkpts: r.chkpts.map((p) => [p.n, I.valueDigest(p.s)]),
      in: set(r.in.all),
      out: set(r.out),
      view: r.view,
      lastExec: r.lastExec,
      seqno: r.seqno,
    })),
    proxies: s.proxies.map((p) => ({
      c: p.c,
      view: p.view,
      in: set(p.in),
      out: p.out === null ? null : I.digest(p.out),
      lastReq: p.lastReq,
      retrans: p.retrans,
      faulty: p.faulty,
    })),
    wire: s.wire
      .all()
      .map((e) => `${I.digest(e.m)}:${e.X}`)
      .sort(),
    standIns: s.standIns.map((x) => (x === null ? null : x.name)),
  };
}

/** SHA-256 of the canonical state. */
export function fingerprint(u: Universe, s: SystemState): Digest {
  return D(JSON.stringify(canonicalState(u, s)));
}
