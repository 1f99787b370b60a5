// The composition (Fig 2-3): a SEND step is the sender's output and MC's input, a RECEIVE step is
// MC's output and the addressee's input; the external signature is Fig 2-4's, the rest hidden.
import { describe, expect, it } from 'vitest';
import { ACTION_KINDS, externalTrace, isExternal, type Action } from '../automata/actions.ts';
import { clientNode, initialSystem, step } from '../automata/compose.ts';
import { Universe } from '../automata/universe.ts';
import { runRandom } from '../sim/scheduler.ts';

describe('composition A = proxies ∥ MC ∥ replicas', () => {
  const u = new Universe({ variant: 'Agc', f: 1, clients: 2 });

  it('SEND changes the sender and the wire in one step', () => {
    const s = initialSystem(u);
    step(u, s, { kind: 'REQUEST', o: 'a', c: 0 });
    const m = s.proxies[0]!.out!;
    step(u, s, { kind: 'SEND', x: clientNode(u, 0), m, X: u.replicaBit(0) });
    expect(s.proxies[0]!.retrans).toBe(true);
    expect(s.wire.has(m, u.replicaBit(0))).toBe(true);
  });

  it('RECEIVE changes the wire and the addressee in one step', () => {
    const s = initialSystem(u);
    step(u, s, { kind: 'REQUEST', o: 'a', c: 0 });
    const m = s.proxies[0]!.out!;
    step(u, s, { kind: 'SEND', x: clientNode(u, 0), m, X: u.replicaBit(0) });
    step(u, s, { kind: 'RECEIVE', x: 0, m, X: u.replicaBit(0) });
    expect(s.wire.has(m, 0)).toBe(true);
    expect(s.wire.pendingCount).toBe(0);
    expect(s.replicas[0]!.in.has(m)).toBe(true);
  });

  it('a message outside the addressee’s input signature is delivered and ignored', () => {
    const s = initialSystem(u);
    step(u, s, { kind: 'REPLICA-FAILURE', i: 3 });
    const reply = u.interner.reply(0, 1, 0, 3, 'r');
    step(u, s, { kind: 'SEND', x: 3, m: reply, X: u.replicaBit(1) });
    const before = s.replicas[1]!.in.size;
    step(u, s, { kind: 'RECEIVE', x: 1, m: reply, X: u.replicaBit(1) });
    expect(s.replicas[1]!.in.size).toBe(before);
  });

  it('the external signature is Fig 2-4’s; everything else is hidden', () => {
    const external = ACTION_KINDS.filter((k) => isExternal({ kind: k } as Action));
    expect(external.sort()).toEqual(['CLIENT-FAILURE', 'REPLICA-FAILURE', 'REPLY', 'REQUEST']);
    const r = runRandom({ config: { faultyReplicas: [2] }, seed: 'hide', steps: 2000 });
    const t = externalTrace(r.trace);
    expect(t.length).toBe(1 + r.stats.requestsIssued + r.stats.requestsCompleted);
    expect(t[0]).toEqual({ kind: 'REPLICA-FAILURE', i: 2 });
  });
});
