// The options shared by the search commands (`search` and `simulate`), parsed into a search spec
// (what decides every run), the limits (how many runs, where, for how long) and the output.
import { availableParallelism } from 'node:os';
import { makeConfig, type ConfigInput } from '../automata/config.ts';
import { configArg, CONFIG_OPTIONS, LIVENESS_HELP, LIVENESS_OPTIONS, livenessArg, MUTANT_HELP, mutantArg, intArg, intOption, invariantsArg, listOption, literalErrataArg, relationsArg, serviceArg, UsageError, variantArg, parseOptions, stepsArg } from './cli-usage.ts';
import type { SearchLimits, SearchMode } from './search-driver.ts';
import { DEFAULT_SHRINK_BUDGET, type SearchSpec } from './search.ts';
import { planFor, STRATEGY_NAMES, StrategyError } from './strategies.ts';

export interface SearchCommand {
  help: boolean;
  spec: SearchSpec;
  limits: SearchLimits;
  out: string;
  json: boolean;
}

const DEFAULTS: Record<SearchMode, { runs: number; timeLimit: number | undefined; out: string }> = {
  // search: a bounded time, as many runs as fit.
  search: { runs: Infinity, timeLimit: 30, out: 'pbft-check-counterexample.json' },
  simulate: { runs: 100, timeLimit: 60, out: 'pbft-check-counterexample.json' },
};

/** The option table shared by the help texts of both commands. */
export function sharedOptionsHelp(mode: SearchMode): string {
  const d = DEFAULTS[mode];
  return `  --seed S               seed of the search; run k is derived from S and k [pbft-check]
  --runs N               number of runs [${d.runs === Infinity ? 'as many as the time limit allows' : `${d.runs}; with --time-limit alone, until the time is up`}]
  --steps N              steps per run [2000]
  --time-limit SEC       no new run starts after this many seconds [${d.timeLimit}${mode === 'search' ? ', or none when --runs is given' : ''}]
  --variant a|agc        replica automaton: A (Appendix A.1) or A_gc (Figs 2-8..2-13) [agc]
  --chain, --no-chain    run the chain of simulations (H, G, F) in lockstep, or not [on]
  --f N                  fault bound; 3f+1 replicas [1]
  --clients N            number of clients [2]
  --service log|counter  replicated service [log]
  --strategy NAME        attack strategy, or swarm for a mix of two or three per run [swarm]:
                         ${STRATEGY_NAMES.join(', ')}
  --faults K             faulty replicas the strategy picks per run; more than f shows the bound
                         is tight [f]
  --faulty LIST          name the faulty replicas instead, e.g. 2,3
  --faulty-clients LIST  name faulty clients, e.g. 1
  --invariants LIST      check only these invariants (ids, families or globs, e.g. A.1.*,AGREEMENT)
                         [all, with the end-to-end property and agreement]
  --relations LIST       report only these relations or clauses, e.g. H or G(8) [all]
${LIVENESS_HELP}
  --literal-errata LIST  run these errata's text as written (ERRATA.md), e.g. E2,E3
${MUTANT_HELP}
  --workers N            worker threads, at most the cores unless --force [all cores: ${availableParallelism()}]
  --force                allow more workers than cores
  --shard i/N            run only shard i of N (runs k with k mod N = i-1); merge the results
                         with 'pbft-check merge'
  --out FILE             where to write a counterexample [${d.out}]
  --json                 print the result as JSON (the format 'pbft-check merge' reads)
  -h, --help             show this help`;
}

/** --shard i/N. */
function shardArg(v: string | undefined): { index: number; count: number } | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(v);
  if (m === null || Number(m[2]) < 1 || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new UsageError(`--shard must be i/N with 1 <= i <= N, got '${v}'`);
  return { index: Number(m[1]), count: Number(m[2]) };
}

