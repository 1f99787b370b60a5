// Minimizing a liveness counterexample: its stabilized part is not chosen, it follows from the
// state at GST (sim/stable-scheduler.ts), so only the adversarial prefix is shortened: chunks of
// decreasing size, then single actions, are dropped (with every later action the drop leaves
// disabled, and the safety minimizer's renaming of the messages a drop changes), the stabilized
// part is run again from where the shorter prefix leaves the system, and a candidate is kept when
// the same property fails in a shorter whole trace. Chunks of the whole trace are dropped too,
// the rest taken as the prefix: GST moves later, past the steps of the stabilized part that the
// stall does not need. The stabilized part may also be made simpler (faulty nodes silent after
// GST, no new requests), and another replica may fail in place of a faulty one.
import type { Config } from '../automata/config.ts';
import type { CheckSpec, Violation } from './checks.ts';
import { runChecked, traceStabilized } from './checks.ts';
import { planRunOptions, type StrategyPlan } from './strategies.ts';
import { DEFAULT_STABLE, STABLE_HORIZON, type StableOptions } from './stable-scheduler.ts';
import { traceJson, type TraceFile } from './trace-file.ts';
import { messageToJson, type Json } from './trace-json.ts';

export interface LivenessMinimized {
  trace: TraceFile;
  violation: Violation;
  attempts: number;
}

/** An action of a candidate, with the messages it added to out_i when last run (for the renaming). */
interface Entry {
  json: Json;
  added: readonly Json[];
}

/** The replicas ('REPLICA-FAILURE', 'i') or clients ('CLIENT-FAILURE', 'c') the entries make fail, in order. */
function failing(entries: readonly Entry[], kind: string, key: 'i' | 'c'): number[] {
  return entries.flatMap((e) => ((e.json as { kind: string }).kind === kind ? [(e.json as Record<string, number>)[key]!] : [])).sort((a, b) => a - b);
}

/**
 * The prefix taken again (with the minimizer's renaming, its disabled actions skipped), then the
 * stabilized part with the liveness check, stopped once the whole run is `limit` steps long (a
 * longer one is no better); the trace, its violation and its actions as entries.
 */
function rerun(t: TraceFile, plan: StrategyPlan | null, prefix: readonly Entry[], checks: CheckSpec, seed: string, options: StableOptions, limit = Infinity): { trace: TraceFile; violation: Violation | null; entries: () => Entry[] } {
  const bounds = t.stabilized!.bounds;
  // The configuration names the nodes the prefix makes fail (a candidate may fail another one).
  const config = { ...(t.config as Config), faultyReplicas: failing(prefix, 'REPLICA-FAILURE', 'i'), faultyClients: failing(prefix, 'CLIENT-FAILURE', 'c') };
  const opts = plan === null ? { config } : { ...planRunOptions(plan, config), config };
  const run = { ...opts, steps: prefix.length, prefix: prefix.map((e) => e.json), prefixAdded: prefix.map((e) => e.added), onStep: (k: number) => k + 1 < limit };
  const { r, violation, stabilized } = runChecked({ ...run, stabilize: { gst: prefix.length, horizon: STABLE_HORIZON, seed, options } }, { ...checks, liveness: { bounds } });
  const trace = traceJson(r.universe, r.trace, {
    ...(t.seed === undefined ? {} : { seed: t.seed }),
    ...(t.strategy === undefined ? {} : { strategy: t.strategy }),
    ...(t.checks === undefined ? {} : { checks: t.checks }),
    ...traceStabilized(stabilized),
    ...(violation === null ? {} : { violation, description: `${violation.id} at step ${violation.step}` }),
  });
  const entries = () => trace.actions.map((json, k) => ({ json, added: r.added![k]!.map((m) => messageToJson(r.universe, m)) }));
  return { trace, violation, entries };
}

/**
 * Shortens t's prefix while the same liveness property still fails. `plan` gives the faulty
 * nodes' stand-ins (as the search ran them); `seed` the stabilized part's generator.
 */
