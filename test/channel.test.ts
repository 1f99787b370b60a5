// MC, the multicast channel (Fig 2-5, read as in READING-NOTES 1): SEND, RECEIVE, MISBEHAVE and
// the set semantics of wire ⊆ M × 2^𝒳.
import { describe, expect, it } from 'vitest';
import { misbehave, misbehavePre, receive, receivePre, send, Wire, type WireEntry } from '../automata/channel.ts';
import { ActionNotEnabled, initialSystem, step, whyDisabled } from '../automata/compose.ts';
import { enabledIn } from '../automata/enabled.ts';
import { Universe } from '../automata/universe.ts';

const mk = () => new Universe({ variant: 'A', f: 1, clients: 2, service: 'log' });
const bit = (x: number) => 1 << x;
const set = (...xs: number[]) => xs.reduce((acc, x) => acc | bit(x), 0);
const contents = (w: Wire) => w.all().map(({ m, X }) => [m.id, X]);

describe('MC: SEND(m, X)_x', () => {
  it('wire is initially {}', () => {
    const w = new Wire();
    expect(w.size).toBe(0);
    expect(w.pendingCount).toBe(0);
    expect(w.all()).toEqual([]);
  });

  it('Eff: wire := wire ∪ {(m, X)}', () => {
    const u = mk();
    const w = new Wire();
    const m = u.interner.request('a', 1, 0);
    send(w, m, set(0, 1));
    expect(w.has(m, set(0, 1))).toBe(true);
    expect(w.hasMessage(m)).toBe(true);
    expect(contents(w)).toEqual([[m.id, set(0, 1)]]);
    expect(w.pending()).toEqual([{ m, X: set(0, 1) } satisfies WireEntry]);
  });

  it('sending the same (m, X) twice leaves one element (wire is a set)', () => {
    const u = mk();
    const w = new Wire();
    const m = u.interner.request('a', 1, 0);
    send(w, m, set(2));
    send(w, u.interner.request('a', 1, 0), set(2));
    expect(w.size).toBe(1);
    expect(w.pendingCount).toBe(1);
  });

  it('the same m with another X is another element', () => {
    const u = mk();
    const w = new Wire();
    const m = u.interner.request('a', 1, 0);
    send(w, m, set(0));
    send(w, m, set(0, 1, 2, 3));
    expect(contents(w)).toEqual([
      [m.id, set(0)],
      [m.id, set(0, 1, 2, 3)],
    ]);
  });

  it('SEND with X = {} is possible and adds (m, {}), which is not in flight', () => {
    const u = mk();
    const w = new Wire();
    const m = u.interner.request('a', 1, 0);
    send(w, m, 0);
    expect(w.has(m, 0)).toBe(true);
    expect(w.pendingCount).toBe(0);
  });
});

