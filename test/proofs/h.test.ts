// H (Definition A.2.6) and the paired simulation of A′_gc and A′ (Theorem A.2.5): the start
// condition, random runs of A_gc with A's copy following, the incremental evaluation against the
// plain clauses, each clause broken by a corruption, the consistency predicates, wrong step
// correspondences, and the chain A_gc → A → S′ → S.
import { standIns } from './requesting-client.ts';
import { describe, expect, it } from 'vitest';
import type { Action } from '../../automata/actions.ts';
import { SilentStandIn, type StandIn, type StandInFactory } from '../../automata/byzantine.ts';
import { cloneSystem, initialSystem, step, whyDisabled, type SystemState } from '../../automata/compose.ts';
import type { Message, NewView, ViewChange } from '../../automata/messages.ts';
import { h, initialCheckpointValue } from '../../automata/replica-state.ts';
import { Universe } from '../../automata/universe.ts';
import { ChainSimulation } from '../../proofs/chain.ts';
import { HConsistency, hReadings, Translation } from '../../proofs/h-consistency.ts';
import { beta, FragmentUndefined, hFragment, type HFragmentContext } from '../../proofs/h-fragment.ts';
import { hIncremental, hPlain } from '../../proofs/h-incremental.ts';
import { hClauses, nvsOf, vcsOf } from '../../proofs/h.ts';
import type { SimulationFinding } from '../../proofs/paired-f.ts';
import { HSimulation, type HSimulationOptions } from '../../proofs/paired-h.ts';
import { failingClauses, type ClauseFailure } from '../../proofs/relation.ts';
import { runRandom } from '../../sim/scheduler.ts';

/**
 * A faulty replica that relays every protocol message it has received (view-changes, new-views and
 * non-faulty replicas' checkpoints included) and sends its own view-change for view 1, which is
 * not correct (its checkpoint certificate holds only its own checkpoint): the faulty node's sends
 * and receives that E17's correction translates.
 */
class RelayingReplica implements StandIn {
  readonly name = 'relaying-replica';
  private readonly got: Message[] = [];
  constructor(private readonly node: number) {}
  receive(m: Message): void {
    if (m.tag !== 'REQUEST' && m.tag !== 'REPLY' && !this.got.includes(m)) this.got.push(m);
  }
  proposals(u: Universe): Action[] {
    const X = u.allReplicas & ~u.replicaBit(this.node);
    const s0 = initialCheckpointValue(u);
    const own = u.interner.viewChange(1, { n: 0, s: s0, C: [u.interner.checkpoint(0, 0, u.interner.valueDigest(s0), this.node)] }, [], this.node);
    return [own, ...this.got].map((m): Action => ({ kind: 'SEND', x: this.node, m, X }));
  }
  clone(): StandIn {
    const c = new RelayingReplica(this.node);
    c.got.push(...this.got);
    return c;
  }
}
const relaying: StandInFactory = (u, node) => (node < u.n ? new RelayingReplica(node) : new SilentStandIn());

const ALL = ['H(1)', 'H(2)', 'H(3)', 'H(4)', 'H(5)', 'H(6)', 'H(7)'];
const ids = (fs: readonly { id: string }[]) => fs.map((f) => f.id);

interface PairedOptions {
  steps?: number;
  viewChange?: number;
  patience?: number;
  sim?: HSimulationOptions;
  standIns?: StandInFactory;
  /** Stop the run after the first step k for which this holds (checked after H's check of k). */
  stopWhen?: (k: number, x: SystemState, sim: HSimulation) => boolean;
}

/** What a run exercised of the correspondence (Theorem A.2.5's cases). */
interface Coverage {
  alphaKinds: Set<string>;
  garbage: number;
  /** Steps whose α ran the catch-up C (an EXECUTE in α of SEND-NEW-VIEW or of RECEIVE(NEW-VIEW)). */
  catchUp: number;
  /** Of those, steps whose C executed the null request (its pre-prepare only nested in a new-view: E18). */
  nullCatchUp: number;
  /** E16: a pre-prepare, prepare or commit beyond x's window, lost in y instead of delivered. */
  lost: number;
  /** β delivering with MISBEHAVE (a copy for the receiver that y's wire lacks). */
  betaMisbehave: number;
  /** View-changes of non-faulty replicas sent with a checkpoint above 0 (A-form P ≠ gc-form P possible). */
  vcAboveZero: number;
  /** The highest h_i of any replica of x along the run (> 0: garbage was collected). */
  maxH: number;
}

/** A random run of A_gc with A's copy following through H; findings at the start and after every step. */
function paired(seed: string, config: object, opts: PairedOptions = {}) {
  let sim!: HSimulation;
  const found: SimulationFinding[] = [];
  const cov: Coverage = { alphaKinds: new Set(), garbage: 0, catchUp: 0, nullCatchUp: 0, lost: 0, betaMisbehave: 0, vcAboveZero: 0, maxH: 0 };
  let stoppedAt: number | null = null;
  const run = runRandom({
    config: { variant: 'Agc', ...config },
    seed,
    steps: opts.steps ?? 1500,
    ...(opts.standIns === undefined ? {} : { standIns: opts.standIns }),
    ...(opts.viewChange === undefined ? {} : { weights: { 'view-change': opts.viewChange } }),
    ...(opts.patience === undefined ? {} : { patience: opts.patience }),
    onStart: (u, s) => {
      sim = new HSimulation(u, opts.sim);
      found.push(...sim.start(s));
    },
    beforeStep: (k, a, s) => sim.before(k, a, s),
    onStep: (k, a, s) => {
      found.push(...sim.after(k, a, s));
      const alpha = sim.alpha;
      for (const b of alpha) cov.alphaKinds.add(b.kind);
      if (a.kind === 'COLLECT-GARBAGE') cov.garbage++;
      const nv = a.kind === 'SEND-NEW-VIEW' || (a.kind === 'RECEIVE' && a.m.tag === 'NEW-VIEW');
      if (nv && alpha.some((b) => b.kind === 'EXECUTE')) cov.catchUp++;
      if (nv && alpha.some((b) => b.kind === 'EXECUTE' && b.m === null)) cov.nullCatchUp++;
      if (a.kind === 'RECEIVE' && a.x < s.replicas.length && !s.replicas[a.x]!.faulty) {
        const t = a.m.tag;
        if ((t === 'PRE-PREPARE' || t === 'PREPARE' || t === 'COMMIT') && !alpha.some((b) => b.kind === 'RECEIVE')) cov.lost++;
        if (alpha.some((b) => b.kind === 'MISBEHAVE')) cov.betaMisbehave++;
      }
      if (a.kind === 'SEND-VIEW-CHANGE') {
        const own = [...s.replicas[a.i]!.in.viewChangesByV.get(a.v)!].find((m) => m.j === a.i && m.gc !== null)!;
        if (own.gc!.n > 0) cov.vcAboveZero++;
      }
      cov.maxH = Math.max(cov.maxH, ...s.replicas.map(h));
      if (opts.stopWhen?.(k, s, sim)) {
        stoppedAt = k;
        return false;
      }
    },
  });
  return { sim, found, run, cov, stoppedAt };
}

const show = (fs: SimulationFinding[]) => fs.slice(0, 3).map((f) => `${f.id} at ${f.step} (${f.concrete}): ${f.message}`);

