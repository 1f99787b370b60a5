// `pbft-check mutants`: the kill matrix of the protocol variants (sim/kill-matrix.ts), or their list.
import { availableParallelism } from 'node:os';
import { knownVariants, type VariantDef } from '../automata/variant.ts';
import { intArg, UsageError, parseOptions } from './cli-usage.ts';
import { prepareFolder } from './output.ts';
import { killMatrix, type MatrixRow } from './kill-matrix.ts';
import { TARGETED_STRATEGIES } from './strategies.ts';
import { mutantConfig } from './variants.ts';

export const MUTANTS_HELP = `Usage: pbft-check mutants [options]

Runs the search on each protocol variant (the catalog in variants/, and those of --mutant-file)
and on the unmutated model: one core per search, the default swarm with f faulty (then, on a
variant the swarm did not kill, the targeted strategies: ${TARGETED_STRATEGIES.map((s) => s.name).join(', ')}), everything
checked (invariants, agreement, end-to-end, the chain H, G, F), K seeds each. Prints the kill
matrix: the variant, what it is expected to do, whether it was killed (in how many seeds), the
check that caught it first and whether that is safety's or only the refinement A_gc → A's (H;
then the same search without the chain says whether safety breaks too: with the targeted
strategies as well for a variant meant to break safety),
the median time to the violation (before shrinking), the shortest minimized counterexample, and
whether the saved traces replay. Liveness is judged without the chain (--no-chain --liveness): the
search of a variant meant to break liveness, and a second search of the unmutated model and each
harmless variant (the 'liveness' column). Exit 1 if a 'breaks safety' variant survives (or is
caught by H alone), a 'breaks refinement' or 'breaks liveness' one survives (or the latter breaks
safety), or the unmutated model or a 'harmless' variant shows a violation or a stall.

Options:
  --only LIST            only these variants, e.g. commit-quorum-2f,reply-from-one-replica [all]
  --time-limit SEC       per search (variant and seed): no run starts after this [10]
  --seeds K              seeds per variant (mutants-1 .. mutants-K) [3]
  --jobs N               searches at once, one core each [all cores: ${availableParallelism()}]
  --mutant-file FILE     add the variants of a file of one's own (examples/my-variant.ts)
  --shrink-budget N      fast-check's shrinking evaluations per counterexample (then minimized) [60]
  --out DIR              where the counterexamples go [pbft-check-mutants]
  --list                 list the variants (name, expectation, the text they change) and exit
  --json                 print the matrix as JSON
  -h, --help             show this help
`;

export async function mutantsCommand(args: string[], out: (s: string) => void, err: (s: string) => void, tty: boolean): Promise<number> {
  const parsed = parseOptions({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      only: { type: 'string' },
      'time-limit': { type: 'string' },
      seeds: { type: 'string' },
      jobs: { type: 'string' },
      'mutant-file': { type: 'string' },
      out: { type: 'string' },
      'shrink-budget': { type: 'string' },
      list: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const o = parsed.values;
  if (o.help) {
    out(MUTANTS_HELP);
    return 0;
  }
  const files = mutantConfig(undefined, o['mutant-file']).mutantFiles; // loaded by the command line
  const all = knownVariants();
  let chosen: VariantDef[] = all;
  if (o.only !== undefined) {
    const names = o.only.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (names.length === 0) throw new UsageError('--only: no variant named');
    chosen = names.map((n) => all.find((v) => v.name === n) ?? failUnknown(n, all));
  }
  if (o.list) {
    out(o.json ? JSON.stringify(chosen.map(({ name, expectation, changes, description }) => ({ name, expectation, changes, description })), null, 2) + '\n' : listing(chosen));
    return 0;
  }
  const opts = {
    timeLimit: intArg('time-limit', o['time-limit'], 1, 10),
    seeds: intArg('seeds', o.seeds, 1, 3),
    jobs: intArg('jobs', o.jobs, 1, availableParallelism()),
    outDir: o.out ?? 'pbft-check-mutants',
    shrinkBudget: intArg('shrink-budget', o['shrink-budget'], 0, 60),
    mutantFiles: files,
    fallbackStrategies: TARGETED_STRATEGIES.map((s) => s.name),
    ...(tty && !o.json ? { onProgress: (d: number, t: number, label: string) => err(`\r\x1b[Kmutants: ${d}/${t} searches (${label})${d === t ? '\n' : ''}`) } : {}),
  };
  prepareFolder(opts.outDir, '--out');
  const t0 = performance.now();
  const rows = await killMatrix(chosen, opts);
  const seconds = (performance.now() - t0) / 1000;
  const bad = rows.filter((r) => !r.asExpected);
  if (o.json) out(JSON.stringify({ format: 'pbft-check-kill-matrix', version: 1, ...opts, onProgress: undefined, seconds: Number(seconds.toFixed(1)), rows }, null, 2) + '\n');
  else out(formatMatrix(rows, seconds, opts));
  return bad.length === 0 ? 0 : 1;
}

function failUnknown(name: string, all: readonly VariantDef[]): never {
  throw new UsageError(`--only: no variant '${name}' (pbft-check mutants --list shows the ${all.length} known)`);
}

function listing(vs: readonly VariantDef[]): string {
  const w = Math.max(...vs.map((v) => v.name.length));
  return vs.map((v) => `${v.name.padEnd(w)}  ${v.expectation.padEnd(17)}  ${v.changes}\n`).join('');
}

const secs = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`);

/** The matrix as a table, then the verdict. */
export function formatMatrix(rows: readonly MatrixRow[], seconds: number, o: { timeLimit: number; seeds: number; jobs: number }): string {
  const header = ['variant', 'expectation', 'result', 'caught first by', 'class', 'liveness', 'found after', 'minimized', 'replays'];
  const cells = rows.map((r) => [
    r.variant ?? '(unmutated)',
    r.expectation,
    r.verdict,
    r.caughtBy === null ? '-' : `${r.caughtBy}${r.strategy !== 'swarm' ? ` (${r.strategy})` : ''}${r.withoutChain === null ? '' : `; no chain: ${r.withoutChain}`}`,
    r.class ?? '-',
    r.liveness ?? '-',
    secs(r.medianFoundAfterMs),
    r.minimizedLength === null ? '-' : String(r.minimizedLength),
    r.replays === null ? '-' : r.replays ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, k) => Math.max(h.length, ...cells.map((c) => c[k]!.length)));
  const line = (c: readonly string[]) => c.map((x, k) => x.padEnd(widths[k]!)).join('  ').trimEnd() + '\n';
  const bad = rows.filter((r) => !r.asExpected);
  const killed = rows.filter((r) => r.expectation !== 'harmless' && r.killed > 0).length;
  const meant = rows.filter((r) => r.expectation !== 'harmless').length;
  return (
    line(header) +
    cells.map(line).join('') +
    `mutants: ${rows.length - 1} variants and the unmutated model, ${o.seeds} seed${o.seeds === 1 ? '' : 's'} each, ${o.timeLimit} s per search, ${o.jobs} at once: ${seconds.toFixed(0)} s\n` +
    `  ${killed} of ${meant} variants meant to break something killed; ` +
    (bad.length === 0 ? 'every outcome as expected\n' : `not as expected: ${bad.map((r) => `${r.variant ?? '(unmutated)'} (${r.verdict})`).join(', ')}\n`)
  );
}
