// pbft-check explore: the command-line side of sim/explore.ts.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { intArg, UsageError, variantArg } from './cli-usage.ts';
import { ConfigError, LITERAL_READINGS, makeConfig, READING_OF_ERRATUM, type Readings } from '../automata/config.ts';
import { EXPLORE_DEFAULTS, explore } from './explore.ts';

export const EXPLORE_HELP = `Usage: pbft-check explore [options]

Bounded exhaustive search of a small configuration: breadth-first over every enabled action,
each distinct state (by fingerprint) expanded once, every invariant checked in every new state.
A violation found this way has a shortest trace, written to --out.

Options:
  --variant a|agc        replica automaton [agc]
  --f N, --clients N     fault bound and clients [1, 1]
  --requests N           requests per client [1]
  --max-view N           highest view a replica may move to [1]
  --depth N              depth bound [12]
  --max-states N         bound on distinct states [100000]
  --network              allow MC's loss, duplication and replay (off: a reliable network)
  --literal-errata LIST  run these errata's literal forms, e.g. E2
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
        variant: { type: 'string' },
        f: { type: 'string' },
        clients: { type: 'string' },
        requests: { type: 'string' },
        'max-view': { type: 'string' },
        depth: { type: 'string' },
        'max-states': { type: 'string' },
        network: { type: 'boolean' },
        'literal-errata': { type: 'string' },
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
    out(EXPLORE_HELP);
    return 0;
  }
  const variant = variantArg(o.variant);
  const readings: Partial<Readings> = {};
  for (const e of (o['literal-errata'] ?? '').split(',').map((x) => x.trim().toUpperCase()).filter((x) => x !== '')) {
    const key = READING_OF_ERRATUM[e];
    if (key === undefined) throw new UsageError(`--literal-errata: no erratum '${e}'`);
    readings[key] = LITERAL_READINGS[key];
  }
  const config = {
    ...EXPLORE_DEFAULTS,
    variant,
    f: intArg('f', o.f, 1, 1),
    clients: intArg('clients', o.clients, 1, 1),
    maxRequestsPerClient: intArg('requests', o.requests, 0, 1),
    maxView: intArg('max-view', o['max-view'], 0, 1),
    readings,
    ...(o.network ? { network: { loss: true, duplicate: true, replay: true } } : {}),
  };
  try {
    makeConfig(config);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
  const r = explore({ config, maxDepth: intArg('depth', o.depth, 0, 12), maxStates: intArg('max-states', o['max-states'], 1, 100_000) });
  const rate = Math.round(r.distinct / Math.max(r.seconds, 1e-9));
  const path = o.out ?? 'pbft-check-explore.json';
  if (r.violation !== null) writeFileSync(path, JSON.stringify(r.violation.trace, null, 1) + '\n');
  const data = { distinct: r.distinct, depth: r.depth, transitions: r.transitions, seconds: Number(r.seconds.toFixed(2)), statesPerSecond: rate, truncated: r.truncated, violation: r.violation === null ? null : { id: r.violation.id, message: r.violation.message, steps: r.violation.trace.actions.length, trace: path } };
  if (o.json) out(JSON.stringify(data, null, 2) + '\n');
  else {
    const lines = [`explore: ${r.distinct} distinct states, depth ${r.depth}${r.truncated ? ' (state bound reached)' : ''}, ${r.transitions} transitions, ${r.seconds.toFixed(2)} s (${rate} states/s)`];
    lines.push(r.violation === null ? '  no violation' : `  violation of ${r.violation.id} after ${r.violation.trace.actions.length} steps (a shortest trace): ${r.violation.message}\n  written to ${path}`);
    out(lines.join('\n') + '\n');
  }
  return r.violation === null ? 0 : 1;
}