// ---------------------------------------------------------------- start condition

describe('H: the start condition', () => {
  it('relates the start states of A′_gc and A′ (corrected and literal; with faulty nodes configured)', () => {
    for (const config of [{}, { faultyReplicas: [3] }, { faultyClients: [1] }]) {
      const u = new Universe({ variant: 'Agc', ...config });
      const x0 = initialSystem(u);
      expect(new HSimulation(u).start(x0)).toEqual([]);
      expect(new HSimulation(u, { literal: true }).start(x0)).toEqual([]);
      expect(new HSimulation(u, { incremental: false }).start(x0)).toEqual([]);
    }
    // The start states differ where H allows it: x.in_i holds the initial checkpoints, y.in_i nothing.
    const u = new Universe({ variant: 'Agc' });
    const sim = new HSimulation(u);
    const x0 = initialSystem(u);
    expect(x0.replicas[0]!.in.size).toBe(u.n);
    expect(sim.y.replicas[0]!.in.size).toBe(0);
  });

  it('is a real check: a start pair that differs in a proxy fails H(1)', () => {
    const u = new Universe({ variant: 'Agc' });
    for (const incremental of [true, false]) {
      const sim = new HSimulation(u, { incremental });
      sim.y.proxies[1]!.lastReq = 4;
      const found = sim.start(initialSystem(u));
      expect(found.map((f) => [f.id, f.step, f.concrete])).toEqual([['H(1)', -1, 'start']]);
      expect(found[0]!.message).toBe('c1: last-req_c 0 ≠ 4');
    }
  });

  it('relates A_gc to A only', () => {
    expect(() => new HSimulation(new Universe({ variant: 'A' }))).toThrow(/A_gc/);
  });

  it('has one clause per condition of Definition A.2.6', () => {
    const u = new Universe({ variant: 'Agc' });
    const hc = new HConsistency(u, u.withVariant('A'), hReadings(u.config.readings));
    const cs = hClauses(hc);
    expect(ids(cs)).toEqual(ALL);
    for (const c of cs) expect(c.ref).toMatch(/^Definition A\.2\.6, clause [1-7]$/);
  });
});

// ---------------------------------------------------------------- random runs

describe('H (corrected) holds with its correspondence along random runs of A_gc', () => {
  it.each([
    ['h1', {}, undefined],
    ['h2', {}, undefined],
    ['h1', { faultyReplicas: [3] }, undefined],
    ['h3', { faultyReplicas: [3] }, undefined],
    ['h1', { faultyReplicas: [0] }, undefined],
    ['h3', { faultyReplicas: [0] }, undefined],
    ['h1', { faultyClients: [1] }, standIns],
    ['h2', { faultyClients: [1] }, standIns],
  ] as const)('no finding at the start and after every step (seed %s, %j)', (seed, config, si) => {
    const { found, run, sim, cov } = paired(seed, config, si === undefined ? {} : { standIns: si });
    expect(show(found)).toEqual([]);
    expect(run.trace.length).toBe(1500);
    expect(sim.undefinedFrom).toBeNull();
    expect(run.trace.filter((a) => a.kind === 'EXECUTE').length).toBeGreaterThan(0);
    // A's copy executed as x did, and the clients saw the same replies.
    expect(sim.y.replicas.map((r) => r.lastExec)).toEqual(run.state.replicas.map((r) => r.lastExec));
    expect(sim.y.proxies.map((p) => p.lastReq)).toEqual(run.state.proxies.map((p) => p.lastReq));
    if ('faultyReplicas' in config && config.faultyReplicas[0] === 0) {
      // The first primary is faulty: the run only makes progress through a view change.
      expect(cov.alphaKinds).toContain('SEND-NEW-VIEW');
      expect(run.state.replicas.filter((r) => !r.faulty).every((r) => r.view > 0)).toBe(true);
    } else {
      expect(cov.garbage).toBeGreaterThan(0);
      expect(cov.maxH).toBeGreaterThan(0);
    }
    if ('faultyClients' in config) {
      // The faulty client's own requests went on both wires (clause 7 read them).
      const own = run.state.wire.messagesSince(0).filter((m) => m.tag === 'REQUEST' && m.c === 1);
      expect(own.length).toBeGreaterThan(0);
      expect(own.every((m) => sim.y.wire.hasMessage(m))).toBe(true);
    }
  });

  it('covers view changes after garbage collection, the catch-up C, β with MISBEHAVE and E16’s lost messages', () => {
    const total: Coverage = { alphaKinds: new Set(), garbage: 0, catchUp: 0, nullCatchUp: 0, lost: 0, betaMisbehave: 0, vcAboveZero: 0, maxH: 0 };
    // s20: the new primary catches up (C in SEND-NEW-VIEW); s24: a backup catches up (C in
    // RECEIVE(NEW-VIEW)); e77: a backup catches up over a null request; w10: with no patience, a
    // lagging replica is sent messages beyond its window.
    for (const [seed, config, viewChange, patience] of [
      ['s20', { faultyReplicas: [0] }, undefined, undefined],
      ['s24', {}, 0.3, undefined],
      ['e77', { faultyReplicas: [0] }, 0.3, undefined],
      ['w10', { faultyReplicas: [3] }, undefined, 0],
    ] as const) {
      const { found, cov, sim } = paired(seed, config, { viewChange, patience });
      expect(show(found)).toEqual([]);
      expect(sim.undefinedFrom).toBeNull();
      for (const k of cov.alphaKinds) total.alphaKinds.add(k);
      total.garbage += cov.garbage;
      total.catchUp += cov.catchUp;
      total.nullCatchUp += cov.nullCatchUp;
      total.lost += cov.lost;
      total.betaMisbehave += cov.betaMisbehave;
      total.vcAboveZero += cov.vcAboveZero;
    }
    for (const k of ['REQUEST', 'REPLICA-FAILURE', 'REPLY', 'SEND', 'RECEIVE', 'MISBEHAVE', 'SEND-PRE-PREPARE', 'SEND-COMMIT', 'EXECUTE', 'SEND-VIEW-CHANGE', 'SEND-NEW-VIEW'])
      expect(total.alphaKinds).toContain(k);
    expect(total.alphaKinds).not.toContain('COLLECT-GARBAGE'); // A has no such action: λ
    expect(total.garbage).toBeGreaterThan(0);
    expect(total.vcAboveZero).toBeGreaterThan(0);
    expect(total.catchUp).toBeGreaterThan(0);
    expect(total.nullCatchUp).toBeGreaterThan(0);
    expect(total.lost).toBeGreaterThan(0);
    expect(total.betaMisbehave).toBeGreaterThan(0);
  });

  it('a faulty replica that relays view-changes, new-views and checkpoints and sends its own incorrect view-change (E17 corrected)', () => {
    const seen = { vcTranslated: 0, nvTranslated: 0, checkpointLambda: 0, receiveTranslated: 0, ownBogus: 0 };
    for (const [seed, config, viewChange] of [
      ['r1', { faultyReplicas: [3] }, undefined],
      ['r2', { faultyReplicas: [0] }, undefined],
      ['r3', { faultyReplicas: [3] }, 0.3],
    ] as const) {
      let sim!: HSimulation;
      const found: SimulationFinding[] = [];
      runRandom({
        config: { variant: 'Agc', ...config },
        seed,
        steps: 1500,
        standIns: relaying,
        ...(viewChange === undefined ? {} : { weights: { 'view-change': viewChange } }),
        onStart: (u, s) => {
          sim = new HSimulation(u);
          found.push(...sim.start(s));
        },
        beforeStep: (k, a, s) => sim.before(k, a, s),
        onStep: (k, a, s) => {
          found.push(...sim.after(k, a, s));
          const b = sim.alpha[0];
          if (a.kind === 'SEND' && a.x < s.replicas.length && s.replicas[a.x]!.faulty) {
            if (a.m.tag === 'VIEW-CHANGE' && b?.kind === 'SEND' && b.m !== a.m && b.m.tag === 'VIEW-CHANGE' && b.m.gc === null) {
              seen.vcTranslated++;
              if (a.m.j === a.x && !sim.hc.correctAVc(b.m)) seen.ownBogus++;
            }
            if (a.m.tag === 'NEW-VIEW' && b?.kind === 'SEND' && b.m !== a.m && b.m.tag === 'NEW-VIEW') seen.nvTranslated++;
          }
          if (a.kind === 'RECEIVE' && a.x < s.replicas.length && s.replicas[a.x]!.faulty) {
            if (a.m.tag === 'CHECKPOINT' && sim.alpha.length === 0) seen.checkpointLambda++;
            if (a.m.tag === 'VIEW-CHANGE' && b?.kind === 'RECEIVE' && b.m !== a.m) seen.receiveTranslated++;
          }
        },
      });
      expect(show(found)).toEqual([]);
    }
    for (const [k, n] of Object.entries(seen)) expect([k, n > 0]).toEqual([k, true]);
  });

  it('as written (E17), the faulty replica’s own gc-form view-change sent unchanged in y breaks H(6) at once', () => {
    let first: number | null = null;
    const { found, run } = paired('r1', { faultyReplicas: [3], readings: { literalFaultyActions: true } }, {
      steps: 100,
      standIns: relaying,
      stopWhen: (k, _x, sim) => {
        if (first === null && sim.alpha.some((b) => b.kind === 'SEND' && b.x === 3 && b.m.tag === 'VIEW-CHANGE')) first = k;
        return false;
      },
    });
    expect(first).not.toBeNull();
    const pi = run.trace[first!]!;
    expect(pi.kind === 'SEND' && pi.m.tag === 'VIEW-CHANGE' && pi.m.j === 3).toBe(true);
    expect(found[0]).toMatchObject({ id: 'H(6)', step: first });
    expect(found[0]!.message).toMatch(/^⟨VIEW-CHANGE,1,0,.*,3⟩σ3 ∈ X_faulty has no consistent message in Y_faulty$/);
  });

  it('stops following once n-faulty > f ("only needs to hold when n-faulty ≤ f")', () => {
    const { found, sim, run } = paired('h1', { faultyReplicas: [2, 3] }, { steps: 200 });
    expect(found).toEqual([]);
    expect(sim.undefinedFrom).toBe(1); // the second REPLICA-FAILURE
    expect(run.trace[1]).toEqual({ kind: 'REPLICA-FAILURE', i: 3 });
    expect(sim.alpha).toEqual([]);
  });
});