export function minimizeLiveness(t: TraceFile, o: { checks: CheckSpec; plan: StrategyPlan | null; seed: string; budget?: number; stepBudget?: number }): LivenessMinimized {
  const v0 = t.violation;
  const gst = t.stabilized?.gst;
  if (v0 === undefined || gst === undefined) throw new Error('minimizeLiveness: the trace records no stabilized liveness violation');
  // Attempts and the steps they take, at most (a candidate of a long stall reruns hundreds of steps).
  const budget = o.budget ?? 2000;
  const stepBudget = o.stepBudget ?? 1_000_000;
  let attempts = 0;
  let spent = 0;
  const more = () => attempts < budget && spent < stepBudget;
  const first = rerun(t, o.plan, t.actions.slice(0, gst).map((json) => ({ json, added: [] })), o.checks, o.seed, DEFAULT_STABLE);
  if (first.violation === null || first.violation.id !== v0.id) return { trace: t, violation: { id: v0.id, step: v0.step, message: v0.message }, attempts };
  const bestOf = (r: ReturnType<typeof rerun>, options: StableOptions) => {
    const whole = r.entries();
    return { whole, prefix: whole.slice(0, r.trace.stabilized!.gst), trace: r.trace, violation: r.violation!, options };
  };
  let best = bestOf(first, DEFAULT_STABLE);
  const keeps = (prefix: Entry[], options = best.options): boolean => {
    if (!more()) return false;
    attempts++;
    const r = rerun(t, o.plan, prefix, o.checks, o.seed, options, best.trace.actions.length - 1);
    spent += r.trace.actions.length;
    if (r.violation === null || r.violation.id !== v0.id || r.trace.actions.length >= best.trace.actions.length) return false;
    best = bestOf(r, options);
    return true;
  };
  // A simpler stabilized part: faulty nodes silent after GST, no new requests. The properties
  // must hold whatever faulty nodes do, so a counterexample without their sends is one. Tried
  // again each round: a request the stabilized part issued may be in the prefix by then.
  const simpler = () => {
    if (best.options.faultyRate > 0) keeps(best.prefix, { ...best.options, faultyRate: 0 });
    if (best.options.requests > 0) keeps(best.prefix, { ...best.options, requests: 0 });
  };
  // Chunks of decreasing size dropped from `start`, each candidate taken as the adversarial prefix;
  // after a kept one, from the prefix it left.
  const dropChunks = (start: readonly Entry[], options?: StableOptions) => {
    let base = start;
    for (let size = Math.max(1, base.length >> 1); size >= 1 && more(); size >>= 1)
      for (let at = 0; at < base.length && more(); ) {
        if (keeps([...base.slice(0, at), ...base.slice(at + size)], options)) base = best.prefix;
        else at += size;
      }
  };
  // Another replica fails in place of one that does: a faulty primary forces a view change that a
  // faulty backup does not (the properties must hold whichever f replicas fail).
  const moveFailures = () => {
    const n = 3 * t.config.f + 1;
    for (let k = 0; k < best.prefix.length && more(); k++) {
      if ((best.prefix[k]!.json as { kind: string }).kind !== 'REPLICA-FAILURE') continue;
      const failed = failing(best.prefix, 'REPLICA-FAILURE', 'i');
      for (let j = 0; j < n && more(); j++)
        if (!failed.includes(j) && keeps(best.prefix.map((e, x) => (x === k ? { json: { kind: 'REPLICA-FAILURE', i: j }, added: [] } : e)))) break;
    }
  };
  for (let before = Infinity; best.trace.actions.length < before && more(); ) {
    before = best.trace.actions.length;
    simpler();
    moveFailures();
    // The adversarial prefix shortened, the stabilized part run again from where it leaves the system.
    dropChunks(best.prefix);
    // Then GST later: the whole trace less a chunk, anywhere, as the adversarial prefix (any enabled
    // actions may come before GST) and the stabilized part run from its end: a stall the stabilized
    // part reached by a long detour may be reached by a few of its steps. The requests the stall
    // needs are in the prefix then: none new after GST, and the faulty nodes silent.
    dropChunks(best.whole, { ...best.options, requests: 0, faultyRate: 0 });
  }
  return { trace: best.trace, violation: best.violation, attempts };
}
