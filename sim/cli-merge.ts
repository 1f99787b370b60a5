// pbft-check merge: combines the --json results of the shards of one search (run on any number of
// machines with --shard i/N) into the result of the whole: runs and steps add up, the time is the
// longest shard's, the violation is the one of the lowest run index (with its shard's times: found
// after, shrinking, minimizing), and the reach adds up. Files from different
// searches (another seed, configuration, strategy or checks) or the same shard twice are refused.
import { readFileSync } from 'node:fs';
import { formatResult } from './cli-search.ts';
import { UsageError, parseOptions } from './cli-usage.ts';
import type { SearchResult } from './search-result.ts';
import { mergeReach } from './search-reach.ts';
import { validateResult } from './result-validate.ts';

export const MERGE_HELP = `Usage: pbft-check merge [--json] FILE...

Combines the --json results of shards of one search ('pbft-check search --shard i/N --json > FILE')
into one result: runs and steps add up, seconds is the longest shard's, and the violation
reported is the one with the lowest run index (its trace is where that shard wrote it, its
times those of that shard: found after, shrinking, minimizing).

Options:
  --json           print the merged result as JSON (the same format, so merges can be merged)
  --allow-missing  merge an incomplete set of shards without failing (the result says which are missing)
  -h, --help       show this help

Every field of every file is validated. Exit codes: 0 no shard found a violation; 1 one did; 2
a usage error, a file that is not a result of the same search, or shards missing (the merged
result of those given is still printed) without --allow-missing.
`;

function load(path: string): SearchResult {
  let j: unknown;
  try {
    j = JSON.parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, '')); // a byte-order mark is not content
  } catch (e) {
    throw new UsageError(`${path}: not a readable JSON file (${(e as Error).message})`);
  }
  return validateResult(j, path);
}

export function merge(results: readonly { path: string; r: SearchResult }[]): SearchResult {
  const [first, ...rest] = results;
  if (first === undefined) throw new UsageError('merge needs at least one result file');
  const key = (r: SearchResult) => JSON.stringify([r.mode, r.search, r.runsRequested, r.shards?.count ?? null]);
  const seen = new Map<number, string>();
  for (const { path, r } of results) {
    if (key(r) !== key(first.r)) throw new UsageError(`${path} is not a shard of the same search as ${first.path} (mode, seed, configuration, strategy, checks, runs and shard count must agree)`);
    for (const i of r.shards?.indices ?? []) {
      const other = seen.get(i);
      if (other !== undefined) throw new UsageError(`shard ${i} is in both ${other} and ${path}`);
      seen.set(i, path);
    }
  }
  if (first.r.shards === null && rest.length > 0) throw new UsageError(`${first.path} is a whole search (no --shard): there is nothing to merge it with`);
  const all = results.map((x) => x.r);
  const steps = all.reduce((a, r) => a + r.steps, 0);
  const seconds = Math.max(...all.map((r) => r.seconds));
  const violations = all.map((r) => r.violation).filter((v) => v !== null);
  violations.sort((a, b) => a.run - b.run);
  return {
    ...first.r,
    shards: first.r.shards === null ? null : { count: first.r.shards.count, indices: [...seen.keys()].sort((a, b) => a - b) },
    runs: all.reduce((a, r) => a + r.runs, 0),
    steps,
    seconds,
    stepsPerSecond: Math.round(steps / Math.max(seconds, 1e-9)),
    violations: all.reduce((a, r) => a + r.violations, 0),
    violation: violations[0] ?? null,
    // Shards written before reach was reported have none: then the merge reports none either.
    ...(all.every((r) => r.reach !== undefined) ? { reach: all.map((r) => r.reach!).reduce(mergeReach) } : { reach: undefined }),
  };
}

export function mergeCommand(args: string[], out: (s: string) => void, err: (s: string) => void): number {
  const parsed = parseOptions({ args, strict: true, allowPositionals: true, options: { json: { type: 'boolean' }, 'allow-missing': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (parsed.values.help) {
    out(MERGE_HELP);
    return 0;
  }
  if (parsed.positionals.length === 0) throw new UsageError('merge needs result files, e.g. pbft-check merge shard-*.json (see pbft-check merge --help)');
  const m = merge(parsed.positionals.map((path) => ({ path, r: load(path) })));
  const missing = m.shards === null ? [] : Array.from({ length: m.shards.count }, (_, k) => k + 1).filter((i) => !m.shards!.indices.includes(i));
  const note = missing.length === 0 ? '' : `  (shards ${missing.join(', ')} of ${m.shards!.count} are not in these files)\n`;
  out(parsed.values.json ? JSON.stringify(m, null, 2) + '\n' : formatResult(m) + note);
  if (missing.length > 0 && !parsed.values['allow-missing']) {
    err(`pbft-check: shards ${missing.join(', ')} of ${m.shards!.count} are missing, so this is not the whole search (--allow-missing merges the shards there are)\n`);
    return 2;
  }
  return m.violation === null ? 0 : 1;
}
