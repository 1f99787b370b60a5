// The command-line tool end to end, through main() with captured output.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../sim/cli.ts';

function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = main(argv, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}

describe('pbft-check', () => {
  it('--help lists the commands; run --help lists the options', () => {
    expect(cli('--help').out).toMatch(/Commands:\n\s+search/);
    const help = cli('run', '--help');
    expect(help.code).toBe(0);
    for (const opt of ['--variant', '--steps', '--seed', '--f', '--clients', '--service', '--faulty', '--json']) expect(help.out).toContain(opt);
  });

  it('run prints a summary of the default configuration', () => {
    const r = cli('run', '--steps', '3000');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/A_gc .* f = 1 \(4 replicas\), 2 clients, log service/);
    expect(r.out).toMatch(/steps\s+3000/);
    expect(r.out).toMatch(/requests completed\s+\d+/);
    expect(r.out).toMatch(/checkpoints made stable\s+\d+/);
  });

  it('run --json is parseable and deterministic', () => {
    const a = JSON.parse(cli('run', '--variant', 'a', '--steps', '1500', '--seed', '9', '--json').out);
    const b = JSON.parse(cli('run', '--variant', 'a', '--steps', '1500', '--seed', '9', '--json').out);
    expect(a.variant).toBe('A');
    expect(a.steps).toBe(1500);
    const strip = (x: Record<string, unknown>) => ({ ...x, seconds: 0, stepsPerSecond: 0 });
    expect(strip(b)).toEqual(strip(a));
  });

  it('run --trace writes the executed actions', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pbft-')), 'trace.json');
    expect(cli('run', '--steps', '200', '--faulty', '3', '--trace', file).code).toBe(0);
    const t = JSON.parse(readFileSync(file, 'utf8'));
    expect(t.format).toBe('pbft-check-trace');
    expect(t.actions).toHaveLength(200);
    expect(t.actions[0]).toEqual({ kind: 'REPLICA-FAILURE', i: 3 });
  });

  it('run --check evaluates the invariants and reports none on a correct run (exit 0)', () => {
    const r = cli('run', '--check', '--steps', '400');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/invariants checked\s+3 conjuncts, the end-to-end property and agreement, every 1 step/);
    expect(r.out).toMatch(/violations\s+none/);
    const a = JSON.parse(cli('run', '--variant', 'a', '--invariants', 'A.1.2,A.1.11', '--every', '5', '--steps', '300', '--json').out);
    expect(a.check.invariants).toEqual([...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((k) => `A.1.2(${k})`), 'A.1.11']);
    expect(a.check.every).toBe(5);
    expect(a.check.violation).toBeNull();
  });

  it('run --check stops at a violation with a report, and exits 1 (erratum E3, literal)', () => {
    const r = cli('run', '--check', '--literal-errata', 'E3', '--seed', '36', '--steps', '3000');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/steps\s+493\n/);
    expect(r.out).toMatch(/violation of A\.2\.3\(1\)/);
    expect(r.out).toMatch(/at step 492: EXECUTE\(⟨REQUEST,a,3,c1⟩σc1, 0, 6\)_r1/);
    expect(r.out).toMatch(/replicas: r1\n\s+view: 1\n\s+sequence number: 6/);
  });

  it('run --chain drives S′ and S through G and F; a literal G fails at the start (E8, exit 1)', () => {
    const ok = cli('run', '--variant', 'a', '--chain', '--steps', '600');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/simulations checked\s+G \(A to S′\), F \(S′ to S\); \d+ abstract steps\n\s+simulation failures\s+none/);
    const bad = cli('run', '--variant', 'a', '--chain', '--literal-errata', 'E8', '--steps', '600');
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/simulation failure: G\(4\) does not hold\n\s+at the start states/);
  });

  it('run --chain on A_gc checks H, G and F and A\'s invariants on the copy; a literal H fails (E12, exit 1)', () => {
    const ok = cli('run', '--chain', '--steps', '600');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/simulations checked\s+H \(A_gc to A, with A's invariants on the copy\), G \(A to S′\), F \(S′ to S\); \d+ abstract steps\n\s+simulation failures\s+none/);
    const bad = cli('run', '--relations', 'H(1)', '--faulty', '3', '--literal-errata', 'E12', '--steps', '600');
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/simulation failure: H\(1\) does not hold/);
    // Only the selected clauses are reported: the same run checking H(2) alone passes.
    expect(cli('run', '--relations', 'H(2)', '--faulty', '3', '--literal-errata', 'E12', '--steps', '600').code).toBe(0);
  });

  it('run --strategy says what it picked and makes the named nodes faulty; --coverage reports actions, branches and milestones', () => {
    const r = cli('run', '--strategy', 'equivocating-primary', '--steps', '800', '--check', '--coverage');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\n  strategy equivocating-primary; faulty replicas 0; faulty clients none\n/);
    expect(r.out).toMatch(/coverage of 800 steps/);
    expect(r.out).toMatch(/milestones\n/);
    const j = JSON.parse(cli('run', '--strategy', 'swarm', '--seed', '3', '--steps', '300', '--coverage', '--json').out);
    expect(j.strategy).toMatch(/^strategy \S+ \+ \S+/);
    expect(j.coverage.steps).toBe(300);
    expect(Object.keys(j.coverage.milestones)).toContain('Byzantine messages accepted by correct replicas');
    // --faulty overrides the strategy's choice; --fail-at delays the failure.
    expect(JSON.parse(cli('run', '--strategy', 'random', '--faults', '2', '--steps', '100', '--json').out).strategy).toMatch(/faulty replicas \d,\d;/);
    for (const faulty of ['1', '2']) {
      const late = JSON.parse(cli('run', '--strategy', 'random', '--faulty', faulty, '--fail-at', '100', '--steps', '300', '--json').out);
      expect(late.strategy).toMatch(new RegExp(`faulty replicas ${faulty}; .*failing at step 100`));
    }
  });

  it.each([
    [['run', '--strategy', 'nope'], /--strategy: no strategy 'nope'/],
    [['run', '--fail-at', 'soon'], /--fail-at must be an integer/],
    [['run', '--faults', '2'], /--faults needs --strategy/],
    [['run', '--strategy', 'random', '--faults', '9'], /--faults must be at most 3f\+1 = 4/],
    [['run', '--relations', 'H(8)'], /'H\(8\)' is not a relation/],
    [['run', '--variant', 'a', '--relations', 'H'], /relation H is not in the chain of variant a/],
    [['run', '--relations', ''], /--relations needs at least one relation/],
    [['run', '--variant', 'b'], /--variant must be 'a' or 'agc'/],
    [['run', '--steps', 'ten'], /--steps must be an integer/],
    [['run', '--f', '0'], /--f must be >= 1/],
    [['run', '--faulty', '9'], /faulty replica 9 is not in 0..3/],
    [['run', '--chkpt-int', '8'], /chkptInt \(8\) must be < L \(8\)/],
    [['run', '--bogus'], /Unknown option '--bogus'/],
    [['run', '--ops', 'inc,,read'], /--ops must be a comma-separated list/],
    [['run', '--invariants', 'A.9.9'], /no invariant matches 'A\.9\.9'/],
    [['run', '--check', '--every', '0'], /--every must be >= 1/],
    [['run', '--literal-errata', 'E99'], /no erratum 'E99'/],
    [['run', '--literal-errata', 'E24'], /E24 has no corrected form/],
    [['frobnicate'], /^pbft-check: unknown command 'frobnicate' \(see pbft-check --help\)$/],
    [['run', '--steps', '99999999999999999999'], /^pbft-check: --steps must be at most 2,000,000, got '99999999999999999999': a run keeps every step/],
    [['run', '--f', '-1'], /^pbft-check: --f must not be negative, got '-1'$/],
    [['explore', '--depth', '-2'], /^pbft-check: --depth must not be negative, got '-2'$/],
    [['run', '--seed'], /^pbft-check: Option '--seed <value>' argument missing$/],
    [['replay'], /^pbft-check: replay needs exactly one trace file, got 0 \(see pbft-check replay --help\)$/],
  ])('%j is a usage error (exit 2) in one line', (argv, message) => {
    const r = cli(...argv);
    expect(r.code).toBe(2);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err.trimEnd()).toMatch(message);
    expect(r.out).toBe('');
  });

  it('--help gives the table of exit codes', () => {
    expect(cli('--help').out).toMatch(/Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 (.*\n)+ {2}3 {2}replay: the file does not replay as recorded/);
  });
});
