// The kill matrix (`pbft-check mutants`): the search run on each protocol variant and on the
// unmutated model, K seeds each, one core per search (child processes, as many at once as there
// are cores), then each saved counterexample replayed. A violation is classed by the check that
// caught it: "refinement" when only relation H (A_gc → A) failed, "safety" otherwise (an invariant
// of the protocol, agreement, end-to-end, or G/F to the specification). Liveness is judged by a
// search with the liveness properties and without the chain: it is the search of a variant meant
// to break liveness, and it runs after the safety search on the unmutated model and the harmless
// variants, where it must find nothing.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Expectation, VariantDef } from '../automata/variant.ts';
import { isLivenessId } from '../invariants/liveness.ts';
import { replay } from './replay.ts';
import { loadTrace } from './trace-file.ts';

const BIN = fileURLToPath(new URL('../bin/pbft-check.js', import.meta.url));

export type ViolationClass = 'safety' | 'refinement' | 'liveness';

export interface SeedOutcome {
  seed: string;
  /** The strategy of the search that found the violation: the swarm, or a targeted one tried after it. */
  strategy: string;
  /** The search itself failed (exit code 2 or a crash): its first line of error output. */
  error?: string;
  runs: number;
  steps: number;
  /** null: no violation within the time limit. */
  violation: null | {
    id: string;
    message: string;
    class: ViolationClass;
    foundAfterMs: number;
    minimizedLength: number;
    trace: string;
    /** Whether `pbft-check replay TRACE` reproduced the same violation. */
    replays: boolean;
    /**
     * When only H failed: the same search without the chain (the protocol's invariants, agreement
     * and end-to-end alone), which tells a broken refinement from broken safety; null: none found.
     */
    withoutChain?: { id: string; foundAfterMs: number; strategy: string; minimizedLength: number; trace: string } | null;
  };
  /**
   * The liveness search (`--no-chain --liveness`: the liveness properties and the protocol's
   * invariants alone), made for the unmutated model and the harmless variants (it must find
   * nothing); for a variant meant to break liveness it is the search itself. null: nothing found.
   */
  liveness?: { id: string; foundAfterMs: number; minimizedLength: number; trace: string } | null;
}

export interface MatrixRow {
  /** The variant's name, or null for the unmutated model. */
  variant: string | null;
  expectation: Expectation;
  changes: string;
  seeds: SeedOutcome[];
  killed: number;
  /** Median over the seeds of the time to the first violation (a seed without one counts as never). */
  medianFoundAfterMs: number | null;
  /** The check that caught it first (in the first seed that caught it), and its class; when only H, what the search without the chain caught. */
  caughtBy: string | null;
  /** The strategy of that search (swarm, or a targeted one after the swarm found nothing). */
  strategy: string | null;
  withoutChain: string | null;
  class: ViolationClass | null;
  /** The shortest minimized counterexample over the seeds. */
  minimizedLength: number | null;
  replays: boolean | null;
  /** What the liveness search found ('nothing', or the property), when it ran. */
  liveness: string | null;
  /** Whether the outcome matches the expectation. */
  asExpected: boolean;
  verdict: string;
}

export interface MatrixOptions {
  timeLimit: number;
  seeds: number;
  jobs: number;
  outDir: string;
  /** The search's --shrink-budget (fast-check's evaluations), less than its default: the matrix times many searches. */
  shrinkBudget: number;
  /** Files the variants come from (passed to every child). */
  mutantFiles: readonly string[];
  /** Strategies tried, in order, on a variant expected to break something when the swarm found nothing. */
  fallbackStrategies: readonly string[];
  onProgress?: (done: number, total: number, label: string) => void;
}

/**
 * The class of a violation of a search of A_gc with the chain: H's own findings (its clauses, and
 * its step correspondence: 'enabled', 'trace', 'start' without "(at A′'s step", which marks what
 * G, F or A's invariants found on A's copy) are the refinement's; everything else is safety's.
 */
export function violationClass(id: string, message: string): ViolationClass {
  if (/^H\(/.test(id)) return 'refinement';
  const downstream = message.includes("(at A′'s step");
  if ((id === 'enabled' || id === 'trace' || id === 'start') && !downstream && !/not enabled in S/.test(message)) return 'refinement';
  return 'safety';
}

interface Child {
  code: number;
  stdout: string;
  stderr: string;
}

function runChild(args: readonly string[]): Promise<Child> {
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    p.on('error', fail);
    p.on('close', (code) => done({ code: code ?? 1, stdout, stderr }));
  });
}

const firstLine = (s: string) => s.split('\n').find((l) => l.trim() !== '') ?? '';

type SearchJson = { runs: number; steps: number; violation: null | { id: string; message: string; foundAfterMs?: number; minimizedLength: number; trace: string } };