// ---------------------------------------------------------------- incremental = plain

/** A run followed by two HSimulations on the same x: incremental (default) and plain. */
function twin(seed: string, config: object, literal: boolean, opts: { steps?: number; viewChange?: number; standIns?: StandInFactory; corrupt?: (k: number, x: SystemState, ys: SystemState[], u: Universe) => void } = {}) {
  let inc!: HSimulation;
  let plain!: HSimulation;
  let universe!: Universe;
  const steps: { k: number; inc: string[]; plain: string[] }[] = [];
  const run = runRandom({
    config: { variant: 'Agc', ...config },
    seed,
    steps: opts.steps ?? 1000,
    ...(opts.standIns === undefined ? {} : { standIns: opts.standIns }),
    ...(opts.viewChange === undefined ? {} : { weights: { 'view-change': opts.viewChange } }),
    onStart: (u, s) => {
      universe = u;
      inc = new HSimulation(u, { literal });
      plain = new HSimulation(u, { literal, incremental: false });
      steps.push({ k: -1, inc: ids(inc.start(s)), plain: ids(plain.start(s)) });
    },
    beforeStep: (k, a, s) => {
      inc.before(k, a, s);
      plain.before(k, a, s);
    },
    onStep: (k, a, s) => {
      steps.push({ k, inc: ids(inc.after(k, a, s)), plain: ids(plain.after(k, a, s)) });
      opts.corrupt?.(k, s, [inc.y, plain.y], universe);
    },
  });
  return { steps, run, inc, plain };
}

/** Asserts the same ids at every step; returns every id reported (with its step). */
function expectSameIds(steps: { k: number; inc: string[]; plain: string[] }[]): { k: number; id: string }[] {
  const differ = steps.find((s) => s.inc.join() !== s.plain.join());
  if (differ !== undefined) expect({ k: differ.k, ids: differ.inc }).toEqual({ k: differ.k, ids: differ.plain });
  return steps.flatMap((s) => s.plain.map((id) => ({ k: s.k, id })));
}

describe('incremental and plain evaluation of H report the same clauses at every step', () => {
  it.each([
    ['i1', {}, undefined],
    ['i2', { faultyReplicas: [3] }, undefined],
    ['i3', { faultyReplicas: [0] }, undefined],
    ['i4', { faultyClients: [1] }, standIns],
    ['r2', { faultyReplicas: [0] }, relaying],
  ] as const)('corrected (seed %s, %j): nothing, at every step', (seed, config, si) => {
    const { steps } = twin(seed, config, false, si === undefined ? {} : { standIns: si });
    expect(steps.length).toBe(1001);
    expect(expectSameIds(steps)).toEqual([]);
  });

  it('every literal form (E12-E21): the same clauses at every step, continued past the first finding', () => {
    const seen = new Set<string>();
    for (const [seed, config, viewChange, si] of [
      ['h1', { faultyReplicas: [3] }, undefined, undefined],
      ['h3', {}, undefined, undefined],
      ['s0', { faultyReplicas: [3] }, 0.3, undefined],
      ['i4', { faultyClients: [1] }, undefined, standIns],
      ['r3', { faultyReplicas: [3] }, 0.3, relaying],
    ] as const) {
      const { steps } = twin(seed, config, true, { viewChange, ...(si === undefined ? {} : { standIns: si }) });
      for (const f of expectSameIds(steps)) seen.add(f.id);
    }
    // E12 (faulty logs compared: H(1) from the failure on), the proxy's receive of a request (E17:
    // 'enabled'), clauses 4 and 5 once new-views exist (E14), and clause 6 for the faulty
    // replica's own view-change sent unchanged (E17).
    for (const id of ['H(1)', 'H(4)', 'H(5)', 'H(6)', 'enabled']) expect(seen).toContain(id);
  });

  it('a bogus prepare in y.in_i (both copies) is reported by both until x.h_i rises past it, then by neither', () => {
    let at: number | null = null;
    let n = 0;
    const { steps, run } = twin('i1', {}, false, {
      steps: 1500,
      corrupt: (k, x, ys, u) => {
        if (at === null && k >= 200) {
          at = k;
          n = h(x.replicas[2]!) + 1;
          for (const y of ys) y.replicas[2]!.in.add(u.interner.prepare(9, n, u.interner.digest(null), 1));
        }
      },
    });
    const all = expectSameIds(steps);
    expect(at).not.toBeNull();
    const h2 = all.filter((f) => f.id === 'H(2)').map((f) => f.k);
    expect(all.filter((f) => f.id !== 'H(2)')).toEqual([]);
    expect(h2[0]).toBe(at! + 1);
    // Reported at every step until h_2 reached n, and not after: the rise of h_i is seen.
    const last = h2[h2.length - 1]!;
    expect(h2).toEqual(Array.from({ length: last - at! }, (_, k) => at! + 1 + k));
    expect(last).toBeLessThan(1499);
    expect(h(run.state.replicas[2]!)).toBeGreaterThanOrEqual(n);
  });
});

