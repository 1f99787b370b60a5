// The command-line tool: dispatch of the commands (search, the default, simulate, replay, view,
// explore, repl, merge, mutants, run) and `run`'s options. Exit codes (MAIN_HELP): 0 success, 1 a
// violation was found, 2 usage or input error or a file not written, 3 a replay not as recorded.
import { StrategyError, planConfig, planFor, noStrategy, STRATEGY_NAMES, type StrategyPlan } from './strategies.ts';
import { DEFAULT_CONFIG, LITERAL_READINGS, type Config, type ConfigInput } from '../automata/config.ts';
import { DEFAULT_SEED } from './scheduler.ts';
import { selectInvariants, systemInvariants } from '../invariants/registry.ts';
import type { ChainOptions } from '../proofs/chain.ts';
import type { LivenessCheck } from './checks.ts';
import { runSummary, formatSummary, type CheckRequest } from './summary.ts';
import { replayCommand } from './cli-replay.ts';
import { viewCommand } from './cli-view.ts';
import { traceText } from './trace-file.ts';
import { exitAfterWrite, OutputFile } from './output.ts';
import { searchCommand } from './cli-search.ts';
import { mergeCommand } from './cli-merge.ts';
import { replCommand } from './repl/command.ts';
import { exploreCommand } from './cli-explore.ts';
import { mutantsCommand } from './cli-mutants.ts';
import { oneLine, configArg, CONFIG_OPTIONS, LIVENESS_BOUNDS_HELP, LIVENESS_OPTIONS, livenessArg, MUTANT_HELP, mutantArg, intOption, invariantsArg, listOption, literalErrataArg, relationsArg, serviceArg, UsageError, parseOptions, stepsArg } from './cli-usage.ts';

import { VariantError } from '../automata/variant.ts';
import { preloadMutants } from './variants.ts';

export { UsageError };

const MAIN_HELP = `pbft-check: an executable model of BFT-PK (Castro, Practical Byzantine Fault Tolerance, 2000)

Usage: pbft-check <command> [options]

Commands:
  search   property-based safety search (fast-check) of the default configuration or another,
           everything checked at every step; a violation is shrunk, minimized and saved
           (the default command)
  simulate seeded random walks under an attack strategy, everything checked; a violation is
           minimized and saved
  replay   re-execute a trace file, verify its fingerprints, stop at its violation
  view     write a trace file's page for the browser: a space-time diagram and every state
  explore  bounded exhaustive search of a small configuration (shortest violations)
  repl     an interactive session: enabled actions, steps, the state, checks, time travel, traces
  merge    combine the --json results of a search's shards
  mutants  the kill matrix: the search on each protocol variant (variants/) and the unmutated model
  run      take a seeded random walk of A or A_gc and print a summary

Run 'pbft-check <command> --help' for a command's options.

Exit codes:
  0  done, nothing violated (replay: the trace replays as recorded, without a violation)
  1  a violation was found (replay: the recorded one came up again)
  2  a usage or input error, an output file that could not be written, or a piped REPL script
     with a failed command
  3  replay: the file does not replay as recorded (its violation did not come up, or a
     fingerprint differs)
`;

