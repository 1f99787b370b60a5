// The moves the thesis's message set M allows (issue 13): each is taken by a stand-in in a run and
// its effect checked — a pre-prepare of a non-request accepted by correct replicas, a view-change
// whose C is built from seen checkpoints, a new-view whose V is not the lowest-numbered signers, a
// faulty client's REPLY, a failed replica's own initial checkpoint, and the R16 restriction.
import { describe, expect, it } from 'vitest';
import type { Action } from '../../automata/actions.ts';
import { computeON, correctNewView } from '../../automata/aux-functions.ts';
import { ByzantineReplica, CollusionBoard, EVEN_TACTICS } from '../../automata/byzantine-replica.ts';
import { clientNode } from '../../automata/compose.ts';
import type { Message, NewView } from '../../automata/messages.ts';
import type { Universe } from '../../automata/universe.ts';
import { runRandom, type RunOptions } from '../../sim/scheduler.ts';
import { planFor, planRunOptions } from '../../sim/strategies.ts';

interface Seen {
  a: Action;
  /** The run's universe (messages are interned per run). */
  u: Universe;
  /** Replicas (non-faulty) whose log the sent message entered when they received it, at some step of the run. */
  loggedBy: number[];
}

/** Every send of a faulty replica over a few seeds of a strategy, with who logged it by the end. */
function faultySends(strategy: string, seeds: number, extra: Partial<RunOptions> = {}): { sends: Seen[]; u: Universe } {
  const sends: Seen[] = [];
  let u!: Universe;
  for (let k = 0; k < seeds; k++) {
    const seed = `nest-${strategy}-${k}`;
    const plan = planFor(strategy, seed, { f: 1, n: 4, clients: 2 });
    const mine: Action[] = [];
    /** The correct replicas each message entered the log of, at some step (a later collection may discard it). */
    const logged = new Map<Message, number[]>();
    runRandom({
      seed,
      steps: 2000,
      ...planRunOptions(plan, { variant: 'Agc' }),
      ...extra,
      onStart: (uu) => {
        u = uu;
      },
      onStep: (_i, a, s) => {
        if (a.kind === 'SEND' && a.x < u.n && s.standIns[a.x] !== null) mine.push(a);
        if (a.kind === 'RECEIVE' && a.x < u.n && !s.replicas[a.x]!.faulty && s.replicas[a.x]!.in.has(a.m)) {
          const by = logged.get(a.m) ?? [];
          if (!by.includes(a.x)) logged.set(a.m, [...by, a.x]);
        }
      },
    });
    for (const a of mine) {
      const m = (a as Extract<Action, { kind: 'SEND' }>).m;
      sends.push({ a, u, loggedBy: logged.get(m) ?? [] });
    }
  }
  return { sends, u };
}

const msg = (x: Seen): Message => (x.a as Extract<Action, { kind: 'SEND' }>).m;

