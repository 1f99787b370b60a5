// A Byzantine stand-in plugs into the composition after a failure input: it takes the node's
// inputs and proposes its outputs, and the composition lets through only what it could sign or
// has seen (Sections 2.1, 2.4.2).
import { describe, expect, it } from 'vitest';
import type { Action } from '../automata/actions.ts';
import type { StandIn } from '../automata/byzantine.ts';
import { ActionNotEnabled, initialSystem, step, whyDisabled } from '../automata/compose.ts';
import { enabledIn } from '../automata/enabled.ts';
import type { Message } from '../automata/messages.ts';
import { initialCheckpointValue } from '../automata/replica-state.ts';
import { Universe } from '../automata/universe.ts';

/** A stand-in that equivocates: it proposes two prepares of its own, and one forged for replica 0. */
class Equivocator implements StandIn {
  readonly name = 'equivocator';
  readonly received: Message[] = [];
  constructor(private readonly node: number) {}
  receive(m: Message): void {
    this.received.push(m);
  }
  proposals(u: Universe): Action[] {
    const I = u.interner;
    const others = u.allReplicas & ~u.replicaBit(this.node);
    return [
      { kind: 'SEND', x: this.node, m: I.prepare(0, 1, I.nullDigest, this.node), X: others },
      { kind: 'SEND', x: this.node, m: I.prepare(0, 1, I.digest(I.request('a', 1, 0)), this.node), X: others },
      { kind: 'SEND', x: this.node, m: I.prepare(0, 1, I.nullDigest, 0), X: others },
    ];
  }
  clone(): StandIn {
    return this;
  }
}

describe('Byzantine stand-ins', () => {
  const u = new Universe({ variant: 'Agc', f: 1 });
  const standIns = new Map<number, Equivocator>();
  const factory = (_u: Universe, node: number) => {
    const e = new Equivocator(node);
    standIns.set(node, e);
    return e;
  };

  it('replace a replica after REPLICA-FAILURE; only unforgeable messages get through', () => {
    const s = initialSystem(u);
    step(u, s, { kind: 'REPLICA-FAILURE', i: 3 }, factory);
    expect(s.replicas[3]!.faulty).toBe(true);
    const offered = enabledIn(u, s, 'byzantine');
    expect(offered).toHaveLength(2); // its two own prepares, not the forged one
    const forged = standIns.get(3)!.proposals(u)[2]!;
    expect(whyDisabled(u, s, forged)).toMatch(/cannot forge/);
    expect(() => step(u, s, forged, factory)).toThrow(ActionNotEnabled);
    for (const a of offered) step(u, s, a, factory);
    expect(s.wire.pendingCount).toBe(2);
  });

  it('may resend a message signed by another node once it has been sent', () => {
    const s = initialSystem(u);
    step(u, s, { kind: 'REPLICA-FAILURE', i: 3 }, factory);
    step(u, s, { kind: 'REQUEST', o: 'a', c: 0 }, factory);
    const req = s.proxies[0]!.out!;
    const relay: Action = { kind: 'SEND', x: 3, m: req, X: u.replicaBit(1) };
    expect(whyDisabled(u, s, relay)).toMatch(/cannot forge/);
    step(u, s, { kind: 'SEND', x: u.n, m: req, X: u.replicaBit(0) }, factory);
    expect(whyDisabled(u, s, relay)).toBeNull();
  });

  it('take the faulty node inputs; the frozen replica state no longer changes', () => {
    const s = initialSystem(u);
    step(u, s, { kind: 'REPLICA-FAILURE', i: 3 }, factory);
    step(u, s, { kind: 'REQUEST', o: 'b', c: 1 }, factory);
    const req = s.proxies[1]!.out!;
    step(u, s, { kind: 'SEND', x: u.n + 1, m: req, X: u.replicaBit(0) }, factory); // to the primary first
    step(u, s, { kind: 'SEND', x: u.n + 1, m: req, X: u.allReplicas }, factory); // then retransmitted
    const before = s.replicas[3]!.in.size;
    step(u, s, { kind: 'RECEIVE', x: 3, m: req, X: u.allReplicas }, factory);
    expect(standIns.get(3)!.received).toContain(req);
    expect(s.replicas[3]!.in.size).toBe(before);
    expect(whyDisabled(u, s, { kind: 'SEND-VIEW-CHANGE', v: 1, i: 3 })).toMatch(/replica 3 is faulty/);
  });

  it('replace a client after CLIENT-FAILURE; its proxy stops', () => {
    const s = initialSystem(u);
    step(u, s, { kind: 'CLIENT-FAILURE', c: 0 }, factory);
    expect(s.proxies[0]!.faulty).toBe(true);
    expect(s.standIns[u.n]).not.toBeNull();
    step(u, s, { kind: 'REQUEST', o: 'a', c: 0 }, factory);
    expect(s.proxies[0]!.out).toBeNull();
    expect(enabledIn(u, s, 'request').every((a) => a.kind === 'REQUEST' && a.c !== 0)).toBe(true);
  });

  it('cannot smuggle a forged message inside its own: every nested message must be seen or its own', () => {
    const s = initialSystem(u);
    step(u, s, { kind: 'REPLICA-FAILURE', i: 3 }, factory);
    const I = u.interner;
    const req = I.request('a', 1, 0);
    const forgedPrepare = I.prepare(0, 1, I.digest(req), 1); // replica 1 never sent it
    const vc = I.viewChange(1, { n: 0, s: initialCheckpointValue(u), C: [] }, [forgedPrepare], 3);
    const ppOfUnseenRequest = I.prePrepare(0, 1, req, 3);
    const others = u.allReplicas & ~u.replicaBit(3);
    expect(whyDisabled(u, s, { kind: 'SEND', x: 3, m: vc, X: others })).toMatch(/cannot forge/);
    expect(whyDisabled(u, s, { kind: 'SEND', x: 3, m: ppOfUnseenRequest, X: others })).toMatch(/cannot forge/);
    // Once the request has been sent (by its client) and replica 1's prepare has travelled inside
    // a message on the wire, both may be passed on.
    step(u, s, { kind: 'REQUEST', o: 'a', c: 0 }, factory);
    step(u, s, { kind: 'SEND', x: u.n, m: req, X: u.replicaBit(0) }, factory);
    expect(whyDisabled(u, s, { kind: 'SEND', x: 3, m: ppOfUnseenRequest, X: others })).toBeNull();
    s.wire.add(I.viewChange(1, { n: 0, s: initialCheckpointValue(u), C: [] }, [forgedPrepare], 1), u.replicaBit(0));
    expect(whyDisabled(u, s, { kind: 'SEND', x: 3, m: vc, X: others })).toBeNull();
    expect(whyDisabled(u, s, { kind: 'SEND', x: 3, m: forgedPrepare, X: others })).toBeNull();
  });
});
