// pbft-check explore: the command-line side of sim/explore.ts.
import { configArg, CONFIG_OPTIONS, MUTANT_HELP, mutantArg, intArg, intOption, listOption, literalErrataArg, serviceArg, UsageError, variantArg, parseOptions } from './cli-usage.ts';
import type { Action } from '../automata/actions.ts';
import { menuStandIns } from '../automata/byzantine-menu.ts';
import type { Config, ConfigInput, Readings } from '../automata/config.ts';
import type { Universe } from '../automata/universe.ts';
import { selectInvariants, SelectionError, systemInvariants } from '../invariants/registry.ts';
import type { SystemInvariant } from '../invariants/types.ts';
import { EXPLORE_DEFAULTS, explore, type ExploreReach } from './explore.ts';
import { PrefixError } from './explore-prefix.ts';
import { EXPLORE_PRESETS, presetNamed, presetPrefix } from './explore-presets.ts';
import { loadTrace, replayTrace, TraceError, traceText, type TraceFile } from './trace-file.ts';
import { exitAfterWrite, OutputFile } from './output.ts';
import { ActionDecoder } from './trace-json.ts';

const PRESET_LINES = EXPLORE_PRESETS.map((p) => `  ${p.name.padEnd(15)}${p.summary} [depth ${p.depth}${p.misbehaveBudget === undefined ? '' : `, --misbehave ${p.misbehaveBudget}`}]`).join('\n');

export const EXPLORE_HELP = `Usage: pbft-check explore [options]

Bounded exhaustive search of a small configuration: breadth-first over every enabled action,
each distinct state (by fingerprint) expanded once, every invariant checked in every new state.
A violation found this way has a shortest trace, written to --out. Faulty replicas send what
a finite menu offers (equivocating pre-prepares, prepares, commits, checkpoints).

Options:
  --preset NAME          start from a named small configuration (below); other options override it
  --from FILE            search from the state a trace file reaches (its configuration is used;
                         --max-view, --requests and --literal-errata may change it)
  --from-step K          with --from: from the state after its first K actions [all]
  --variant a|agc        replica automaton: A (Appendix A.1) or A_gc (Figs 2-8..2-13) [agc]
  --f N, --clients N     fault bound (3f+1 replicas) and number of clients [1, 1]
  --faulty LIST          replicas that may fail (REPLICA-FAILURE is then an input), e.g. 0 [none]
  --faulty-clients LIST  clients that may fail [none]
  --service log|counter  replicated service: order-revealing log or counter [log]
  --requests N           requests per client [1]
  --max-view N           highest view a replica may move to [1]
  --chkpt-int N          checkpoint interval chkpt-int (A_gc) [4]
  --log-size N           log size L (A_gc), greater than chkpt-int [8]
  --network              allow MC's loss, duplication and replay (off: a reliable network)
  --misbehave N          at most N misbehaviours (MISBEHAVE) on any path [unbounded]
  --depth N              depth bound: steps from the start [12, or the preset's]
  --max-states N         bound on distinct states [100000; with --preset 20000000; with
                         --time-limit and no --max-states, none]
  --time-limit SEC       stop after this many seconds [none]; given alone, the search goes on
                         until the time is up (or the depth or memory bound); with --max-states,
                         whichever comes first
  --invariants LIST      check only these invariants of the variant (ids, families or globs,
                         e.g. A.2.3,A.2.4 or A.1.*) [all of the variant's]
  --literal-errata LIST  run these errata's text as written (ERRATA.md), e.g. E2
${MUTANT_HELP}
                         (with --from: in place of the trace's variants)
  --out FILE             where to write a violation's trace [pbft-check-explore.json]
  --json                 print the result as JSON
  -h, --help             show this help

Presets:
${PRESET_LINES}

Exit codes: 0 nothing violated within the bounds; 1 a violation (trace written); 2 usage error.
`;

/** A preset is meant to reach its depth: the memory bound (85% of the heap) stops it first if need be. */
const PRESET_MAX_STATES = 20_000_000;

/** Options that change the configuration, which --from takes from the trace. */
const CONFIGURING = ['preset', 'variant', 'f', 'clients', 'faulty', 'faulty-clients', 'service', 'chkpt-int', 'log-size', 'network'] as const;

