// Bounded liveness after stabilization (issue 16): the stabilized scheduler is reliable and fair,
// each liveness property fails on a stalled run and holds on a live one, stabilized traces replay
// with their liveness check, and the search finds the catalog's stalls.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Action } from '../automata/actions.ts';
import type { SystemState } from '../automata/compose.ts';
import { isEarly } from '../automata/enabled.ts';
import type { Message } from '../automata/messages.ts';
import { LIVENESS_PROPERTIES } from '../invariants/liveness.ts';
import { runChecked, type CheckSpec } from '../sim/checks.ts';
import { main } from '../sim/cli.ts';
import { minimizeLiveness } from '../sim/minimize-liveness.ts';
import { replay } from '../sim/replay.ts';
import { STABLE_HORIZON } from '../sim/stable-scheduler.ts';
import { planFor, planRunOptions } from '../sim/strategies.ts';
import { loadTrace, traceJson, TraceError } from '../sim/trace-file.ts';
import { traceStabilized } from '../sim/checks.ts';
import { validateTrace } from '../sim/trace-validate.ts';

const LIVE: CheckSpec = { invariants: [], chain: false, liveness: {} };
const tmp = mkdtempSync(join(tmpdir(), 'pbft-liveness-'));

function stabilizedRun(seed: string, gst: number, o: { strategy?: string; mutants?: string[]; spec?: CheckSpec; onStabilize?: (k: number) => void; onStep?: (k: number, a: Action, s: SystemState) => void } = {}) {
  const plan = planFor(o.strategy ?? 'swarm', seed, { f: 1, n: 4, clients: 2 });
  return runChecked(
    {
      seed,
      steps: 2000,
      ...planRunOptions(plan, { variant: 'Agc', mutants: o.mutants ?? [] }),
      stabilize: { gst, horizon: STABLE_HORIZON, seed },
      ...(o.onStep ? { onStep: o.onStep } : {}),
      ...(o.onStabilize ? { onStabilize: o.onStabilize } : {}),
    },
    o.spec ?? LIVE,
  );
}

/** A run with a silent faulty replica (it fails at the start) stabilized at `gst`. */
function silentRun(seed: string, gst: number, mutants: string[]) {
  const plan = planFor('silent-primary', seed, { f: 1, n: 4, clients: 2 });
  const opts = { ...planRunOptions({ ...plan, failAt: 0 }, { variant: 'Agc', mutants }), failAt: 0 };
  return { plan, opts, run: runChecked({ seed, steps: 2000, ...opts, stabilize: { gst, horizon: STABLE_HORIZON, seed } }, LIVE) };
}

