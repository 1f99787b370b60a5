// pbft-check replay <trace>: the command-line side of sim/replay.ts.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError } from './cli-usage.ts';
import { toItf } from './itf.ts';
import { replay } from './replay.ts';
import { loadTrace, TraceError } from './trace-file.ts';

export const REPLAY_HELP = `Usage: pbft-check replay <trace.json> [options]

Re-executes a trace file deterministically, checks the state's fingerprint after every step
against the file's, prints one line per action, and stops at the first violation. A file that
records a violation is checked (with the chain when the violation is a simulation's) and the
replay says whether the same violation comes up at the same step.

Options:
  --check        check every invariant, the end-to-end property and agreement on the way
  --chain        check the chain of simulations too (H, G, F)
  --verbose      after each action, what it changed (replicas' variables and logs, the wire)
  --quiet        no line per action, only the result
  --json         print the result as JSON
  --itf FILE     also write the run's states in ITF, the trace format of Apalache and Quint
  -h, --help     show this help

Exit codes: 0 the trace replays with matching fingerprints and no violation; 1 a violation
(recorded or not) or a fingerprint mismatch; 2 a usage error or a bad trace file.
`;

export function replayCommand(args: string[], out: (s: string) => void): number {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        check: { type: 'boolean' },
        chain: { type: 'boolean' },
        verbose: { type: 'boolean' },
        quiet: { type: 'boolean' },
        json: { type: 'boolean' },
        itf: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const o = parsed.values;
  if (o.help) {
    out(REPLAY_HELP);
    return 0;
  }
  if (parsed.positionals.length !== 1) throw new UsageError(`replay needs exactly one trace file, got ${parsed.positionals.length}\n\n${REPLAY_HELP}`);
  const path = parsed.positionals[0]!;
  let r;
  try {
    const t = loadTrace(path);
    const lines: string[] = [];
    r = replay(t, { check: o.check === true, chain: o.chain === true, verbose: o.verbose === true }, (l) => {
      if (!o.quiet && !o.json) lines.push(l);
    });
    if (o.itf !== undefined) writeFileSync(o.itf, JSON.stringify(toItf({ ...t, actions: t.actions.slice(0, r.steps) }, path)) + '\n');
    if (o.json) out(JSON.stringify({ trace: path, recorded: t.violation ?? null, ...r }, null, 2) + '\n');
    else {
      if (lines.length > 0) out(lines.join('\n') + '\n');
      const fp = r.mismatch !== null ? `MISMATCH at step ${r.mismatch.step}: the file has ${r.mismatch.expected}, the replay ${r.mismatch.got}` : r.fingerprintsChecked === 0 ? 'none in the file' : `${r.fingerprintsChecked} checked, all match`;
      const res = [`replayed ${r.steps} of ${t.actions.length} steps of ${path}`, `  fingerprints   ${fp}`];
      if (r.violation !== null) res.push(`  violation      ${r.violation.id} at step ${r.violation.step}`, r.violation.report.replace(/^/gm, '  '));
      else res.push(`  violation      none`);
      if (t.violation !== undefined) res.push(`  recorded       ${t.violation.id} at step ${t.violation.step}: ${r.reproduced ? 'reproduced' : 'NOT reproduced'}`);
      out(res.join('\n') + '\n');
    }
  } catch (e) {
    if (e instanceof TraceError) throw new UsageError(e.message);
    throw e;
  }
  return r.mismatch === null && r.violation === null ? 0 : 1;
}
