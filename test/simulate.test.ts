// pbft-check simulate and the minimizer.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../sim/cli.ts';
import { hunt } from '../sim/hunt.ts';
import { firstViolation, minimize } from '../sim/minimize.ts';
import { parseSearchArgs } from '../sim/search-options.ts';
import { loadTrace } from '../sim/trace-file.ts';

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}
const tmp = mkdtempSync(join(tmpdir(), 'pbft-simulate-'));

describe('the minimizer', () => {
  it('keeps the same violation at the last step of a much shorter, replayable trace', () => {
    const r = hunt({ strategy: 'equivocating-primary', faults: 2, steps: 3000, seedPrefix: 'min-', maxSeeds: 100 });
    const t = r.found!.trace;
    const m = minimize(t, { checks: { invariants: [], chain: false } });
    expect(m.violation.id).toBe(r.found!.id);
    expect(m.trace.actions.length).toBeLessThan(t.actions.length / 4);
    expect(firstViolation(m.trace, m.trace.actions, { invariants: [], chain: false })).toMatchObject({ id: r.found!.id, step: m.trace.actions.length - 1 });
    // One action less anywhere loses the violation or the replay (no single action can go).
    for (let k = 0; k < m.trace.actions.length - 1; k++) {
      const cand = m.trace.actions.filter((_, i) => i !== k);
      const v = firstViolation(m.trace, cand, { invariants: [], chain: false });
      expect(v === null || v === 'invalid' || v.id !== m.violation.id || v.step !== cand.length - 1, `action ${k} could go`).toBe(true);
    }
  }, 60_000);
});

describe('pbft-check simulate', () => {
  it('finds, minimizes and writes a counterexample with f + 1 Byzantine replicas (exit 1), which replay reproduces', async () => {
    const p = join(tmp, 'cx.json');
    const r = await cli('simulate', '--strategy', 'equivocating-primary', '--faults', '2', '--out', p, '--json', '--workers', '1');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.violation.id).toBe('AGREEMENT');
    expect(j.violation.minimizedLength).toBeLessThan(j.violation.foundLength);
    const t = loadTrace(p);
    expect(t.violation).toMatchObject({ id: 'AGREEMENT', step: t.actions.length - 1 });
    expect(t.checks).toEqual({ chain: true });
    expect(j.violation).toMatchObject({ shrinkMs: 0 });
    const rep = await cli('replay', p, '--quiet');
    expect(rep.code).toBe(1);
    expect(rep.out).toMatch(/: reproduced\n\s+checked\s+invariants all, chain on, as the file records/);
  }, 60_000);

  it('--time-limit alone runs until the time is up, not to the default 100 runs; with --runs, whichever comes first', async () => {
    // Runs of one step take well under 10 ms each: in 1 s far more than 100.
    const j = JSON.parse((await cli('simulate', '--time-limit', '1', '--steps', '1', '--no-chain', '--workers', '1', '--json')).out);
    expect(j.runsRequested).toBeNull();
    expect(j.runs).toBeGreaterThan(100);
    expect(j.seconds).toBeGreaterThanOrEqual(1);
    const both = JSON.parse((await cli('simulate', '--time-limit', '5', '--runs', '3', '--steps', '1', '--no-chain', '--workers', '1', '--json')).out);
    expect([both.runs, both.runsRequested]).toEqual([3, 3]);
  });

  it('the limits: 100 runs within 60 s by default, --time-limit alone lifts the runs, --runs alone keeps the 60 s', () => {
    const limits = (...args: string[]) => parseSearchArgs('simulate', args).limits;
    expect(limits()).toMatchObject({ runs: 100, timeLimit: 60 });
    expect(limits('--time-limit', '2')).toMatchObject({ runs: Infinity, timeLimit: 2 });
    expect(limits('--time-limit', '2', '--runs', '7')).toMatchObject({ runs: 7, timeLimit: 2 });
    expect(limits('--runs', '7')).toMatchObject({ runs: 7, timeLimit: 60 });
    // search: as many runs as the time limit allows; --runs alone, no time limit.
    expect(parseSearchArgs('search', ['--time-limit', '2']).limits).toMatchObject({ runs: Infinity, timeLimit: 2 });
    expect(parseSearchArgs('search', ['--runs', '7']).limits.timeLimit).toBeUndefined();
  });

  it('a trace records the checks (chain on by default; --no-chain off; --invariants)', async () => {
    const p = join(tmp, 'checks.json');
    expect((await cli('simulate', '--strategy', 'equivocating-primary', '--faults', '2', '--out', p, '--workers', '1', '--no-chain', '--invariants', 'A.2.3,A.2.4')).code).toBe(1);
    expect(loadTrace(p).checks).toEqual({ chain: false, invariants: ['A.2.3', 'A.2.4'] });
  }, 60_000);

  it('exit 0 when nothing is violated, with the result in two lines', async () => {
    const r = await cli('simulate', '--runs', '3', '--steps', '300', '--workers', '1');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^simulate: 3 runs, 900 steps in [\d.]+ s \([\d,]+ steps\/s\); A_gc, f = 1, 2 clients, swarm \(1 faulty\), chain on\n {2}no violation\n {2}reach: \d of 3 runs progress in their second half; state adopted in \d; views reached median \d+\n$/);
  });

  it.each([
    [['--runs', '0'], /--runs must be an integer >= 1/],
    [['--shrink-budget', '5'], /--shrink-budget is an option of search/],
    [['--strategy', 'nope'], /--strategy: no strategy 'nope'/],
    [['--variant', 'b'], /--variant must be 'a' or 'agc'/],
    [['--faults', '7'], /--faults must be at most 3f\+1 = 4/],
    [['--frob'], /Unknown option '--frob'/],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const r = await cli('simulate', ...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('--help describes the options', async () => {
    const r = await cli('simulate', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/--time-limit SEC/);
  });
});