// ---------------------------------------------------------------- each clause can fail

/**
 * A related pair (x, y) from a run of A_gc with H followed up to the first step ≥ `from` at which
 * `when` holds, with a plain and an incremental evaluator that have both checked it once.
 */
function relatedPair(seed: string, config: object, from: number, when: (x: SystemState, y: SystemState) => boolean = () => true, extra: PairedOptions = {}) {
  const { sim, found, run, stoppedAt } = paired(seed, config, { ...extra, steps: 3000, stopWhen: (k, x, s) => k >= from && when(x, s.y) });
  expect(show(found)).toEqual([]);
  expect(stoppedAt).not.toBeNull();
  const { hc, y } = sim;
  const x = run.state;
  const inc = hIncremental(hc, ALL);
  const plainClauses = hClauses(hc);
  expect(inc.check(x, y)).toEqual([]);
  expect(failingClauses(plainClauses, x, y)).toEqual([]);
  const check = () => {
    const plain = failingClauses(plainClauses, x, y);
    const incremental = inc.check(x, y);
    expect(ids(incremental)).toEqual(ids(plain));
    return { plain, incremental };
  };
  return { u: run.universe, uy: sim.uy, x, y, hc, sim, check };
}

/** The one failure of `clause` (plain and incremental agree); returns the plain and incremental messages. */
function onlyClause(r: { plain: ClauseFailure[]; incremental: ClauseFailure[] }, clause: string): [string, string] {
  expect(ids(r.plain)).toEqual([clause]);
  expect(ids(r.incremental)).toEqual([clause]);
  return [r.plain[0]!.message, r.incremental[0]!.message];
}

const aboveH = (x: SystemState, i: number, tag: 'PREPARE' | 'COMMIT') => [...x.replicas[i]!.in.all].find((m) => m.tag === tag && m.n > h(x.replicas[i]!));