/** One search of the variant (null: none) in a child process, or the first line of its error. */
async function search(variant: string | null, seed: string, o: MatrixOptions, trace: string, extra: readonly string[] = []): Promise<SearchJson | string> {
  const args = ['search', '--seed', seed, '--workers', '1', '--time-limit', String(o.timeLimit), '--shrink-budget', String(o.shrinkBudget), '--out', trace, '--json', ...extra];
  if (variant !== null) args.push('--mutant', variant);
  if (o.mutantFiles.length > 0) args.push('--mutant-file', o.mutantFiles.join(','));
  const c = await runChild(args);
  if (c.code !== 0 && c.code !== 1) return firstLine(c.stderr) || `exit code ${c.code}`;
  // A crash also exits 1 (Node's code for an uncaught exception): no result to read then.
  try {
    return JSON.parse(c.stdout) as SearchJson;
  } catch {
    return `no result (exit code ${c.code}): ${firstLine(c.stderr) || 'nothing on stderr'}`;
  }
}

async function searchSeed(variant: string | null, seed: string, o: MatrixOptions, expectation: Expectation): Promise<SeedOutcome> {
  if (expectation === 'breaks liveness') return livenessSeed(variant, seed, o);
  const outcome = await safetySeed(variant, seed, o, expectation);
  if (expectation !== 'harmless' || outcome.error !== undefined) return outcome;
  const l = await livenessSeed(variant, seed, o);
  return l.error !== undefined ? { ...outcome, error: l.error } : { ...outcome, runs: outcome.runs + l.runs, steps: outcome.steps + l.steps, liveness: l.liveness ?? null };
}

/** The liveness search of a variant: swarm, chain off, liveness on; its violation is its liveness finding. */
async function livenessSeed(variant: string | null, seed: string, o: MatrixOptions): Promise<SeedOutcome> {
  const trace = join(o.outDir, `${variant ?? 'unmutated'}-${seed}-liveness.json`);
  const r = await search(variant, seed, o, trace, ['--no-chain', '--liveness']);
  if (typeof r === 'string') return { seed, strategy: 'swarm', runs: 0, steps: 0, violation: null, error: r };
  const v = r.violation;
  if (v === null) return { seed, strategy: 'swarm', runs: r.runs, steps: r.steps, violation: null, liveness: null };
  const found = { id: v.id, foundAfterMs: v.foundAfterMs ?? 0, minimizedLength: v.minimizedLength, trace: v.trace };
  return {
    seed,
    strategy: 'swarm',
    runs: r.runs,
    steps: r.steps,
    violation: { id: v.id, message: v.message, class: isLivenessId(v.id) ? 'liveness' : 'safety', foundAfterMs: found.foundAfterMs, minimizedLength: v.minimizedLength, trace: v.trace, replays: replaysItsViolation(v.trace, v.id) },
    liveness: found,
  };
}

async function safetySeed(variant: string | null, seed: string, o: MatrixOptions, expectation: Expectation): Promise<SeedOutcome> {
  const meant = expectation !== 'harmless';
  let name = `${variant ?? 'unmutated'}-${seed}`;
  let strategy = 'swarm';
  let r = await search(variant, seed, o, join(o.outDir, `${name}.json`));
  if (typeof r === 'string') return { seed, strategy, runs: 0, steps: 0, violation: null, error: r };
  let runs = r.runs;
  let steps = r.steps;
  // A variant the swarm did not kill: the strategies aimed at what the swarm does rarely.
  for (const s of meant ? o.fallbackStrategies : []) {
    if (r.violation !== null) break;
    strategy = s;
    name = `${variant ?? 'unmutated'}-${seed}-${s}`;
    r = await search(variant, seed, o, join(o.outDir, `${name}.json`), ['--strategy', s]);
    if (typeof r === 'string') return { seed, strategy, runs, steps, violation: null, error: r };
    runs += r.runs;
    steps += r.steps;
  }
  if (r.violation === null) return { seed, strategy: 'swarm', runs, steps, violation: null };
  const v = r.violation;
  const cls = violationClass(v.id, v.message);
  let withoutChain: { id: string; foundAfterMs: number; strategy: string; minimizedLength: number; trace: string } | null | undefined;
  if (cls === 'refinement') {
    // Without the chain: the strategy that found it, then (for a variant meant to break safety) the targeted ones.
    withoutChain = null;
    const tried = expectation === 'breaks safety' ? [strategy, ...o.fallbackStrategies.filter((x) => x !== strategy)] : [strategy];
    for (const s of tried) {
      const w = await search(variant, seed, o, join(o.outDir, `${name}-no-chain-${s}.json`), ['--no-chain', ...(s === 'swarm' ? [] : ['--strategy', s])]);
      if (typeof w === 'string') return { seed, strategy, runs, steps, violation: null, error: w };
      if (w.violation !== null) {
        withoutChain = { id: w.violation.id, foundAfterMs: w.violation.foundAfterMs ?? 0, strategy: s, minimizedLength: w.violation.minimizedLength, trace: w.violation.trace };
        break;
      }
    }
  }
  const replays = replaysItsViolation(v.trace, v.id);
  return {
    seed,
    strategy,
    runs,
    steps,
    violation: { id: v.id, message: v.message, class: cls, foundAfterMs: v.foundAfterMs ?? 0, minimizedLength: v.minimizedLength, trace: v.trace, replays, ...(withoutChain === undefined ? {} : { withoutChain }) },
  };
}

