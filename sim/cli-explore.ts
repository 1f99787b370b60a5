// pbft-check explore: the command-line side of sim/explore.ts.
import { parseArgs } from 'node:util';
import { configArg, CONFIG_OPTIONS, intArg, literalErrataArg, serviceArg, UsageError, variantArg } from './cli-usage.ts';
import type { Config, ConfigInput } from '../automata/config.ts';
import { selectInvariants, SelectionError, systemInvariants } from '../invariants/registry.ts';
import type { SystemInvariant } from '../invariants/types.ts';
import { EXPLORE_DEFAULTS, explore } from './explore.ts';
import { saveTrace } from './trace-file.ts';

export const EXPLORE_HELP = `Usage: pbft-check explore [options]

Bounded exhaustive search of a small configuration: breadth-first over every enabled action,
each distinct state (by fingerprint) expanded once, every invariant checked in every new state.
A violation found this way has a shortest trace, written to --out.

Options:
  --variant a|agc        replica automaton: A (Appendix A.1) or A_gc (Figs 2-8..2-13) [agc]
  --f N, --clients N     fault bound (3f+1 replicas) and number of clients [1, 1]
  --service log|counter  replicated service: order-revealing log or counter [log]
  --requests N           requests per client [1]
  --max-view N           highest view a replica may move to [1]
  --depth N              depth bound: steps from the initial state [12]
  --max-states N         bound on distinct states [100000]
  --time-limit SEC       stop after this many seconds [none]
  --invariants LIST      check only these invariants of the variant (ids, families or globs,
                         e.g. A.2.3,A.2.4 or A.1.*) [all of the variant's]
  --network              allow MC's loss, duplication and replay (off: a reliable network)
  --literal-errata LIST  run these errata's text as written (ERRATA.md), e.g. E2
  --out FILE             where to write a violation's trace [pbft-check-explore.json]
  --json                 print the result as JSON
  -h, --help             show this help

Exit codes: 0 nothing violated within the bounds; 1 a violation (trace written); 2 usage error.
`;

export function exploreCommand(args: string[], out: (s: string) => void): number {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      options: {
        ...CONFIG_OPTIONS,
        requests: { type: 'string' },
        'max-view': { type: 'string' },
        depth: { type: 'string' },
        'max-states': { type: 'string' },
        'time-limit': { type: 'string' },
        network: { type: 'boolean' },
        out: { type: 'string' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const o = parsed.values;
  if (o.help) {
    out(EXPLORE_HELP);
    return 0;
  }
  const service = serviceArg(o.service);
  const input: ConfigInput = {
    ...EXPLORE_DEFAULTS,
    variant: variantArg(o.variant),
    f: intArg('f', o.f, 1, 1),
    clients: intArg('clients', o.clients, 1, 1),
    ...(service === undefined ? {} : { service }),
    maxRequestsPerClient: intArg('requests', o.requests, 0, 1),
    maxView: intArg('max-view', o['max-view'], 0, 1),
    readings: literalErrataArg(o['literal-errata']),
    ...(o.network ? { network: { loss: true, duplicate: true, replay: true } } : {}),
  };
  const config = configArg(input);
  const invariants = invariantsOf(config, o.invariants);
  const timeLimit = o['time-limit'] === undefined ? undefined : intArg('time-limit', o['time-limit'], 1, 0);
  const r = explore({
    config: input,
    maxDepth: intArg('depth', o.depth, 0, 12),
    maxStates: intArg('max-states', o['max-states'], 1, 100_000),
    ...(timeLimit === undefined ? {} : { timeLimit }),
    ...(invariants === undefined ? {} : { invariants }),
  });
  const rate = Math.round(r.distinct / Math.max(r.seconds, 1e-9));
  const path = o.out ?? 'pbft-check-explore.json';
  if (r.violation !== null) saveTrace(path, r.violation.trace);
  const data = {
    distinct: r.distinct,
    depth: r.depth,
    perDepth: r.perDepth,
    transitions: r.transitions,
    seconds: Number(r.seconds.toFixed(2)),
    statesPerSecond: rate,
    truncated: r.truncated,
    timedOut: r.timedOut,
    violation: r.violation === null ? null : { id: r.violation.id, message: r.violation.message, steps: r.violation.trace.actions.length, trace: path },
  };
  if (o.json) out(JSON.stringify(data, null, 2) + '\n');
  else {
    const stop = r.truncated ? ' (state bound reached)' : r.timedOut ? ' (time limit reached)' : '';
    const lines = [`explore: ${r.distinct} distinct states, depth ${r.depth}${stop}, ${r.transitions} transitions, ${r.seconds.toFixed(2)} s (${rate} states/s)`];
    lines.push(r.violation === null ? '  no violation' : `  violation of ${r.violation.id} after ${r.violation.trace.actions.length} steps (a shortest trace): ${r.violation.message}\n  written to ${path}`);
    out(lines.join('\n') + '\n');
  }
  return r.violation === null ? 0 : 1;
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
