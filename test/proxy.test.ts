// The proxy automaton P_c (Fig 2-7, the last action's header restored as in READING-NOTES 3).
import { describe, expect, it } from 'vitest';
import { clientNode, initialSystem, isEnabled, step, whyDisabled } from '../automata/compose.ts';
import { enabledIn } from '../automata/enabled.ts';
import type { Reply } from '../automata/messages.ts';
import {
  certifiedResults,
  clientFailure,
  cloneProxy,
  initialProxy,
  receive,
  reply,
  replyPre,
  request,
  sendDestination,
  sendEff,
  sendPre,
} from '../automata/proxy.ts';
import { Universe } from '../automata/universe.ts';

const mk = () => new Universe({ variant: 'A', f: 1, clients: 2, service: 'log' });
const state = (p: ReturnType<typeof initialProxy>) => ({
  c: p.c,
  view: p.view,
  in: [...p.in].map((m) => m.id).sort((a, b) => a - b),
  out: p.out?.id ?? null,
  lastReq: p.lastReq,
  retrans: p.retrans,
  faulty: p.faulty,
});

describe('P_c initial state and REQUEST(o)_c', () => {
  it('starts with view 0, empty in and out, last-req 0, retrans false, not faulty', () => {
    expect(state(initialProxy(1))).toEqual({ c: 1, view: 0, in: [], out: null, lastReq: 0, retrans: false, faulty: false });
  });

  it('Eff: last-req + 1; out := {⟨REQUEST, o, last-req, c⟩σc}; in := {}; retrans := false', () => {
    const u = mk();
    const p = initialProxy(1);
    request(u, p, 'a');
    expect(p.out).toBe(u.interner.request('a', 1, 1));
    expect(state(p)).toEqual({ c: 1, view: 0, in: [], out: p.out!.id, lastReq: 1, retrans: false, faulty: false });
    // a second REQUEST replaces the outstanding one and clears in and retrans
    p.retrans = true;
    p.in.add(u.interner.reply(0, 1, 1, 0, 'x'));
    p.view = 3;
    request(u, p, 'b');
    expect(p.out).toBe(u.interner.request('b', 2, 1));
    expect(state(p)).toEqual({ c: 1, view: 3, in: [], out: p.out!.id, lastReq: 2, retrans: false, faulty: false });
  });

  it('CLIENT-FAILURE_c: faulty := true, nothing else', () => {
    const u = mk();
    const p = initialProxy(0);
    request(u, p, 'a');
    const before = state(p);
    clientFailure(p);
    expect(state(p)).toEqual({ ...before, faulty: true });
  });

  it('cloneProxy is independent', () => {
    const u = mk();
    const p = initialProxy(0);
    request(u, p, 'a');
    const q = cloneProxy(p);
    receive(q, u.interner.reply(0, 1, 0, 1, 'x'));
    expect(p.in.size).toBe(0);
    expect(q.in.size).toBe(1);
  });
});