describe('MC: RECEIVE(m)_x', () => {
  it('Pre: ∃ (m, X) ∈ wire : x ∈ X', () => {
    const u = mk();
    const w = new Wire();
    const m = u.interner.request('a', 1, 0);
    const other = u.interner.request('b', 1, 0);
    send(w, m, set(0, 2));
    expect(receivePre(w, m, set(0, 2), bit(0))).toBe(true);
    expect(receivePre(w, m, set(0, 2), bit(2))).toBe(true);
    expect(receivePre(w, m, set(0, 2), bit(1))).toBe(false); // x ∉ X
    expect(receivePre(w, m, set(0), bit(0))).toBe(false); // (m, {0}) ∉ wire
    expect(receivePre(w, other, set(0, 2), bit(0))).toBe(false); // never sent
  });

  it('Eff: wire := wire − {(m, X)} ∪ {(m, X − {x})}; the delivered message stays with X = {}', () => {
    const u = mk();
    const w = new Wire();
    const m = u.interner.prePrepare(0, 1, null, 0);
    send(w, m, set(1, 2, 3));
    receive(w, m, set(1, 2, 3), bit(2));
    expect(contents(w)).toEqual([[m.id, set(1, 3)]]);
    receive(w, m, set(1, 3), bit(1));
    receive(w, m, set(3), bit(3));
    expect(contents(w)).toEqual([[m.id, 0]]);
    expect(w.hasMessage(m)).toBe(true); // every message ever sent stays in wire
    expect(w.pendingCount).toBe(0);
    expect(receivePre(w, m, 0, bit(3))).toBe(false);
  });

  it('a RECEIVE that produces an existing (m, X − {x}) merges with it', () => {
    const u = mk();
    const w = new Wire();
    const m = u.interner.request('a', 1, 0);
    send(w, m, set(0));
    send(w, m, set(0, 1));
    receive(w, m, set(0, 1), bit(1));
    expect(contents(w)).toEqual([[m.id, set(0)]]);
    receive(w, m, set(0), bit(0));
    expect(contents(w)).toEqual([[m.id, 0]]);
  });

  it('in the composed system, RECEIVE needs x ∈ X and delivers to x only', () => {
    const u = mk();
    const s = initialSystem(u);
    const m = u.interner.request('a', 1, 0);
    send(s.wire, m, set(1));
    expect(whyDisabled(u, s, { kind: 'RECEIVE', x: 2, m, X: set(1) })).not.toBeNull();
    expect(() => step(u, s, { kind: 'RECEIVE', x: 2, m, X: set(1) })).toThrow(ActionNotEnabled);
    step(u, s, { kind: 'RECEIVE', x: 1, m, X: set(1) });
    expect(s.replicas[1]!.in.has(m)).toBe(true);
    expect(s.replicas[2]!.in.has(m)).toBe(false);
    expect(s.wire.has(m, 0)).toBe(true);
  });

  it('messages may be reordered: any pending element can be delivered first', () => {
    const u = mk();
    const s = initialSystem(u);
    const a = u.interner.request('a', 1, 0);
    const b = u.interner.request('b', 1, 1);
    send(s.wire, a, set(1));
    send(s.wire, b, set(1));
    const receives = enabledIn(u, s, 'receive');
    expect(receives).toEqual([
      { kind: 'RECEIVE', x: 1, m: a, X: set(1) },
      { kind: 'RECEIVE', x: 1, m: b, X: set(1) },
    ]);
    step(u, s, receives[1]!);
    expect([...s.replicas[1]!.in.all]).toEqual([b]);
  });
});

describe('MC: MISBEHAVE(m, X, X\')', () => {
  it('Pre: (m, X) ∈ wire', () => {
    const u = mk();
    const w = new Wire();
    const m = u.interner.request('a', 1, 0);
    expect(misbehavePre(w, m, set(0))).toBe(false);
    send(w, m, set(0));
    expect(misbehavePre(w, m, set(0))).toBe(true);
    expect(misbehavePre(w, m, set(0, 1))).toBe(false);
  });

  it('loss: X\' = X − {x}; the message stays in wire but x will not receive it', () => {
    const u = mk();
    const w = new Wire();
    const m = u.interner.request('a', 1, 0);
    send(w, m, set(0, 1));
    misbehave(w, m, set(0, 1), set(1));
    expect(contents(w)).toEqual([[m.id, set(1)]]);
    expect(receivePre(w, m, set(1), bit(0))).toBe(false);
    misbehave(w, m, set(1), 0);
    expect(contents(w)).toEqual([[m.id, 0]]);
    expect(w.pendingCount).toBe(0);
    expect(w.hasMessage(m)).toBe(true);
  });

  it('duplication to another destination: X\' = X ∪ {y}', () => {
    const u = mk();
    const w = new Wire();
    const m = u.interner.commit(0, 1, u.interner.nullDigest, 0);
    send(w, m, set(1));
    misbehave(w, m, set(1), set(1, 2));
    expect(contents(w)).toEqual([[m.id, set(1, 2)]]);
    expect(receivePre(w, m, set(1, 2), bit(2))).toBe(true);
  });

  it('replay of a delivered message: (m, {}) becomes (m, {y}) and y receives m again', () => {
    const u = mk();
    const s = initialSystem(u);
    const m = u.interner.prepare(0, 1, u.interner.nullDigest, 2);
    send(s.wire, m, set(1));
    step(u, s, { kind: 'RECEIVE', x: 1, m, X: set(1) });
    expect(s.wire.has(m, 0)).toBe(true);
    expect(enabledIn(u, s, 'misbehave')).toContainEqual({ kind: 'MISBEHAVE', m, X: 0, X2: set(3) });
    step(u, s, { kind: 'MISBEHAVE', m, X: 0, X2: set(3) });
    expect(s.wire.has(m, 0)).toBe(false);
    step(u, s, { kind: 'RECEIVE', x: 3, m, X: set(3) });
    expect(s.replicas[3]!.in.has(m)).toBe(true);
  });

  it('a MISBEHAVE that produces an existing element merges with it', () => {
    const u = mk();
    const w = new Wire();
    const m = u.interner.request('a', 1, 0);
    send(w, m, set(0));
    send(w, m, set(1));
    misbehave(w, m, set(1), set(0));
    expect(contents(w)).toEqual([[m.id, set(0)]]);
  });

  it("X' must name nodes that exist, and (m, X) must be in wire, in the composed system", () => {
    const u = mk();
    const s = initialSystem(u);
    const m = u.interner.request('a', 1, 0);
    expect(whyDisabled(u, s, { kind: 'MISBEHAVE', m, X: set(0), X2: 0 })).not.toBeNull();
    send(s.wire, m, set(0));
    expect(whyDisabled(u, s, { kind: 'MISBEHAVE', m, X: set(0), X2: 0 })).toBeNull();
    expect(whyDisabled(u, s, { kind: 'MISBEHAVE', m, X: set(0), X2: bit(u.n + u.clients) })).not.toBeNull();
  });
});

