// Invariant A.1.1 (Appendix A.1): a message signed by a non-faulty replica i that is in the log of
// a non-faulty j (itself, in the P of a view-change, in the V or merge-P(V) of a new-view), on the
// wire, or in out_j, is in in_i.
// (a) along random runs of A; (b) on a state built by steps of A, then corrupted (a message
//     deleted from its signer's log, or a message "forged" into another place), which must be
//     reported under exactly the entry for that place, with its witnesses.
// The incremental evaluation (checkDelta) is compared with the plain one: (c) at every step of
// random runs, (d) on every corrupted state of (b), through a delta tracker that has seen the
// built state (checkAll compares them), and (e) its cost is counted on late steps of a long run.
import { flush, settle } from './build-states.ts';
import { Incremental } from './incremental-harness.ts';
import { describe, expect, it } from 'vitest';
import { initialSystem, nodeBit, step, type SystemState } from '../../automata/compose.ts';
import type { Message, Request, ViewChange } from '../../automata/messages.ts';
import { signerOf } from '../../automata/messages.ts';
import { Universe } from '../../automata/universe.ts';
import { A_1_1, A_1_1_DELTA_WORK } from '../../invariants/a1-signed.ts';
import type { Delta } from '../../invariants/delta.ts';
import type { SystemInvariant, Violation } from '../../invariants/types.ts';
import { runRandom, type RunOptions } from '../../sim/scheduler.ts';

const IN = 'A.1.1(in)';
const WIRE = 'A.1.1(wire)';
const OUT = 'A.1.1(out)';


/** Built states with an incremental evaluation that has seen them since they were built. */
const tracked = new WeakMap<SystemState, Incremental>();

/** The plain evaluation of the three entries; on a tracked state, checkDelta must say the same. */
function checkAll(u: Universe, s: SystemState): Violation[] {
  const plain = A_1_1.flatMap((x) => x.check(u, s));
  const inc = tracked.get(s);
  if (inc !== undefined) {
    const r = inc.next(s);
    expect(A_1_1.flatMap((x) => r.get(x)!), 'checkDelta').toEqual(plain);
  }
  return plain;
}

// ------------------------------------------------------------------ building states by steps of A


/**
 * f = 1. Client 0's request r is pre-prepared (n = 1), prepared, committed and executed in view 0
 * (replies go on the wire); replicas 1, 2, 3 move to view 1, replica 1 sends NEW-VIEW(1) with
 * V = their view-changes (each P holds the prepared certificate for n = 1), and everyone takes it.
 */
function baseState() {
  const u = new Universe({ variant: 'A', f: 1, clients: 2 });
  const s = initialSystem(u);
  step(u, s, { kind: 'REQUEST', o: 'a', c: 0 });
  flush(u, s, u.n);
  settle(u, s);
  const r = s.proxies[0]!.out!;
  step(u, s, { kind: 'SEND-PRE-PREPARE', m: r, v: 0, n: 1, i: 0 });
  settle(u, s);
  for (let i = 0; i < 4; i++) step(u, s, { kind: 'SEND-COMMIT', m: r, v: 0, n: 1, i });
  settle(u, s);
  for (let i = 0; i < 4; i++) step(u, s, { kind: 'EXECUTE', m: r, v: 0, n: 1, i });
  settle(u, s);
  for (const i of [1, 2, 3]) step(u, s, { kind: 'SEND-VIEW-CHANGE', v: 1, i });
  settle(u, s);
  step(u, s, { kind: 'SEND-NEW-VIEW', v: 1, V: [...s.replicas[1]!.in.viewChangesByV.get(1)!], i: 1 });
  settle(u, s);
  const I = u.interner;
  const nv = [...s.replicas[1]!.in.newViewsByV.get(1)!][0]!;
  const prep = (v: number, n: number, m: Request | null, j: number) => I.prepare(v, n, I.digest(m), j);
  const inc = new Incremental(u, A_1_1);
  expect([...inc.next(s).values()].flat()).toEqual([]); // a full delta: the caches are built
  tracked.set(s, inc);
  return { u, s, r, nv, prep, other: I.request('b', 1, 1) };
}

/**
 * Makes replica i faulty by its failure input (a silent stand-in), and lets the incremental
 * evaluation see it (a full delta), so that a corruption that follows is a delta of its own.
 */
function fail(u: Universe, s: SystemState, i: number): void {
  step(u, s, { kind: 'REPLICA-FAILURE', i });
  checkAll(u, s);
}

