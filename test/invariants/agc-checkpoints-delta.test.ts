// Incremental evaluation (checkDelta) of A.2.3(1), A.2.3(2) and A.2.4 against the plain one.
//  (1) along random runs of A_gc, fed a DeltaTracker after every step, checkDelta returns what
//      check returns (ids, messages, witnesses) at every step up to the first violation,
//      including runs whose readings produce violations;
//  (2) a corruption made after the tracker has seen the state (MessageSet.add / delete, out_i,
//      the wire, a scalar variable, a faulty flag) is reported by checkDelta exactly as by check;
//  (3) the cost per step late in a long run does not involve the whole state (counted, not timed).
import { describe, expect, it } from 'vitest';
import { cloneSystem, initialSystem, step, type SystemState } from '../../automata/compose.ts';
import type { ConfigInput } from '../../automata/config.ts';
import type { Message } from '../../automata/messages.ts';
import type { StateMachine } from '../../automata/services.ts';
import type { Universe } from '../../automata/universe.ts';
import { agcCheckpointInvariants, CommittedWireIndex, rFold, wireSets, type AgcReadings } from '../../invariants/agc-checkpoints.ts';
import { InvariantChecker } from '../../invariants/check.ts';
import { DeltaTracker } from '../../invariants/delta.ts';
import type { SystemInvariant, Violation } from '../../invariants/types.ts';
import { runRandom } from '../../sim/scheduler.ts';
import { chk, clientRequest, com, deliver, flush, mkU, sendOut } from '../replica-gc/helpers.ts';

/** A violation with its witness messages by id (messages are interned: ids identify them). */
const comparable = (vs: readonly Violation[]) => vs.map((v) => ({ ...v, witness: { ...v.witness, messages: v.witness.messages?.map((m) => m.id) } }));

/** The three conjuncts with a tracker and one cache each: incremental and plain side by side. */
class Pair {
  readonly tracker = new DeltaTracker();
  readonly invs: SystemInvariant[];
  readonly caches: Map<string, unknown>[];
  constructor(
    readonly u: Universe,
    readings: AgcReadings = {},
  ) {
    this.invs = agcCheckpointInvariants(readings);
    this.caches = this.invs.map(() => new Map());
  }
  /** checkDelta and check of every conjunct on s; expects them to agree and returns the violations. */
  both(s: SystemState): Violation[] {
    const d = this.tracker.next(s);
    return this.invs.flatMap((inv, x) => {
      const inc = inv.checkDelta!(this.u, s, d, this.caches[x]!);
      const plain = inv.check(this.u, s);
      expect(comparable(inc)).toEqual(comparable(plain));
      return inc;
    });
  }
}

// ---------------------------------------------------------------- (1) random runs

interface Compared {
  steps: number;
  firstViolation: Violation[];
  at: number;
}
function compareAlong(config: ConfigInput, seed: number, steps: number): Compared {
  let pair!: Pair;
  let first: Violation[] = [];
  let at = -1;
  let n = 0;
  runRandom({
    config: { variant: 'Agc', ...config },
    seed,
    steps,
    onStart: (u) => {
      pair = new Pair(u, { literalWire: u.config.readings.literalWire, literalLastRepT: u.config.readings.literalLastRepT });
    },
    onStep: (k, _a, s) => {
      n++;
      const vs = pair.both(s);
      if (vs.length === 0) return true;
      first = vs;
      at = k;
      return false;
    },
  });
  return { steps: n, firstViolation: first, at };
}

