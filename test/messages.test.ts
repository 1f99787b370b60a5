// The message set M: interning, digests D(·), order-independent sets, checkpoint values,
// signerOf, and the unforgeability rule of the composition (standInMaySend).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ActionNotEnabled, clientNode, initialSystem, standInMaySend, step, whyDisabled } from '../automata/compose.ts';
import { D } from '../automata/digests.ts';
import { signerOf, type Checkpoint, type Interner, type Message } from '../automata/messages.ts';
import { Universe } from '../automata/universe.ts';

const mk = () => new Universe({ variant: 'A', f: 1, clients: 2, service: 'log' });
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** One message of every kind, built in u. */
function oneOfEach(I: Interner) {
  const q = I.request('a', 1, 0);
  const d = I.digest(q);
  const s = I.checkpointValue(I.service.initial, ['null-rep', 'null-rep'], [0, 0]);
  const k = I.checkpoint(0, 4, I.valueDigest(s), 2);
  const p = I.prepare(0, 1, d, 2);
  const pp = I.prePrepare(0, 1, q, 0);
  const vcA = I.viewChange(1, null, [pp, p], 2);
  return {
    request: q,
    reply: I.reply(0, 1, 0, 3, 'r'),
    prePrepare: pp,
    prePrepareNull: I.prePrepare(0, 2, null, 0),
    prepare: p,
    commit: I.commit(0, 1, d, 2),
    checkpoint: k,
    viewChangeA: vcA,
    viewChangeGc: I.viewChange(1, { n: 4, s, C: [k] }, [pp, p], 3),
    newView: I.newView(1, [vcA], [I.prePrepare(1, 1, q, 1)], [I.prePrepare(1, 0, null, 1)], 1),
  };
}

describe('interning', () => {
  it('equal content gives the same object, for every kind of message', () => {
    const u = mk();
    const a = oneOfEach(u.interner);
    const size = u.interner.size;
    const b = oneOfEach(u.interner);
    for (const k of Object.keys(a) as (keyof typeof a)[]) expect(b[k]).toBe(a[k]);
    expect(u.interner.size).toBe(size); // nothing new was built
  });

  it('different content gives different objects (every field matters)', () => {
    const u = mk();
    const I = u.interner;
    const q = I.request('a', 1, 0);
    expect(I.request('b', 1, 0)).not.toBe(q);
    expect(I.request('a', 2, 0)).not.toBe(q);
    expect(I.request('a', 1, 1)).not.toBe(q);
    const d = I.digest(q);
    const p = I.prepare(0, 1, d, 2);
    expect(I.prepare(1, 1, d, 2)).not.toBe(p);
    expect(I.prepare(0, 2, d, 2)).not.toBe(p);
    expect(I.prepare(0, 1, I.nullDigest, 2)).not.toBe(p);
    expect(I.prepare(0, 1, d, 3)).not.toBe(p);
    expect(I.commit(0, 1, d, 2)).not.toBe(p); // same fields, other tag
    expect(I.prePrepare(0, 1, q, 0)).not.toBe(I.prePrepare(0, 1, q, 1));
    expect(I.prePrepare(0, 1, null, 0)).not.toBe(I.prePrepare(0, 1, q, 0));
    expect(I.reply(0, 1, 0, 3, 'r')).not.toBe(I.reply(0, 1, 0, 3, 's'));
  });

  it('ids number the distinct messages and byId returns them', () => {
    const u = mk();
    const a = oneOfEach(u.interner);
    const all = Object.values(a) as Message[];
    expect(new Set(all.map((m) => m.id)).size).toBe(all.length);
    for (const m of all) expect(u.interner.byId(m.id)).toBe(m);
    expect(() => u.interner.byId(u.interner.size)).toThrow(RangeError);
  });

  it('operation strings are quoted, so separators in o cannot make two requests collide', () => {
    const u = mk();
    const I = u.interner;
    expect(I.request('a|1', 1, 0)).not.toBe(I.request('a', 1, 0));
    expect(I.digest(I.request('a|1', 1, 0))).not.toBe(I.digest(I.request('a', 1, 0)));
  });
});

