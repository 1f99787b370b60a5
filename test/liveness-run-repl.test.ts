// --liveness on `run` and in the REPL (issue 16): a walk stabilized at --gst is checked with
// L1-L3 and saved with its GST; the REPL's `stabilize` makes the cursor GST, `run` then takes the
// stabilized scheduler's steps, and a saved session replays with its liveness check. A liveness
// counterexample's trace marks the cycle of states after GST (the lasso), and replay reports it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../sim/cli.ts';
import { findLasso } from '../sim/lasso.ts';
import { replay } from '../sim/replay.ts';
import { loadTrace, TraceError } from '../sim/trace-file.ts';
import { validateTrace } from '../sim/trace-validate.ts';
import { buildView } from '../sim/view/model.ts';
import { runRepl } from './repl/run-repl.ts';

const tmp = mkdtempSync(join(tmpdir(), 'pbft-liveness-run-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = main(argv, (s) => (out += s), (s) => (err += s)) as number;
  return { code, out, err };
}

// prepare-quorum-all asks for all 3f backups' prepares: with a silent replica nothing prepares.
const STALL = ['--mutant', 'prepare-quorum-all', '--faulty', '3', '--seed', 's1'];

describe('run --liveness', () => {
  it('finds a stall of a variant, reports it with GST and what each replica waits for, and saves a trace that replays it', () => {
    const file = join(tmp, 'stall.json');
    const r = cli('run', '--liveness', '--steps', '200', ...STALL, '--trace', file);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/liveness\s+L1-L3 from GST 200 on; deadlines B = \d+/);
    expect(r.out).toMatch(/violation of L1 .*\n(.*\n)*  GST 200\n(.*\n)*  r0 \(view \d+\) has 2 of the 3 prepares/);
    const t = loadTrace(file);
    expect(t.stabilized?.gst).toBe(200);
    expect(t.checks?.liveness).toBe(true);
    const again = replay(t, { check: false, verbose: false }, () => {});
    expect(again.reproduced).toBe(true);
    expect(again.violation?.id).toBe('L1');
  });

  it('holds on the correct model under the swarm, stabilized at --gst, and says how close the run came to each deadline', () => {
    const r = cli('run', '--liveness', '--gst', '300', '--steps', '1500', '--strategy', 'swarm', '--seed', 's2', '--check');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/L1-L3 from GST 300 on; deadlines B = \d+, B' = \d+, B'' = \d+; longest open \d+, \d+, \d+/);
    expect(r.out).toMatch(/liveness violations\s+none/);
    const json = JSON.parse(cli('run', '--liveness', '--gst', '300', '--steps', '1500', '--seed', 's2', '--json').out);
    expect(json.liveness.gst).toBe(300);
    expect(json.liveness.violation).toBeNull();
    expect(json.liveness.worst.L1).toBeLessThanOrEqual(json.liveness.bounds.L1);
  });

  it('L2 fails at once when a view change cannot complete with a correct primary, and not on the correct model', () => {
    // new-view-quorum-all: a new-view needs all 3f + 1 view-changes; the silent primary r0 withholds its own.
    const stall = cli('run', '--liveness', '--steps', '100', '--seed', 's1', '--faulty', '0', '--mutant', 'new-view-quorum-all');
    expect(stall.code).toBe(1);
    expect(stall.out).toMatch(/violation of L2 .*\n(?:.*\n)*.*the view change to view (\d+) cannot complete: the correct replicas are all in view \1, its primary r\d is correct and has all their view-changes/);
    expect(stall.out).toMatch(/lacks the new-view of primary r\d \(3 of the 4 view-changes/);
    const live = cli('run', '--liveness', '--steps', '100', '--seed', 's1', '--faulty', '0');
    expect(live.code).toBe(0);
    expect(live.out).toMatch(/liveness violations\s+none/);
  });

  it('refuses --gst without --liveness and after --steps', () => {
    expect(cli('run', '--gst', '5').err).toMatch(/--gst needs --liveness/);
    const late = cli('run', '--liveness', '--steps', '10', '--gst', '11');
    expect(late.code).toBe(2);
    expect(late.err).toMatch(/--gst must be at most --steps \(10\), got 11/);
  });
});

describe('the REPL with --liveness', () => {
  it('stabilize makes the cursor GST; run then takes the stabilized steps up to the stall; save and load keep GST', async () => {
    const file = join(tmp, 'repl.json');
    const r = await runRepl(['--liveness', ...STALL], `run 200\nstabilize\nrun 300\nliveness\nsave ${file}\nexit\n`);
    expect(r.out).toMatch(/stabilized at step 200 \(GST\): L1-L3 are checked from here with B = \d+/);
    expect(r.out).toMatch(/!! violation of L1 /);
    expect(r.out).toMatch(/stopped at a violation/);
    expect(r.out).toMatch(/GST step 200, now at step \d+; deadlines/);
    expect(r.out).toMatch(/violated: L1 at step \d+/);
    const t = loadTrace(file);
    expect(t.stabilized?.gst).toBe(200);
    expect(replay(t, { check: false, verbose: false }, () => {}).reproduced).toBe(true);
    const loaded = await runRepl([], `load ${file}\ngoto ${t.actions.length}\nliveness\nexit\n`);
    expect(loaded.out).toMatch(/stabilized at step 200 \(GST\)/);
    expect(loaded.out).toMatch(/violations up to here: L1 at step/);
  });

  it('--gst K stabilizes when the walk reaches K; a deadline given to stabilize is the one checked; stabilize off ends it', async () => {
    const r = await runRepl(['--liveness', '--gst', '40', '--seed', 'q'], 'run 40\nliveness\nrun 500\nexit\n');
    expect(r.out).toMatch(/GST is step 40; now at step 40, before it|GST step 40, now at step 40/);
    const tight = await runRepl(['--seed', 'q'], 'run 50\nstabilize L1=30\nrun 300\nstabilize off\nliveness\nexit\n');
    expect(tight.out).toMatch(/has had no reply for 31 steps \(B = 30\)/);
    expect(tight.out).toMatch(/the liveness check is off/);
    const bad = await runRepl([], 'stabilize L1=x\nexit\n');
    expect(bad.out).toMatch(/error: stabilize must be a list like L1=2000/);
  });
});

describe('the lasso of a liveness counterexample', () => {
  it('is the earliest return to a state since GST, from the fingerprints', () => {
    const config = loadTrace('traces/regression/f-plus-1-agreement.json').config;
    expect(findLasso(config, ['a', 'b', 'c', 'b', 'a'], 1)).toEqual({ from: 2, to: 3 });
    expect(findLasso(config, ['a', 'b', 'c', 'b', 'a'], 2)).toEqual({ from: 2, to: 3 });
    expect(findLasso(config, ['a', 'b', 'c', 'd'], 1)).toBeNull();
    // a step that changes nothing is a cycle of one step
    expect(findLasso(config, ['a', 'b', 'b'], 1)).toEqual({ from: 2, to: 2 });
  });

  it('is recorded with a stall found by run --liveness, replayed with the report, and validated', () => {
    const file = join(tmp, 'lasso.json');
    const r = cli('run', '--liveness', '--steps', '200', '--mutant', 'prepare-quorum-all', '--faulty', '3', '--seed', 's2', '--trace', file);
    expect(r.code).toBe(1);
    const t = loadTrace(file);
    expect(t.lasso).toBeDefined();
    const { from, to } = t.lasso!;
    expect(from).toBeGreaterThanOrEqual(t.stabilized!.gst);
    expect(t.fingerprints![to]).toBe(t.fingerprints![from - 1]);
    const again = replay(t, { check: false, verbose: false }, () => {});
    expect(again.violation?.report).toContain(`lasso: steps ${from}..${to} lead from the state before step ${from} back to it`);
    const view = buildView(t, { path: file, chain: undefined });
    expect(view.notes).toContain(`Steps ${from}..${to} are a cycle: they lead from the state before step ${from} back to it (a lasso; both ends are marked).`);
    expect(view.violation!.steps).toEqual(expect.arrayContaining([from, to]));
    expect(() => validateTrace({ ...t, lasso: { from: to, to: from - 1 } }, 'x.json')).toThrow(TraceError);
    expect(() => validateTrace({ ...t, lasso: { from, to: t.actions.length } }, 'x.json')).toThrow(/field 'lasso.to'/);
  });
});