describe('(1) checkDelta agrees with check after every step of random runs of A_gc', () => {
  const clean: [string, ConfigInput, number][] = [
    ['default', {}, 1],
    ['faulty r3', { faultyReplicas: [3] }, 2],
    ['chkpt-int 2, L 4', { chkptInt: 2, L: 4 }, 3],
    ['chkpt-int 2, L 4, faulty r3', { chkptInt: 2, L: 4, faultyReplicas: [3] }, 44],
  ];
  for (const [name, config, seed] of clean)
    it(`${name}, seed ${seed}: 1200 steps, no violation`, () => {
      const r = compareAlong(config, seed, 1200);
      expect(r.steps).toBe(1200);
      expect(r.at).toBe(-1);
    });

  it('out_i := {} read literally (ERRATA E3), seed 36: agree up to and at the first violation, A.2.3(1) at step 492', () => {
    const r = compareAlong({ readings: { literalOutReset: true } }, 36, 1500);
    expect(r.at).toBe(492);
    expect([...new Set(r.firstViolation.map((v) => v.id))]).toEqual(['A.2.3(1)']);
  });

  it('Wire without nested messages (literalWire), seed 4: agree up to and at the first violation', () => {
    const r = compareAlong({ readings: { literalWire: true } }, 4, 1500);
    expect(r.at).toBeGreaterThan(0);
    expect(r.firstViolation.map((v) => v.id)).toContain('A.2.3(1)');
  });

  it('"l = r-last-rep-t(μ)" (literalLastRepT): both fail from the first step', () => {
    const r = compareAlong({ readings: { literalLastRepT: true } }, 1, 100);
    expect(r.at).toBe(0);
    expect([...new Set(r.firstViolation.map((v) => v.id))]).toEqual(['A.2.3(1)', 'A.2.3(2)']);
  });

  it('InvariantChecker: incremental (default) and plain (incremental: false) report the same findings', () => {
    const findings = (incremental: boolean) => {
      let checker!: InvariantChecker;
      const out: unknown[] = [];
      runRandom({
        config: { variant: 'Agc', readings: { literalOutReset: true } },
        seed: 36,
        steps: 510,
        onStart: (u) => {
          checker = new InvariantChecker(u, { invariants: agcCheckpointInvariants(), endToEnd: false, incremental });
        },
        onStep: (k, a, s) => {
          out.push(...comparable(checker.afterStep(k, a, s)));
        },
      });
      return out;
    };
    const inc = findings(true);
    expect(inc.length).toBeGreaterThan(0);
    expect(inc).toEqual(findings(false));
  });
});

// ---------------------------------------------------------------- (2) corruptions

const runs = new Map<string, { u: Universe; s: SystemState }>();
function endOf(seed: number, faultyReplicas: number[]): { u: Universe; s: SystemState } {
  const key = `${seed}|${faultyReplicas.join(',')}`;
  let x = runs.get(key);
  if (x === undefined) {
    const r = runRandom({ config: { variant: 'Agc', faultyReplicas }, seed, steps: 1500 });
    runs.set(key, (x = { u: r.universe, s: r.state }));
  }
  return x;
}
/** A copy of the end of a run, already seen by a pair (tracker and caches), where nothing fails. */
function primed(seed: number, faulty: number[] = [], readings: AgcReadings = {}): { u: Universe; s: SystemState; pair: Pair } {
  const { u, s: s0 } = endOf(seed, faulty);
  const s = cloneSystem(s0);
  const pair = new Pair(u, readings);
  expect(pair.both(s)).toEqual([]);
  return { u, s, pair };
}
const ids = (vs: readonly Violation[]) => vs.map((v) => v.id);

