// The reach of a search's runs (issue 13): of the runs that ended without a violation, how many
// still made progress in their second half, in how many a correct replica adopted a state through
// update-state-nv (Fig 2-9), and how high the views went. Plain data, summed over workers and
// shards (views as a histogram so that shards merge into the same median). The histogram's keys
// are view numbers, which a JavaScript object keeps in increasing numeric order.

/** One run's reach (sim/stats.ts). */
export interface RunReach {
  alive: boolean;
  adopted: boolean;
  /** The highest view of a correct replica at the end. */
  view: number;
}

export interface ReachTotals {
  runs: number;
  alive: number;
  adopted: number;
  /** Runs by their highest view. */
  views: Record<string, number>;
}

export const noReach = (): ReachTotals => ({ runs: 0, alive: 0, adopted: 0, views: {} });

/** Adds one run to the totals (in place). */
export function addReach(t: ReachTotals, r: RunReach): void {
  t.runs++;
  if (r.alive) t.alive++;
  if (r.adopted) t.adopted++;
  t.views[r.view] = (t.views[r.view] ?? 0) + 1;
}

/** The sum of two totals. */
export function mergeReach(a: ReachTotals, b: ReachTotals): ReachTotals {
  const views: Record<string, number> = { ...a.views };
  for (const [v, n] of Object.entries(b.views)) views[v] = (views[v] ?? 0) + n;
  return { runs: a.runs + b.runs, alive: a.alive + b.alive, adopted: a.adopted + b.adopted, views };
}

/** The median highest view (the lower middle for an even count), or null without runs. */
export function medianView(t: ReachTotals): number | null {
  if (t.runs === 0) return null;
  let below = 0;
  const middle = Math.floor((t.runs - 1) / 2);
  for (const [v, n] of Object.entries(t.views)) {
    below += n;
    if (below > middle) return Number(v);
  }
  return null;
}

/** One line: `reach: N of K runs progress in their second half; state adopted in M; views reached median V`. */
export function formatReach(t: ReachTotals): string {
  if (t.runs === 0) return 'reach: no run ended without a violation';
  return `reach: ${t.alive} of ${t.runs} runs progress in their second half; state adopted in ${t.adopted}; views reached median ${medianView(t)}`;
}

/** Whether a value read from a result file is a ReachTotals. */
export function isReachTotals(x: unknown): x is ReachTotals {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  const nat = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  if (!nat(r.runs) || !nat(r.alive) || !nat(r.adopted) || typeof r.views !== 'object' || r.views === null || Array.isArray(r.views)) return false;
  return Object.entries(r.views as Record<string, unknown>).every(([k, v]) => /^\d+$/.test(k) && nat(v));
}
