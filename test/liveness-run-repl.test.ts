// --liveness on `run` and in the REPL (issue 16): a walk stabilized at --gst is checked with
// L1-L3 and saved with its GST; the REPL's `stabilize` makes the cursor GST, `run` then takes the
// stabilized scheduler's steps, and a saved session replays with its liveness check.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../sim/cli.ts';
import { replay } from '../sim/replay.ts';
import { loadTrace } from '../sim/trace-file.ts';
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