describe('(2) a corruption after the tracker has seen the state is reported as check reports it', () => {
  it('scalars: val and last-rep replaced (A.2.3(1)), then restored', () => {
    const { u, s, pair } = primed(1);
    const r = s.replicas.find((x) => x.lastExec > 0)!;
    const [val, lastRep] = [r.val, r.lastRep];
    r.val = u.service.g(0, 'forged', r.val)[1];
    r.lastRep = ['forged-reply', ...r.lastRep.slice(1)];
    const vs = pair.both(s);
    expect(ids(vs)).toEqual(['A.2.3(1)']);
    expect(vs[0]!.witness.replicas).toEqual([r.i]);
    r.val = val;
    r.lastRep = lastRep;
    expect(pair.both(s)).toEqual([]);
  });

  it('scalars: last-exec past every certificate (A.2.3(1) at the first k without a candidate)', () => {
    const { u, s, pair } = primed(5, [3]);
    const top = Math.max(...new CommittedWireIndex(u, wireSets(u, s)).certifiedK);
    s.replicas[0]!.lastExec = top + 1;
    const vs = pair.both(s);
    expect(ids(vs)).toEqual(['A.2.3(1)']);
    expect(vs[0]!.witness.n).toBe(top + 1);
    expect(vs[0]!.witness.messages).toEqual([]);
    // A commit at top + 1 (no certificate: the candidates do not change) is shown as a witness.
    const c = com(u, 0, top + 1, null, 1);
    s.wire.add(c, 0);
    const again = pair.both(s);
    expect(again[0]!.witness.messages).toEqual([c]);
  });

  it('MessageSet.add of a forged checkpoint to in_i (A.2.3(2)), then MessageSet.delete (it leaves N: no violation)', () => {
    const { u, s, pair } = primed(1);
    const bogus = u.interner.checkpointValue(u.service.g(1, 'forged', u.service.initial)[1], ['x', 'y'], [7, 7]);
    const m = chk(u, 0, 4, bogus, 2);
    s.replicas[0]!.in.add(m);
    const vs = pair.both(s);
    expect(ids(vs)).toEqual(['A.2.3(2)']);
    expect(vs[0]!.witness).toMatchObject({ replicas: [2], n: 4, messages: [m] });
    s.replicas[0]!.in.delete(m);
    expect(pair.both(s)).toEqual([]);
  });

  for (const literalWire of [false, true])
    it(`MessageSet.add of a VIEW-CHANGE that carries a forged checkpoint (set N, literalWire ${literalWire})`, () => {
      const { u, s, pair } = primed(1, [3], { literalWire });
      const bogus = u.interner.checkpointValue(u.service.g(0, 'forged', u.service.initial)[1], ['x', 'y'], [9, 9]);
      const correct = chk(u, 0, 4, bogus, 1);
      const byFaulty = chk(u, 0, 4, bogus, 3);
      const vc = u.interner.viewChange(7, { n: 4, s: bogus, C: [correct, byFaulty] }, [], 3);
      s.replicas[2]!.in.add(u.interner.newView(7, [vc], [], [], 3));
      const vs = pair.both(s);
      expect(ids(vs)).toEqual(['A.2.3(2)']); // not the checkpoint of faulty replica 3
      expect(vs[0]!.witness.messages![0]).toBe(correct);
    });

  it('the wire: a second request with a certificate at k = 1 (A.2.4; A.2.3 searched past the chain)', () => {
    const { u, s, pair } = primed(1);
    const forged = u.interner.request('forged', 99, 0);
    s.wire.add(forged, 0);
    for (const q of [0, 1]) s.wire.add(com(u, 0, 1, forged, q), 0);
    expect(pair.both(s)).toEqual([]); // two signers: no certificate yet
    s.wire.add(com(u, 0, 1, forged, 2), 0);
    expect(ids(pair.both(s))).toEqual(['A.2.4']);
  });

  it('the wire: two candidates past the first k without one do not violate A.2.4', () => {
    const { u, s, pair } = primed(3);
    const k = Math.max(...new CommittedWireIndex(u, wireSets(u, s)).certifiedK) + 2;
    for (const o of ['x', 'y']) {
      const m = u.interner.request(o, 50, 1);
      s.wire.add(m, 0);
      for (const q of [0, 1, 2]) s.wire.add(com(u, 0, k, m, q), 0);
    }
    expect(pair.both(s)).toEqual([]);
    // filling the gap below k makes both reachable
    const top = k - 2;
    const gap = u.interner.request('gap', 51, 0);
    s.wire.add(gap, 0);
    for (const q of [0, 1, 2]) s.wire.add(com(u, 0, top + 1, gap, q), 0);
    const vs = pair.both(s);
    expect(ids(vs)).toEqual(['A.2.4']);
    expect(vs[0]!.witness.n).toBe(k);
  });

  it('a faulty flag set (a full delta): the same answers', () => {
    const { s, pair } = primed(2);
    s.replicas[1]!.faulty = true;
    expect(pair.both(s)).toEqual([]);
    s.replicas[2]!.faulty = true; // n-faulty > f: nothing is asserted
    expect(pair.both(s)).toEqual([]);
  });

  it('Wire+o loses commits that were only in out_i: A.2.3(1) and (2) fail, and hold again when they are back', () => {
    const u = mkU({ chkptInt: 1 }); // replica 1 signs a checkpoint when it executes n = 1
    const s = initialSystem(u);
    const pair = new Pair(u);
    const a = clientRequest(u, s, 0, 'a');
    flush(u, s);
    step(u, s, { kind: 'SEND-PRE-PREPARE', m: a, v: 0, n: 1, i: 0 });
    flush(u, s);
    expect(pair.both(s)).toEqual([]);
    for (const i of [0, 1, 2, 3]) step(u, s, { kind: 'SEND-COMMIT', m: a, v: 0, n: 1, i });
    sendOut(u, s, 0);
    sendOut(u, s, 3);
    deliver(u, s, com(u, 0, 1, a, 0), 1);
    deliver(u, s, com(u, 0, 1, a, 3), 1);
    step(u, s, { kind: 'EXECUTE', m: a, v: 0, n: 1, i: 1 });
    expect(pair.both(s)).toEqual([]); // the commits of 1 and 2 are in out_1, out_2
    const lost: Message[] = [com(u, 0, 1, a, 1), com(u, 0, 1, a, 2)];
    s.replicas[2]!.out.delete(lost[1]!);
    expect(pair.both(s)).toEqual([]); // 0, 1, 3: still a certificate
    s.replicas[1]!.out.delete(lost[0]!);
    const vs = pair.both(s);
    expect(ids(vs)).toEqual(['A.2.3(1)', 'A.2.3(2)']);
    expect(vs[0]!.witness).toMatchObject({ replicas: [1], n: 1 });
    expect(vs[1]!.witness).toMatchObject({ replicas: [1], n: 1, view: 0 });
    s.replicas[2]!.out.add(lost[1]!);
    expect(pair.both(s)).toEqual([]);
  });

  it('a candidate whose least view drops: the kept chain of folds is cut back (A.2.3(1) and (2) hold again)', () => {
    const u = mkU();
    const s = initialSystem(u);
    const pair = new Pair(u);
    expect(pair.both(s)).toEqual([]);
    // m_1 = a, committed in view 0 but pre-prepared in view 1 only; a itself is not in Wire (vmin = 1).
    const a = u.interner.request('a', 1, 0);
    s.wire.add(u.interner.prePrepare(1, 1, a, 1), 0);
    for (const q of [0, 1, 2]) s.wire.add(com(u, 0, 1, a, q), 0);
    const r = s.replicas[0]!;
    const x = rFold(u, [a]);
    [r.val, r.lastRep, r.lastRepT, r.lastExec, r.view] = [x.val, [...x.lastRep], [...x.lastRepT], 1, 1];
    expect(pair.both(s)).toEqual([]);
    r.view = 0; // bound 0 excludes m_1
    const own = chk(u, 0, 1, u.interner.checkpointValue(x.val, x.lastRep, x.lastRepT), 2);
    s.replicas[2]!.in.add(own);
    expect(ids(pair.both(s))).toEqual(['A.2.3(1)', 'A.2.3(2)']);
    // the request itself in out_3, then not, then in Wire (a witness in view 0): vmin 0, 1, 0
    s.replicas[3]!.out.add(a);
    expect(pair.both(s)).toEqual([]);
    s.replicas[3]!.out.delete(a);
    expect(ids(pair.both(s))).toEqual(['A.2.3(1)', 'A.2.3(2)']);
    s.wire.add(a, 0);
    expect(pair.both(s)).toEqual([]);
  });
});