const RUN_HELP = `Usage: pbft-check run [options]

Takes a seeded random walk of the composed system (proxies, multicast channel, replicas) and
prints what happened: requests issued and completed, views, checkpoints, garbage collections.

Options:
  --variant a|agc        replica automaton: A (Appendix A.1) or A_gc (Figs 2-8..2-13) [agc]
  --steps N              number of steps [10000]
  --seed S               seed of the scheduler's random generator [${DEFAULT_SEED}]
  --f N                  fault bound; there are 3f+1 replicas [1]
  --clients N            number of clients [2]
  --service log|counter  replicated service: order-revealing log or counter [log]
  --ops LIST             operations clients request, e.g. inc,read [the service's own]
  --faulty LIST          replicas that fail (and stop) at the start, e.g. 3 or 1,2 [none]
  --faulty-clients LIST  clients that fail at the start [none]
  --max-view N           highest view the scheduler may start [${DEFAULT_CONFIG.maxView}]
  --chkpt-int N          checkpoint interval chkpt-int (A_gc) [4]
  --log-size N           log size L (A_gc), greater than chkpt-int [8]
  --no-loss, --no-duplicate, --no-replay
                         forbid that network misbehaviour
  --check                check every invariant of Appendix A and the end-to-end property
  --invariants LIST      check only these (ids or patterns, e.g. A.1.2,A.1.11,A.2.*); implies --check
  --every K              evaluate the invariants after every K-th step [1]
  --chain                run the abstract automata in lockstep and check the simulations: for A_gc, a
                         copy of A through H (Theorem A.2.5, with A's invariants checked on it), then
                         S' through G (Theorem A.1.19) and S through F (Theorem A.1.14); for A, G and F
  --relations LIST       check only these relations or clauses, e.g. H or G(8),H(2); implies --chain
  --literal              run the thesis text as written wherever ERRATA.md corrects it
  --literal-errata LIST  only for these errata, e.g. E2,E3
  --liveness             stabilize the walk at step --gst (sim/stable-scheduler.ts) and check the
                         liveness properties L1-L3 after it (invariants/liveness.ts) [off]
${LIVENESS_BOUNDS_HELP}
  --gst STEP             with --liveness: the step the walk stabilizes at, at most --steps; the
                         stabilized part then runs until nothing is left to do [--steps]
${MUTANT_HELP}
  --strategy NAME        bias the run with a named attack strategy (it picks the faulty nodes unless
                         --faulty names them), or swarm for a random mix of two or three:
                         ${STRATEGY_NAMES.join(', ')}
  --faults K             how many replicas the strategy makes faulty (the fault budget); more than f
                         shows the bound is tight [f]
  --fail-at STEP         the configured failures happen at this step instead of the start [0]
  --coverage             report how often each action and each branch of each effect fired, and
                         which milestones the run reached
  --trace FILE           write the executed actions as JSON to FILE
  --json                 print the summary as JSON
  -h, --help             show this help
`;

