// The property-based safety search. Run k of a search is one fast-check property check with its
// own seed (derived from the search's seed and k): fast-check generates a strategy plan seed and a
// schedule (one choice per step, sim/schedule-rng.ts), the run executes it with every selected
// invariant and relation checked after each step, and on a violation fast-check shrinks the
// schedule (a shorter or simpler one that still violates something). Runs are independent, so a
// search splits over worker threads and shards by run index with the same results.
import fc from 'fast-check';
import type { Config } from '../automata/config.ts';
import { runChecked, traceStabilized, type CheckSpec, type Violation } from './checks.ts';
import { ScheduleRng } from './schedule-rng.ts';
import { STABLE_HORIZON } from './stable-scheduler.ts';
import { describePlan, planFor, planRunOptions, type StrategyPlan } from './strategies.ts';
import { traceChecks, traceJson, type TraceFile } from './trace-file.ts';
import type { RunReach } from './search-reach.ts';

/** Everything that decides a search's runs (plain data: it goes to worker threads and result files). */
export interface SearchSpec {
  config: Config;
  /** A strategy name or 'swarm'. */
  strategy: string;
  /** Faulty replicas per run when the strategy picks them (default f). */
  faults?: number;
  /** Faulty nodes named by the user (--faulty, --faulty-clients): they replace the plan's. */
  faultyReplicas?: readonly number[];
  faultyClients?: readonly number[];
  /** Steps per run (the length of a schedule). */
  steps: number;
  seed: string;
  checks: CheckSpec;
  /** Predicate evaluations fast-check may spend shrinking a counterexample. */
  shrinkBudget: number;
}

export const DEFAULT_SHRINK_BUDGET = 200;

export interface RunFinding extends Violation {
  run: number;
  plan: string;
  /** The seed of its plan (planOf) and of its stabilized part: what a rerun needs. */
  planSeed: string;
  /** Steps of the generated schedule's run up to the violation, and after fast-check's shrinking. */
  generatedLength: number;
  shrunkLength: number;
  shrinks: number;
  /**
   * When the run detected the violation (before any shrinking), as an absolute time in ms
   * (performance.timeOrigin + performance.now(): comparable across worker threads).
   */
  foundAt: number;
  /** Seconds fast-check spent shrinking. */
  shrinkSeconds: number;
  trace: TraceFile;
}

export interface RunOutcome {
  run: number;
  /** Steps executed, shrinking not counted. */
  steps: number;
  finding: RunFinding | null;
  /** How far the run went, when it ended without a violation. */
  reach: RunReach | null;
}

