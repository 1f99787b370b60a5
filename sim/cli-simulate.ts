// pbft-check simulate: long seeded random walks under a strategy, everything checked every step
// (invariants, end-to-end, agreement, and the chain of simulations unless --no-chain), one run
// after another until a violation, the run budget or the time limit. A violation's trace is
// minimized (sim/minimize.ts) and written to --out; `pbft-check replay` re-executes it.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { intArg, UsageError, variantArg } from './cli-usage.ts';
import { ConfigError, makeConfig } from '../automata/config.ts';
import { hunt } from './hunt.ts';
import { minimize } from './minimize.ts';
import { STRATEGY_NAMES, StrategyError } from './strategies.ts';

export const SIMULATE_HELP = `Usage: pbft-check simulate [options]

Runs seeded random walks of A_gc (or A) under an attack strategy, with every invariant, the
end-to-end property, agreement and the chain of simulations checked after every step, until a
violation, --runs runs or --time-limit seconds. A violation is minimized (actions are dropped
while the same violation still ends the run) and written as a trace file.

Options:
  --runs N             number of runs [100]
  --steps N            steps per run [2000]
  --seed S             seed prefix; run k uses S-k [pbft-check]
  --strategy NAME      ${STRATEGY_NAMES.join(', ')} [swarm]
  --faults K           faulty replicas per run (more than f shows the bound is tight) [f]
  --variant a|agc      replica automaton [agc]
  --f N, --clients N   fault bound and number of clients [1, 2]
  --no-chain           do not run the chain of simulations (faster)
  --time-limit SEC     stop after the run that passes this many seconds [60]
  --out FILE           where to write a counterexample [pbft-check-counterexample.json]
  --json               print the result as JSON
  -h, --help           show this help

Exit codes: 0 nothing violated; 1 a violation found (and written); 2 usage error.
`;

export function simulateCommand(args: string[], out: (s: string) => void): number {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        runs: { type: 'string' },
        steps: { type: 'string' },
        seed: { type: 'string' },
        strategy: { type: 'string' },
        faults: { type: 'string' },
        variant: { type: 'string' },
        f: { type: 'string' },
        clients: { type: 'string' },
        'no-chain': { type: 'boolean' },
        'time-limit': { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const o = parsed.values;
  if (o.help) {
    out(SIMULATE_HELP);
    return 0;
  }
  const variant = variantArg(o.variant);
  let config;
  try {
    config = makeConfig({ variant, f: intArg('f', o.f, 1, 1), clients: intArg('clients', o.clients, 1, 2) });
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
  const faults = o.faults === undefined ? undefined : intArg('faults', o.faults, 0, config.f);
  if (faults !== undefined && faults > 3 * config.f + 1) throw new UsageError(`--faults must be at most 3f+1 = ${3 * config.f + 1}, got ${faults}`);
  const chain = o['no-chain'] !== true;
  const runs = intArg('runs', o.runs, 1, 100);
  const steps = intArg('steps', o.steps, 1, 2000);
  const timeLimit = intArg('time-limit', o['time-limit'], 1, 60);
  const path = o.out ?? 'pbft-check-counterexample.json';
  const strategy = o.strategy ?? 'swarm';
  let r;
  try {
    r = hunt({ config, strategy, ...(faults === undefined ? {} : { faults }), steps, seedPrefix: `${o.seed ?? 'pbft-check'}-`, maxSeeds: runs, timeLimit, chain });
  } catch (e) {
    if (e instanceof StrategyError) throw new UsageError(`--strategy: ${e.message}`);
    throw e;
  }
  const rate = Math.round(r.steps / Math.max(r.seconds, 1e-9));
  if (r.found === null) {
    const summary = { runs: r.runs, steps: r.steps, seconds: Number(r.seconds.toFixed(2)), stepsPerSecond: rate, violation: null };
    out(o.json ? JSON.stringify(summary, null, 2) + '\n' : `simulate: ${r.runs} runs, ${r.steps} steps in ${r.seconds.toFixed(1)} s (${rate} steps/s), ${chain ? 'with' : 'without'} the chain: no violation\n`);
    return 0;
  }
  const m = minimize(r.found.trace, { chain });
  writeFileSync(path, JSON.stringify(m.trace, null, 1) + '\n');
  const v = m.violation;
  const summary = {
    runs: r.runs,
    steps: r.steps,
    seconds: Number(r.seconds.toFixed(2)),
    stepsPerSecond: rate,
    violation: { id: v.id, step: v.step, message: v.message, seed: r.found.seed, plan: r.found.plan },
    foundLength: r.found.trace.actions.length,
    minimizedLength: m.trace.actions.length,
    trace: path,
  };
  out(
    o.json
      ? JSON.stringify(summary, null, 2) + '\n'
      : [
          `simulate: violation of ${v.id} in run ${r.runs} (seed ${r.found.seed}; ${r.found.plan})`,
          `  ${v.message}`,
          `  minimized from ${r.found.trace.actions.length} to ${m.trace.actions.length} actions (${m.attempts} replays); written to ${path}`,
          `  replay it with: pbft-check replay ${path}`,
        ].join('\n') + '\n',
  );
  return 1;
}