/** Parses `run`'s options into a configuration and run parameters. */
export function parseRunArgs(args: string[]): {
  help: boolean;
  config: Config;
  steps: number;
  seed: string;
  json: boolean;
  trace?: string;
  check?: CheckRequest;
  chain: ChainOptions | null;
  plan: StrategyPlan | null;
  coverage: boolean;
  /** --liveness: the check, and --gst (null when not given: `run` stabilizes after --steps). */
  liveness: { check: LivenessCheck; gst: number | null } | null;
} {
  const parsed = parseOptions({
    args,
    allowPositionals: false,
    strict: true,
    options: {
      ...CONFIG_OPTIONS,
      ...LIVENESS_OPTIONS,
      gst: { type: 'string' },
      steps: { type: 'string' },
      seed: { type: 'string' },
      ops: { type: 'string' },
      faulty: { type: 'string' },
      'faulty-clients': { type: 'string' },
      'max-view': { type: 'string' },
      'chkpt-int': { type: 'string' },
      'log-size': { type: 'string' },
      'no-loss': { type: 'boolean' },
      'no-duplicate': { type: 'boolean' },
      'no-replay': { type: 'boolean' },
      literal: { type: 'boolean' },
      check: { type: 'boolean' },
      chain: { type: 'boolean' },
      relations: { type: 'string' },
      strategy: { type: 'string' },
      'fail-at': { type: 'string' },
      faults: { type: 'string' },
      coverage: { type: 'boolean' },
      every: { type: 'string' },
      trace: { type: 'string' },
    },
  });
  const o = parsed.values;
  const variant = o.variant === undefined ? undefined : o.variant.toLowerCase();
  if (variant !== undefined && variant !== 'a' && variant !== 'agc') throw new UsageError(`--variant must be 'a' or 'agc', got '${o.variant}'`);
  const partial: ConfigInput = {};
  if (variant !== undefined) partial.variant = variant === 'a' ? 'A' : 'Agc';
  const set = <K extends keyof Config>(k: K, v: Config[K] | undefined) => {
    if (v !== undefined) partial[k] = v;
  };
  set('f', intOption('f', o.f, 1));
  set('clients', intOption('clients', o.clients, 1));
  set('service', serviceArg(o.service));
  if (o.ops !== undefined) {
    const ops = o.ops.split(',').map((x) => x.trim());
    if (ops.some((x) => x === '')) throw new UsageError(`--ops must be a comma-separated list of operation names, got '${o.ops}'`);
    partial.ops = ops;
  }
  set('faultyReplicas', listOption('faulty', o.faulty));
  set('faultyClients', listOption('faulty-clients', o['faulty-clients']));
  const seed = o.seed ?? DEFAULT_SEED;
  let plan: StrategyPlan | null = null;
  if (o.faults !== undefined && o.strategy === undefined) throw new UsageError('--faults needs --strategy (which picks the faulty replicas); or name them with --faulty');
  if (o.strategy !== undefined) {
    const f = partial.f ?? DEFAULT_CONFIG.f;
    const faults = intOption('faults', o.faults, 0);
    if (faults !== undefined && faults > 3 * f + 1) throw new UsageError(`--faults must be at most 3f+1 = ${3 * f + 1}, got ${faults}`);
    let picked: StrategyPlan;
    try {
      picked = planFor(o.strategy, seed, { f, n: 3 * f + 1, clients: partial.clients ?? DEFAULT_CONFIG.clients, ...(faults === undefined ? {} : { faults }) });
    } catch (e) {
      if (e instanceof StrategyError) throw new UsageError(`--strategy: ${e.message}`);
      throw e;
    }
    // The strategy picks the faulty nodes unless they are named.
    plan = { ...picked, faultyReplicas: [...(partial.faultyReplicas ?? picked.faultyReplicas)], faultyClients: [...(partial.faultyClients ?? picked.faultyClients)] };
    Object.assign(partial, planConfig(plan));
  }
  const failAt = intOption('fail-at', o['fail-at'], 0);
  if (failAt !== undefined) plan = { ...(plan ?? noStrategy()), failAt };
  set('maxView', intOption('max-view', o['max-view'], 0));
  set('chkptInt', intOption('chkpt-int', o['chkpt-int'], 1));
  set('L', intOption('log-size', o['log-size'], 1));
  partial.network = { loss: !o['no-loss'], duplicate: !o['no-duplicate'], replay: !o['no-replay'] };
  if (o.literal) partial.readings = LITERAL_READINGS;
  if (o['literal-errata'] !== undefined) partial.readings = { ...partial.readings, ...literalErrataArg(o['literal-errata']) };
  Object.assign(partial, mutantArg(o));
  const config = configArg(partial);
  let check: CheckRequest | undefined;
  if (o.check || o.invariants !== undefined || o.every !== undefined) {
    const invariants = selectInvariants(systemInvariants(config.readings), invariantsArg(config, o.invariants));
    check = { invariants, every: intOption('every', o.every, 1) ?? 1 };
  }
  const steps = stepsArg(o.steps, 10_000);
  const livenessCheck = livenessArg(o);
  const gst = intOption('gst', o.gst, 0);
  if (gst !== undefined && livenessCheck === undefined) throw new UsageError('--gst needs --liveness (it says where the walk stabilizes)');
  if (gst !== undefined && gst > steps) throw new UsageError(`--gst must be at most --steps (${steps}), got ${gst}`);
  const out = {
    liveness: livenessCheck === undefined ? null : { check: livenessCheck, gst: gst ?? null },
    chain: o.chain === true || o.relations !== undefined ? relationsArg(config, o.relations) : null,
    help: o.help === true,
    config,
    steps,
    seed,
    plan,
    coverage: o.coverage === true,
    json: o.json === true,
    ...(check === undefined ? {} : { check }),
  };
  return o.trace === undefined ? out : { ...out, trace: o.trace };
}