describe('SEND(m, X)_c', () => {
  it('the first SEND goes to {view_c mod |R|} and sets retrans_c', () => {
    const u = mk();
    const p = initialProxy(0);
    request(u, p, 'a');
    p.view = 6; // primary(6) = 2
    const m = p.out!;
    expect(sendDestination(u, p)).toBe(u.replicaBit(2));
    expect(sendPre(u, p, m, u.replicaBit(2))).toBe(true);
    expect(sendPre(u, p, m, u.allReplicas)).toBe(false);
    expect(sendPre(u, p, m, u.replicaBit(0))).toBe(false);
    const before = state(p);
    sendEff(p);
    expect(state(p)).toEqual({ ...before, retrans: true });
  });

  it('later SENDs go to all of R and change nothing', () => {
    const u = mk();
    const p = initialProxy(0);
    request(u, p, 'a');
    sendEff(p);
    const m = p.out!;
    expect(sendDestination(u, p)).toBe(u.allReplicas);
    expect(sendPre(u, p, m, u.allReplicas)).toBe(true);
    expect(sendPre(u, p, m, u.replicaBit(0))).toBe(false);
    const before = state(p);
    sendEff(p);
    sendEff(p);
    expect(state(p)).toEqual(before);
    expect(sendPre(u, p, m, u.allReplicas)).toBe(true);
  });

  it('no SEND when out_c = {}, and none for a message other than the one in out_c', () => {
    const u = mk();
    const p = initialProxy(0);
    expect(sendDestination(u, p)).toBeNull();
    expect(sendPre(u, p, u.interner.request('a', 1, 0), u.replicaBit(0))).toBe(false);
    request(u, p, 'a');
    expect(sendPre(u, p, u.interner.request('a', 2, 0), u.replicaBit(0))).toBe(false);
  });

  it('composed: the request goes first to the primary, then, retransmitted, to every replica', () => {
    const u = mk();
    const s = initialSystem(u);
    const x = clientNode(u, 0);
    step(u, s, { kind: 'REQUEST', o: 'a', c: 0 });
    const m = s.proxies[0]!.out!;
    expect(enabledIn(u, s, 'send')).toEqual([{ kind: 'SEND', x, m, X: u.replicaBit(0) }]);
    expect(whyDisabled(u, s, { kind: 'SEND', x, m, X: u.allReplicas })).not.toBeNull();
    step(u, s, { kind: 'SEND', x, m, X: u.replicaBit(0) });
    expect(s.wire.has(m, u.replicaBit(0))).toBe(true);
    expect(s.proxies[0]!.retrans).toBe(true);

    expect(enabledIn(u, s, 'send')).toEqual([{ kind: 'SEND', x, m, X: u.allReplicas }]);
    step(u, s, { kind: 'SEND', x, m, X: u.allReplicas });
    expect(s.wire.has(m, u.allReplicas)).toBe(true);
    for (let i = 0; i < u.n; i++) step(u, s, { kind: 'RECEIVE', x: i, m, X: u.allReplicas & ~((1 << i) - 1) });
    expect(s.wire.has(m, 0)).toBe(true);
    for (const r of s.replicas) expect(r.in.has(m)).toBe(true);
    // backups relay it to the primary of their view (A.1 RECEIVE REQUEST); the primary does not
    expect(s.replicas.map((r) => r.out.has(m))).toEqual([false, true, true, true]);
  });
});

describe('RECEIVE(⟨REPLY, v, t, c, i, r⟩σi)_c', () => {
  it('keeps a reply with t = last-req_c while out_c ≠ {}', () => {
    const u = mk();
    const p = initialProxy(0);
    request(u, p, 'a');
    const r = u.interner.reply(2, 1, 0, 3, 'x');
    const before = state(p);
    receive(p, r);
    expect(state(p)).toEqual({ ...before, in: [r.id] });
  });

  it('drops a reply for another timestamp', () => {
    const u = mk();
    const p = initialProxy(0);
    request(u, p, 'a');
    request(u, p, 'b');
    const before = state(p);
    receive(p, u.interner.reply(0, 1, 0, 3, 'x'));
    receive(p, u.interner.reply(0, 3, 0, 3, 'x'));
    expect(state(p)).toEqual(before);
  });

  it('drops every reply while out_c = {} (before any request and after REPLY)', () => {
    const u = mk();
    const p = initialProxy(0);
    receive(p, u.interner.reply(0, 0, 0, 1, 'x'));
    expect(p.in.size).toBe(0);
    request(u, p, 'a');
    receive(p, u.interner.reply(0, 1, 0, 1, 'x'));
    receive(p, u.interner.reply(0, 1, 0, 2, 'x'));
    reply(p, 'x');
    const before = state(p);
    receive(p, u.interner.reply(0, 1, 0, 3, 'x'));
    expect(state(p)).toEqual(before);
  });

  it("ignores a reply for another client (not in P_c's signature)", () => {
    const u = mk();
    const p = initialProxy(0);
    request(u, p, 'a');
    receive(p, u.interner.reply(0, 1, 1, 2, 'x'));
    expect(p.in.size).toBe(0);
  });
});