/** What `pbft-check replay TRACE` does (in this process: the variants are loaded here too): the same violation, reproduced. */
function replaysItsViolation(trace: string, id: string): boolean {
  try {
    const r = replay(loadTrace(trace), { check: false, verbose: false }, () => {});
    return r.reproduced === true && r.violation?.id === id;
  } catch {
    return false;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

/** What the outcome says against the expectation. */
function judge(row: Omit<MatrixRow, 'asExpected' | 'verdict'>): { asExpected: boolean; verdict: string } {
  const K = row.seeds.length;
  const safety = row.seeds.filter((s) => s.violation?.class === 'safety' || (s.violation?.withoutChain ?? null) !== null).length;
  const failed = row.seeds.find((s) => s.error !== undefined);
  if (failed !== undefined) return { asExpected: false, verdict: `ERROR (${failed.seed}): ${failed.error}` };
  if (row.expectation === 'harmless') {
    const stalls = row.seeds.filter((s) => (s.liveness ?? null) !== null).length;
    if (row.killed > 0) return { asExpected: false, verdict: `FALSE ALARM in ${row.killed}/${K}` };
    return stalls === 0 ? { asExpected: true, verdict: 'no violation' } : { asExpected: false, verdict: `FALSE LIVENESS ALARM in ${stalls}/${K}` };
  }
  if (row.killed === 0) return { asExpected: false, verdict: 'SURVIVED' };
  if (row.expectation === 'breaks liveness') {
    const stalls = row.seeds.filter((s) => s.violation?.class === 'liveness').length;
    return stalls === row.killed ? { asExpected: true, verdict: `killed ${row.killed}/${K}` } : { asExpected: false, verdict: `unsafe ${row.killed - stalls}/${K}` };
  }
  if (row.expectation === 'breaks safety' && safety === 0) return { asExpected: false, verdict: `refinement only ${row.killed}/${K}` };
  return { asExpected: true, verdict: `killed ${row.killed}/${K}` };
}

function rowOf(v: VariantDef | null, seeds: SeedOutcome[]): MatrixRow {
  const hits = seeds.filter((s) => s.violation !== null);
  const first = hits[0]?.violation ?? null;
  const times = seeds.map((s) => (s.violation === null ? Infinity : s.violation.foundAfterMs));
  const med = median(times);
  const base = {
    variant: v === null ? null : v.name,
    expectation: v === null ? ('harmless' as const) : v.expectation,
    changes: v === null ? 'the thesis as written (corrected readings)' : v.changes,
    seeds,
    killed: hits.length,
    medianFoundAfterMs: Number.isFinite(med) ? med : null,
    caughtBy: first?.id ?? null,
    strategy: hits[0]?.strategy ?? null,
    withoutChain: first?.withoutChain === undefined ? null : first.withoutChain === null ? 'nothing' : `${first.withoutChain.id}${first.withoutChain.strategy === 'swarm' ? '' : ` (${first.withoutChain.strategy})`}`,
    class: first?.class ?? null,
    minimizedLength: hits.length === 0 ? null : Math.min(...hits.map((s) => s.violation!.minimizedLength)),
    replays: hits.length === 0 ? null : hits.every((s) => s.violation!.replays),
    liveness: seeds.every((s) => s.liveness === undefined) ? null : (seeds.find((s) => s.liveness)?.liveness?.id ?? 'nothing'),
  };
  return { ...base, ...judge(base) };
}

/** Runs the matrix: the unmutated model first, then each variant, `jobs` searches at a time. */
export async function killMatrix(variants: readonly VariantDef[], o: MatrixOptions): Promise<MatrixRow[]> {
  mkdirSync(resolve(o.outDir), { recursive: true });
  const subjects: (VariantDef | null)[] = [null, ...variants];
  const tasks = subjects.flatMap((v, row) => Array.from({ length: o.seeds }, (_, k) => ({ v, row, seed: `mutants-${k + 1}` })));
  const results: SeedOutcome[][] = subjects.map(() => []);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const t = tasks[next++]!;
      const r = await searchSeed(t.v === null ? null : t.v.name, t.seed, o, t.v === null ? 'harmless' : t.v.expectation);
      results[t.row]!.push(r);
      o.onProgress?.(++done, tasks.length, `${t.v?.name ?? 'unmutated'} ${t.seed}`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.jobs, tasks.length)) }, worker));
  return subjects.map((v, k) => rowOf(v, results[k]!.sort((a, b) => a.seed.localeCompare(b.seed))));
}