describe('the stabilized part of a run', () => {
  it('is reliable: nothing is lost or duplicated after GST, and every element in flight reaches its correct destinations', () => {
    let delays = 0;
    let maxDelay = 0;
    for (let k = 0; k < 40; k++) {
      const gst = (k * 97) % 1500;
      const sentAt = new Map<string, number>();
      let stabilizedAt = Infinity;
      const { r, violation } = stabilizedRun(`reliable-${k}`, gst, {
        onStabilize: (j) => (stabilizedAt = j),
        onStep: (j, a, s) => {
          if (j < stabilizedAt) return;
          const key = (m: Message, X: number) => `${m.id}:${X}`;
          if (a.kind === 'MISBEHAVE') expect(a.X2 & a.X, `step ${j}: a MISBEHAVE after GST only adds destinations`).toBe(a.X);
          if (a.kind === 'SEND' || a.kind === 'MISBEHAVE') if (!sentAt.has(key(a.m, a.kind === 'SEND' ? a.X : a.X2))) sentAt.set(key(a.m, a.kind === 'SEND' ? a.X : a.X2), j);
          if (a.kind === 'RECEIVE') {
            const at = sentAt.get(key(a.m, a.X));
            if (at !== undefined) {
              sentAt.set(key(a.m, a.X & ~(1 << a.x)), at);
              delays++;
              maxDelay = Math.max(maxDelay, j - at);
            }
            expect(s.replicas[a.x]?.faulty ?? s.proxies[a.x - 4]!.faulty, 'deliveries go to correct nodes').toBe(false);
          }
        },
      });
      expect(violation, `reliable-${k}`).toBeNull();
      expect(r.quiescent, 'the stabilized part ends with nothing left to do').toBe(true);
      // Nothing a correct node could take is left in flight.
      for (const { m, X } of r.state.wire.pending())
        for (let x = 0; x < 6; x++) if (X & (1 << x)) expect(x < 4 ? r.state.replicas[x]!.faulty || isEarly(r.universe, r.state.replicas[x]!, m) : r.state.proxies[x - 4]!.faulty, `${m.tag} to node ${x} left in flight`).toBe(true);
    }
    // Deliveries after GST are counted, and each came within a bounded number of steps of its send.
    expect(delays).toBeGreaterThan(1000);
    expect(maxDelay).toBeLessThan(600);
  });

  it('is fair: every correct client request outstanding at GST or issued after it completes, and the run ends', () => {
    for (let k = 0; k < 30; k++) {
      const { r, violation, stabilized } = stabilizedRun(`fair-${k}`, (k * 131) % 1800, { strategy: ['swarm', 'view-change-storm', 'equivocating-primary'][k % 3]! });
      expect(violation, `fair-${k}`).toBeNull();
      expect(r.quiescent).toBe(true);
      expect(r.state.proxies.filter((p) => !p.faulty && p.out !== null)).toEqual([]);
      const w = stabilized!.worst;
      // How close the run came to each deadline: below it, with room.
      for (const id of ['L1', 'L2', 'L3'] as const) expect(w[id], `${id} fair-${k}`).toBeLessThan(stabilized!.bounds[id]);
    }
  });

  it('is deterministic: the same seed and GST give the same trace', () => {
    const a = stabilizedRun('same', 700);
    const b = stabilizedRun('same', 700);
    expect(traceJson(b.r.universe, b.r.trace).fingerprints).toEqual(traceJson(a.r.universe, a.r.trace).fingerprints);
  });
});

