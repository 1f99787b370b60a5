// Distinct states per second of `pbft-check explore` on its default configuration (EXPLORE_DEFAULTS:
// f = 1, one client, one request, views 0 and 1, a reliable network), depth 10 with at most
// 200,000 states: the median of 3 runs after a short warm-up. CPU time is shown beside the wall
// time, since other work on the machine slows the wall clock.
import { explore } from '../sim/explore.ts';

const DEPTH = 10;
const MAX_STATES = 200_000;
const REPEATS = 3;

function once(maxDepth: number): { distinct: number; depth: number; seconds: number; cpu: number } {
  const c0 = process.cpuUsage();
  const r = explore({ config: {}, maxDepth, maxStates: MAX_STATES });
  const c = process.cpuUsage(c0);
  return { distinct: r.distinct, depth: r.depth, seconds: r.seconds, cpu: (c.user + c.system) / 1e6 };
}

export function benchExplore(): void {
  once(6); // warm-up
  const runs = Array.from({ length: REPEATS }, () => once(DEPTH)).sort((a, b) => a.seconds - b.seconds);
  const m = runs[Math.floor(REPEATS / 2)]!;
  const rate = (x: number) => Math.round(m.distinct / x).toLocaleString('en-US');
  console.log(
    `explore (f = 1, one client, one request): ${rate(m.seconds)} distinct states/s (depth ${m.depth}, ${m.distinct} states, ${m.seconds.toFixed(2)} s; ${rate(m.cpu)} per CPU-second; runs: ${runs.map((x) => x.seconds.toFixed(2)).join(', ')} s)`,
  );
}

if (process.argv[1] !== undefined && /bench[/\\]explore\.[jt]s$/.test(process.argv[1])) benchExplore();