describe('MC signature: SEND(m, X)_x has X ⊆ 𝒳 (Fig 2-5)', () => {
  it('a correct node can only SEND to the destination set its automaton names', () => {
    const u = mk();
    const s = initialSystem(u);
    step(u, s, { kind: 'REQUEST', o: 'a', c: 0 });
    const m = s.proxies[0]!.out!;
    expect(whyDisabled(u, s, { kind: 'SEND', x: u.n, m, X: bit(0) | bit(u.n + u.clients) })).not.toBeNull();
  });

  // Fig 2-5 declares X ⊆ 𝒳 for SEND(m, X)_x; a stand-in's SEND is checked for it as MISBEHAVE is.
  it('a faulty node cannot SEND to nodes that do not exist', () => {
    const u = mk();
    const s = initialSystem(u);
    step(u, s, { kind: 'REPLICA-FAILURE', i: 3 });
    const own = u.interner.prepare(0, 1, u.interner.nullDigest, 3);
    const X = bit(u.n + u.clients + 6);
    expect(whyDisabled(u, s, { kind: 'SEND', x: 3, m: own, X })).not.toBeNull();
    expect(() => step(u, s, { kind: 'SEND', x: 3, m: own, X })).toThrow(ActionNotEnabled);
    expect(s.wire.pendingCount).toBe(enabledIn(u, s, 'receive').length);
  });
});

describe('Wire bookkeeping', () => {
  it('clone is independent', () => {
    const u = mk();
    const w = new Wire();
    const m = u.interner.request('a', 1, 0);
    send(w, m, set(0, 1));
    const c = w.clone();
    receive(c, m, set(0, 1), bit(0));
    expect(contents(w)).toEqual([[m.id, set(0, 1)]]);
    expect(contents(c)).toEqual([[m.id, set(1)]]);
  });

  it('size, pending and positional access stay consistent under many removals', () => {
    const u = mk();
    const w = new Wire();
    const ms = Array.from({ length: 12 }, (_, k) => u.interner.request(`o${k}`, 1, 0));
    for (const m of ms) send(w, m, set(0, 1));
    for (const [k, m] of ms.entries()) if (k % 3 === 0) receive(w, m, set(0, 1), bit(0));
    for (const [k, m] of ms.entries()) if (k % 2 === 0) misbehave(w, m, k % 3 === 0 ? set(1) : set(0, 1), 0);
    const expected = ms.map((m, k) => [m.id, k % 2 === 0 ? 0 : k % 3 === 0 ? set(1) : set(0, 1)]);
    expect(contents(w)).toEqual(expected);
    expect(w.size).toBe(12);
    expect(w.pendingCount).toBe(6);
    const viaIndex = Array.from({ length: w.size }, (_, k) => w.entryAt(k)).map(({ m, X }) => [m.id, X]);
    expect(viaIndex.sort((a, b) => a[0]! - b[0]!)).toEqual(expected);
    const pend = Array.from({ length: w.pendingCount }, (_, k) => w.pendingAt(k));
    expect(pend.every(({ X }) => X !== 0)).toBe(true);
    expect(pend.map(({ m }) => m.id).sort((a, b) => a - b)).toEqual(w.pending().map(({ m }) => m.id));
  });
});
