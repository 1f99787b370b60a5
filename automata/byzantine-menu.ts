// A Byzantine replica for exhaustive search (sim/explore.ts): a finite menu of what faulty replica
// j may send, computed from the state alone. explore identifies states by their fingerprint, which
// holds no stand-in's memory, so a stand-in whose offers depended on its own history (as the
// random ByzantineReplica's do) would make two paths to one state differ. Unforgeability is still
// checked by the composition (compose.ts, standInMaySend).
//
// The menu, every message to all other replicas:
//   pre-prepare  ⟨PRE-PREPARE, v, n, m⟩σj for a view v that j leads and that a non-faulty replica
//                is in, n the next sequence number that replica executes, and m each request on
//                the wire or null: several are an equivocation
//   prepare      ⟨PREPARE, v, n, D(m), j⟩σj for each pre-prepare on the wire at such a (v, n)
//   commit       ⟨COMMIT, v, n, D(m), j⟩σj likewise (a faulty replica following the protocol, or
//                backing an equivocation)
//   checkpoint   ⟨CHECKPOINT, v, n, D(s), j⟩σj for each non-faulty replica's latest checkpoint ⟨n, s⟩
// Left out, and why (ERRATA readings R19): relays of seen messages (for a receiver, MC's duplicate
// and replay with --network deliver the same messages), view-changes and new-views signed by j.
import type { Action } from './actions.ts';
import type { StandIn, StandInFactory } from './byzantine.ts';
import { silentStandIns } from './byzantine.ts';
import type { SystemState } from './compose.ts';
import type { Message, PrePrepare, Request } from './messages.ts';
import type { Universe } from './universe.ts';

export class MenuReplica implements StandIn {
  readonly name = 'menu';
  constructor(private readonly j: number) {}

  receive(): void {}

  proposals(u: Universe, s?: SystemState): Action[] {
    if (s === undefined) return [];
    const I = u.interner;
    const j = this.j;
    const correct = s.replicas.filter((r) => !r.faulty);
    // The (v, n) the non-faulty replicas are at: their view and their next sequence number.
    const at = new Set(correct.map((r) => `${r.view}|${r.lastExec + 1}`));
    const requests: (Request | null)[] = [null];
    const prePrepares: PrePrepare[] = [];
    for (const { m } of s.wire.all()) {
      if (m.tag === 'REQUEST') requests.push(m);
      else if (m.tag === 'PRE-PREPARE' && at.has(`${m.v}|${m.n}`)) prePrepares.push(m);
    }
    const out: Message[] = [];
    for (const r of correct) {
      if (u.primary(r.view) !== j) continue;
      for (const m of requests) out.push(I.prePrepare(r.view, r.lastExec + 1, m, j));
    }
    for (const pp of prePrepares) {
      const d = I.digest(pp.m);
      if (u.primary(pp.v) !== j) out.push(I.prepare(pp.v, pp.n, d, j));
      out.push(I.commit(pp.v, pp.n, d, j));
    }
    if (u.config.variant === 'Agc')
      for (const r of correct) {
        const e = r.chkpts[r.chkpts.length - 1];
        if (e !== undefined) out.push(I.checkpoint(r.view, e.n, I.valueDigest(e.s), j));
      }
    const X = u.allReplicas & ~u.replicaBit(j);
    return [...new Set(out)].sort((a, b) => a.id - b.id).map((m): Action => ({ kind: 'SEND', x: j, m, X }));
  }

  /** Stateless: the menu is a function of the state. */
  clone(): StandIn {
    return this;
  }
}

/** Menu stand-ins for faulty replicas; a faulty client is silent (its REPLY outputs change no state). */
export const menuStandIns: StandInFactory = (u, node) => (node < u.n ? new MenuReplica(node) : silentStandIns(u, node));
