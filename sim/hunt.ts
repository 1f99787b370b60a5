// A seeded hunt for a safety violation: runs of one strategy, seed after seed, every invariant,
// the end-to-end property and agreement checked after each step (and the chain of simulations on
// request), until a violation, the seed budget or the time limit. The search with shrinking and
// the CLI's search commands come with the search issue; this is what they build on.
import type { ConfigInput } from '../automata/config.ts';
import { makeConfig } from '../automata/config.ts';
import { InvariantChecker } from '../invariants/check.ts';
import { systemInvariants } from '../invariants/registry.ts';
import { ChainSimulation } from '../proofs/chain.ts';
import { runRandom } from './scheduler.ts';
import { describePlan, planFor, planRunOptions } from './strategies.ts';
import { traceJson, type TraceFile } from './trace-file.ts';

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
  chain?: boolean;
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

export function hunt(o: HuntOptions): HuntResult {
  const t0 = performance.now();
  const base = makeConfig(o.config);
  let steps = 0;
  for (let k = 0; k < o.maxSeeds; k++) {
    if (o.timeLimit !== undefined && (performance.now() - t0) / 1000 > o.timeLimit) return { found: null, runs: k, steps, seconds: (performance.now() - t0) / 1000 };
    const seed = `${o.seedPrefix}${k}`;
    const plan = planFor(o.strategy, seed, { f: base.f, n: 3 * base.f + 1, clients: base.clients, ...(o.faults === undefined ? {} : { faults: o.faults }) });
    let checker!: InvariantChecker;
    let chain: ChainSimulation | null = null;
    let hit: { id: string; step: number; message: string } | null = null;
    const r = runRandom({
      ...planRunOptions(plan, base),
      seed,
      steps: o.steps,
      onStart: (u) => {
        checker = new InvariantChecker(u, { invariants: systemInvariants(u.config.readings) });
        if (o.chain) chain = new ChainSimulation(u);
      },
      beforeStep: (i, a, s) => chain?.before(i, a, s),
      onStep: (i, a, s) => {
        const f = [...(chain?.after(i, a, s) ?? []), ...checker.afterStep(i, a, s)][0];
        if (f !== undefined) hit = { id: f.id, step: i, message: f.message };
        return hit === null;
      },
    });
    steps += r.trace.length;
    const h = hit as { id: string; step: number; message: string } | null;
    if (h !== null) {
      const description = `${h.id} at step ${h.step} (${describePlan(plan)}, seed ${seed}): ${h.message}`;
      const trace = traceJson(r.universe, r.trace, { seed, description, strategy: describePlan(plan), violation: h });
      const found: HuntFinding = { seed, plan: describePlan(plan), ...h, trace };
      return { found, runs: k + 1, steps, seconds: (performance.now() - t0) / 1000 };
    }
  }
  return { found: null, runs: o.maxSeeds, steps, seconds: (performance.now() - t0) / 1000 };
}
