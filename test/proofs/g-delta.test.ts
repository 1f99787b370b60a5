// The incremental evaluation of G (gIncremental, proofs/g.ts) against the plain clauses: the same
// findings at every step of random runs of A (corrected and literal readings, with faulty replicas
// and clients), after corruptions of A and S′ made once the incremental evaluation has seen the
// state, and a cost that does not grow with the run.
import { standIns } from './requesting-client.ts';
import { describe, expect, it } from 'vitest';
import type { Action } from '../../automata/actions.ts';
import type { SystemState } from '../../automata/compose.ts';
import { foldAppend, type SpecHistState } from '../../automata/spec-hist.ts';
import { Universe } from '../../automata/universe.ts';
import { DeltaTracker } from '../../invariants/delta.ts';
import type { SimulationFinding } from '../../proofs/paired-f.ts';
import { GSimulation } from '../../proofs/paired-g.ts';
import { runRandom } from '../../sim/scheduler.ts';

interface TwinOptions {
  literal?: boolean;
  steps?: number;
  viewChange?: number;
  /** Called after both simulations have checked step k (the incremental one has seen the state). */
  corrupt?: (k: number, x: SystemState, ys: SpecHistState[], u: Universe) => void;
  /** Also drain the logs' journals after every step, as an InvariantChecker beside the chain does. */
  drain?: boolean;
}

/**
 * A random run of A followed by two GSimulations, one plain and one incremental, on the same
 * state; the findings of each at the start and after every step.
 */
function twin(seed: string, config: object, opts: TwinOptions = {}) {
  let plain!: GSimulation;
  let inc!: GSimulation;
  let universe!: Universe;
  const steps: { k: number; plain: SimulationFinding[]; inc: SimulationFinding[] }[] = [];
  const drainer = new DeltaTracker();
  const run = runRandom({
    config: { variant: 'A', ...config },
    seed,
    steps: opts.steps ?? 1500,
    standIns,
    ...(opts.viewChange === undefined ? {} : { weights: { 'view-change': opts.viewChange } }),
    onStart: (u, s) => {
      universe = u;
      plain = new GSimulation(u, opts.literal ?? false, undefined, { incremental: false });
      inc = new GSimulation(u, opts.literal ?? false);
      steps.push({ k: -1, plain: plain.start(s), inc: inc.start(s) });
    },
    beforeStep: (k, a, s) => {
      plain.before(k, a, s);
      inc.before(k, a, s);
    },
    onStep: (k, a, s) => {
      steps.push({ k, plain: plain.after(k, a, s), inc: inc.after(k, a, s) });
      if (opts.drain) drainer.next(s);
      opts.corrupt?.(k, s, [plain.y, inc.y], universe);
    },
  });
  return { steps, run, plain, inc };
}

const failures = (trace: Action[]) => trace.filter((a) => a.kind === 'REPLICA-FAILURE' || a.kind === 'CLIENT-FAILURE').length;

/** Asserts equal findings at every step; returns all findings (of the plain evaluation). */
function expectSame(steps: { k: number; plain: SimulationFinding[]; inc: SimulationFinding[] }[]): SimulationFinding[] {
  const differ = steps.find((s) => JSON.stringify(s.plain) !== JSON.stringify(s.inc));
  if (differ !== undefined) expect(differ.inc).toEqual(differ.plain);
  return steps.flatMap((s) => s.plain);
}

