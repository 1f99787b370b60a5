// A Byzantine client: after CLIENT-FAILURE_c, client c is an arbitrary automaton with the proxy's
// external interface (Section 2.4.2), limited only by unforgeability (compose.ts). It sends requests
// it signs itself, with any operation and any timestamp (old, repeated or ahead of its last), to any
// replicas, and relays anything it has seen.
import type { Action } from './actions.ts';
import type { StandIn } from './byzantine.ts';
import type { SystemState } from './compose.ts';
import { clientNode } from './compose.ts';
import type { Rng } from './enabled.ts';
import type { Universe } from './universe.ts';

export class ByzantineClient implements StandIn {
  readonly name = 'byzantine-client';

  constructor(
    private readonly c: number,
    /** Probability that a draw relays a seen message instead of sending an own request. */
    private readonly relay = 0.2,
  ) {}

  receive(): void {}

  proposals(u: Universe, s?: SystemState): Action[] {
    if (s === undefined) return [];
    const t = s.proxies[this.c]!.lastReq + 1;
    return u.ops.map((o): Action => ({ kind: 'SEND', x: clientNode(u, this.c), m: u.interner.request(o, t, this.c), X: u.allReplicas }));
  }

  draw(u: Universe, s: SystemState, rng: Rng): Action | null {
    const x = clientNode(u, this.c);
    if (rng.float() < this.relay && s.wire.size > 0) {
      const { m } = s.wire.entryAt(rng.int(s.wire.size));
      return { kind: 'SEND', x, m, X: this.someReplicas(u, rng) };
    }
    const o = u.ops[rng.int(u.ops.length)]!;
    const t = rng.int(s.proxies[this.c]!.lastReq + 3);
    return { kind: 'SEND', x, m: u.interner.request(o, t, this.c), X: this.someReplicas(u, rng) };
  }

  /** All replicas, the primary of view 0 alone, or a random subset. */
  private someReplicas(u: Universe, rng: Rng): number {
    const k = rng.float();
    if (k < 0.5) return u.allReplicas;
    if (k < 0.7) return u.replicaBit(0);
    return rng.int(1 << u.n) || u.allReplicas;
  }

  clone(): StandIn {
    return this;
  }
}