describe('the built state', () => {
  it('nests signed messages in view-changes and new-views, and satisfies A.1.1 in all three forms', () => {
    const { u, s, nv, prep, r } = baseState();
    expect(s.replicas.map((x) => x.view)).toEqual([1, 1, 1, 1]);
    // in_0 holds the new-view, whose V holds view-changes of 1, 2, 3, whose P hold 2's prepare
    expect(s.replicas[0]!.in.has(nv)).toBe(true);
    expect((nv.V as ViewChange[]).map((vc) => vc.j).sort()).toEqual([1, 2, 3]);
    expect((nv.V as ViewChange[]).every((vc) => vc.P.includes(prep(0, 1, r, 2)))).toBe(true);
    // replies (signed by replicas, never in any in_i) and requests (signed by clients) are on the wire
    const onWire = new Set(s.wire.all().map((e) => e.m));
    expect([...onWire].some((m) => m.tag === 'REPLY' && !s.replicas[m.i]!.in.has(m))).toBe(true);
    expect([...onWire].some((m) => m.tag === 'REQUEST')).toBe(true);
    expect(checkAll(u, s)).toEqual([]);
  });
});

// ------------------------------------------------------------------ (a) random runs

/** Not in the text: O ∪ N of every new-view in in_j, on the wire or in out_j, signed by a correct i, is in in_i. */
function onViolations(s: SystemState): string[] {
  const bad: string[] = [];
  const look = (ms: Iterable<Message>, where: string) => {
    for (const m of ms)
      if (m.tag === 'NEW-VIEW')
        for (const pp of [...m.O, ...m.N]) {
          const i = signerOf(pp).id;
          if (!s.replicas[i]!.faulty && !s.replicas[i]!.in.has(pp)) bad.push(`${where}: pre-prepare ${pp.id} of r${i}`);
        }
  };
  for (const st of s.replicas)
    if (!st.faulty) {
      look(st.in.all, `in_${st.i}`);
      look(st.out, `out_${st.i}`);
    }
  look(
    s.wire.all().map((e) => e.m),
    'wire',
  );
  return bad;
}

describe('A.1.1 along random runs of A', () => {
  const runs = [
    { name: 'no failure', faultyReplicas: [] as number[], seeds: [1, 2], steps: 1500, weights: {} },
    { name: 'replica 3 stopped', faultyReplicas: [3], seeds: [1, 2], steps: 1500, weights: {} },
    // view-change weight 1 (default 0.05): views up to maxView = 8 (passed here, not the default),
    // view-changes with prepared certificates in P and new-views with O ≠ {}, so that the nested
    // premises are exercised
    { name: 'frequent view changes', faultyReplicas: [], seeds: [5], steps: 1500, weights: { 'view-change': 1 }, maxView: 8 },
    { name: 'frequent view changes, replica 3 stopped', faultyReplicas: [3], seeds: [3], steps: 1500, weights: { 'view-change': 1 }, maxView: 8 },
  ];
  for (const { name, faultyReplicas, seeds, steps, weights, maxView } of runs)
    it(`(in), (wire) and (out) hold every 10 steps (${name})`, () => {
      let nested = 0;
      for (const seed of seeds) {
        let u!: Universe;
        runRandom({
          config: { variant: 'A', faultyReplicas, ...(maxView === undefined ? {} : { maxView }) },
          seed,
          steps,
          weights,
          onStart: (uu) => (u = uu),
          onStep: (k, _a, s) => {
            if (k % 10 !== 9) return;
            for (const x of A_1_1) expect(x.check(u, s), `${x.id}, seed ${seed}, step ${k}`).toEqual([]);
            expect(onViolations(s), `O ∪ N, seed ${seed}, step ${k}`).toEqual([]);
            // the nested premises are not vacuous: count view-changes with a non-empty P in logs
            for (const st of s.replicas) for (const vcs of st.in.viewChangesByV.values()) for (const vc of vcs) if (vc.P.length > 0) nested++;
          },
        });
      }
      if (name.startsWith('frequent')) expect(nested).toBeGreaterThan(0);
    });
});

// ------------------------------------------------------------------ (b) corrupted states

