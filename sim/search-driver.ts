// Runs a search's runs (fast-check search or seeded simulation) in this thread or on worker
// threads, and stops at a violation, the run budget or the time limit. Run k's outcome depends on
// the spec and k alone, and runs are handed out in increasing order; after a violation at run k
// only runs below k still finish, so the violation reported is the one of the lowest run index,
// whatever the number of workers: the same result as a single thread (time limit aside).
import { Worker } from 'node:worker_threads';
import { VariantError } from '../automata/variant.ts';
import { walkRun } from './hunt.ts';
import { searchRun, type RunFinding, type RunOutcome, type SearchSpec } from './search.ts';
import { addReach, noReach, type ReachTotals } from './search-reach.ts';

export type SearchMode = 'search' | 'simulate';

export interface SearchLimits {
  /** Runs of the whole search (run indices 0..runs-1, of which a shard does its own); Infinity: until the time limit. */
  runs: number;
  /** Seconds after which no new run starts. */
  timeLimit?: number;
  /** Shard i of N (1-based): the runs k with k mod N = i - 1. */
  shard?: { index: number; count: number };
  workers: number;
}

export interface Progress {
  runs: number;
  steps: number;
  seconds: number;
  violations: number;
}

export interface SearchOutcome extends Progress {
  /** The violation of the lowest run index, or null. */
  finding: RunFinding | null;
  /** Seconds from the search's start until that violation was detected (before shrinking), or null. */
  foundAfterSeconds: number | null;
  /** The reach of the runs that ended without a violation. */
  reach: ReachTotals;
}

/** The run of a mode (what a worker thread calls too). */
export function runOf(mode: SearchMode, spec: SearchSpec, run: number): RunOutcome {
  return mode === 'search' ? searchRun(spec, run) : walkRun(spec, run);
}

/** The k-th run index of the shard. */
function runIndex(limits: SearchLimits, k: number): number {
  return limits.shard === undefined ? k : k * limits.shard.count + limits.shard.index - 1;
}

/** Hands out run indices in order and collects outcomes. */
class Ledger {
  private next = 0;
  readonly t0 = performance.now();
  /** t0 as an absolute time in ms, comparable with a finding's foundAt from any thread. */
  private readonly t0Abs = performance.timeOrigin + this.t0;
  best: RunFinding | null = null;
  /** Called after an outcome is recorded (the pool cancels runs above a violation). */
  onFinding?: () => void;
  readonly progress: Progress = { runs: 0, steps: 0, seconds: 0, violations: 0 };
  private readonly reach = noReach();

  constructor(private readonly limits: SearchLimits) {}

  seconds(): number {
    return (performance.now() - this.t0) / 1000;
  }

  /** The next run to start, or null when the budget, the time limit or a violation says stop. */
  take(): number | null {
    if (this.best !== null || runIndex(this.limits, this.next) >= this.limits.runs) return null;
    if (this.limits.timeLimit !== undefined && this.seconds() >= this.limits.timeLimit) return null;
    return runIndex(this.limits, this.next++);
  }

  record(o: RunOutcome): void {
    this.progress.runs++;
    this.progress.steps += o.steps;
    if (o.reach !== null) addReach(this.reach, o.reach);
    if (o.finding !== null) {
      this.progress.violations++;
      if (this.best === null || o.finding.run < this.best.run) this.best = o.finding;
    }
  }

  outcome(): SearchOutcome {
    const foundAfterSeconds = this.best === null ? null : Math.max(0, (this.best.foundAt - this.t0Abs) / 1000);
    return { ...this.progress, seconds: this.seconds(), finding: this.best, foundAfterSeconds, reach: this.reach };
  }
}

/** Runs the search; onProgress is called after every run. */
export async function runSearch(mode: SearchMode, spec: SearchSpec, limits: SearchLimits, onProgress: (p: Progress) => void = () => {}): Promise<SearchOutcome> {
  const ledger = new Ledger(limits);
  const report = () => onProgress({ ...ledger.progress, seconds: ledger.seconds() });
  if (limits.workers <= 1) {
    for (let k = ledger.take(); k !== null; k = ledger.take()) {
      ledger.record(runOf(mode, spec, k));
      report();
    }
    return ledger.outcome();
  }
  const workers: SearchWorker[] = [];
  ledger.onFinding = () => {
    for (const w of workers) if (ledger.best !== null) w.cancelAbove(ledger.best.run);
  };
  for (let k = 0; k < limits.workers; k++) workers.push(new SearchWorker(mode, spec, ledger, report));
  try {
    await Promise.all(workers.map((w) => w.done));
  } catch (e) {
    await Promise.all(workers.map((w) => w.stop()));
    throw e;
  }
  return ledger.outcome();
}

/** A worker thread taking runs from the ledger until it says stop. */
class SearchWorker {
  readonly done: Promise<void>;
  private current: number | null = null;
  private readonly w: Worker;

  constructor(mode: SearchMode, spec: SearchSpec, private readonly ledger: Ledger, report: () => void) {
    this.w = new Worker(new URL('./search-worker.mjs', import.meta.url), { workerData: { mode, spec } });
    this.done = new Promise((resolve, reject) => {
      this.w.on('message', (o: RunOutcome | { variantError: string }) => {
        if ('variantError' in o) {
          this.current = null;
          reject(new VariantError(o.variantError));
          return;
        }
        ledger.record(o);
        report();
        ledger.onFinding?.();
        this.feed(resolve);
      });
      this.w.on('error', reject);
      this.w.on('exit', (code) => {
        if (this.current !== null) reject(new Error(`search worker exited with code ${code} during run ${this.current}`));
        else resolve();
      });
      this.feed(resolve);
    });
  }

  /** Starts the next run, or ends the thread. */
  private feed(resolve: () => void): void {
    this.current = this.ledger.take();
    if (this.current === null) void this.w.terminate().then(() => resolve());
    else this.w.postMessage(this.current);
  }

  /** Ends the thread whatever it is doing (another worker failed). */
  async stop(): Promise<void> {
    this.current = null;
    await this.w.terminate();
  }

  /** Ends a run that can no longer matter (above the lowest violation). */
  cancelAbove(run: number): void {
    if (this.current !== null && this.current > run) {
      this.current = null;
      void this.w.terminate();
    }
  }
}
