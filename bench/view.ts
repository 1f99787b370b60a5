// npm run bench:view: the trace viewer on a 5,000-step trace (A_gc, the default configuration
// under a swarm plan, the chain on), in headless Chromium (Debian's, through playwright-core, as
// the browser tests drive it). Figures: the time to build the page and its size; the time from
// opening it to the first paint of the chart (median of 3 loads); the work per step while
// stepping with the keyboard (200 steps) and for a jump to the end. Targets (issue 15): first
// paint under 2 s, the page at most 5 MB, stepping responsive.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRandom } from '../sim/scheduler.ts';
import { planFor, planRunOptions } from '../sim/strategies.ts';
import { traceJson } from '../sim/trace-file.ts';
import { buildView } from '../sim/view/model.ts';
import { renderPage } from '../sim/view/page.ts';
import { launchChromium } from '../test/browser/chromium.ts';

const STEPS = 5_000;
const LOADS = 3;
const STEPPING = 200;

// The page scripts are strings: tsx rewrites functions (for their names) in ways a page cannot run.
const AFTER_NEXT_FRAME = 'new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now()))))';
/** The time from a key's dispatch (the selection runs synchronously) to the next frame. */
const KEY_TO_FRAME = `(key) => new Promise((done) => {
  const t = performance.now();
  document.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
  requestAnimationFrame(() => done(performance.now() - t));
})`;
/** Home, then n presses of the right arrow, each timed to its next frame. */
const STEP_TIMES = `async (n) => {
  await (${KEY_TO_FRAME})('Home');
  const times = [];
  for (let k = 0; k < n; k++) times.push(await (${KEY_TO_FRAME})('ArrowRight'));
  return times;
}`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(1)} ms`;

const seed = 'bench-view';
const plan = planFor('swarm', seed, { f: 1, n: 4, clients: 2 });
const run = runRandom({ seed, steps: STEPS, ...planRunOptions(plan, { variant: 'Agc' }) });
const trace = traceJson(run.universe, run.trace, { seed, checks: { chain: true } });
const t0 = performance.now();
const data = buildView(trace, { path: 'bench.json' });
const html = renderPage(data);
const buildMs = performance.now() - t0;
const dir = mkdtempSync(join(tmpdir(), 'pbft-bench-view-'));
const file = join(dir, 'bench.html');
writeFileSync(file, html);
const mb = Buffer.byteLength(html) / 1e6;

const browser = await launchChromium();
try {
  const paints: number[] = [];
  let page = null;
  for (let k = 0; k < LOADS; k++) {
    await page?.close();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`file://${file}`);
    await page.waitForSelector('body[data-ready="true"]');
    // The chart is painted in the frame after the script ran: measured from the navigation's start.
    paints.push(await page.evaluate<number>(AFTER_NEXT_FRAME));
  }
  const stepping = await page!.evaluate<number[]>(`(${STEP_TIMES})(${STEPPING})`);
  const jump = await page!.evaluate<number>(`(${KEY_TO_FRAME})('End')`);
  const selected = await page!.getAttribute('body', 'data-selected');
  if (selected !== String(data.steps.length - 1)) throw new Error(`End selected step ${selected}, not the last`);
  stepping.sort((a, b) => a - b);
  console.log(`trace viewer, ${data.steps.length}-step trace (A_gc, swarm ${plan.picked.join(' + ')}, chain on; node ${process.version})`);
  console.log(`  page built in ${ms(buildMs)}; ${mb.toFixed(2)} MB (${data.messages.length} messages, ${data.keys.length} state entries)  [target: at most 5 MB]`);
  console.log(`  first paint of the chart: ${ms(median(paints))} after navigation (median of ${LOADS}: ${paints.map(ms).join(', ')})  [target: under 2 s]`);
  console.log(`  stepping (${STEPPING} key presses, to the next frame): median ${ms(median(stepping))}, 95th percentile ${ms(stepping[Math.floor(stepping.length * 0.95)]!)}, max ${ms(stepping.at(-1)!)}`);
  console.log(`  jump to the last step (End): ${ms(jump)}`);
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