export function parseSearchArgs(mode: SearchMode, args: string[]): SearchCommand {
  const parsed = parseOptions({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      ...CONFIG_OPTIONS,
      ...LIVENESS_OPTIONS,
      seed: { type: 'string' },
      runs: { type: 'string' },
      steps: { type: 'string' },
      'time-limit': { type: 'string' },
      chain: { type: 'boolean' },
      'no-chain': { type: 'boolean' },
      strategy: { type: 'string' },
      faults: { type: 'string' },
      faulty: { type: 'string' },
      'faulty-clients': { type: 'string' },
      relations: { type: 'string' },
      workers: { type: 'string' },
      force: { type: 'boolean' },
      shard: { type: 'string' },
      'shrink-budget': { type: 'string' },
      out: { type: 'string' },
    },
  });
  const o = parsed.values;
  if (o.chain && o['no-chain']) throw new UsageError('--chain and --no-chain contradict each other');
  if (o['shrink-budget'] !== undefined && mode !== 'search') throw new UsageError('--shrink-budget is an option of search (simulate does not shrink)');
  const input: ConfigInput = { variant: variantArg(o.variant), f: intArg('f', o.f, 1, 1), clients: intArg('clients', o.clients, 1, 2), readings: literalErrataArg(o['literal-errata']), ...mutantArg(o) };
  const service = serviceArg(o.service);
  if (service !== undefined) input.service = service;
  const faultyReplicas = listOption('faulty', o.faulty);
  const faultyClients = listOption('faulty-clients', o['faulty-clients']);
  const config = configArg({ ...input, ...(faultyReplicas ? { faultyReplicas } : {}), ...(faultyClients ? { faultyClients } : {}) });
  const n = 3 * config.f + 1;
  const faults = intOption('faults', o.faults, 0);
  if (faults !== undefined && faults > n) throw new UsageError(`--faults must be at most 3f+1 = ${n}, got ${faults}`);
  if (faults !== undefined && faultyReplicas !== undefined) throw new UsageError('--faults and --faulty both say which replicas fail: give one');
  const strategy = o.strategy ?? 'swarm';
  try {
    planFor(strategy, 'check', { f: config.f, n, clients: config.clients, ...(faults === undefined ? {} : { faults }) });
  } catch (e) {
    if (e instanceof StrategyError) throw new UsageError(`--strategy: ${e.message}`);
    throw e;
  }
  const relations = o.relations === undefined ? undefined : relationsArg(config, o.relations).relations;
  if (relations !== undefined && o['no-chain']) throw new UsageError('--relations needs the chain (drop --no-chain)');
  const liveness = livenessArg(o);
  const spec: SearchSpec = {
    // The named faulty nodes go in the spec (they replace the plan's), not in the base configuration.
    config: makeConfig({ ...input }),
    strategy,
    ...(faults === undefined ? {} : { faults }),
    ...(faultyReplicas === undefined ? {} : { faultyReplicas }),
    ...(faultyClients === undefined ? {} : { faultyClients }),
    steps: stepsArg(o.steps, 2000),
    seed: o.seed ?? 'pbft-check',
    checks: { invariants: invariantsArg(config, o.invariants), chain: o['no-chain'] !== true, ...(relations === undefined ? {} : { relations }), ...(liveness === undefined ? {} : { liveness }) },
    shrinkBudget: intArg('shrink-budget', o['shrink-budget'], 0, DEFAULT_SHRINK_BUDGET),
  };
  const d = DEFAULTS[mode];
  // --time-limit alone: runs until the time is up (simulate's default of 100 runs is lifted).
  const runs = o.runs === undefined ? (o['time-limit'] !== undefined ? Infinity : d.runs) : intArg('runs', o.runs, 1, 0);
  // search: --runs alone means no time limit.
  const timeLimit = o['time-limit'] !== undefined ? intArg('time-limit', o['time-limit'], 1, 0) : mode === 'search' && o.runs !== undefined ? undefined : d.timeLimit;
  const shard = shardArg(o.shard);
  const workers = intArg('workers', o.workers, 1, availableParallelism());
  // Each worker is a thread with its own copy of the model and its runs' states: beyond the cores
  // they only add memory and switching (1000 workers took 3 GB in 21 s and ignored the time limit).
  if (workers > availableParallelism() && o.force !== true)
    throw new UsageError(`--workers ${workers} is more than this machine's ${availableParallelism()} cores: more threads than cores only add memory (each holds its own model) and switching; give --force to run them anyway`);
  const limits: SearchLimits = {
    runs,
    ...(timeLimit === undefined ? {} : { timeLimit }),
    ...(shard === undefined ? {} : { shard }),
    workers,
  };
  return { help: o.help === true, spec, limits, out: o.out ?? d.out, json: o.json === true };
}