describe('each clause of H can fail, seen by the plain clauses and by the incremental evaluation', () => {
  it('H(1): a replica’s seqno, or a proxy’s last-req, differs', () => {
    const p = relatedPair('k1', {}, 300);
    const before = p.y.replicas[1]!.seqno;
    p.y.replicas[1]!.seqno = before + 3;
    expect(onlyClause(p.check(), 'H(1)')).toEqual([`r1: seqno ${before} ≠ ${before + 3}`, `r1: seqno ${before} ≠ ${before + 3}`]);
    p.y.replicas[1]!.seqno = before;
    expect(p.check().plain).toEqual([]);
    const lr = p.x.proxies[0]!.lastReq;
    p.y.proxies[0]!.lastReq = lr + 1;
    expect(onlyClause(p.check(), 'H(1)')[0]).toBe(`c0: last-req_c ${lr} ≠ ${lr + 1}`);
  });

  it('H(1): as written (E12), the logs of a faulty replica are compared; corrected, they are not', () => {
    const p = relatedPair('k1', { faultyReplicas: [3] }, 100);
    expect(p.x.replicas[3]!.faulty).toBe(true);
    // A_gc's faulty replica keeps its initial checkpoints; A's log of it is empty.
    const literal = new HConsistency(p.u, p.uy, { ...hReadings(p.u.config.readings), faultyLogs: true });
    const lit = failingClauses(hClauses(literal), p.x, p.y);
    expect(ids(lit)).toEqual(['H(1)']);
    expect(lit[0]!.message).toMatch(/^r3 \(faulty\): .*in_k/);
    expect(ids(hIncremental(literal, ALL).check(p.x, p.y))).toEqual(['H(1)']);
  });

  it('H(2): a prepare above x.h_i added to y.in_i, then removed again', () => {
    const p = relatedPair('k2', {}, 300);
    const n = h(p.x.replicas[2]!) + 1;
    const bogus = p.u.interner.prepare(5, n, p.u.interner.digest(null), 1);
    p.y.replicas[2]!.in.add(bogus);
    const [plain, inc] = onlyClause(p.check(), 'H(2)');
    expect(plain).toMatch(new RegExp(`^r2: ⟨PREPARE,5,${n},${bogus.d.slice(0, 8)},1⟩σ1 ∈ y\\.in_i but not in x\\.in_i`));
    expect(inc).toMatch(new RegExp(`^r2: ⟨PREPARE,5,${n},[0-9a-f]+,1⟩σ1 `));
    p.y.replicas[2]!.in.delete(bogus);
    expect(p.check().plain).toEqual([]);
  });

  it('H(2): a prepare above x.h_i deleted from x.in_i, then put back', () => {
    const p = relatedPair('k3', {}, 300, (x) => aboveH(x, 1, 'PREPARE') !== undefined);
    const m = aboveH(p.x, 1, 'PREPARE')!;
    p.x.replicas[1]!.in.delete(m);
    const [plain] = onlyClause(p.check(), 'H(2)');
    expect(plain).toMatch(/^r1: ⟨PREPARE,.*∈ y\.in_i but not in x\.in_i/);
    p.x.replicas[1]!.in.add(m);
    expect(p.check().plain).toEqual([]);
  });

  it('H(2) does not read what it leaves out: collected messages, x’s checkpoints, and (corrected, E13) y’s extra requests', () => {
    const p = relatedPair('k4', {}, 300, (x) => x.replicas.every((r) => h(r) > 0));
    const hi = h(p.x.replicas[2]!);
    const d = p.u.interner.digest(null);
    p.y.replicas[2]!.in.add(p.u.interner.prepare(7, hi, d, 1)); // n ≤ x.h_2: garbage collected
    p.y.replicas[2]!.in.add(p.u.interner.commit(7, hi - 1, d, 3));
    p.x.replicas[2]!.in.add(p.u.interner.checkpoint(0, hi + 40, d, 3)); // checkpoints of x are not compared
    const extra = p.u.interner.request('a', 77, 1);
    p.y.replicas[2]!.in.add(extra); // E13 corrected: y.in_i may hold requests x.in_i lacks
    expect(p.check().plain).toEqual([]);
    // As written (E13), the extra request breaks clause 2.
    const literal = new HConsistency(p.u, p.uy, { ...hReadings(p.u.config.readings), extraRequests: true });
    const lit = failingClauses(hClauses(literal), p.x, p.y);
    expect(ids(lit)).toEqual(['H(2)']);
    expect(lit[0]!.message).toMatch(/^r2: ⟨REQUEST,a,77,c1⟩σc1 ∈ y\.in_i/);
    // The incremental evaluation, created on the pair, sees it as well.
    expect(ids(hIncremental(literal, ALL).check(p.x, p.y))).toEqual(['H(2)']);
  });

  it('H(3): an A-form view-change in y.in_i whose P differs from x’s above the checkpoint, then removed', () => {
    const p = relatedPair('h1', { faultyReplicas: [0] }, 300, (x, y) => vcsOf(x, 1, true).length > 0 && vcsOf(y, 1, false).length > 0);
    const vc = vcsOf(p.y, 1, false)[0] as ViewChange;
    const gcVc = vcsOf(p.x, 1, true).find((m) => m.tag === 'VIEW-CHANGE' && m.v === vc.v && m.j === vc.j) as ViewChange;
    expect(p.hc.consistentVc(gcVc, vc)).toBe(true);
    const above = gcVc.gc!.n + 1;
    const bogus = p.uy.interner.viewChange(vc.v, null, [...vc.P, p.uy.interner.prepare(0, above, p.u.interner.digest(null), vc.j)], vc.j);
    expect(p.hc.correctAVc(bogus)).toBe(true); // an extra prepare keeps it correct; only P above n differs
    p.y.replicas[1]!.in.add(bogus);
    const [plain, inc] = onlyClause(p.check(), 'H(3)');
    expect(plain).toMatch(new RegExp(`^r1: ⟨VIEW-CHANGE,${vc.v},P=\\{.*\\},${vc.j}⟩σ${vc.j} has no consistent view-change on the other side$`));
    expect(inc).toMatch(/^r1: .*consistent-vc-set/);
    p.y.replicas[1]!.in.delete(bogus);
    expect(p.check().plain).toEqual([]);
    // x's view-change without its counterpart in y.
    p.y.replicas[1]!.in.delete(vc);
    expect(onlyClause(p.check(), 'H(3)')[0]).toMatch(/^r1: ⟨VIEW-CHANGE,\d+,\d+,.*has no consistent view-change on the other side$/);
  });

  it('H(4): an A-form new-view in y.in_i with an extra pre-prepare in N, then removed', () => {
    const p = relatedPair('h1', { faultyReplicas: [0] }, 300, (x) => nvsOf(x, 2).length > 0);
    const nv = nvsOf(p.y, 2)[0] as NewView;
    expect(p.hc.consistentNvSet(nvsOf(p.x, 2), [nv])).toBe(true);
    const bogus = p.uy.interner.newView(nv.v, nv.V, nv.O, [...nv.N, p.uy.interner.prePrepare(nv.v, 60, null, nv.signer)], nv.signer);
    p.y.replicas[2]!.in.add(bogus);
    const [plain, inc] = onlyClause(p.check(), 'H(4)');
    expect(plain).toMatch(/^r2: x\.nv_i = \{⟨NEW-VIEW,.*\} and y\.nv_i = \{⟨NEW-VIEW,.*, ⟨NEW-VIEW,.*\} are not consistent$/);
    expect(inc).toMatch(/^r2: .*consistent-nv-set/);
    p.y.replicas[2]!.in.delete(bogus);
    expect(p.check().plain).toEqual([]);
  });

  it('H(5): a commit in x.out_i that y never had; a commit of i only on x’s wire; x’s checkpoints are left out', () => {
    const p = relatedPair('k5', {}, 300);
    const d = p.u.interner.digest(null);
    const cp = p.u.interner.checkpoint(0, 90, d, 1);
    p.x.replicas[1]!.out.add(cp); // X_i leaves checkpoints out
    expect(p.check().plain).toEqual([]);
    const c = p.u.interner.commit(0, 99, d, 1);
    p.x.replicas[1]!.out.add(c);
    const [plain, inc] = onlyClause(p.check(), 'H(5)');
    expect(plain).toMatch(new RegExp(`^r1: ⟨COMMIT,0,99,${d.slice(0, 8)},1⟩σ1 ∈ X_i`));
    expect(inc).toBe(plain);
    p.y.replicas[1]!.out.add(c); // a counterpart in y.out_i
    expect(p.check().plain).toEqual([]);
    const c2 = p.u.interner.commit(0, 98, d, 2);
    p.x.wire.add(c2, p.u.allReplicas);
    expect(onlyClause(p.check(), 'H(5)')[0]).toMatch(/^r2: ⟨COMMIT,0,98,[0-9a-f]+,2⟩σ2 ∈ X_i/);
    p.y.wire.add(c2, 0);
    expect(p.check().plain).toEqual([]);
  });

  it('H(6): a message of the faulty replica on x’s wire only; a faulty replica’s view-change needs its translation in y', () => {
    const p = relatedPair('k6', { faultyReplicas: [3] }, 300);
    const pr = p.u.interner.prepare(0, 7, p.u.interner.digest(null), 3);
    p.x.wire.add(pr, p.u.allReplicas);
    const [plain, inc] = onlyClause(p.check(), 'H(6)');
    expect(plain).toMatch(/^⟨PREPARE,0,7,[0-9a-f]+,3⟩σ3 ∈ X_faulty has no consistent message in Y_faulty$/);
    expect(inc).toBe(plain);
    p.y.wire.add(pr, p.u.allReplicas);
    expect(p.check().plain).toEqual([]);
    // Y_faulty holds the messages of replicas faulty in y: with r3 not faulty in y, pr is not in it.
    p.y.replicas[3]!.faulty = false;
    expect(ids(p.check().plain)).toEqual(['H(1)', 'H(6)']);
    p.y.replicas[3]!.faulty = true;
    expect(p.check().plain).toEqual([]);
    // A gc-form view-change signed by 3 (built from a non-faulty one's checkpoint): y must hold a consistent A-form one.
    const s0 = p.x.replicas[0]!.chkpts[0]!;
    const C = [...p.x.replicas[0]!.in.all].filter((m) => m.tag === 'CHECKPOINT' && m.n === s0.n) as any[];
    const vc3 = p.u.interner.viewChange(5, { n: s0.n, s: s0.s, C }, [], 3);
    p.x.wire.add(vc3, p.u.allReplicas);
    expect(onlyClause(p.check(), 'H(6)')[0]).toMatch(/^⟨VIEW-CHANGE,5,.*,3⟩σ3 ∈ X_faulty/);
    const tr = new Translation(p.hc).tr(vc3);
    expect(tr).not.toBe(vc3);
    p.y.wire.add(tr, p.u.allReplicas);
    expect(p.check().plain).toEqual([]);
  });

  it('H(7): a client’s request on x’s wire only', () => {
    const p = relatedPair('k7', {}, 300);
    const r = p.u.interner.request('a', 50, 0);
    p.x.wire.add(r, p.u.allReplicas);
    const [plain, inc] = onlyClause(p.check(), 'H(7)');
    expect(plain).toMatch(/^⟨REQUEST,a,50,c0⟩σc0 ∈ x\.Wire/);
    expect(inc).toBe(plain);
    // Carried inside a message on y's wire is not enough: Wire is the set of messages sent.
    p.y.wire.add(p.u.interner.prePrepare(0, 90, r, 0), p.u.allReplicas);
    expect(p.y.wire.hasSeen(r)).toBe(true);
    expect(onlyClause(p.check(), 'H(7)')[0]).toBe(plain);
    p.y.wire.add(r, 0);
    expect(p.check().plain).toEqual([]);
  });

  it('hPlain and hIncremental agree on a pair corrupted in several clauses at once, and each reports only its chosen clauses', () => {
    const p = relatedPair('k8', { faultyReplicas: [3] }, 300);
    const d = p.u.interner.digest(null);
    p.y.replicas[2]!.seqno += 1;
    p.x.replicas[1]!.out.add(p.u.interner.commit(0, 99, d, 1));
    p.x.wire.add(p.u.interner.request('b', 60, 1), p.u.allReplicas);
    const all = ids(hPlain(p.hc, ALL).check(p.x, p.y));
    expect(all).toEqual(['H(1)', 'H(5)', 'H(7)']);
    expect(ids(hIncremental(p.hc, ALL).check(p.x, p.y))).toEqual(all);
    expect(ids(hIncremental(p.hc, ['H(5)', 'H(2)']).check(p.x, p.y))).toEqual(['H(5)']);
    expect(ids(hPlain(p.hc, ['H(7)']).check(p.x, p.y))).toEqual(['H(7)']);
  });
});