/** The violations of all three entries; all must be of `id`. */
function only(u: Universe, s: SystemState, id: string): Violation[] {
  const vs = checkAll(u, s);
  expect(tracked.get(s)?.lastDelta?.full, 'checkDelta saw the corruption as a delta').toBe(false);
  expect(vs.map((v) => v.id).filter((x) => x !== id)).toEqual([]);
  expect(vs.length).toBeGreaterThan(0);
  return vs;
}

describe('A.1.1(in)', () => {
  it('a message of replica 2 that 2 never logged, in in_1', () => {
    const { u, s, prep, other } = baseState();
    const forged = prep(1, 7, other, 2);
    s.replicas[1]!.in.add(forged);
    const vs = only(u, s, IN);
    expect(vs.map((v) => v.witness)).toMatchObject([{ replicas: [2, 1], messages: [forged], view: 1, n: 7 }]);
    expect(vs[0]!.message).toMatch(/is in in_1 but not in in_2/);
  });

  it('in the P of a view-change in in_1 (the view-change from faulty replica 3)', () => {
    const { u, s, prep, other } = baseState();
    fail(u, s, 3);
    const forged = prep(1, 7, other, 2);
    const vc = u.interner.viewChange(2, null, [forged], 3);
    s.replicas[1]!.in.add(vc);
    const vs = only(u, s, IN);
    expect(vs.map((v) => v.witness)).toMatchObject([{ replicas: [2, 1], messages: [forged, vc], view: 1, n: 7 }]);
    expect(vs[0]!.message).toMatch(/is in P of ⟨VIEW-CHANGE/);
  });

  it('in the V of a new-view in in_0 (a view-change of replica 2 that 2 never sent)', () => {
    const { u, s } = baseState();
    fail(u, s, 3);
    const vc2 = u.interner.viewChange(3, null, [], 2);
    const nv = u.interner.newView(3, [vc2], [], [], 3);
    s.replicas[0]!.in.add(nv);
    const vs = only(u, s, IN);
    expect(vs.map((v) => v.witness)).toMatchObject([{ replicas: [2, 0], messages: [vc2, nv], view: 3 }]);
    expect(vs[0]!.message).toMatch(/is in V of ⟨NEW-VIEW/);
  });

  it('in merge-P(V) of a new-view in in_0', () => {
    const { u, s, prep, other } = baseState();
    fail(u, s, 3);
    const forged = prep(2, 4, other, 2);
    const vc3 = u.interner.viewChange(3, null, [forged], 3);
    const nv = u.interner.newView(3, [vc3], [], [], 3);
    s.replicas[0]!.in.add(nv);
    const vs = only(u, s, IN);
    expect(vs.map((v) => v.witness)).toMatchObject([{ replicas: [2, 0], messages: [forged, nv], view: 2, n: 4 }]);
    expect(vs[0]!.message).toMatch(/is in merge-P\(V\) of ⟨NEW-VIEW/);
  });

  it('O and N of a new-view are not named by the text, and not checked', () => {
    const { u, s, other } = baseState();
    fail(u, s, 3);
    const nv = u.interner.newView(3, [], [u.interner.prePrepare(3, 5, other, 2)], [u.interner.prePrepare(3, 4, null, 2)], 3);
    s.replicas[0]!.in.add(nv);
    expect(checkAll(u, s)).toEqual([]);
  });

  it("a prepare deleted from its signer's log is reported wherever it is: in_j, P, merge-P(V), wire", () => {
    const { u, s, prep, r } = baseState();
    const p = prep(0, 1, r, 2);
    s.replicas[2]!.in.delete(p);
    const vs = checkAll(u, s);
    expect(new Set(vs.map((v) => v.id))).toEqual(new Set([IN, WIRE]));
    for (const v of vs) {
      expect(v.witness.replicas![0]).toBe(2);
      expect(v.witness.messages![0]).toBe(p);
      expect(v.witness).toMatchObject({ view: 0, n: 1 });
    }
    const inJ = vs.filter((v) => v.id === IN);
    // top level in in_0, in_1, in_3; in the P of the view-changes in logs; in merge-P(V) of the new-view
    expect(new Set(inJ.filter((v) => v.witness.messages!.length === 1).map((v) => v.witness.replicas![1]))).toEqual(new Set([0, 1, 3]));
    expect(inJ.some((v) => /in P of/.test(v.message) && v.witness.replicas![1] === 1)).toBe(true);
    expect(inJ.some((v) => /in P of/.test(v.message) && v.witness.replicas!.length === 1)).toBe(true); // in a view-change in in_2 itself
    expect(new Set(inJ.filter((v) => /merge-P/.test(v.message)).map((v) => v.witness.replicas![1] ?? 2))).toEqual(new Set([0, 1, 2, 3]));
    // each (place, container, log) once: merge-P(V) is a set
    const keys = inJ.map((v) => `${v.witness.replicas!.join()}|${v.witness.messages!.map((m) => m.id).join()}|${v.message.includes('merge-P')}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('a view-change deleted from its signer\'s log is reported in the V of the new-view', () => {
    const { u, s, nv } = baseState();
    const vc3 = (nv.V as ViewChange[]).find((vc) => vc.j === 3)!;
    s.replicas[3]!.in.delete(vc3);
    const vs = checkAll(u, s).filter((v) => v.id === IN);
    expect(vs.some((v) => /is in V of/.test(v.message) && v.witness.messages![0] === vc3 && v.witness.messages![1] === nv)).toBe(true);
    for (const v of vs) expect(v.witness).toMatchObject({ replicas: expect.arrayContaining([3]), view: 1 });
  });
});

describe('A.1.1(wire)', () => {
  it('a message of replica 2 on the wire that 2 never logged', () => {
    const { u, s, prep, other } = baseState();
    const forged = prep(1, 7, other, 2);
    s.wire.add(forged, u.allReplicas & ~nodeBit(2));
    const vs = only(u, s, WIRE);
    expect(vs.map((v) => v.witness)).toMatchObject([{ replicas: [2], messages: [forged], view: 1, n: 7 }]);
    expect(vs[0]!.message).toMatch(/is in wire but not in in_2/);
  });

  it('nested in a view-change on the wire, once however many destination sets carry it', () => {
    const { u, s, prep, other } = baseState();
    fail(u, s, 3);
    const forged = prep(1, 7, other, 0);
    const vc = u.interner.viewChange(2, null, [forged], 3);
    s.wire.add(vc, 0);
    s.wire.add(vc, nodeBit(1));
    const vs = only(u, s, WIRE);
    expect(vs.map((v) => v.witness)).toMatchObject([{ replicas: [0], messages: [forged, vc], view: 1, n: 7 }]);
  });

  it('replies and requests on the wire are outside the invariant', () => {
    const { u, s } = baseState();
    s.wire.add(u.interner.reply(3, 9, 1, 2, 'x'), u.clientBit(1)); // never in in_2
    s.wire.add(u.interner.request('zz', 9, 1), u.allReplicas);
    expect(checkAll(u, s)).toEqual([]);
  });
});

describe('A.1.1(out)', () => {
  it('a message of replica 2 in out_1 that 2 never logged', () => {
    const { u, s, prep, other } = baseState();
    const forged = prep(1, 7, other, 2);
    s.replicas[1]!.out.add(forged);
    const vs = only(u, s, OUT);
    expect(vs.map((v) => v.witness)).toMatchObject([{ replicas: [2, 1], messages: [forged], view: 1, n: 7 }]);
    expect(vs[0]!.message).toMatch(/is in out_1 but not in in_2/);
  });

  it("a replica's own message in its out but not in its log (j = i is checked for out)", () => {
    const { u, s, other } = baseState();
    const c = u.interner.commit(1, 3, u.interner.digest(other), 1);
    s.replicas[1]!.out.add(c);
    const vs = only(u, s, OUT);
    expect(vs.map((v) => v.witness)).toMatchObject([{ replicas: [1], messages: [c], view: 1, n: 3 }]);
  });

  it('nested in the merge-P(V) of a new-view in out_2', () => {
    const { u, s, prep, other } = baseState();
    const forged = prep(1, 7, other, 0);
    const vc = u.interner.viewChange(6, null, [forged], 2);
    const nv = u.interner.newView(6, [vc], [], [], 2);
    // the view-change and new-view are 2's own and logged by 2; only the prepare of 0 is forged
    s.replicas[2]!.in.add(vc);
    s.replicas[2]!.in.add(nv);
    s.replicas[2]!.out.add(nv);
    const vs = checkAll(u, s);
    const out = vs.filter((v) => v.id === OUT);
    expect(out.map((v) => v.witness)).toMatchObject([{ replicas: [0, 2], messages: [forged, nv], view: 1, n: 7 }]);
    expect(out[0]!.message).toMatch(/merge-P\(V\) of ⟨NEW-VIEW/);
    // the same message nested in in_2 is the (in) form's business: P of vc and merge-P of nv
    expect(vs.filter((v) => v.id === IN)).toHaveLength(2);
  });
});

describe('several changes between two evaluations (checkAll compares checkDelta with check)', () => {
  it('a message deleted from its signer\'s log and put back is no change', () => {
    const { u, s, prep, r } = baseState();
    const p = prep(0, 1, r, 2);
    s.replicas[2]!.in.delete(p);
    s.replicas[2]!.in.add(p);
    expect(checkAll(u, s)).toEqual([]);
  });

  it('a forged message added to a log and deleted again is no change', () => {
    const { u, s, prep, other } = baseState();
    const forged = prep(1, 7, other, 2);
    s.replicas[1]!.in.add(forged);
    s.replicas[1]!.in.delete(forged);
    expect(checkAll(u, s)).toEqual([]);
  });

  it('a forged message and a deleted one at once are both reported', () => {
    const { u, s, prep, other, r } = baseState();
    const forged = prep(1, 7, other, 3);
    s.replicas[1]!.in.add(forged);
    s.replicas[2]!.in.delete(prep(0, 1, r, 2));
    const vs = checkAll(u, s);
    expect(vs.some((v) => v.witness.messages![0] === forged)).toBe(true);
    expect(vs.some((v) => v.witness.replicas![0] === 2)).toBe(true);
  });

  it('a message put back into its signer\'s log after a violation clears it', () => {
    const { u, s, prep, r } = baseState();
    const p = prep(0, 1, r, 2);
    s.replicas[2]!.in.delete(p);
    expect(checkAll(u, s).length).toBeGreaterThan(0);
    s.replicas[2]!.in.add(p);
    expect(checkAll(u, s)).toEqual([]);
  });
});

describe('A.1.1 judges only non-faulty signers and non-faulty holders', () => {
  it('a deleted message of a replica that then fails is not reported', () => {
    const { u, s, prep, r } = baseState();
    s.replicas[2]!.in.delete(prep(0, 1, r, 2));
    expect(checkAll(u, s).length).toBeGreaterThan(0);
    fail(u, s, 2);
    expect(checkAll(u, s)).toEqual([]);
  });

  it('a forged message in the log or out of a faulty replica is not reported (¬faulty_j)', () => {
    const { u, s, prep, other } = baseState();
    const forged = prep(1, 7, other, 2);
    s.replicas[1]!.in.add(forged);
    s.replicas[1]!.out.add(forged);
    expect(new Set(checkAll(u, s).map((v) => v.id))).toEqual(new Set([IN, OUT]));
    fail(u, s, 1);
    expect(checkAll(u, s)).toEqual([]);
  });

  it('a message signed by a faulty replica is not reported anywhere', () => {
    const { u, s, prep, other } = baseState();
    fail(u, s, 2);
    const forged = prep(1, 7, other, 2);
    s.replicas[1]!.in.add(forged);
    s.replicas[1]!.out.add(forged);
    s.wire.add(forged, u.allReplicas);
    expect(checkAll(u, s)).toEqual([]);
  });
});

// ------------------------------------------------------------------ (c), (e) the incremental evaluation along runs

const key = (vs: readonly Violation[]) => vs.map((v) => `${v.id}: ${v.message}`).join('\n');

/**
 * Runs A with checkDelta of `invs` after every `every`-th step (one delta for the steps between)
 * and check(u, s) beside it, until the first violation; returns the steps compared and that
 * violation's step (−1 if none).
 */
function agreeAlong(invs: readonly SystemInvariant[], opts: RunOptions, every = 1): { compared: number; violationAt: number } {
  let u!: Universe;
  let inc!: Incremental;
  let compared = 0;
  let violationAt = -1;
  runRandom({
    ...opts,
    onStart: (uu) => {
      u = uu;
      inc = new Incremental(uu, invs);
    },
    onStep: (k, _a, s) => {
      if (k % every !== every - 1) return true;
      const got = inc.next(s);
      compared++;
      let any = false;
      for (const x of invs) {
        const plain = x.check(u, s);
        const incremental = got.get(x)!;
        if (key(incremental) !== key(plain) || plain.length > 0) expect(incremental, `${x.id}, seed ${String(opts.seed)}, step ${k}`).toEqual(plain);
        if (plain.length > 0) any = true;
      }
      if (!any) return true;
      violationAt = k;
      return false;
    },
  });
  return { compared, violationAt };
}

describe('checkDelta of A.1.1 agrees with check', () => {
  const runs: { name: string; opts: RunOptions; every?: number }[] = [
    { name: 'no failure, seed 1', opts: { config: { variant: 'A' }, seed: 1, steps: 1500 } },
    { name: 'replica 3 stopped, seed 2', opts: { config: { variant: 'A', faultyReplicas: [3] }, seed: 2, steps: 1500 } },
    { name: 'view-change weight 20, seed 8', opts: { config: { variant: 'A' }, seed: 8, steps: 1500, weights: { 'view-change': 20 } } },
    { name: 'view-change weight 1, seed 5', opts: { config: { variant: 'A' }, seed: 5, steps: 1500, weights: { 'view-change': 1 } } },
    {
      name: 'view-change weight 1, replica 3 stopped, every 7th step',
      opts: { config: { variant: 'A', faultyReplicas: [3] }, seed: 3, steps: 1500, weights: { 'view-change': 1 } },
      every: 7,
    },
  ];
  for (const { name, opts, every } of runs)
    it(`at every checked step of a random run (${name})`, () => {
      const r = agreeAlong(A_1_1, opts, every);
      expect(r.violationAt).toBe(-1);
      expect(r.compared).toBe(Math.floor(opts.steps / (every ?? 1)));
    });
});

/** The size of what a delta names: each message with the messages nested in it. */
function deltaWeight(d: Delta): number {
  const size = (m: Message): number =>
    m.tag === 'VIEW-CHANGE' ? 1 + m.P.length : m.tag === 'NEW-VIEW' ? 1 + m.O.length + m.N.length + m.V.reduce((x, vc) => x + size(vc), 0) : 1;
  let w = 0;
  for (const list of [...d.inAdded.values(), ...d.inRemoved.values(), ...d.outAdded.values(), d.wireAdded]) for (const m of list) w += size(m);
  return w;
}

describe('the cost of checkDelta of A.1.1 does not grow with the run', () => {
  // Without timing: A_1_1_DELTA_WORK counts the messages checkDelta examines. Each message a
  // step adds to a log, to an out or to the wire is examined with what it names (P, V and
  // merge-P(V): at most twice its nested size) by each of the three entries, whatever the size of
  // the state; removals (requests, in A) are looked at once by each entry.
  it('late in a run, a step examines a few messages per message it changed, not the state', () => {
    let inc!: Incremental;
    const examined = [0, 0];
    const weight = [0, 0];
    const logs = [0, 0];
    let worst = 0;
    runRandom({
      config: { variant: 'A' },
      seed: 2,
      steps: 6000,
      onStart: (u) => (inc = new Incremental(u, A_1_1)),
      onStep: (k, _a, s) => {
        const before = A_1_1_DELTA_WORK.examined;
        expect([...inc.next(s).values()].flat()).toEqual([]);
        const w = k >= 1000 && k < 1500 ? 0 : k >= 5500 ? 1 : -1;
        if (w < 0) return;
        const work = A_1_1_DELTA_WORK.examined - before;
        const changed = deltaWeight(inc.lastDelta!);
        examined[w]! += work;
        weight[w]! += changed;
        logs[w] = s.replicas.reduce((x, r) => x + r.in.size, 0) + s.wire.messageCount;
        if (w === 1) worst = Math.max(worst, work / (1 + changed));
      },
    });
    // the state the plain check looks at grew more than four-fold from one window to the other ...
    expect(logs[1]!).toBeGreaterThan(4 * logs[0]!);
    // ... while checkDelta examined about as many messages per message the steps changed
    expect(examined[1]! / weight[1]!).toBeLessThan(1.5 * (examined[0]! / weight[0]!));
    expect(worst).toBeLessThanOrEqual(3);
    expect(examined[1]! / 500).toBeLessThan(3); // per step, late in the run
  });
});

describe('registry', () => {
  it('has the three entries with their statement and reference', () => {
    expect(A_1_1.map((x) => x.id)).toEqual([IN, WIRE, OUT]);
    for (const x of A_1_1) {
      expect(x.family).toBe('A.1.1');
      expect(x.subject).toBe('A');
      expect(x.ref).toMatch(/^Appendix A\.1, Invariant A\.1\.1/);
      expect(x.statement).toMatch(/⇒ ⟨m⟩σi ∈ in_i/);
    }
  });
});