export function exploreCommand(args: string[], out: (s: string) => void, err: (s: string) => void): number {
  const parsed = parseOptions({
    args,
    strict: true,
    options: {
      ...CONFIG_OPTIONS,
      preset: { type: 'string' },
      from: { type: 'string' },
      'from-step': { type: 'string' },
      faulty: { type: 'string' },
      'faulty-clients': { type: 'string' },
      requests: { type: 'string' },
      'max-view': { type: 'string' },
      'chkpt-int': { type: 'string' },
      'log-size': { type: 'string' },
      depth: { type: 'string' },
      'max-states': { type: 'string' },
      'time-limit': { type: 'string' },
      network: { type: 'boolean' },
      misbehave: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const o = parsed.values;
  if (o.help) {
    out(EXPLORE_HELP);
    return 0;
  }
  const preset = o.preset === undefined ? undefined : presetNamed(o.preset);
  if (o.preset !== undefined && preset === undefined) throw new UsageError(`--preset: no preset '${o.preset}' (known: ${EXPLORE_PRESETS.map((p) => p.name).join(', ')})`);
  if (o['from-step'] !== undefined && o.from === undefined) throw new UsageError('--from-step needs --from FILE');
  const readings = o['literal-errata'] === undefined ? undefined : literalErrataArg(o['literal-errata']);
  const start = o.from === undefined ? null : fromTrace(o.from, o['from-step'], readings);
  if (start !== null) {
    const clash = CONFIGURING.find((k) => o[k] !== undefined);
    if (clash !== undefined) throw new UsageError(`--${clash} cannot be used with --from: the trace fixes the configuration`);
  }
  const given: ConfigInput = {};
  const set = <K extends keyof ConfigInput>(k: K, v: ConfigInput[K] | undefined) => {
    if (v !== undefined) given[k] = v;
  };
  set('variant', o.variant === undefined ? undefined : variantArg(o.variant));
  set('f', intOption('f', o.f, 1));
  set('clients', intOption('clients', o.clients, 1));
  set('faultyReplicas', listOption('faulty', o.faulty));
  set('faultyClients', listOption('faulty-clients', o['faulty-clients']));
  set('service', serviceArg(o.service));
  set('maxRequestsPerClient', intOption('requests', o.requests, 0));
  set('maxView', intOption('max-view', o['max-view'], 0));
  set('chkptInt', intOption('chkpt-int', o['chkpt-int'], 1));
  set('L', intOption('log-size', o['log-size'], 1));
  if (readings !== undefined) given.readings = { ...start?.trace.config.readings, ...readings };
  if (o.network) given.network = { loss: true, duplicate: true, replay: true };
  if (o.mutant !== undefined || o['mutant-file'] !== undefined) Object.assign(given, mutantArg(o));
  const input: ConfigInput = { ...EXPLORE_DEFAULTS, ...(start?.trace.config ?? preset?.config), ...given };
  const config = configArg(input);
  const invariants = invariantsOf(config, o.invariants);
  const timeLimit = o['time-limit'] === undefined ? undefined : intArg('time-limit', o['time-limit'], 1, 0);
  const misbehaveBudget = intOption('misbehave', o.misbehave, 0) ?? preset?.misbehaveBudget;
  const prefix = start !== null ? start.prefix : preset !== undefined ? presetPrefix(preset, menuStandIns) : undefined;
  const path = o.out ?? 'pbft-check-explore.json';
  const file = OutputFile.check(path, '--out');
  const r = withPrefixErrors(preset?.name, () => explore({
    config: input,
    maxDepth: intArg('depth', o.depth, 0, preset?.depth ?? 12),
    maxStates: stateBound(o['max-states'], timeLimit, preset !== undefined),
    ...(timeLimit === undefined ? {} : { timeLimit }),
    ...(invariants === undefined ? {} : { invariants }),
    ...(misbehaveBudget === undefined ? {} : { misbehaveBudget }),
    ...(prefix === undefined ? {} : { prefix }),
  }));
  const rate = Math.round(r.distinct / Math.max(r.seconds, 1e-9));
  const writeFailed = r.violation === null ? null : file.write(traceText(r.violation.trace));
  const data = {
    ...(preset === undefined ? {} : { preset: preset.name }),
    ...(start === null ? {} : { from: o.from }),
    prefixSteps: r.prefixSteps,
    distinct: r.distinct,
    depth: r.depth,
    perDepth: r.perDepth,
    transitions: r.transitions,
    seconds: Number(r.seconds.toFixed(2)),
    statesPerSecond: rate,
    truncated: r.truncated,
    timedOut: r.timedOut,
    memoryFull: r.memoryFull,
    reach: r.reach,
    violation: r.violation === null ? null : { id: r.violation.id, message: r.violation.message, steps: r.violation.trace.actions.length, trace: path },
  };
  if (o.json) out(JSON.stringify(data, null, 2) + '\n');
  else {
    const stop = r.truncated ? ' (state bound reached)' : r.timedOut ? ' (time limit reached)' : r.memoryFull ? " (memory bound reached: 85% of Node's heap or 70% of the machine's memory; NODE_OPTIONS=--max-old-space-size=MB raises the first)" : '';
    const from = r.prefixSteps === 0 ? '' : ` from a ${r.prefixSteps}-step prefix`;
    const lines = [`explore${from}: ${r.distinct} distinct states, depth ${r.depth}${stop}, ${r.transitions} transitions, ${r.seconds.toFixed(2)} s (${rate} states/s)`];
    lines.push(`  ${reachLine(r.reach)}`);
    lines.push(r.violation === null ? '  no violation' : `  violation of ${r.violation.id} after ${r.violation.trace.actions.length} steps (a shortest trace): ${r.violation.message}\n  written to ${path}`);
    out(lines.join('\n') + '\n');
  }
  return exitAfterWrite(writeFailed, err, r.violation === null ? 0 : 1);
}

/**
 * The bound on distinct states: --max-states N; without it, none when --time-limit is given (the
 * search goes on until the time is up, the depth bound or the memory bound), else 100,000 (a
 * preset: 20,000,000).
 */
export function stateBound(maxStates: string | undefined, timeLimit: number | undefined, preset: boolean): number {
  if (maxStates !== undefined) return intArg('max-states', maxStates, 1, 0);
  if (timeLimit !== undefined) return Infinity;
  return preset ? PRESET_MAX_STATES : 100_000;
}

/** A preset's prefix that the options given keep from its goal is a usage error. */
function withPrefixErrors<T>(preset: string | undefined, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof PrefixError) throw new UsageError(`--preset ${preset}: its prefix fails with these options: ${e.message}`);
    throw e;
  }
}

/** What the search reached, in one line: the highest view and stable checkpoint, and the first depth of the milestone actions. */
function reachLine(reach: ExploreReach): string {
  const firsts = MILESTONES.filter((k) => reach.firstDepth[k] !== undefined).map((k) => `${k} ${reach.firstDepth[k]}`);
  return `reached: view ${reach.highestView} (new-view held up to view ${reach.highestNewView}), stable checkpoint ${reach.highestStable}; first at depth: ${firsts.length === 0 ? 'none' : firsts.join(', ')}`;
}

const MILESTONES = ['EXECUTE', 'COLLECT-GARBAGE', 'SEND-VIEW-CHANGE', 'SEND-NEW-VIEW', 'MISBEHAVE', 'REPLICA-FAILURE', 'REPLY'] as const;

/** --from FILE [--from-step K]: the trace (checked by replaying it) and its first K actions as explore's prefix. */
function fromTrace(path: string, stepArg: string | undefined, readings: Partial<Readings> | undefined): { trace: TraceFile; prefix: (u: Universe) => readonly Action[] } {
  let trace: TraceFile;
  try {
    trace = loadTrace(path);
  } catch (e) {
    if (e instanceof TraceError) throw new UsageError(`--from: ${e.message}`);
    throw e;
  }
  const k = intOption('from-step', stepArg, 0) ?? trace.actions.length;
  if (k > trace.actions.length) throw new UsageError(`--from-step must be at most the ${trace.actions.length} actions of ${path}, got ${k}`);
  const actions = trace.actions.slice(0, k);
  try {
    replayTrace({ ...trace, actions }, readings === undefined ? {} : { readings: { ...trace.config.readings, ...readings } });
  } catch (e) {
    if (e instanceof TraceError) throw new UsageError(`--from ${path}: ${e.message}`);
    throw e;
  }
  return {
    trace,
    prefix: (u) => {
      const dec = new ActionDecoder(u);
      return actions.map((j) => dec.action(j));
    },
  };
}

/** --invariants: the selected invariants of the configured variant (undefined: all of them). */
function invariantsOf(config: Config, value: string | undefined): SystemInvariant[] | undefined {
  if (value === undefined) return undefined;
  const patterns = value.split(',').map((x) => x.trim()).filter((x) => x !== '');
  if (patterns.length === 0) throw new UsageError('--invariants needs at least one id, family or pattern, e.g. A.2.3');
  let chosen: SystemInvariant[];
  try {
    chosen = selectInvariants(systemInvariants(config.readings), patterns);
  } catch (e) {
    if (e instanceof SelectionError) throw new UsageError(`--invariants: ${e.message}`);
    throw e;
  }
  const own = chosen.filter((x) => x.subject === config.variant);
  if (own.length === 0) {
    const ids = systemInvariants(config.readings).filter((x) => x.subject === config.variant).map((x) => x.id);
    throw new UsageError(`--invariants: none of '${value}' is stated for ${config.variant === 'Agc' ? 'A_gc' : 'A'} (its invariants: ${ids.join(', ')})`);
  }
  return own;
}