// ---------------------------------------------------------------- consistency predicates

describe('the consistency predicates of H', () => {
  // A run with view changes after garbage collection: a view-change with a checkpoint at n > 0 and
  // a non-empty P, and new-views with non-empty O and N.
  const run = paired('s0', { faultyReplicas: [3] }, { viewChange: 0.3 });
  const u = run.run.universe;
  const uy = run.sim.uy;
  const hc = new HConsistency(u, uy, hReadings(u.config.readings));
  const x = run.run.state;
  const gcVcs = new Set<ViewChange>();
  const nvs = new Set<NewView>();
  for (const r of x.replicas) {
    for (const [, set] of r.in.viewChangesByV) for (const m of set) if (m.gc !== null) gcVcs.add(m);
    for (const [, set] of r.in.newViewsByV) for (const m of set) nvs.add(m);
  }
  const vc = [...gcVcs].find((m) => m.gc!.n > 0 && m.P.some((p) => p.tag === 'PRE-PREPARE'))!;
  const nv = [...nvs].find((m) => m.O.length > 0 && m.N.length > 0)!;
  const d0 = u.interner.digest(null);

  it('the run has what the tests below need', () => {
    expect(run.found).toEqual([]);
    expect(vc).toBeDefined();
    expect(nv).toBeDefined();
    expect(hc.correctGcVc(vc)).toBe(true);
    expect(hc.correctGcNv(nv)).toBe(true);
  });

  it('consistent-vc: a view-change and its translation; the pair the simulation made', () => {
    const tr = new Translation(hc).tr(vc) as ViewChange;
    expect(tr.gc).toBeNull();
    expect([tr.v, tr.j, tr.P]).toEqual([vc.v, vc.j, vc.P]);
    expect(hc.correctAVc(tr)).toBe(true);
    expect(hc.consistentVc(vc, tr)).toBe(true);
    expect(hc.consistentVc(tr, vc)).toBe(false); // m¹ is A_gc's form, m² A's
    expect(hc.consistentVc(vc, vc)).toBe(false);
    // Every gc-form view-change in x.in_i has a consistent A-form one in y.in_i, and back.
    for (const r of x.replicas.filter((r) => !r.faulty)) expect(hc.consistentVcSet(vcsOf(x, r.i, true), vcsOf(run.sim.y, r.i, false))).toBe(true);
  });

  it('consistent-vc: false when the A-form P differs above the checkpoint’s n (P with an extra prepare, or without one)', () => {
    const pp = vc.P.find((p) => p.tag === 'PRE-PREPARE')!;
    expect(pp.n).toBeGreaterThan(vc.gc!.n);
    const signers = new Set(vc.P.filter((p) => p.tag === 'PREPARE' && p.n === pp.n).map((p) => (p as any).j));
    const k = [0, 1, 2, 3].find((j) => j !== pp.signer && !signers.has(j))!;
    const extra = uy.interner.viewChange(vc.v, null, [...vc.P, uy.interner.prepare(pp.v, pp.n, u.interner.digest(pp.m), k)], vc.j);
    expect(hc.correctAVc(extra)).toBe(true);
    expect(hc.consistentVc(vc, extra)).toBe(false);
    const fewer = uy.interner.viewChange(vc.v, null, vc.P.filter((p) => p !== pp), vc.j);
    expect(hc.consistentVc(vc, fewer)).toBe(false);
    // Another view or signer is never consistent.
    expect(hc.consistentVc(vc, uy.interner.viewChange(vc.v + 1, null, vc.P, vc.j))).toBe(false);
    expect(hc.consistentVc(vc, uy.interner.viewChange(vc.v, null, vc.P, (vc.j + 1) % 4))).toBe(false);
  });

  it('consistent-vc: true when the A-form P has extra entries at or below n and both are correct; false when they make it incorrect', () => {
    const n = vc.gc!.n;
    const below = uy.interner.viewChange(vc.v, null, [...vc.P, uy.interner.prepare(0, n, d0, 1), uy.interner.prepare(0, 0, d0, 2)], vc.j);
    expect(hc.correctAVc(below)).toBe(true);
    expect(hc.consistentVc(vc, below)).toBe(true);
    // An unprepared pre-prepare at n: A's view-change is no longer correct, A_gc's is.
    const unprepared = uy.interner.viewChange(vc.v, null, [...vc.P, uy.interner.prePrepare(0, n, null, 0)], vc.j);
    expect(hc.correctAVc(unprepared)).toBe(false);
    expect(hc.consistentVc(vc, unprepared)).toBe(false);
  });

  it('consistent-vc of an incorrect gc-form view-change (the ⇔): its translation is incorrect too', () => {
    // Only f checkpoints in C: not correct in A_gc, though P is the same.
    const bad = u.interner.viewChange(vc.v, { ...vc.gc!, C: vc.gc!.C.slice(0, u.f) }, vc.P, vc.j);
    expect(hc.correctGcVc(bad)).toBe(false);
    const correctA = uy.interner.viewChange(vc.v, null, vc.P, vc.j);
    expect(hc.consistentVc(bad, correctA)).toBe(false); // correct in A with the same P: not consistent
    const tr = new Translation(hc).tr(bad);
    expect(hc.correctAVc(tr as ViewChange)).toBe(false);
    expect(hc.consistentVc(bad, tr)).toBe(true);
  });

  it('consistent-vc-set is the two-way correspondence', () => {
    const tr = new Translation(hc).tr(vc);
    expect(hc.consistentVcSet([vc], [tr])).toBe(true);
    expect(hc.consistentVcSet([], [])).toBe(true);
    expect(hc.consistentVcSet([vc], [])).toBe(false);
    expect(hc.consistentVcSet([], [tr])).toBe(false);
  });

  it('consistent-nv-set (corrected) pairs consistent new-views; as written (E14) it holds only for two empty sets', () => {
    const tr = new Translation(hc).tr(nv) as NewView;
    expect(tr.V.every((m) => m.tag === 'VIEW-CHANGE' && m.gc === null)).toBe(true);
    expect(hc.correctANv(tr)).toBe(true);
    expect(hc.consistentNv(nv, tr)).toBe(true);
    expect(hc.consistentNvSet([nv], [tr])).toBe(true);
    expect(hc.consistentNvSet([], [])).toBe(true);
    expect(hc.consistentNvSet([nv], [])).toBe(false);
    expect(hc.consistentNvSet([], [tr])).toBe(false);
    expect(hc.consistentOne(nv, tr)).toBe(true);
    const extraN = uy.interner.newView(tr.v, tr.V, tr.O, [...tr.N, uy.interner.prePrepare(tr.v, 70, null, tr.signer)], tr.signer);
    expect(hc.consistentNv(nv, extraN)).toBe(false);
    expect(hc.consistentNvSet([nv], [tr, extraN])).toBe(false);
    // The pairs the simulation made hold in every non-faulty replica's log.
    for (const r of x.replicas.filter((r) => !r.faulty)) expect(hc.consistentNvSet(nvsOf(x, r.i), nvsOf(run.sim.y, r.i))).toBe(true);
    const literal = new HConsistency(u, uy, hReadings(u.config.readings, true));
    expect(literal.consistentNvSet([nv], [tr])).toBe(false);
    expect(literal.consistentNvSet([nv], [])).toBe(false);
    expect(literal.consistentNvSet([], [tr])).toBe(false);
    expect(literal.consistentNvSet([], [])).toBe(true);
    // hReadings: all literal, or the configuration's.
    expect(Object.values(hReadings(u.config.readings, true)).every((b) => b)).toBe(true);
    expect(Object.values(hReadings(u.config.readings)).every((b) => !b)).toBe(true);
  });

  it('consistent-all’s disjunction: other messages only consistent with themselves', () => {
    const c = u.interner.commit(0, 1, d0, 1);
    expect(hc.consistentOne(c, c)).toBe(true);
    expect(hc.consistentOne(c, u.interner.commit(0, 1, d0, 2))).toBe(false);
    expect(hc.consistentOne(vc, new Translation(hc).tr(vc))).toBe(true);
  });
});

