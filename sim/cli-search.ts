// pbft-check search and pbft-check simulate: the command-line side of the search driver. Both take
// the shared options (sim/search-options.ts); search generates schedules with fast-check and
// shrinks a failing one, simulate takes seeded random walks. A violation (of the lowest run index)
// is then minimized (sim/minimize.ts) and written as a trace file that `pbft-check replay` runs.
import { minimize } from './minimize.ts';
import { minimizeLiveness } from './minimize-liveness.ts';
import { isLivenessId } from '../invariants/liveness.ts';
import { planOf } from './search.ts';
import { ProgressReporter } from './progress.ts';
import { runSearch, type SearchMode } from './search-driver.ts';
import { parseSearchArgs, sharedOptionsHelp } from './search-options.ts';
import { searchResult, type ResultViolation, type SearchResult } from './search-result.ts';
import { traceText } from './trace-file.ts';
import { exitAfterWrite, OutputFile } from './output.ts';
import { formatReach } from './search-reach.ts';

export const SEARCH_HELP = `Usage: pbft-check search [options]

Property-based safety search (fast-check). Each run is a schedule that fast-check generates: a
strategy plan and one choice per step among the enabled actions and adversary moves. Every
invariant of Appendix A, the end-to-end property, agreement and (with the chain) the relations
H, G and F are checked after every step. On a violation fast-check shrinks the schedule, then the
trace is minimized further (whole nodes' activity, chunks, single actions, while the same
violation still ends it) and written to --out. With no options it searches A_gc, f = 1,
2 clients, under the swarm of strategies, with the chain on, for 30 seconds on all cores.
The trace records the checks it was found with (the chain, --invariants, --relations), which
'pbft-check replay' applies. The result says when the violation was found (seconds into the
search) and how long shrinking and minimizing took.

Options:
${sharedOptionsHelp('search')}
  --shrink-budget N      property evaluations fast-check may spend shrinking [200]

Exit codes: 0 nothing violated; 1 a violation found (and written); 2 usage or input error.
`;

export const SIMULATE_HELP = `Usage: pbft-check simulate [options]

Seeded random walks (run k is the walk seeded S-k) under an attack strategy, with everything
checked after every step as in search, but no shrinking: for speed and depth. A violation is
minimized and written to --out with the checks it was found with, which 'pbft-check replay'
applies; the result says when it was found and how long minimizing took. --time-limit alone
runs until the time is up; with --runs too, whichever comes first.

Options:
${sharedOptionsHelp('simulate')}

Exit codes: 0 nothing violated; 1 a violation found (and written); 2 usage or input error.
`;

function describeSearch(r: SearchResult): string {
  const s = r.search;
  const c = s.config;
  const faulty = s.faultyReplicas !== null ? `replicas ${s.faultyReplicas.join(',')} faulty` : `${s.faults ?? c.f} faulty`;
  return `${c.variant === 'Agc' ? 'A_gc' : 'A'}, f = ${c.f}, ${c.clients} clients, ${s.strategy} (${faulty}), chain ${s.checks.chain ? 'on' : 'off'}${s.checks.liveness === undefined ? '' : ', liveness on'}`;
}

export function formatResult(r: SearchResult): string {
  const rate = r.stepsPerSecond.toLocaleString('en-US');
  const head = `${r.mode}: ${r.runs} runs, ${r.steps.toLocaleString('en-US')} steps in ${r.seconds.toFixed(1)} s (${rate} steps/s); ${describeSearch(r)}`;
  const v = r.violation;
  const reach = r.reach === undefined ? '' : `  ${formatReach(r.reach)}\n`;
  if (v === null) return `${head}\n  no violation\n${reach}`;
  const shrunk = r.mode === 'search' ? `fast-check shrank it from ${v.foundLength} to ${v.shrunkLength} steps (${v.shrinks} shrinks); ` : '';
  return [
    head,
    `  violation of ${v.id} in run ${v.run} (${v.plan}): ${v.message}`,
    ...(timing(r.mode, v) === null ? [] : [`  ${timing(r.mode, v)}`]),
    `  ${shrunk}minimized to ${v.minimizedLength} actions; written to ${v.trace}`,
    `  replay it with: pbft-check replay ${v.trace}`,
    `  view it with: pbft-check view ${v.trace}`,
  ].join('\n') + '\n' + reach;
}

/** 'found after 0.8 s; shrinking 1.2 s, minimizing 0.3 s' (simulate does not shrink), or null for a result without the times. */
function timing(mode: SearchResult['mode'], v: ResultViolation): string | null {
  if (v.foundAfterMs === undefined || v.shrinkMs === undefined || v.minimizeMs === undefined) return null;
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return `found after ${s(v.foundAfterMs)}; ${mode === 'search' ? `shrinking ${s(v.shrinkMs)}, ` : ''}minimizing ${s(v.minimizeMs)}`;
}

export async function searchCommand(mode: SearchMode, args: string[], out: (s: string) => void, err: (s: string) => void, tty: boolean): Promise<number> {
  const c = parseSearchArgs(mode, args);
  if (c.help) {
    out(mode === 'search' ? SEARCH_HELP : SIMULATE_HELP);
    return 0;
  }
  const file = OutputFile.check(c.out, '--out');
  const progress = new ProgressReporter(mode, err, tty && !c.json);
  const o = await runSearch(mode, c.spec, c.limits, (p) => progress.update(p));
  progress.done();
  let violation: ResultViolation | null = null;
  let writeFailed: string | null = null;
  if (o.finding !== null) {
    const f = o.finding;
    const t0 = performance.now();
    // A liveness violation's stabilized part follows from its prefix: only the prefix is shortened.
    const m = isLivenessId(f.id) ? minimizeLiveness(f.trace, { checks: c.spec.checks, plan: planOf(c.spec, f.planSeed), seed: f.planSeed }) : minimize(f.trace, { checks: c.spec.checks });
    const minimizeMs = Math.round(performance.now() - t0);
    writeFailed = file.write(traceText(m.trace));
    const v = m.violation;
    violation = {
      run: f.run,
      id: v.id,
      step: v.step,
      message: v.message,
      plan: f.plan,
      foundLength: f.generatedLength,
      shrunkLength: f.shrunkLength,
      shrinks: f.shrinks,
      minimizedLength: m.trace.actions.length,
      trace: c.out,
      foundAfterMs: Math.round((o.foundAfterSeconds ?? 0) * 1000),
      shrinkMs: Math.round(f.shrinkSeconds * 1000),
      minimizeMs,
    };
  }
  const r = searchResult(mode, c.spec, c.limits, o, violation);
  out(c.json ? JSON.stringify(r, null, 2) + '\n' : formatResult(r));
  return exitAfterWrite(writeFailed, err, violation === null ? 0 : 1);
}