describe('each liveness property', () => {
  it('is documented like the invariants', () => {
    expect(LIVENESS_PROPERTIES.map((p) => p.id)).toEqual(['L1', 'L2', 'L3']);
    for (const p of LIVENESS_PROPERTIES) expect(p.ref).toMatch(/Section 2\.3\.5/);
  });

  it('L1 fails on a stalled run (a faulty backup withholds prepares that every quorum needs) and holds on the same run of the thesis', () => {
    const stalled = silentRun('stall', 0, ['prepare-quorum-all']).run;
    expect(stalled.violation?.id).toBe('L1');
    expect(stalled.violation!.message).toMatch(/cannot complete: the correct replicas are in view \d+ with its new-view and a correct primary/);
    expect(stalled.violation!.message).toMatch(/GST 1; outstanding c\d: ⟨/); // GST after the failure at step 0
    expect(stalled.violation!.message).toMatch(/r\d \(view \d+\) has 2 of the 3 prepares for n = \d+/);
    expect(silentRun('stall', 0, []).run.violation).toBeNull();
  });

  it('L1 fails at its deadline, L2 and L3 at theirs, on a live run given deadlines shorter than it needs', () => {
    const live = stabilizedRun('deadlines', 400, { strategy: 'view-change-storm' });
    expect(live.violation).toBeNull();
    const w = live.stabilized!.worst;
    for (const id of ['L1', 'L2', 'L3'] as const) {
      if (w[id] < 2) continue;
      const r = stabilizedRun('deadlines', 400, { strategy: 'view-change-storm', spec: { ...LIVE, liveness: { bounds: { L1: 1e6, L2: 1e6, L3: 1e6, [id]: w[id] - 1 } } } });
      expect(r.violation?.id, id).toBe(id);
      expect(r.violation!.message).toMatch(id === 'L1' ? /has had no reply for \d+ steps \(B = / : id === 'L2' ? /not been in one view with its new-view for \d+ steps \(B' = / : /no correct replica's last-exec rose for \d+ steps/);
    }
    expect(w.L1).toBeGreaterThan(1);
    expect(w.L3).toBeGreaterThan(1);
  });

  it('L2 fails when the view change cannot complete (a new-view needs every replica)', () => {
    let found = null;
    for (let k = 0; k < 20 && found === null; k++) found = silentRun(`nv-${k}`, 300, ['new-view-quorum-all']).run.violation;
    expect(found?.id).toMatch(/^L[123]$/);
  });
});

describe('stabilized trace files', () => {
  it('record GST, the deadlines and the scheduling, and replay their liveness violation', () => {
    const { r, violation, stabilized } = silentRun('stall', 0, ['prepare-quorum-all']).run;
    const t = traceJson(r.universe, r.trace, { checks: { chain: false, liveness: true }, violation: violation!, ...traceStabilized(stabilized) });
    const path = join(tmp, 'stall.json');
    writeFileSync(path, JSON.stringify(t));
    const back = loadTrace(path);
    expect(back.stabilized).toEqual({ gst: 1, bounds: stabilized!.bounds, options: stabilized!.options });
    const res = replay(back, { check: false, verbose: false }, () => {});
    expect([res.violation?.id, res.violation?.step, res.reproduced, res.checks.liveness]).toEqual(['L1', violation!.step, true, true]);
    expect(res.violation!.report).toMatch(/^violation of L1 \(Section 2\.3\.5/);
    // Without the liveness check the same trace is clean.
    expect(replay(back, { check: false, verbose: false, liveness: false }, () => {}).violation).toBeNull();
    // A bad stabilized field is refused in one line.
    expect(() => validateTrace({ ...t, stabilized: { gst: 10_000, bounds: stabilized!.bounds } }, 'bad.json')).toThrow(TraceError);
    expect(() => validateTrace({ ...t, stabilized: { gst: 0, bounds: { L1: 0, L2: 1, L3: 1 } } }, 'bad.json')).toThrow(/field 'stabilized.bounds.L1' must be an integer >= 1/);
  });

  it('minimizes the prefix of a liveness counterexample while the same property fails', () => {
    const { plan, run } = silentRun('min', 300, ['prepare-quorum-all']);
    const { r, violation, stabilized } = run;
    expect(violation?.id).toBe('L1');
    const t = traceJson(r.universe, r.trace, { checks: { chain: false, liveness: true }, violation: violation!, ...traceStabilized(stabilized) });
    const m = minimizeLiveness(t, { checks: LIVE, plan: { ...plan, failAt: 0 }, seed: 'min' });
    expect(m.violation.id).toBe('L1');
    expect(m.trace.actions.length).toBeLessThan(t.actions.length);
    expect(m.trace.stabilized!.gst).toBeLessThan(300);
    expect(replay(m.trace, { check: false, verbose: false }, () => {}).reproduced).toBe(true);
  });
});

describe('--liveness on the command line', () => {
  it('search finds a stall, minimizes it and writes a trace that replay reproduces', async () => {
    const out = join(tmp, 'search.json');
    let o = '';
    const code = await main(['search', '--mutant', 'prepare-quorum-all', '--liveness', '--no-chain', '--runs', '3', '--workers', '1', '--out', out], (s) => (o += s), () => {});
    expect(code).toBe(1);
    expect(o).toMatch(/chain off, liveness on\n {2}violation of L1 in run \d/);
    const t = loadTrace(out);
    expect([t.checks?.liveness, t.stabilized?.gst !== undefined]).toEqual([true, true]);
    let ro = '';
    expect(await main(['replay', out, '--quiet'], (s) => (ro += s), () => {})).toBe(1);
    expect(ro).toMatch(/recorded {7}L1 at step \d+: reproduced\n {2}checked {8}invariants all, chain off, liveness on, as the file records/);
  });

  it('rejects bad deadlines in one line', async () => {
    let e = '';
    expect(await main(['search', '--liveness-bounds', 'L4=3'], () => {}, (s) => (e += s))).toBe(2);
    expect(e).toMatch(/^pbft-check: --liveness-bounds must be a list like L1=2000,L2=600,L3=900/);
  });
});