// ---------------------------------------------------------------- β's send branch (E15)

describe('β(y, m, a) when m is only in the out of a non-faulty replica of y (not reached by random runs)', () => {
  // A pair at a step where a commit of a non-faulty replica of y is in its out and not yet on y's wire.
  const unsent = (y: SystemState) => y.replicas.flatMap((r) => (r.faulty ? [] : [...r.out].filter((m) => m.tag === 'COMMIT' && !y.wire.hasMessage(m)).map((m) => ({ i: r.i, m }))));
  const p = relatedPair('b1', {}, 100, (_x, y) => unsent(y).length > 0);
  const { i, m } = unsent(p.y)[0]!;
  const ctxOf = (hc: HConsistency): HFragmentContext => ({ hc, tr: new Translation(hc), wireO: null as unknown as HFragmentContext['wireO'] });
  /** Runs β on a copy of y, applying each action that is enabled; returns the actions and why each was disabled (null: enabled). */
  const runBeta = (hc: HConsistency, msg: typeof m, a: number) => {
    const y = cloneSystem(p.y);
    const actions: Action[] = [];
    const why: (string | null)[] = [];
    for (const b of beta(ctxOf(hc), y, msg, a)) {
      actions.push(b);
      why.push(whyDisabled(p.uy, y, b));
      if (why[why.length - 1] !== null) break;
      step(p.uy, y, b);
    }
    return { actions, why, y };
  };
  const others = p.u.allReplicas & ~p.u.replicaBit(i);
  const a = (i + 1) % p.u.n;

  it('corrected: SEND(m, R − {i})_i, then RECEIVE(m)_a — each enabled in turn', () => {
    const { actions, why, y } = runBeta(p.hc, m, a);
    expect(actions).toEqual([
      { kind: 'SEND', x: i, m, X: others },
      { kind: 'RECEIVE', x: a, m, X: others },
    ]);
    expect(why).toEqual([null, null]);
    expect(y.wire.entriesOf(m)).toEqual([{ m, X: others & ~p.u.replicaBit(a) }]);
    expect(y.replicas[i]!.out.has(m)).toBe(false);
  });

  it('corrected: to i itself (not in the destination set), SEND, then MISBEHAVE adds i, then RECEIVE', () => {
    const { actions, why } = runBeta(p.hc, m, i);
    const withI = others | p.u.replicaBit(i);
    expect(actions).toEqual([
      { kind: 'SEND', x: i, m, X: others },
      { kind: 'MISBEHAVE', m, X: others, X2: withI },
      { kind: 'RECEIVE', x: i, m, X: withI },
    ]);
    expect(why).toEqual([null, null, null]);
  });

  it('as written (E15): SEND(m, {a})_i, which is not an action of R_i', () => {
    const literal = new HConsistency(p.u, p.uy, { ...hReadings(p.u.config.readings), betaSend: true });
    const { actions, why } = runBeta(literal, m, a);
    expect(actions).toEqual([{ kind: 'SEND', x: i, m, X: p.u.replicaBit(a) }]);
    expect(why).toEqual([`SEND precondition false at r${i}`]);
  });

  it('⊥ when m is neither on y’s wire nor in the out of a non-faulty replica', () => {
    const nowhere = p.u.interner.commit(0, 77, p.u.interner.digest(null), i);
    expect(() => [...beta(ctxOf(p.hc), cloneSystem(p.y), nowhere, a)]).toThrow(FragmentUndefined);
  });
});

// ---------------------------------------------------------------- wrong correspondences