describe('nesting where M allows any message (strategy nested-messages)', () => {
  // 4,000 steps: view changes come when progress stops (sim/drawer.ts), so new-views need longer runs.
  const { sends, u } = faultySends('nested-messages', 6, { steps: 4000 });

  it('a faulty primary pre-prepares a message that is not a request, and correct replicas log it', () => {
    const pps = sends.filter((x) => {
      const m = msg(x);
      return m.tag === 'PRE-PREPARE' && m.m !== null && m.m.tag !== 'REQUEST';
    });
    expect(pps.length).toBeGreaterThan(0);
    expect(pps.some((x) => x.loggedBy.length > 0)).toBe(true);
  });

  it("a view-change's C is built from seen checkpoints of other replicas, one (n, d) with the value of that digest", () => {
    const built = sends.filter((x) => {
      const m = msg(x);
      if (m.tag !== 'VIEW-CHANGE' || m.gc === null || m.gc.C.length < 2) return false;
      const cps = m.gc.C.filter((c) => c.tag === 'CHECKPOINT');
      return cps.length === m.gc.C.length && cps.some((c) => c.tag === 'CHECKPOINT' && c.j !== m.j) && cps.every((c) => c.tag === 'CHECKPOINT' && c.n === m.gc!.n && c.d === x.u.interner.valueDigest(m.gc!.s));
    });
    expect(built.length).toBeGreaterThan(0);
    expect(built.some((x) => x.loggedBy.length > 0)).toBe(true); // correct ones are accepted
  });

  it('a new-view picks V among other than the lowest-numbered signers, and some such new-view is accepted', () => {
    const picked = sends.filter((x) => {
      const m = msg(x);
      if (m.tag !== 'NEW-VIEW' || m.V.length !== 2 * u.f + 1) return false;
      const signers = m.V.map((vc) => (vc.tag === 'VIEW-CHANGE' ? vc.j : -1)).sort((a, b) => a - b);
      return signers.join() !== [0, 1, 2].join();
    });
    expect(picked.length).toBeGreaterThan(0);
    expect(picked.some((x) => x.loggedBy.length > 0)).toBe(true);
  });

  it('O and N are sometimes thinned or padded, and correct replicas refuse such a new-view (correct-new-view, Fig 2-9)', () => {
    const crafted = sends.filter((x) => {
      const m = msg(x);
      if (m.tag !== 'NEW-VIEW' || m.V.length !== 2 * u.f + 1 || !m.V.every((vc) => vc.tag === 'VIEW-CHANGE')) return false;
      const { O, N } = computeON(x.u, m.v, m.V, m.signer);
      return O.length !== m.O.length || N.length !== m.N.length;
    });
    expect(crafted.length).toBeGreaterThan(0);
    for (const x of crafted) expect(correctNewView(x.u, msg(x), (msg(x) as NewView).v)).toBe(false);
    expect(crafted.filter((x) => x.loggedBy.length > 0)).toEqual([]);
  });

  it('R16: by default no checkpoint, view-change or new-view goes inside a pre-prepare or a P, O, N a stand-in signs', () => {
    for (const x of sends) {
      const m = msg(x);
      const inner = m.tag === 'PRE-PREPARE' ? (m.m === null ? [] : [m.m]) : m.tag === 'VIEW-CHANGE' ? m.P : m.tag === 'NEW-VIEW' ? [...m.O, ...m.N] : [];
      const signer = m.tag === 'PRE-PREPARE' || m.tag === 'NEW-VIEW' ? m.signer : m.tag === 'VIEW-CHANGE' ? m.j : -1;
      if (signer === (x.a as Extract<Action, { kind: 'SEND' }>).x)
        for (const n of inner) expect(['CHECKPOINT', 'VIEW-CHANGE', 'NEW-VIEW']).not.toContain(n.tag);
    }
  });
});

describe('a failed replica uses what its own log held (nestAgcMessages on)', () => {
  it("it nests another replica's initial checkpoint (Fig 2-10), never sent on the wire", () => {
    const board = new CollusionBoard();
    const { sends } = faultySends('random', 3, {
      standIns: (_u, node) => new ByzantineReplica(node, { ...EVEN_TACTICS, nest: 20 }, board, true),
      config: { variant: 'Agc', faultyReplicas: [3] },
    });
    const nestsInitial = sends.some((x) => {
      const m = msg(x);
      return m.tag === 'PRE-PREPARE' && m.m?.tag === 'CHECKPOINT' && m.m.n === 0 && m.m.j !== m.signer;
    });
    expect(nestsInitial).toBe(true);
  });
});

describe('a faulty client outputs REPLY (Section 2.4.2, Fig 2-6)', () => {
  it('strategy colluding-primary-client: the faulty client outputs REPLY(r)_c, and its proxy state does not change', () => {
    let replies = 0;
    for (let k = 0; k < 4; k++) {
      const seed = `nest-reply-${k}`;
      const plan = planFor('colluding-primary-client', seed, { f: 1, n: 4, clients: 2 });
      let before = '';
      runRandom({
        seed,
        steps: 2000,
        ...planRunOptions(plan, { variant: 'Agc' }),
        beforeStep: (_i, a, s) => {
          if (a.kind === 'REPLY' && s.proxies[a.c]!.faulty) before = JSON.stringify({ ...s.proxies[a.c], in: s.proxies[a.c]!.in.size });
        },
        onStep: (_i, a, s) => {
          if (a.kind !== 'REPLY' || !s.proxies[a.c]!.faulty) return;
          replies++;
          expect(s.standIns[clientNode({ n: 4 } as Universe, a.c)]).not.toBeNull();
          expect(JSON.stringify({ ...s.proxies[a.c], in: s.proxies[a.c]!.in.size })).toBe(before);
        },
      });
    }
    expect(replies).toBeGreaterThan(0);
  });
});