describe('incremental G: the same findings as the plain clauses at every step', () => {
  it.each([
    ['d1', {}],
    ['d2', { faultyReplicas: [3] }],
    ['d3', { faultyClients: [1] }],
  ])('corrected reading, seed %s, %j: no finding, at every step', (seed, config) => {
    const { steps, inc, run } = twin(seed, config);
    expect(expectSame(steps)).toEqual([]);
    expect(inc.y.hist.length).toBeGreaterThan(3);
    expect(run.trace.some((a) => a.kind === 'REPLY')).toBe(true);
    // Only the start and the failure inputs (faulty flags change) re-examined everything.
    expect(inc.incremental!.stats.full).toBe(1 + failures(run.trace));
  });

  it('literal reading, with view changes and a faulty client (findings at many steps, continued past them)', () => {
    const ids = new Set<string>();
    for (const [seed, config, viewChange] of [
      ['c152', {}, 3],
      ['g13', { faultyClients: [1], clientsWaitForReply: false }, undefined],
      ['d5', { faultyClients: [1], faultyReplicas: [2] }, 1],
    ] as const) {
      const { steps } = twin(seed, config, { literal: true, viewChange, steps: 1200 });
      for (const f of expectSame(steps)) ids.add(f.id);
    }
    // G(4) at every step (E8), G(9) (E9), G(11) (E10) and a step of α not enabled (E11).
    for (const id of ['G(4)', 'G(9)', 'G(11)', 'enabled']) expect(ids).toContain(id);
  });

  it('another consumer draining the journals (an InvariantChecker beside the chain) changes nothing', () => {
    const { steps, inc, run } = twin('d2', { faultyReplicas: [3] }, { drain: true, steps: 800 });
    expect(expectSame(steps)).toEqual([]);
    expect(inc.incremental!.stats.full).toBe(1 + failures(run.trace));
  });
});

describe('incremental G: corruptions after the incremental evaluation has seen the state', () => {
  const AT = 600;
  /** Corrupts once, at the first step ≥ AT where `when` holds; returns the findings from then on. */
  const corrupted = (seed: string, when: (x: SystemState, y: SpecHistState) => boolean, corrupt: (x: SystemState, ys: SpecHistState[], u: Universe) => void) => {
    let at: number | null = null;
    const { steps } = twin(seed, {}, {
      steps: AT + 80,
      corrupt: (k, x, ys, u) => {
        if (at === null && k >= AT && when(x, ys[1]!)) {
          at = k;
          corrupt(x, ys, u);
        }
      },
    });
    expect(at).not.toBeNull();
    const all = expectSame(steps);
    return { all, at: at!, first: steps.find((s) => s.k === at! + 1)! };
  };

  it('G(8): the pre-prepares at n = 1 removed from the logs of two non-faulty replicas', () => {
    const { first, all } = corrupted(
      'k1',
      (_x, y) => y.seqno >= 1,
      (x) => {
        for (const r of [x.replicas[0]!, x.replicas[1]!]) for (const pp of [...r.in.prePreparesAt(1)]) r.in.delete(pp);
      },
    );
    expect(first.inc.map((f) => f.id)).toContain('G(8)');
    expect(all.some((f) => f.id === 'G(8)' && /^n = 1: /.test(f.message))).toBe(true);
  });

  it('G(8): y.seqno raised (sequence numbers with no tuple, nothing prepared), in S′', () => {
    const { first } = corrupted(
      'k2',
      () => true,
      (_x, ys) => ys.forEach((y) => (y.seqno += 40)),
    );
    expect(first.inc.map((f) => f.id)).toContain('G(8)');
    expect(first.inc.find((f) => f.id === 'G(8)')!.message).toMatch(/no tuple in y\.hist/);
  });

  it('G(9): a bogus reply of a non-faulty replica put on the wire, and one in its out_i', () => {
    const onWire = corrupted(
      'k3',
      () => true,
      (x, _ys, u) => x.wire.add(u.interner.reply(0, 1, 0, 2, 'bogus-wire'), u.replicaBit(0)),
    );
    expect(onWire.first.inc.map((f) => f.id)).toContain('G(9)');
    expect(onWire.first.inc.find((f) => f.id === 'G(9)')!.message).toMatch(/bogus-wire⟩σ2 ∈ x\.wire/);
    const inOut = corrupted(
      'k4',
      () => true,
      (x, _ys, u) => x.replicas[1]!.out.add(u.interner.reply(0, 1, 0, 1, 'bogus-out')),
    );
    expect(inOut.first.inc.map((f) => f.id)).toContain('G(9)');
  });

  it('G(9): a reply on the wire that hist explains only later (an S′-like append of its tuple, by hand)', () => {
    const o = 'a';
    const t = 500;
    const c = 0;
    let reply = '';
    const { steps } = twin('k8', {}, {
      steps: AT + 40,
      corrupt: (k, x, ys, u) => {
        if (k === AT) {
          // The result S′ would give for ⟨·, a, 500, c0⟩ appended now; a non-faulty replica's reply of it.
          reply = u.service.g(c, o, ys[1]!.fold.val)[0];
          x.wire.add(u.interner.reply(0, t, c, 2, reply), u.replicaBit(1));
        }
        if (k === AT + 5)
          for (const y of ys) {
            y.seqno++;
            const e = { n: y.seqno, o, t, c };
            y.hist.push(e);
            foldAppend(u, y.fold, e);
          }
      },
    });
    expectSame(steps);
    const g9 = (k: number) => steps.find((s) => s.k === k)!.inc.some((f) => f.id === 'G(9)');
    expect([g9(AT), g9(AT + 1), g9(AT + 5), g9(AT + 6)]).toEqual([false, true, true, false]);
  });

  it('G(11): a triple named by M_c removed from y.in (S′), and a request S′ never saw added to in_i (A)', () => {
    const fromIn = corrupted(
      'k5',
      (_x, y) => y.in.size > 0,
      (_x, ys) => {
        const k = [...ys[1]!.in.keys()][0]!;
        for (const y of ys) y.in.delete(k);
      },
    );
    expect(fromIn.first.inc.map((f) => f.id)).toContain('G(11)');
    const inLog = corrupted(
      'k6',
      () => true,
      (x, _ys, u) => x.replicas[2]!.in.add(u.interner.request(u.ops[0]!, 999, 0)),
    );
    expect(inLog.first.inc.map((f) => f.id)).toContain('G(11)');
    expect(inLog.first.inc.find((f) => f.id === 'G(11)')!.message).toMatch(/, 999, c0⟩ \(in x\.in_2\)/);
  });

  it('G(10) and G(3): y.out cleared and y.last-req changed (S′)', () => {
    const { all } = corrupted(
      'k7',
      (x) => x.proxies.some((p) => p.out !== null),
      (_x, ys) =>
        ys.forEach((y) => {
          y.out.clear();
          y.lastReq[1] = y.lastReq[1]! + 7;
        }),
    );
    expect(all.map((f) => f.id)).toContain('G(3)');
  });
});