describe('a wrong step correspondence is reported', () => {
  type Fragment = typeof hFragment;
  const firstOf = (trace: Action[], kind: string) => trace.findIndex((a) => a.kind === kind);

  it('SEND-COMMIT taken as λ: H(2) and H(5) at that step (the commit is in x.in_i and x.out_i only)', () => {
    const noCommit: Fragment = function* (ctx, pi, pre, x, y) {
      if (pi.kind !== 'SEND-COMMIT') yield* hFragment(ctx, pi, pre, x, y);
    };
    const { found, run } = paired('h1', {}, { steps: 300, sim: { fragment: noCommit } });
    const k = firstOf(run.trace, 'SEND-COMMIT');
    expect(k).toBeGreaterThan(0);
    expect(found[0]!.step).toBe(k);
    const at = found.filter((f) => f.step === k);
    expect(ids(at)).toEqual(['H(2)', 'H(5)']);
    const i = (run.trace[k] as { i: number }).i;
    for (const f of at) {
      expect(f.fragment).toEqual([]);
      expect(f.message).toMatch(new RegExp(`^r${i}: ⟨COMMIT,0,\\d+,[0-9a-f]+,${i}⟩σ${i} `));
    }
  });

  it('EXECUTE taken as λ: H(1) (last-exec) and H(5) (the reply); EXECUTE at another n: not enabled', () => {
    const noExecute: Fragment = function* (ctx, pi, pre, x, y) {
      if (pi.kind !== 'EXECUTE') yield* hFragment(ctx, pi, pre, x, y);
    };
    const a = paired('h1', {}, { steps: 300, sim: { fragment: noExecute } });
    const k = firstOf(a.run.trace, 'EXECUTE');
    expect(a.found[0]!.step).toBe(k);
    const at = a.found.filter((f) => f.step === k);
    expect(ids(at)).toEqual(['H(1)', 'H(5)']);
    const i = (a.run.trace[k] as { i: number }).i;
    expect(at[0]!.message).toBe(`r${i}: last-exec 1 ≠ 0`);
    expect(at[1]!.message).toMatch(new RegExp(`^r${i}: ⟨REPLY,.*⟩σ${i} ∈ X_i has no consistent message in Y_i$`));

    const shifted: Fragment = function* (ctx, pi, pre, x, y) {
      if (pi.kind === 'EXECUTE') yield { ...pi, n: pi.n + 1 };
      else yield* hFragment(ctx, pi, pre, x, y);
    };
    const b = paired('h1', {}, { steps: 300, sim: { fragment: shifted } });
    expect(b.found[0]!).toMatchObject({ id: 'enabled', step: k });
    expect(b.found[0]!.message).toMatch(/^EXECUTE\(.*, 0, 2\)_r\d is not enabled in A′: precondition of EXECUTE false at r\d$/);
  });

  it('a receive β cannot deliver: reported as not enabled', () => {
    // RECEIVE of a prepare answered with the receive of a prepare nobody sent.
    const wrong: Fragment = function* (ctx, pi, pre, x, y) {
      if (pi.kind === 'RECEIVE' && pi.m.tag === 'PREPARE') yield { ...pi, m: ctx.hc.uy.interner.prepare(8, 3, ctx.hc.uy.interner.digest(null), 2) };
      else yield* hFragment(ctx, pi, pre, x, y);
    };
    const { found, run } = paired('h1', {}, { steps: 300, sim: { fragment: wrong } });
    const k = run.trace.findIndex((a) => a.kind === 'RECEIVE' && a.m.tag === 'PREPARE');
    expect(found[0]).toMatchObject({ id: 'enabled', step: k });
    expect(found[0]!.message).toMatch(/is not enabled in A′: no such \(m, X\) in wire with x ∈ X$/);
  });

  it('a fragment with an extra external action (a REQUEST) is reported as a trace mismatch', () => {
    let done = false;
    const extraRequest: Fragment = function* (ctx, pi, pre, x, y) {
      yield* hFragment(ctx, pi, pre, x, y);
      if (!done && pi.kind === 'SEND-PRE-PREPARE') {
        done = true;
        yield { kind: 'REQUEST', o: 'b', c: 1 };
      }
    };
    const { found, run } = paired('h1', {}, { steps: 300, sim: { fragment: extraRequest } });
    const k = firstOf(run.trace, 'SEND-PRE-PREPARE');
    expect(found[0]).toMatchObject({ id: 'trace', step: k, message: 'trace(α) = ⟨REQUEST(b)_c1⟩ but trace(π) = ⟨⟩' });
    expect(found[0]!.fragment[found[0]!.fragment.length - 1]).toBe('REQUEST(b)_c1');
    // From then on A's client c1 has issued one more request than x's: H(1).
    expect(found[1]!).toMatchObject({ id: 'H(1)', step: k + 1 });
    expect(found[1]!.message).toMatch(/^c1: last-req_c \d+ ≠ \d+$/);
  });

  it('a fragment that drops an external action (REQUEST as λ) is reported as a trace mismatch', () => {
    const noRequest: Fragment = function* (ctx, pi, pre, x, y) {
      if (pi.kind !== 'REQUEST') yield* hFragment(ctx, pi, pre, x, y);
    };
    const { found, run } = paired('h1', {}, { steps: 50, sim: { fragment: noRequest } });
    const k = firstOf(run.trace, 'REQUEST');
    const r = run.trace[k] as { o: string; c: number };
    expect(found[0]).toMatchObject({ id: 'trace', step: k, message: `trace(α) = ⟨⟩ but trace(π) = ⟨REQUEST(${r.o})_c${r.c}⟩` });
  });
});

// ---------------------------------------------------------------- the chain

function chained(seed: string, config: object, opts: { steps?: number; relations?: string[]; at?: number; corrupt?: (y: SystemState, x: SystemState, u: Universe) => void; noInvariants?: boolean } = {}) {
  let chain!: ChainSimulation;
  let universe!: Universe;
  const found: SimulationFinding[] = [];
  let alphaTotal = 0;
  const run = runRandom({
    config: { variant: 'Agc', ...config },
    seed,
    steps: opts.steps ?? 1500,
    onStart: (u, s) => {
      universe = u;
      chain = new ChainSimulation(u, { ...(opts.relations === undefined ? {} : { relations: opts.relations }), ...(opts.noInvariants ? { copyInvariants: [] } : {}) });
      found.push(...chain.start(s));
    },
    beforeStep: (k, a, s) => chain.before(k, a, s),
    onStep: (k, a, s) => {
      found.push(...chain.after(k, a, s));
      alphaTotal += chain.h!.alpha.length;
      if (k === opts.at) opts.corrupt?.(chain.h!.y, s, universe);
    },
  });
  return { chain, found, run, alphaTotal };
}

describe('the chain A_gc → A → S′ → S', () => {
  it.each([
    ['c1', {}],
    ['c3', { faultyReplicas: [0] }],
  ] as const)('H, G, F and A’s invariants on the copy hold at every step (seed %s, %j)', (seed, config) => {
    const { chain, found, run, alphaTotal } = chained(seed, config);
    expect(show(found)).toEqual([]);
    expect(run.trace.length).toBe(1500);
    expect(chain.h).not.toBeNull();
    // Every action of α drove A's copy (counted once) and S′ moved with it.
    expect(alphaTotal).toBeGreaterThan(1000);
    expect(chain.abstractSteps).toBeGreaterThan(alphaTotal);
    expect(chain.g.y.hist.length).toBeGreaterThan(0);
    expect(chain.f.y.lastRepT).toEqual(chain.g.y.fold.lastRepT);
  });

  it('with relations [H(2)], a corruption of y that breaks H(1) is not reported, one that breaks H(2) is', () => {
    const seqno = (y: SystemState) => void (y.replicas[2]!.seqno += 5);
    const prepare = (y: SystemState, x: SystemState, u: Universe) => void y.replicas[2]!.in.add(u.interner.prepare(7, h(x.replicas[2]!) + 1, u.interner.digest(null), 2));
    const base = { steps: 320, at: 300, noInvariants: true };
    // Control: with every relation, the seqno corruption is H(1) at each later step.
    const all = chained('c1', {}, { ...base, corrupt: seqno });
    expect(ids(all.found)).toEqual(Array(19).fill('H(1)'));
    expect(all.found[0]!).toMatchObject({ step: 301 });
    const only2 = chained('c1', {}, { ...base, relations: ['H(2)'], corrupt: seqno });
    expect(only2.found).toEqual([]);
    const p2 = chained('c1', {}, { ...base, relations: ['H(2)'], corrupt: prepare });
    expect(ids(p2.found)).toEqual(Array(19).fill('H(2)'));
    expect(p2.found[0]!.message).toMatch(/^r2: ⟨PREPARE,7,\d+,[0-9a-f]+,2⟩σ2 /);
  });
});