// ---------------------------------------------------------------- (3) cost

describe('(3) the cost of checkDelta late in a run depends on the step, not on the run', () => {
  it('5000 steps: in the last 300, no scan of the wire and almost no fold steps, where one plain check needs many', () => {
    let u!: Universe;
    let s!: SystemState;
    const tracker = new DeltaTracker();
    const invs = agcCheckpointInvariants();
    const caches = invs.map(() => new Map<string, unknown>());
    const count = { on: false, g: 0, wireEntries: 0 };
    runRandom({
      config: { variant: 'Agc' },
      seed: 'cost',
      steps: 5000,
      onStart: (x, s0) => {
        u = x;
        s = s0;
        // Count the service's g (one per fold step of Definition A.2.1) and reads of wire entries.
        const svc = u.service;
        const counted: StateMachine = { ...svc, g: (c, o, st) => (count.on && count.g++, svc.g(c, o, st)) };
        (u as { service: StateMachine }).service = counted;
        const entryAt = s.wire.entryAt.bind(s.wire);
        s.wire.entryAt = (k) => (count.on && count.wireEntries++, entryAt(k));
      },
      onStep: (k, _a, st) => {
        const d = tracker.next(st);
        count.on = k >= 4700;
        for (const [x, inv] of invs.entries()) expect(inv.checkDelta!(u, st, d, caches[x]!)).toEqual([]);
        count.on = false;
      },
    });
    const late = { ...count };
    expect(late.wireEntries).toBe(0);
    expect(late.g).toBeLessThan(60); // a few per new sequence number executed (about 10 in the window)
    count.on = true;
    count.g = count.wireEntries = 0;
    for (const inv of invs) expect(inv.check(u, s)).toEqual([]);
    expect(count.wireEntries).toBeGreaterThanOrEqual(3 * s.wire.size);
    expect(count.g).toBeGreaterThanOrEqual(Math.max(...s.replicas.map((r) => r.lastExec)));
  });
});
