// Shared by the per-strategy safety tests: runs of a strategy with f faulty replicas, every
// invariant, the end-to-end property, agreement and the chain of simulations checked each step.
import { InvariantChecker } from '../../invariants/check.ts';
import { systemInvariants } from '../../invariants/registry.ts';
import { ChainSimulation } from '../../proofs/chain.ts';
import { runRandom } from '../../sim/scheduler.ts';
import { planFor, planRunOptions } from '../../sim/strategies.ts';

export const SAFETY_SEEDS = 100;
export const SAFETY_STEPS = 2_000;

/** The first finding of each run that has one ("seed: id at step: message"), and the steps run. */
export function safetyRuns(strategy: string, seeds = SAFETY_SEEDS, steps = SAFETY_STEPS): { failures: string[]; steps: number; byzantineSends: number } {
  const failures: string[] = [];
  let total = 0;
  let byzantineSends = 0;
  for (let k = 0; k < seeds; k++) {
    const seed = `safety-${strategy}-${k}`;
    const plan = planFor(strategy, seed, { f: 1, n: 4, clients: 2 });
    let checker!: InvariantChecker;
    let chain!: ChainSimulation;
    const r = runRandom({
      ...planRunOptions(plan, { variant: 'Agc' }),
      seed,
      steps,
      onStart: (u, s) => {
        checker = new InvariantChecker(u, { invariants: systemInvariants(u.config.readings) });
        chain = new ChainSimulation(u);
        for (const f of chain.start(s)) failures.push(`${seed}: ${f.id} at the start: ${f.message}`);
      },
      beforeStep: (i, a, s) => chain.before(i, a, s),
      onStep: (i, a, s) => {
        if (a.kind === 'SEND' && s.standIns[a.x] !== null) byzantineSends++;
        const f = [...chain.after(i, a, s), ...checker.afterStep(i, a, s)][0];
        if (f !== undefined) failures.push(`${seed}: ${f.id} at step ${i}: ${f.message}`);
        return f === undefined;
      },
    });
    total += r.trace.length;
  }
  return { failures, steps: total, byzantineSends };
}