/** What the CLI needs to know about where it runs. */
export interface CliEnv {
  /** Whether stderr is a terminal (a progress line is drawn in place). */
  tty?: boolean;
}

/** Runs the CLI; returns the exit code (a promise for the commands that run asynchronously). Output goes through the given writers (testable). */
export function main(argv: string[], out: (s: string) => void, err: (s: string) => void, env: CliEnv = {}): number | Promise<number> {
  const failed = (e: unknown): number => {
    if (e instanceof UsageError || e instanceof VariantError) {
      err(`pbft-check: ${oneLine(e.message)}\n`);
      return 2;
    }
    throw e;
  };
  try {
    const r = dispatch(argv, out, err, env);
    return typeof r === 'number' ? r : r.catch(failed);
  } catch (e) {
    return failed(e);
  }
}

function dispatch(argv: string[], out: (s: string) => void, err: (s: string) => void, env: CliEnv): number | Promise<number> {
  // Variant files are modules, loaded (asynchronously) before a command parses its options.
  const preload = preloadMutants(argv);
  if (preload !== null) return preload.then(() => dispatchLoaded(argv, out, err, env));
  return dispatchLoaded(argv, out, err, env);
}

function dispatchLoaded(argv: string[], out: (s: string) => void, err: (s: string) => void, env: CliEnv): number | Promise<number> {
  const [command, ...rest] = argv;
  const tty = env.tty === true;
  if (command === '--help' || command === '-h' || command === 'help') {
    out(MAIN_HELP);
    return 0;
  }
  if (command === undefined) {
    // The main job: the default search, after the help that names it.
    out(`${MAIN_HELP}\nNo command given: running the default search ('pbft-check search').\n\n`);
    return searchCommand('search', [], out, err, tty);
  }
  // Options without a command are the default command's.
  if (command.startsWith('-')) return searchCommand('search', argv, out, err, tty);
  switch (command) {
    case 'search':
    case 'simulate':
      return searchCommand(command, rest, out, err, tty);
    case 'run':
      return runCommand(rest, out, err);
    case 'replay':
      return replayCommand(rest, out, err);
    case 'view':
      return viewCommand(rest, out, err);
    case 'explore':
      return exploreCommand(rest, out, err);
    case 'merge':
      return mergeCommand(rest, out, err);
    case 'mutants':
      return mutantsCommand(rest, out, err, tty);
    case 'repl':
      return replCommand(rest, { input: process.stdin, output: process.stdout, err });
    default:
      throw new UsageError(`unknown command '${command}' (see pbft-check --help)`);
  }
}

function runCommand(args: string[], out: (s: string) => void, err: (s: string) => void): number {
  const p = parseRunArgs(args);
  if (p.help) {
    out(RUN_HELP);
    return 0;
  }
  const file = p.trace === undefined ? null : OutputFile.check(p.trace, '--trace');
  const summary = runSummary(p.config, p.seed, p.steps, { check: p.check, chain: p.chain, plan: p.plan, coverage: p.coverage, liveness: p.liveness === null ? null : { check: p.liveness.check, gst: p.liveness.gst ?? p.steps } });
  const writeFailed = file === null ? null : file.write(traceText(summary.traceJson()));
  out(p.json ? JSON.stringify(summary.data, null, 2) + '\n' : formatSummary(summary.data));
  return exitAfterWrite(writeFailed, err, summary.finding === null && summary.simulationFinding === null && summary.livenessViolation === null ? 0 : 1);
}

const invokedDirectly = process.argv[1] !== undefined && /cli\.[jt]s$/.test(process.argv[1]);
if (invokedDirectly)
  process.exitCode = await main(process.argv.slice(2), (s) => process.stdout.write(s), (s) => process.stderr.write(s), { tty: process.stderr.isTTY === true });
