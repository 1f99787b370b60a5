// pbft-check replay <trace>: the command-line side of sim/replay.ts.
import { intOption, invariantsArg, mutantArg, relationsArg, UsageError, parseOptions } from './cli-usage.ts';
import { exitAfterWrite, OutputFile } from './output.ts';
import { toItf } from './itf.ts';
import { describeChecks, describeRecorded, replay, type AppliedChecks } from './replay.ts';
import { inFile, loadTrace, TraceError } from './trace-file.ts';

export const REPLAY_HELP = `Usage: pbft-check replay <trace.json> [options]

Re-executes a trace file deterministically, checks the state's fingerprint after every step
against the file's, prints one line per action, and stops at the first violation. A file that
search, simulate, explore or run --trace wrote records the checks it was made with (the chain,
--invariants, --relations; the errata's readings are in its configuration): the replay applies
them, so it says whether the same violation comes up at the same step. A file without recorded
checks that records a violation is checked with every invariant, and with the chain when the
violation is a simulation's. The options below override what the file records.

Options:
  --check             check every invariant, the end-to-end property and agreement on the way
                      (in place of the file's --invariants)
  --invariants LIST   check only these invariants (ids, families or globs)
  --chain, --no-chain check the chain of simulations (H, G, F), or not
  --relations LIST    report only these relations or clauses, e.g. H or G(8); implies --chain
  --to N              replay only the first N steps (to the state that 'goto N' reaches in the REPL)
  --verbose           after each action, what it changed (replicas' variables and logs, the wire)
  --quiet             no line per action, only the result
  --json              print the result as JSON
  --itf FILE          also write the run's states in ITF, the trace format of Apalache and Quint
  --no-mutants        replay without the protocol variants the trace's configuration names
  --mutant LIST       apply these protocol variants in place of the trace's (mutants --list)
  --mutant-file FILE  load variants from a file of one's own (without --mutant: apply all of them)
  -h, --help          show this help

Exit codes: 0 the trace replays with matching fingerprints and no violation; 1 a violation (the
recorded one, or one in a file that records none); 2 a usage error, a bad trace file or an --itf
file that could not be written; 3 the file does not replay as recorded: its recorded violation
did not come up at its step (with the checks applied), or a fingerprint differs.
`;

export function replayCommand(args: string[], out: (s: string) => void, err: (s: string) => void): number {
  const parsed = parseOptions({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      check: { type: 'boolean' },
      chain: { type: 'boolean' },
      'no-chain': { type: 'boolean' },
      invariants: { type: 'string' },
      relations: { type: 'string' },
      verbose: { type: 'boolean' },
      to: { type: 'string' },
      quiet: { type: 'boolean' },
      json: { type: 'boolean' },
      itf: { type: 'string' },
      mutant: { type: 'string' },
      'mutant-file': { type: 'string' },
      'no-mutants': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const o = parsed.values;
  if (o.help) {
    out(REPLAY_HELP);
    return 0;
  }
  if (parsed.positionals.length !== 1) throw new UsageError(`replay needs exactly one trace file, got ${parsed.positionals.length} (see pbft-check replay --help)`);
  if (o.chain && o['no-chain']) throw new UsageError('--chain and --no-chain contradict each other');
  if (o.relations !== undefined && o['no-chain']) throw new UsageError('--relations needs the chain (drop --no-chain)');
  const path = parsed.positionals[0]!;
  const to = intOption('to', o.to, 0);
  const itf = o.itf === undefined ? null : OutputFile.check(o.itf, '--itf');
  let writeFailed: string | null = null;
  let r;
  try {
    const recorded = loadTrace(path);
    if (o['no-mutants'] && (o.mutant !== undefined || o['mutant-file'] !== undefined)) throw new UsageError('--no-mutants and --mutant contradict each other');
    // The trace's variants (in its configuration) apply unless replaced or dropped.
    const swap = o['no-mutants'] ? { mutants: [], mutantFiles: [] } : o.mutant !== undefined || o['mutant-file'] !== undefined ? mutantArg(o) : null;
    const t = swap === null ? recorded : { ...recorded, config: { ...recorded.config, ...swap } };
    const lines: string[] = [];
    const chain = o.chain || o.relations !== undefined ? true : o['no-chain'] ? false : undefined;
    const invariants = o.invariants === undefined ? undefined : invariantsArg(t.config, o.invariants);
    const relations = o.relations === undefined ? undefined : relationsArg(t.config, o.relations).relations;
    r = replay(t, { check: o.check === true, chain, invariants, relations, verbose: o.verbose === true, to }, (l) => {
      if (!o.quiet && !o.json) lines.push(l);
    });
    if (itf !== null) writeFailed = itf.write(JSON.stringify(toItf({ ...t, actions: t.actions.slice(0, r.steps) }, path)) + '\n');
    if (o.json) out(JSON.stringify({ trace: path, recorded: t.violation ?? null, ...r }, null, 2) + '\n');
    else {
      if (lines.length > 0) out(lines.join('\n') + '\n');
      const fp = r.mismatch !== null ? `MISMATCH at step ${r.mismatch.step}: the file has ${r.mismatch.expected}, the replay ${r.mismatch.got}` : r.fingerprintsChecked === 0 ? 'none in the file' : `${r.fingerprintsChecked} checked, all match`;
      const res = [`replayed ${r.steps} of ${t.actions.length} steps of ${path}`, `  fingerprints   ${fp}`];
      if (r.violation !== null) res.push(`  violation      ${r.violation.id} at step ${r.violation.step}`, r.violation.report.replace(/^/gm, '  '));
      else res.push(`  violation      none`);
      if (t.violation !== undefined) res.push(`  recorded       ${t.violation.id} at step ${t.violation.step}: ${r.reproduced === null ? `not reached (--to ${to})` : r.reproduced ? 'reproduced' : 'NOT reproduced'}`);
      res.push(`  checked        ${checkedLine(r.checks)}`);
      out(res.join('\n') + '\n');
    }
  } catch (e) {
    if (e instanceof TraceError) throw new UsageError(inFile(path, e));
    throw e;
  }
  return exitAfterWrite(writeFailed, err, r.mismatch !== null || r.reproduced === false ? EXIT_NOT_REPRODUCED : r.violation === null ? 0 : 1);
}

/** The exit code of a replay whose file does not replay as recorded. */
export const EXIT_NOT_REPRODUCED = 3;

/** What was checked, and how it relates to what the file records. */
function checkedLine(c: AppliedChecks): string {
  const what = describeChecks(c);
  if (c.recorded === null) return `${what} (the file records no checks)`;
  return c.asRecorded ? `${what}, as the file records` : `${what} (the file records ${describeRecorded(c.recorded)})`;
}