describe('digests D(·)', () => {
  it('D is SHA-256 in lower-case hex', () => {
    expect(D('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(D('')).toBe(sha256(''));
  });

  it('D(m) is the SHA-256 of the canonical encoding of m; sub-messages enter by their digests', () => {
    const u = mk();
    const I = u.interner;
    const q = I.request('a', 1, 0);
    expect(I.digest(q)).toBe(sha256('REQUEST|"a"|1|c0'));
    expect(I.digest(null)).toBe(sha256('null-request'));
    expect(I.nullDigest).toBe(I.digest(null));
    const pp = I.prePrepare(2, 5, q, 2);
    expect(I.digest(pp)).toBe(sha256(`PRE-PREPARE|2|5|${I.digest(q)}|σ2`));
    const p = I.prepare(2, 5, I.digest(q), 3);
    expect(I.digest(p)).toBe(sha256(`PREPARE|2|5|${I.digest(q)}|3`));
  });

  it('digests of different messages differ; the null request differs from every request', () => {
    const u = mk();
    const all = Object.values(oneOfEach(u.interner)) as Message[];
    const ds = all.map((m) => u.interner.digest(m));
    expect(new Set([...ds, u.interner.nullDigest]).size).toBe(all.length + 1);
    for (const d of ds) expect(d).toMatch(/^[0-9a-f]{64}$/);
  });

  it('are content-derived: the same message rebuilt in a fresh Universe (other ids) has the same digest', () => {
    const u1 = mk();
    // u1 interns unrelated messages first, so ids differ between the universes
    for (let k = 0; k < 7; k++) u1.interner.request(`pad${k}`, k, 1);
    const a = oneOfEach(u1.interner);
    const u2 = mk();
    const b = oneOfEach(u2.interner);
    for (const k of Object.keys(a) as (keyof typeof a)[]) {
      expect(a[k].id).not.toBe(b[k].id);
      expect(u2.interner.digest(b[k])).toBe(u1.interner.digest(a[k]));
    }
    const s1 = u1.interner.checkpointValue(u1.service.initial, ['null-rep', 'x'], [0, 3]);
    const s2 = u2.interner.checkpointValue(u2.service.initial, ['null-rep', 'x'], [0, 3]);
    expect(u2.interner.valueDigest(s2)).toBe(u1.interner.valueDigest(s1));
  });

  it('set-valued fields hash independently of the interning order of their elements', () => {
    const build = (I: Interner, reverse: boolean) => {
      const q = I.request('a', 1, 0);
      const parts = [() => I.prePrepare(0, 1, q, 0), () => I.prepare(0, 1, I.digest(q), 1), () => I.prepare(0, 1, I.digest(q), 2)];
      const P = (reverse ? [...parts].reverse() : parts).map((f) => f());
      return I.viewChange(1, null, P, 3);
    };
    const u1 = mk();
    const u2 = mk();
    const x = build(u1.interner, false);
    const y = build(u2.interner, true);
    expect(x.P.map((m) => m.tag)).not.toEqual(y.P.map((m) => m.tag)); // stored in id order, which differs
    expect(u2.interner.digest(y)).toBe(u1.interner.digest(x));
  });
});

describe('sets in VIEW-CHANGE and NEW-VIEW are sets', () => {
  it('a view-change built from a permuted P (or with duplicates) is the same message', () => {
    const u = mk();
    const I = u.interner;
    const q = I.request('a', 1, 0);
    const P = [I.prePrepare(0, 1, q, 0), I.prepare(0, 1, I.digest(q), 1), I.prepare(0, 1, I.digest(q), 2)];
    const x = I.viewChange(1, null, P, 3);
    expect(I.viewChange(1, null, [P[2]!, P[0]!, P[1]!], 3)).toBe(x);
    expect(I.viewChange(1, null, [P[1]!, P[2]!, P[0]!, P[1]!], 3)).toBe(x);
    expect(x.P).toHaveLength(3);
    expect(I.viewChange(1, null, P.slice(1), 3)).not.toBe(x);
  });

  it("the A_gc view-change's C is a set too", () => {
    const u = mk();
    const I = u.interner;
    const s = I.checkpointValue(I.service.initial, ['null-rep', 'null-rep'], [0, 0]);
    const C = [0, 1, 2].map((j) => I.checkpoint(0, 4, I.valueDigest(s), j));
    const x = I.viewChange(1, { n: 4, s, C }, [], 3);
    expect(I.viewChange(1, { n: 4, s, C: [C[2]!, C[1]!, C[0]!] }, [], 3)).toBe(x);
    expect(I.viewChange(1, { n: 4, s, C: C.slice(0, 2) }, [], 3)).not.toBe(x);
    expect(I.viewChange(1, null, [], 3)).not.toBe(x);
  });

  it('a new-view built from permuted V, O and N is the same message', () => {
    const u = mk();
    const I = u.interner;
    const q = I.request('a', 1, 0);
    const V = [0, 2, 3].map((j) => I.viewChange(1, null, [], j));
    const O = [I.prePrepare(1, 3, q, 1), I.prePrepare(1, 4, I.request('b', 1, 1), 1)];
    const N = [0, 1, 2].map((n) => I.prePrepare(1, n, null, 1));
    const x = I.newView(1, V, O, N, 1);
    expect(I.newView(1, [...V].reverse(), [...O].reverse(), [N[1]!, N[2]!, N[0]!], 1)).toBe(x);
    // but the three sets are not interchangeable
    expect(I.newView(1, V, [...O, N[0]!], N.slice(1), 1)).not.toBe(x);
  });
});

describe('checkpoint values ⟨val, last-rep, last-rep-t⟩', () => {
  it('are interned: equal content (an equal service state built separately) gives the same value', () => {
    const u = mk();
    const I = u.interner;
    const st1 = u.service.g(0, 'a', u.service.initial)[1];
    const st2 = u.service.g(0, 'a', u.service.initial)[1];
    const a = I.checkpointValue(st1, ['r', 'null-rep'], [1, 0]);
    expect(I.checkpointValue(st2, ['r', 'null-rep'], [1, 0])).toBe(a);
    expect(I.checkpointValue(st1, ['r', 'null-rep'], [2, 0])).not.toBe(a);
    expect(I.checkpointValue(st1, ['s', 'null-rep'], [1, 0])).not.toBe(a);
    expect(I.checkpointValue(u.service.initial, ['r', 'null-rep'], [1, 0])).not.toBe(a);
    expect(I.valueDigest(I.checkpointValue(st2, ['r', 'null-rep'], [1, 0]))).toBe(I.valueDigest(a));
  });

  it('hold copies of last-rep and last-rep-t, so later changes to a replica’s arrays do not leak in', () => {
    const u = mk();
    const reps = ['r', 'null-rep'];
    const ts = [1, 0];
    const v = u.interner.checkpointValue(u.service.initial, reps, ts);
    reps[0] = 'changed';
    ts[0] = 9;
    expect(v.lastRep).toEqual(['r', 'null-rep']);
    expect(v.lastRepT).toEqual([1, 0]);
  });
});

describe('signerOf', () => {
  it('names the signer given by the identity field of each kind of message', () => {
    const u = mk();
    const a = oneOfEach(u.interner);
    expect(signerOf(a.request)).toEqual({ kind: 'client', id: 0 });
    expect(signerOf(a.reply)).toEqual({ kind: 'replica', id: 3 });
    expect(signerOf(a.prePrepare)).toEqual({ kind: 'replica', id: 0 });
    expect(signerOf(a.prePrepareNull)).toEqual({ kind: 'replica', id: 0 });
    expect(signerOf(a.prepare)).toEqual({ kind: 'replica', id: 2 });
    expect(signerOf(a.commit)).toEqual({ kind: 'replica', id: 2 });
    expect(signerOf(a.checkpoint)).toEqual({ kind: 'replica', id: 2 });
    expect(signerOf(a.viewChangeA)).toEqual({ kind: 'replica', id: 2 });
    expect(signerOf(a.viewChangeGc)).toEqual({ kind: 'replica', id: 3 });
    expect(signerOf(a.newView)).toEqual({ kind: 'replica', id: 1 });
  });
});

describe('unforgeability: standInMaySend (Sections 2.1, 2.4.2)', () => {
  it('a faulty replica may send its own messages, never another node’s unsent message', () => {
    const u = mk();
    const s = initialSystem(u);
    const I = u.interner;
    step(u, s, { kind: 'REPLICA-FAILURE', i: 3 });
    const own = I.prepare(0, 1, I.nullDigest, 3);
    const others = I.prepare(0, 1, I.nullDigest, 1);
    const primaryPP = I.prePrepare(0, 1, null, 0);
    const clientReq = I.request('a', 1, 0);
    expect(standInMaySend(u, s, 3, own)).toBe(true);
    expect(standInMaySend(u, s, 3, I.prePrepare(0, 1, null, 3))).toBe(true); // signs as itself, even as non-primary
    expect(standInMaySend(u, s, 3, others)).toBe(false);
    expect(standInMaySend(u, s, 3, primaryPP)).toBe(false);
    expect(standInMaySend(u, s, 3, clientReq)).toBe(false);
    const X = u.allReplicas & ~u.replicaBit(3);
    step(u, s, { kind: 'SEND', x: 3, m: own, X });
    expect(s.wire.has(own, X)).toBe(true);
    expect(whyDisabled(u, s, { kind: 'SEND', x: 3, m: others, X })).toMatch(/forge/);
    expect(() => step(u, s, { kind: 'SEND', x: 3, m: others, X })).toThrow(ActionNotEnabled);
  });

  it('a faulty replica may resend (to anyone) a message that is on the wire, even once delivered', () => {
    const u = mk();
    const s = initialSystem(u);
    const I = u.interner;
    step(u, s, { kind: 'REPLICA-FAILURE', i: 3 });
    const others = I.commit(0, 1, I.nullDigest, 1);
    s.wire.add(others, u.replicaBit(2));
    expect(standInMaySend(u, s, 3, others)).toBe(true);
    step(u, s, { kind: 'RECEIVE', x: 2, m: others, X: u.replicaBit(2) });
    expect(s.wire.has(others, 0)).toBe(true);
    expect(standInMaySend(u, s, 3, others)).toBe(true);
    step(u, s, { kind: 'SEND', x: 3, m: others, X: u.replicaBit(0) });
    expect(s.wire.has(others, u.replicaBit(0))).toBe(true);
  });

  it('a faulty client may send its own requests, but not another client’s or a replica’s messages', () => {
    const u = mk();
    const s = initialSystem(u);
    const I = u.interner;
    const x = clientNode(u, 1);
    step(u, s, { kind: 'CLIENT-FAILURE', c: 1 });
    expect(standInMaySend(u, s, x, I.request('evil', 9, 1))).toBe(true);
    expect(standInMaySend(u, s, x, I.request('evil', 9, 0))).toBe(false);
    expect(standInMaySend(u, s, x, I.reply(0, 9, 1, 1, 'fake'))).toBe(false);
    expect(standInMaySend(u, s, x, I.prePrepare(0, 1, I.request('evil', 9, 1), 0))).toBe(false);
    step(u, s, { kind: 'SEND', x, m: I.request('evil', 9, 1), X: u.allReplicas });
    expect(s.wire.has(I.request('evil', 9, 1), u.allReplicas)).toBe(true);
  });

  it('a replica node cannot send a client-signed request it has not seen, even with the same number as a client', () => {
    const u = mk();
    const s = initialSystem(u);
    // replica 0 and client 0 share the identifier 0 but not the key
    expect(standInMaySend(u, s, 0, u.interner.request('a', 1, 0))).toBe(false);
    // and client 0 cannot sign as replica 0
    expect(standInMaySend(u, s, clientNode(u, 0), u.interner.prepare(0, 1, u.interner.nullDigest, 0))).toBe(false);
  });

  it('a failed replica of A_gc may send what its own log held, such as another replica’s initial checkpoint (Fig 2-10)', () => {
    const u = new Universe({ variant: 'Agc' });
    const s = initialSystem(u);
    const initial = [...s.replicas[3]!.in.all].find((m): m is Checkpoint => m.tag === 'CHECKPOINT' && m.j === 1)!;
    expect(s.wire.hasSeen(initial)).toBe(false);
    step(u, s, { kind: 'REPLICA-FAILURE', i: 3 });
    expect(standInMaySend(u, s, 3, initial)).toBe(true);
    expect(standInMaySend(u, s, 3, u.interner.prePrepare(1, 1, initial, 3))).toBe(true);
    expect(standInMaySend(u, s, 3, u.interner.checkpoint(0, 4, initial.d, 1))).toBe(false); // not in its log
  });

  it('a failed client may output any REPLY(r)_c once its stand-in runs, and the proxy state does not change (Section 2.4.2, Fig 2-6)', () => {
    const u = mk();
    const s = initialSystem(u);
    const reply = { kind: 'REPLY', r: 'made-up', c: 1 } as const;
    expect(whyDisabled(u, s, reply)).toMatch(/no reply certificate/);
    step(u, s, { kind: 'CLIENT-FAILURE', c: 1 });
    expect(whyDisabled(u, s, reply)).toBeNull();
    const before = JSON.stringify(s.proxies[1]);
    step(u, s, reply);
    expect(JSON.stringify(s.proxies[1])).toBe(before);
  });

  it('a correct node sends only what its automaton enables (standInMaySend is not consulted)', () => {
    const u = mk();
    const s = initialSystem(u);
    const own = u.interner.prepare(0, 1, u.interner.nullDigest, 2);
    expect(standInMaySend(u, s, 2, own)).toBe(true);
    expect(whyDisabled(u, s, { kind: 'SEND', x: 2, m: own, X: u.allReplicas & ~u.replicaBit(2) })).toMatch(/precondition/);
  });
});
