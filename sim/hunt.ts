// A seeded hunt for a safety violation: random walks of one strategy, seed after seed, with the
// selected checks after each step, until a violation, the seed budget or the time limit. Run k of
// `pbft-check simulate` is walkRun(spec, k): the walk seeded `${seed}-${k}`, no shrinking.
import type { ConfigInput } from '../automata/config.ts';
import { makeConfig } from '../automata/config.ts';
import { runChecked, traceStabilized, type CheckSpec } from './checks.ts';
import type { RunOutcome, SearchSpec } from './search.ts';
import { planOf } from './search.ts';
import { STABLE_HORIZON } from './stable-scheduler.ts';
import { SeededRng } from './rng.ts';
import { describePlan, planRunOptions } from './strategies.ts';
import { traceChecks, traceJson, type TraceFile } from './trace-file.ts';

/** The seeded walk of run k of a simulation, with the spec's checks. */
export function walkRun(spec: SearchSpec, run: number): RunOutcome {
  const seed = `${spec.seed}-${run}`;
  const plan = planOf(spec, seed);
  // With the liveness check the walk stabilizes at a step drawn from its seed.
  const stabilize = spec.checks.liveness === undefined ? undefined : { gst: new SeededRng(`${seed}/gst`).int(spec.steps + 1), horizon: STABLE_HORIZON, seed };
  const { r, violation: h, stabilized } = runChecked({ ...planRunOptions(plan, spec.config), seed, steps: spec.steps, stabilize }, spec.checks);
  const foundAt = performance.timeOrigin + performance.now();
  if (h === null) return { run, steps: r.trace.length, finding: null, reach: r.stats.reach(r.state, spec.steps) };
  const description = `${h.id} at step ${h.step} (${describePlan(plan)}, seed ${seed}): ${h.message}`;
  const trace = traceJson(r.universe, r.trace, { seed, description, strategy: describePlan(plan), violation: h, checks: traceChecks(spec.checks), ...traceStabilized(stabilized) });
  return { run, steps: r.trace.length, finding: { run, plan: describePlan(plan), planSeed: seed, ...h, generatedLength: h.step + 1, shrunkLength: h.step + 1, shrinks: 0, foundAt, shrinkSeconds: 0, trace }, reach: null };
}

export interface HuntOptions {
  config?: ConfigInput;
  strategy: string;
  /** How many replicas fail (default f). More than f shows the bound is tight. */
  faults?: number;
  steps: number;
  seedPrefix: string;
  maxSeeds: number;
  /** Seconds; the hunt stops after the run that passes it. */
  timeLimit?: number;
  /** Default: every invariant, no chain. */
  checks?: CheckSpec;
}

export interface HuntFinding {
  seed: string;
  plan: string;
  id: string;
  step: number;
  message: string;
  trace: TraceFile;
}

export interface HuntResult {
  found: HuntFinding | null;
  runs: number;
  steps: number;
  seconds: number;
}

/** Runs walkRun for seeds `${seedPrefix}0`, `${seedPrefix}1`, … (the prefix's trailing '-' is the walk's). */
export function hunt(o: HuntOptions): HuntResult {
  const t0 = performance.now();
  if (!o.seedPrefix.endsWith('-')) throw new Error(`hunt: seedPrefix must end with '-', got '${o.seedPrefix}'`);
  const spec: SearchSpec = {
    config: makeConfig(o.config),
    strategy: o.strategy,
    ...(o.faults === undefined ? {} : { faults: o.faults }),
    steps: o.steps,
    seed: o.seedPrefix.slice(0, -1),
    checks: o.checks ?? { invariants: [], chain: false },
    shrinkBudget: 0,
  };
  let steps = 0;
  for (let k = 0; k < o.maxSeeds; k++) {
    if (o.timeLimit !== undefined && (performance.now() - t0) / 1000 > o.timeLimit) return { found: null, runs: k, steps, seconds: (performance.now() - t0) / 1000 };
    const r = walkRun(spec, k);
    steps += r.steps;
    const f = r.finding;
    if (f !== null) {
      const found: HuntFinding = { seed: `${spec.seed}-${k}`, plan: f.plan, id: f.id, step: f.step, message: f.message, trace: f.trace };
      return { found, runs: k + 1, steps, seconds: (performance.now() - t0) / 1000 };
    }
  }
  return { found: null, runs: o.maxSeeds, steps, seconds: (performance.now() - t0) / 1000 };
}
