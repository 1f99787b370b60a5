// Fingerprints updated by what a step changed, trace files of version 1, and pbft-check replay.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateHasher, stateHash } from '../automata/state-hash.ts';
import { main } from '../sim/cli.ts';
import { ITF_VARS } from '../sim/itf.ts';
import { walkRun } from '../sim/hunt.ts';
import { replay } from '../sim/replay.ts';
import { parseSearchArgs } from '../sim/search-options.ts';
import { runRandom } from '../sim/scheduler.ts';
import { planFor, planRunOptions, STRATEGY_NAMES } from '../sim/strategies.ts';
import { loadTrace, traceJson, type TraceFile } from '../sim/trace-file.ts';

function run(seed: string, steps: number, strategy = 'swarm', variant: 'A' | 'Agc' = 'Agc') {
  const plan = planFor(strategy, seed, { f: 1, n: 4, clients: 2 });
  return runRandom({ seed, steps, ...planRunOptions(plan, { variant }) });
}

function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = main(argv, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}

const tmp = mkdtempSync(join(tmpdir(), 'pbft-replay-'));
function write(name: string, t: unknown): string {
  const p = join(tmp, name);
  writeFileSync(p, typeof t === 'string' ? t : JSON.stringify(t));
  return p;
}

describe('the incremental state fingerprint', () => {
  it('equals the fingerprint computed from scratch along random runs with Byzantine nodes', () => {
    let compared = 0;
    for (const seed of ['h1', 'h2', 'h3']) {
      let h!: StateHasher;
      const plan = planFor('swarm', seed, { f: 1, n: 4, clients: 2 });
      runRandom({
        seed,
        steps: 1500,
        ...planRunOptions(plan, { variant: 'Agc' }),
        onStart: (u, s) => {
          h = new StateHasher(u).reset(s);
          (h as unknown as { u0: unknown }).u0 = u;
        },
        beforeStep: (_k, a, s) => h.before(s, a),
        onStep: (k, a, s) => {
          h.after(s, a);
          if (k % 50 === 0) {
            expect(h.value).toBe(stateHash((h as unknown as { u0: never }).u0, s));
            compared++;
          }
        },
      });
    }
    expect(compared).toBe(90);
  });

  it('is the same for the same run in two universes, and differs between states', () => {
    const a = run('twice', 800);
    const b = run('twice', 800);
    expect(stateHash(a.universe, a.state)).toBe(stateHash(b.universe, b.state));
    expect(stateHash(a.universe, a.state)).not.toBe(stateHash(run('other', 800).universe, run('other', 800).state));
    expect(stateHash(a.universe, a.state)).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('record, then replay', () => {
  it('replays identically, every fingerprint matching, for 500 seeds (every strategy, A and A_gc)', () => {
    for (let k = 0; k < 500; k++) {
      const r = run(`rec-${k}`, 200, STRATEGY_NAMES[k % STRATEGY_NAMES.length], k % 2 === 0 ? 'Agc' : 'A');
      const t = traceJson(r.universe, r.trace, { seed: `rec-${k}` });
      expect(t.fingerprints!.length).toBe(r.trace.length);
      expect(t.fingerprints!.at(-1)).toBe(stateHash(r.universe, r.state));
      const res = replay(JSON.parse(JSON.stringify(t)) as TraceFile, { check: false, chain: false, verbose: false }, () => {});
      expect([res.steps, res.mismatch, res.fingerprintsChecked]).toEqual([r.trace.length, null, r.trace.length]);
    }
  });

  it('reports the first step whose fingerprint differs', () => {
    const r = run('mismatch', 300);
    const t = traceJson(r.universe, r.trace);
    t.fingerprints![120] = '0000000000000000';
    const res = replay(t, { check: false, chain: false, verbose: false }, () => {});
    expect(res.mismatch).toMatchObject({ step: 120, expected: '0000000000000000' });
    expect(res.steps).toBe(121);
  });
});

describe('pbft-check replay', () => {
  it('exit 0 for a clean trace, one line per action, the result at the end', () => {
    const r = run('cli', 200);
    const p = write('clean.json', traceJson(r.universe, r.trace));
    const out = cli('replay', p, '--check');
    expect(out.code).toBe(0);
    expect(out.out.split('\n').filter((l) => /^\s+\d+ {2}\S/.test(l)).length).toBe(200);
    expect(out.out).toMatch(/fingerprints\s+200 checked, all match\n\s+violation\s+none/);
  });

  it('exit 1 at the recorded violation, and says it is reproduced (an erratum trace run by `run --trace`)', () => {
    const p = join(tmp, 'e3.json');
    expect(cli('run', '--check', '--literal-errata', 'E3', '--seed', '36', '--steps', '3000', '--trace', p).code).toBe(1);
    expect(loadTrace(p).violation).toMatchObject({ id: 'A.2.3(1)', step: 492 });
    const out = cli('replay', p, '--quiet');
    expect(out.code).toBe(1);
    expect(out.out).toMatch(/violation\s+A\.2\.3\(1\) at step 492/);
    expect(out.out).toMatch(/recorded\s+A\.2\.3\(1\) at step 492: reproduced/);
    const j = JSON.parse(cli('replay', p, '--json').out);
    expect([j.reproduced, j.steps, j.violation.id]).toEqual([true, 493, 'A.2.3(1)']);
    // `run --trace` records its checks too; a recorded selection without A.2.3 does not see it, --check does.
    expect(loadTrace(p).checks).toEqual({ chain: false });
    const only = write('e3-only-a24.json', { ...loadTrace(p), checks: { chain: false, invariants: ['A.2.4'] } });
    expect(cli('replay', only, '--quiet').code).toBe(3);
    expect(cli('replay', only, '--quiet').out).toMatch(/violation\s+none\n\s+recorded\s+A\.2\.3\(1\) at step 492: NOT reproduced\n\s+checked\s+invariants A\.2\.4, chain off, as the file records/);
    expect(cli('replay', only, '--quiet', '--check').code).toBe(1);
    const p2 = join(tmp, 'e3-a23.json');
    expect(cli('run', '--invariants', 'A.2.3', '--literal-errata', 'E3', '--seed', '36', '--steps', '3000', '--trace', p2).code).toBe(1);
    expect(loadTrace(p2).checks).toEqual({ chain: false, invariants: ['A.2.3(1)', 'A.2.3(2)'] });
    expect(cli('replay', p2, '--quiet').out).toMatch(/A\.2\.3\(1\) at step 492: reproduced\n\s+checked\s+invariants A\.2\.3\(1\),A\.2\.3\(2\), chain off, as the file records/);
  });

  it('exit 3 when a fingerprint differs from the file\'s: the file does not replay as recorded', () => {
    const t = loadTrace('traces/regression/f-plus-1-agreement.json');
    const fingerprints = [...t.fingerprints!];
    fingerprints[3] = fingerprints[3]!.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const out = cli('replay', write('mismatch.json', { ...t, fingerprints }), '--quiet');
    expect(out.code).toBe(3);
    expect(out.out).toMatch(/fingerprints\s+MISMATCH at step 3/);
  });

  it('--verbose shows what each step changed', () => {
    const out = cli('replay', 'traces/errata/E13-h-extra-request.json', '--verbose');
    expect(out.code).toBe(0);
    expect(out.out).toMatch(/3 {2}SEND-PRE-PREPARE.*\n\s+r0: view 0, last-exec 0, seqno 1, h 0; in \+ ⟨PRE-PREPARE,0,1,/);
  });

  it.each([
    [[], /replay needs exactly one trace file/],
    [['nowhere.json'], /not a readable JSON file/],
    [['--bogus', 'x.json'], /Unknown option '--bogus'/],
  ])('%j is a usage or input error (exit 2)', (args, message) => {
    const out = cli('replay', ...args);
    expect(out.code).toBe(2);
    expect(out.err).toMatch(message);
  });

  it('a step that is not enabled is an input error naming the step', () => {
    const r = run('cut', 100);
    const t = traceJson(r.universe, r.trace);
    const p = write('cut.json', { ...t, actions: t.actions.slice(10), fingerprints: undefined });
    const out = cli('replay', p);
    expect(out.code).toBe(2);
    expect(out.err).toMatch(/step \d+ \(.*\) is not enabled/);
  });
});

describe('ITF export', () => {
  it('one ITF state per state of the run, with every variable, integers as #bigint, sets sorted', () => {
    const p = join(tmp, 'e13.itf.json');
    const out = cli('replay', 'traces/errata/E13-h-extra-request.json', '--quiet', '--itf', p);
    expect(out.code).toBe(0);
    const itf = JSON.parse(readFileSync(p, 'utf8'));
    expect(itf['#meta']).toMatchObject({ format: 'ITF', status: 'ok' });
    expect(itf.vars).toEqual(ITF_VARS);
    expect(itf.states.length).toBe(8);
    itf.states.forEach((st: Record<string, unknown>, k: number) => {
      expect(st['#meta']).toEqual({ index: k });
      for (const v of ITF_VARS) expect(st).toHaveProperty([v]);
    });
    expect(itf.states[0]['mbt::actionTaken']).toBe('init');
    expect(itf.states[4]['mbt::actionTaken']).toBe('SEND-PRE-PREPARE(⟨REQUEST,a,1,c0⟩σc0, 0, 1)_r0');
    const r0 = itf.states[4].replicas['#map'][0];
    expect(r0[0]).toEqual({ '#bigint': '0' });
    expect(r0[1].seqno).toEqual({ '#bigint': '1' });
    const inSet = r0[1].in['#set'] as string[];
    expect(inSet).toEqual([...inSet].sort());
    expect(inSet).toContain('⟨PRE-PREPARE,0,1,⟨REQUEST,a,1,c0⟩σc0⟩σ0');
  });

  it('a trace with a violation is marked so, and stops where the replay stopped', () => {
    const p = join(tmp, 'agree.itf.json');
    expect(cli('replay', 'traces/regression/f-plus-1-agreement.json', '--quiet', '--itf', p).code).toBe(1);
    const itf = JSON.parse(readFileSync(p, 'utf8'));
    expect(itf['#meta'].status).toBe('violation');
    expect(itf['#meta'].violation).toMatch(/^AGREEMENT at step \d+$/);
    expect(itf.states.length).toBe(loadTrace('traces/regression/f-plus-1-agreement.json').actions.length + 1);
  });
});

describe('replay applies the checks a trace was found with', () => {
  // Simulate's run 0 under E22's literal reading (as `simulate --literal-errata E22` runs it): the
  // chain finds A.1.1(in) on A's copy, which A_gc's own invariants do not state.
  const e22 = () => {
    const { spec } = parseSearchArgs('simulate', ['--literal-errata', 'E22']);
    const f = walkRun(spec, 0).finding!;
    expect(f, 'run 0 finds it').not.toBeNull();
    return f.trace;
  };

  it('a violation on A\'s copy in the chain: recorded with the checks, replayed with them (exit 1, the same violation)', () => {
    const t = e22();
    expect(t.violation).toMatchObject({ id: 'A.1.1(in)' });
    expect(t.checks).toEqual({ chain: true });
    const p = write('e22.json', t);
    const out = cli('replay', p, '--quiet');
    expect(out.code).toBe(1);
    expect(out.out).toMatch(new RegExp(`violation\\s+A\\.1\\.1\\(in\\) at step ${t.violation!.step}\\n`));
    expect(out.out).toMatch(/recorded\s+A\.1\.1\(in\) at step \d+: reproduced/);
    expect(out.out).toMatch(/checked\s+invariants all, chain on, as the file records\n$/);
    const j = JSON.parse(cli('replay', p, '--json').out);
    expect([j.reproduced, j.violation.id, j.checks]).toEqual([true, 'A.1.1(in)', { invariants: 'all', chain: true, relations: 'all', liveness: false, recorded: { chain: true }, asRecorded: true }]);
    // --no-chain overrides the file: A_gc's invariants alone see nothing.
    const off = cli('replay', p, '--quiet', '--no-chain');
    expect(off.code).toBe(3);
    expect(off.out).toMatch(/violation\s+none\n\s+recorded\s+A\.1\.1\(in\) at step \d+: NOT reproduced\n\s+checked\s+invariants all, chain off \(the file records invariants all, chain on\)/);
  });

  it('a file without recorded checks replays as before: the chain only for a simulation\'s violation, or with --chain', () => {
    const { checks: _, ...old } = e22();
    const p = write('e22-old.json', old);
    const out = cli('replay', p, '--quiet');
    expect(out.code).toBe(3);
    expect(out.out).toMatch(/NOT reproduced\n\s+checked\s+invariants all, chain off \(the file records no checks\)/);
    const on = cli('replay', p, '--quiet', '--chain');
    expect(on.code).toBe(1);
    expect(on.out).toMatch(/: reproduced/);
    // The stored errata traces record no checks and replay clean, as they did.
    expect(cli('replay', 'traces/errata/E13-h-extra-request.json', '--quiet').out).toMatch(/violation\s+none\n\s+checked\s+invariants none, chain off \(the file records no checks\)\n$/);
  });

  it('the recorded selection of invariants and relations is applied, and --check, --invariants, --relations replace it', () => {
    const t = e22();
    // Recorded: only A_gc's A.2.3; the chain reports only G. A.1.1(in) on the copy is not a clause, so it still comes up.
    const p = write('e22-sel.json', { ...t, checks: { chain: true, invariants: ['A.2.3'], relations: ['G'] } });
    const j = JSON.parse(cli('replay', p, '--json').out);
    expect([j.violation.id, j.checks.invariants, j.checks.relations, j.checks.asRecorded]).toEqual(['A.1.1(in)', ['A.2.3'], ['G'], true]);
    const all = JSON.parse(cli('replay', p, '--json', '--check', '--relations', 'H,G,F').out);
    expect([all.checks.invariants, all.checks.relations, all.checks.asRecorded]).toEqual(['all', ['H', 'G', 'F'], false]);
    expect(JSON.parse(cli('replay', p, '--json', '--invariants', 'A.2.4').out).checks.invariants).toEqual(['A.2.4']);
    expect(cli('replay', p, '--relations', 'H', '--no-chain').err).toMatch(/--relations needs the chain/);
    expect(cli('replay', p, '--chain', '--no-chain').err).toMatch(/contradict/);
    expect(cli('replay', p, '--invariants', 'Z.9').err).toMatch(/--invariants: no invariant matches 'Z.9'/);
  });

  it('--help says the recorded checks are applied and how to override them', () => {
    const h = cli('replay', '--help');
    expect(h.code).toBe(0);
    expect(h.out).toMatch(/records the checks it was made with[^]*the replay applies\s+them/);
    for (const o of ['--check', '--invariants', '--chain, --no-chain', '--relations']) expect(h.out).toMatch(new RegExp(`\\n {2}${o} `));
  });

  it('a malformed checks field is an input error: one line naming the field, exit 2', () => {
    const t = e22();
    for (const [checks, message] of [
      [{ chain: 'yes' }, /field 'checks.chain' must be a boolean, got "yes"/],
      [{ chain: true, invariants: ['Z.9'] }, /field 'checks.invariants\[0\]' matches no invariant, got "Z.9"/],
      [{ chain: true, relations: ['K'] }, /field 'checks.relations\[0\]' must be a relation/],
      [{ chain: false, relations: ['H'] }, /field 'checks.relations' needs the chain/],
      [[true], /field 'checks' must be an object/],
    ] as const) {
      const out = cli('replay', write('bad-checks.json', { ...t, checks }));
      expect(out.code).toBe(2);
      expect(out.err).toMatch(message);
      expect(out.err.trim().split('\n')).toHaveLength(1);
    }
  });
});
