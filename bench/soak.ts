// npm run soak -- [--variant a|agc] [--seeds N] [--steps N] [--faulty LIST] [--chain]
// The correct model keeps every invariant: many seeds, every invariant and the end-to-end property
// checked after every step (and with --chain the chain of simulations, proofs/chain.ts). Prints one
// line per configuration and the first violation, if any.
import { parseArgs } from 'node:util';
import type { Variant } from '../automata/config.ts';
import { formatFinding, InvariantChecker, type Finding } from '../invariants/check.ts';
import { systemInvariants } from '../invariants/registry.ts';
import { ChainSimulation } from '../proofs/chain.ts';
import type { SimulationFinding } from '../proofs/paired-f.ts';
import { runRandom } from '../sim/scheduler.ts';
import { formatSimulationFinding } from '../sim/summary.ts';

const { values } = parseArgs({
  options: {
    variant: { type: 'string' },
    seeds: { type: 'string', default: '200' },
    steps: { type: 'string', default: '2000' },
    faulty: { type: 'string' },
    chain: { type: 'boolean' },
  },
});
const variants: Variant[] = values.variant === undefined ? ['A', 'Agc'] : [values.variant.toLowerCase() === 'a' ? 'A' : 'Agc'];
const seeds = Number(values.seeds);
const steps = Number(values.steps);
const faultSets: number[][] = values.faulty === undefined ? [[], [3]] : [values.faulty === '' ? [] : values.faulty.split(',').map(Number)];

let failed = false;
for (const variant of variants)
  for (const faultyReplicas of faultSets) {
    const t0 = performance.now();
    let total = 0;
    let evaluations = 0;
    let first: string | null = null;
    for (let seed = 0; seed < seeds && first === null; seed++) {
      let checker: InvariantChecker | undefined;
      let chain: ChainSimulation | null = null;
      let finding: Finding | null = null;
      let failure: SimulationFinding | null = null;
      const r = runRandom({
        config: { variant, faultyReplicas },
        seed: `soak-${seed}`,
        steps,
        onStart: (u) => {
          checker = new InvariantChecker(u, { invariants: systemInvariants(u.config.readings) });
          if (values.chain) chain = new ChainSimulation(u);
        },
        beforeStep: (k, a, s) => chain?.before(k, a, s),
        onStep: (k, a, s) => {
          failure = chain?.after(k, a, s)[0] ?? null;
          finding = checker!.afterStep(k, a, s)[0] ?? null;
          return finding === null && failure === null;
        },
      });
      total += r.trace.length;
      evaluations += checker!.evaluations;
      if (finding !== null) first = `seed soak-${seed}\n${formatFinding(r.universe, finding, checker!.active)}`;
      else if (failure !== null) first = `seed soak-${seed}\n${formatSimulationFinding(failure)}`;
    }
    const secs = (performance.now() - t0) / 1000;
    console.log(
      `${variant === 'Agc' ? 'A_gc' : 'A'}${values.chain ? ' with the chain' : ''}, faulty ${JSON.stringify(faultyReplicas)}: ${seeds} seeds × ${steps} steps, ${total} steps checked, ${evaluations} evaluations, ${secs.toFixed(0)} s: ${first === null ? 'no violation' : 'VIOLATION'}`,
    );
    if (first !== null) {
      console.log(first);
      failed = true;
    }
  }
process.exitCode = failed ? 1 : 0;