/** A 32-bit seed for fast-check from the search's seed and a run index (FNV-1a). */
export function runSeed(seed: string, run: number): number {
  let h = 0x811c9dc5;
  for (const ch of `${seed}/${run}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h | 0;
}

/** The plan drawn with planSeed, with the user's named faulty nodes in place of the plan's. */
export function planOf(spec: SearchSpec, planSeed: string): StrategyPlan {
  const c = spec.config;
  const plan = planFor(spec.strategy, planSeed, { f: c.f, n: 3 * c.f + 1, clients: c.clients, ...(spec.faults === undefined ? {} : { faults: spec.faults }) });
  return { ...plan, faultyReplicas: [...(spec.faultyReplicas ?? plan.faultyReplicas)], faultyClients: [...(spec.faultyClients ?? plan.faultyClients)] };
}

interface Executed {
  steps: number;
  reach: RunReach;
  violation: Violation | null;
  trace: () => TraceFile;
  plan: string;
  planSeed: string;
}

/**
 * Executes one schedule with the checks, up to its end or the first violation. With the liveness
 * check the run stabilizes at step `gst` of the schedule (its choices after that go unused).
 */
export function executeSchedule(spec: SearchSpec, planNumber: number, choices: readonly number[], gst?: number): Executed {
  const planSeed = `${spec.seed}/plan-${planNumber}`;
  const plan = planOf(spec, planSeed);
  const rng = new ScheduleRng(choices);
  const stabilize = spec.checks.liveness === undefined ? undefined : { gst: Math.min(gst ?? choices.length, choices.length), horizon: STABLE_HORIZON, seed: planSeed };
  const { r, violation: v, stabilized } = runChecked({ ...planRunOptions(plan, spec.config), rng, steps: choices.length, onStep: () => rng.nextStep(), stabilize }, spec.checks);
  const described = describePlan(plan);
  return {
    steps: r.trace.length,
    reach: r.stats.reach(r.state, choices.length),
    violation: v,
    plan: described,
    planSeed,
    trace: () =>
      traceJson(r.universe, r.trace, {
        seed: spec.seed,
        strategy: described,
        checks: traceChecks(spec.checks),
        ...traceStabilized(stabilized),
        ...(v === null ? {} : { violation: v, description: `${v.id} at step ${v.step} (${described})` }),
      }),
  };
}


/** The schedules fast-check generates: a plan seed, up to `steps` choices, and a GST (used with the liveness check; it shrinks towards 0). */
function scheduleArbitrary(steps: number, withGst: boolean): fc.Arbitrary<{ plan: number; choices: number[]; gst?: number }> {
  const schedule = {
    plan: fc.nat({ max: 0xffff }),
    // Choices do not shrink (a smaller number is not a simpler step); fast-check drops them.
    choices: fc.noBias(fc.array(fc.noShrink(fc.nat()), { minLength: Math.min(steps, 1), maxLength: steps, size: 'max' })),
  };
  // Without the liveness check there is no GST: the schedules (and their shrinking) stay as they were.
  return withGst ? fc.record({ ...schedule, gst: fc.nat({ max: steps }) }) : fc.record(schedule);
}

/** Run k of the search: generate, execute, and on a violation shrink within the budget. */
export function searchRun(spec: SearchSpec, run: number): RunOutcome {
  let steps = 0;
  let reach: RunReach | null = null;
  /** The generated schedule's violation (its run's length, and when it was found), then the shortest failing run. */
  let generated: { length: number; at: number } | null = null;
  let best: (Executed & { violation: Violation }) | null = null;
  let evaluations = 0;
  let crash: unknown = null;
  const details = fc.check(
    fc.property(scheduleArbitrary(spec.steps, spec.checks.liveness !== undefined), ({ plan, choices, gst }) => {
      // Past the budget (or after a crash) the run is interrupted; fast-check keeps the last failure.
      if (crash !== null || (generated !== null && evaluations >= spec.shrinkBudget)) throw new fc.PreconditionFailure(true);
      if (generated !== null) evaluations++;
      let e: Executed;
      try {
        e = executeSchedule(spec, plan, choices, gst);
      } catch (err) {
        // An exception is a defect of the model or the checker, not a counterexample: no shrinking.
        crash = err;
        throw new fc.PreconditionFailure(true);
      }
      if (generated === null) {
        steps += e.steps;
        reach ??= e.reach;
      }
      const v = e.violation;
      // A shrink candidate counts as failing only if its violation comes no later than the
      // best so far: fast-check's "smaller" is fewer choices, ours is a shorter run.
      if (v === null || (best !== null && v.step > best.violation.step)) return true;
      generated ??= { length: v.step + 1, at: performance.now() };
      best = { ...e, violation: v };
      return false;
    }),
    { seed: runSeed(spec.seed, run), numRuns: 1 },
  );
  if (crash !== null) throw crash;
  const g = generated as { length: number; at: number } | null;
  const b = best as (Executed & { violation: Violation }) | null;
  if (!details.failed || g === null || b === null) return { run, steps, finding: null, reach };
  const v = b.violation;
  return {
    run,
    steps,
    finding: { run, plan: b.plan, planSeed: b.planSeed, ...v, generatedLength: g.length, shrunkLength: v.step + 1, shrinks: details.numShrinks, foundAt: performance.timeOrigin + g.at, shrinkSeconds: (performance.now() - g.at) / 1000, trace: b.trace() },
    reach: null,
  };
}