describe('incremental G: the cost of a step does not grow with the run', () => {
  // Seed d6 changes views at steps 755-847 and 1802-1864, none after 2500: while a view-change or
  // new-view is in some out_i, every step examines it and every request it names (in A, all that
  // prepared so far), so a view change in the late window would cost in proportion to the run.
  it('late steps examine about as much as early ones, far less than the state holds', () => {
    let g!: GSimulation;
    const perStep: number[] = [];
    let last = 0;
    const run = runRandom({
      config: { variant: 'A' },
      seed: 'd6',
      steps: 3000,
      onStart: (u, s) => {
        g = new GSimulation(u);
        g.start(s);
      },
      beforeStep: (k, a, s) => g.before(k, a, s),
      onStep: (k, a, s) => {
        expect(g.after(k, a, s)).toEqual([]);
        const e = g.incremental!.stats.examined;
        perStep.push(e - last);
        last = e;
      },
    });
    const stats = g.incremental!.stats;
    // Nothing was re-examined in full after the start, and G(11) was never evaluated plainly.
    expect([stats.checks, stats.full, stats.plainG11]).toEqual([3001, 1, 0]);
    // What the plain evaluation reads at every step (at least): the logs and the wire.
    const held = run.state.replicas.reduce((a, r) => a + r.in.size, 0) + run.state.wire.messageCount;
    expect(held).toBeGreaterThan(1500);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const early = mean(perStep.slice(500, 1000));
    const late = mean(perStep.slice(2500));
    expect(late).toBeLessThan(2 * early + 5);
    expect(Math.max(...perStep.slice(2500))).toBeLessThan(held / 20);
  });
});
