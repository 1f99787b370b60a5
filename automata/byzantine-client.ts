// A Byzantine client: after CLIENT-FAILURE_c, client c is an arbitrary automaton with the proxy's
// external interface (Section 2.4.2), limited only by unforgeability (compose.ts). It sends requests
// it signs itself, with any operation and any timestamp (old, repeated or ahead of its last), to any
// replicas, relays anything it has seen, and outputs REPLY(r)_c with any result (one a replica sent
// it, or a made-up one): S allows that of a faulty client (Fig 2-6), and the proof of A.1.19 has
// a case for it.
import type { Action } from './actions.ts';
import type { StandIn } from './byzantine.ts';
import type { SystemState } from './compose.ts';
import { clientNode } from './compose.ts';
import type { Rng } from './enabled.ts';
import type { Result } from './services.ts';
import type { Universe } from './universe.ts';

export class ByzantineClient implements StandIn {
  readonly name = 'byzantine-client';

  constructor(
    private readonly c: number,
    /** Probability that a draw relays a seen message instead of sending an own request. */
    private readonly relay = 0.2,
    /** Probability that a draw is an output REPLY(r)_c. */
    private readonly replyRate = 0.05,
  ) {}

  receive(): void {}

  proposals(u: Universe, s?: SystemState): Action[] {
    if (s === undefined) return [];
    const t = s.proxies[this.c]!.lastReq + 1;
    return u.ops.map((o): Action => ({ kind: 'SEND', x: clientNode(u, this.c), m: u.interner.request(o, t, this.c), X: u.allReplicas }));
  }

  draw(u: Universe, s: SystemState, rng: Rng): Action | null {
    const x = clientNode(u, this.c);
    if (rng.float() < this.replyRate) return { kind: 'REPLY', r: this.someResult(s, rng), c: this.c };
    if (rng.float() < this.relay && s.wire.size > 0) {
      const { m } = s.wire.entryAt(rng.int(s.wire.size));
      return { kind: 'SEND', x, m, X: this.someReplicas(u, rng) };
    }
    const o = u.ops[rng.int(u.ops.length)]!;
    const t = rng.int(s.proxies[this.c]!.lastReq + 3);
    return { kind: 'SEND', x, m: u.interner.request(o, t, this.c), X: this.someReplicas(u, rng) };
  }

  /** The result of a reply seen addressed to this client (a few tries), else a made-up one. */
  private someResult(s: SystemState, rng: Rng): Result {
    for (let tries = 0; tries < 4 && s.wire.seenCount > 0; tries++) {
      const m = s.wire.seenAt(rng.int(s.wire.seenCount));
      if (m.tag === 'REPLY' && m.c === this.c) return m.r;
    }
    return `forged-${rng.int(2)}`;
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