describe('REPLY(r)_c', () => {
  const withReplies = (u: Universe, replies: [v: number, i: number, r: string][]) => {
    const p = initialProxy(0);
    request(u, p, 'a');
    for (const [v, i, r] of replies) receive(p, u.interner.reply(v, 1, 0, i, r));
    return p;
  };

  it('is not enabled with f = 1 matching reply', () => {
    const u = mk();
    const p = withReplies(u, [[0, 1, 'x']]);
    expect(replyPre(u, p, 'x')).toBe(false);
    expect(certifiedResults(u, p)).toEqual([]);
  });

  it('is not enabled with f + 1 replies that carry different results', () => {
    const u = mk();
    const p = withReplies(u, [
      [0, 1, 'x'],
      [0, 2, 'y'],
    ]);
    expect(replyPre(u, p, 'x')).toBe(false);
    expect(replyPre(u, p, 'y')).toBe(false);
  });

  it('duplicates from the same replica (other views) do not count', () => {
    const u = mk();
    const p = withReplies(u, [
      [0, 1, 'x'],
      [1, 1, 'x'],
      [2, 1, 'x'],
    ]);
    expect(p.in.size).toBe(3);
    expect(replyPre(u, p, 'x')).toBe(false);
  });

  it('is enabled with f + 1 matching replies from distinct replicas, only for that result', () => {
    const u = mk();
    const p = withReplies(u, [
      [0, 1, 'x'],
      [0, 2, 'x'],
      [0, 3, 'y'],
    ]);
    expect(replyPre(u, p, 'x')).toBe(true);
    expect(replyPre(u, p, 'y')).toBe(false);
    expect(certifiedResults(u, p)).toEqual(['x']);
  });

  it('Eff: view_c := max view among the replies with r (others ignored); out_c := {}', () => {
    const u = mk();
    const p = withReplies(u, [
      [2, 0, 'x'],
      [5, 1, 'x'],
      [9, 2, 'y'],
    ]);
    const before = state(p);
    reply(p, 'x');
    expect(state(p)).toEqual({ ...before, view: 5, out: null });
  });

  it("the max includes a replica's duplicate replies from other views", () => {
    const u = mk();
    const p = withReplies(u, [
      [1, 0, 'x'],
      [7, 0, 'x'],
      [2, 1, 'x'],
    ]);
    reply(p, 'x');
    expect(p.view).toBe(7);
  });

  it('is not enabled once out_c = {}, even with the certificate still in in_c', () => {
    const u = mk();
    const p = withReplies(u, [
      [0, 1, 'x'],
      [0, 2, 'x'],
    ]);
    reply(p, 'x');
    expect(p.in.size).toBe(2);
    expect(replyPre(u, p, 'x')).toBe(false);
  });

  it('composed: REPLY is enabled by the certificate and then sends the next request to the new primary', () => {
    const u = mk();
    const s = initialSystem(u);
    step(u, s, { kind: 'REQUEST', o: 'a', c: 1 });
    const x = clientNode(u, 1);
    const replies: Reply[] = [u.interner.reply(3, 1, 1, 0, 'x'), u.interner.reply(1, 1, 1, 2, 'x')];
    for (const r of replies) s.wire.add(r, u.clientBit(1));
    expect(isEnabled(u, s, { kind: 'REPLY', r: 'x', c: 1 })).toBe(false);
    step(u, s, { kind: 'RECEIVE', x, m: replies[0]!, X: u.clientBit(1) });
    expect(whyDisabled(u, s, { kind: 'REPLY', r: 'x', c: 1 })).toMatch(/no reply certificate/);
    step(u, s, { kind: 'RECEIVE', x, m: replies[1]!, X: u.clientBit(1) });
    expect(enabledIn(u, s, 'reply')).toEqual([{ kind: 'REPLY', r: 'x', c: 1 }]);
    step(u, s, { kind: 'REPLY', r: 'x', c: 1 });
    expect(s.proxies[1]!.view).toBe(3);
    expect(s.proxies[1]!.out).toBeNull();
    step(u, s, { kind: 'REQUEST', o: 'b', c: 1 });
    expect(enabledIn(u, s, 'send')).toEqual([{ kind: 'SEND', x, m: u.interner.request('b', 2, 1), X: u.replicaBit(3) }]);
  });
});
