// The REPL's pieces: options and exit codes, time travel, trace files, failures, the action
// parser and tab completion (the completer called directly).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprint } from '../../automata/fingerprint.ts';
import { formatAction } from '../../automata/format.ts';
import { parseRunArgs } from '../../sim/cli.ts';
import { execute } from '../../sim/repl/commands.ts';
import { complete } from '../../sim/repl/completer.ts';
import type { Ctx } from '../../sim/repl/context.ts';
import { parseAction } from '../../sim/repl/parse-action.ts';
import { Session } from '../../sim/repl/session.ts';
import { loadTrace } from '../../sim/trace-file.ts';
import { runRepl } from './run-repl.ts';

function session(...args: string[]): Ctx {
  const p = parseRunArgs(args);
  return { session: new Session({ config: p.config, seed: p.seed, plan: p.plan, chain: p.chain, invariantIds: null }), history: [], exit: false };
}
const tmp = mkdtempSync(join(tmpdir(), 'pbft-repl-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('pbft-check repl: options and exit codes', () => {
  it('--help prints the usage and exits 0', async () => {
    const r = await runRepl(['--help'], '');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Usage: pbft-check repl \[--trace FILE\]/);
  });

  it('a bad option exits 2 with a message naming it', async () => {
    for (const args of [['--f', 'x'], ['--bogus'], ['--trace'], ['--variant', 'b'], ['--strategy', 'nope']]) {
      const r = await runRepl(args, 'show\n');
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/^pbft-check repl: /);
      expect(r.out).toBe('');
    }
  });

  it('--trace loads a file at the start; an unreadable one exits 2', async () => {
    const ok = await runRepl(['--trace', 'traces/regression/f-plus-1-agreement.json'], 'goto 29\n');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/loaded f-plus-1-agreement.json: 29 actions/);
    expect(ok.out).toMatch(/violations up to here: AGREEMENT at step 28/);
    const bad = await runRepl(['--trace', join(tmp, 'missing.json')], '');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/cannot load missing.json/);
  });

  it('a piped script stops at its first failed command with exit 2; --keep-going runs the rest and still exits 2', async () => {
    const script = 'step\nbogus\nshow r0\n';
    const stop = await runRepl([], script);
    expect(stop.code).toBe(2);
    expect(stop.out).toMatch(/error: unknown command 'bogus'.*\n\(the script stops at a failed command: exit code 2; --keep-going runs the rest\)\n$/);
    expect(stop.out).not.toMatch(/replica r0/);
    const all = await runRepl(['--keep-going'], script);
    expect(all.code).toBe(2);
    expect(all.out).toMatch(/replica r0/);
    expect((await runRepl([], 'step\nshow r0\n')).code).toBe(0);
  });

  it('ends with 0 at exit, .exit or the end of input, and runs nothing after exit', async () => {
    for (const input of ['exit\nshow\n', '.exit\nshow\n', 'quit\nshow\n', '']) {
      const r = await runRepl([], input);
      expect(r.code).toBe(0);
      expect(r.out).not.toMatch(/step 0 of 0/);
    }
    // The last line runs even without a final newline.
    expect((await runRepl([], 'show')).out).toMatch(/step 0 of 0/);
  });
});

describe('time travel', () => {
  it('back and forward return to the very same state; a new step replaces the later ones', () => {
    const ctx = session('--seed', 't1');
    execute(ctx, 'run 150');
    const s = ctx.session;
    const at150 = fingerprint(s.u, s.s);
    execute(ctx, 'back 60');
    expect(s.cursor).toBe(90);
    execute(ctx, 'forward 60');
    expect(fingerprint(s.u, s.s)).toBe(at150);
    execute(ctx, 'goto 10');
    const at10 = fingerprint(s.u, s.s);
    execute(ctx, 'goto 150');
    expect(fingerprint(s.u, s.s)).toBe(at150);
    execute(ctx, 'goto 10');
    expect(fingerprint(s.u, s.s)).toBe(at10);
    expect(execute(ctx, 'step 0')).toMatch(/the 140 later recorded step\(s\) were dropped/);
    expect(s.timeline.length).toBe(11);
  });

  it('with the chain on, going back and forth gives the same checks as going straight', () => {
    const ctx = session('--chain', '--seed', 't2');
    execute(ctx, 'run 120');
    const straight = execute(ctx, 'check');
    execute(ctx, 'goto 30');
    execute(ctx, 'forward 90');
    expect(execute(ctx, 'check')).toBe(straight);
    expect(straight).toMatch(/H \(A_gc to A\): 7 clause\(s\), all hold/);
  });

  it('run draws the same steps from the same state', () => {
    const ctx = session('--seed', 't3');
    const a = execute(ctx, 'run 40');
    execute(ctx, 'goto 0');
    expect(execute(ctx, 'run 40')).toBe(a);
  });
});

describe('trace files', () => {
  it('save writes a trace file that loads (and validates) and replays to the same state', () => {
    const ctx = session('--seed', 'save', '--faulty', '3');
    execute(ctx, 'run 80');
    const before = fingerprint(ctx.session.u, ctx.session.s);
    const path = join(tmp, 'saved.json');
    expect(execute(ctx, `save ${path}`)).toBe('saved 80 actions to saved.json');
    const t = loadTrace(path);
    expect(t.actions.length).toBe(80);
    expect(t.fingerprints?.[79]).toBe(before);
    const other = session();
    expect(execute(other, `load ${path}`)).toMatch(/^loaded saved.json: 80 actions/);
    execute(other, 'goto 80');
    expect(fingerprint(other.session.u, other.session.s)).toBe(before);
  });

  it('a trace that records a simulation failure turns the chain on; write errors are messages', () => {
    const t = JSON.parse(readFileSync('traces/regression/h-relayed-checkpoint.json', 'utf8'));
    const path = join(tmp, 'sim.json');
    writeFileSync(path, JSON.stringify({ ...t, version: 1, violation: { id: 'H(5)', step: 3, message: 'made up' } }));
    const ctx = session();
    expect(execute(ctx, `load ${path}`)).toMatch(/recorded violation: H\(5\) at step 3: made up\n {2}the chain of simulations runs/);
    expect(ctx.session.chain).not.toBe(null);
    expect(execute(ctx, 'save /nonexistent-dir/x.json')).toMatch(/^error: save \/nonexistent-dir\/x.json is in a folder that does not exist/);
  });
});

describe('failures', () => {
  it('fail and byz take the failure input; a Byzantine replica proposes sends, and run draws them', () => {
    const ctx = session('--seed', 'byz');
    execute(ctx, 'run 30');
    expect(execute(ctx, 'fail replica 2')).toMatch(/REPLICA-FAILURE_r2 {3}\(stops from now on\)/);
    expect(execute(ctx, 'byz replica 3')).toMatch(/REPLICA-FAILURE_r3 {3}\(Byzantine from now on\)/);
    expect(execute(ctx, 'enabled byzantine')).toMatch(/SEND\(.*\)_r3/);
    expect(execute(ctx, 'show r3')).toMatch(/faulty: replaced by a byzantine stand-in/);
    execute(ctx, 'run 200');
    expect(ctx.session.timeline.some((e, k) => k > 32 && e.action.kind === 'SEND' && e.action.x === 3)).toBe(true);
    // Going back over the failure and forward again keeps the stand-in's kind.
    execute(ctx, 'goto 31');
    execute(ctx, 'forward');
    expect(execute(ctx, 'show r3')).toMatch(/byzantine stand-in/);
  });
});

describe('written actions', () => {
  it('every line `enabled` prints parses back to its action', () => {
    const ctx = session('--seed', 'parse', '--chain');
    execute(ctx, 'run 60');
    const { u, s } = ctx.session;
    const list = ctx.session.enabled();
    expect(list.length).toBeGreaterThan(5);
    list.forEach((a, k) => {
      const p = parseAction(u, s, list, formatAction(u, a));
      expect(p.ok && p.listed === k, formatAction(u, a)).toBe(true);
    });
  });

  it('a JSON action, a number, ASCII brackets and a RECEIVE without "from"', () => {
    const ctx = session();
    execute(ctx, 'do REQUEST(a)_c0');
    execute(ctx, 'do {"kind":"SEND","x":4,"m":{"tag":"REQUEST","o":"a","t":1,"c":0},"X":1}');
    const out = execute(ctx, 'do RECEIVE(<REQUEST,a,1,c0>σc0)_r0');
    expect(out).toMatch(/^ {4}2 {2}RECEIVE\(⟨REQUEST,a,1,c0⟩σc0\)_r0 from \(m, \{r0\}\)\n/);
    expect(execute(ctx, 'do 0')).toMatch(/^ {4}3 /);
  });

  it('an action that is not enabled is refused with the reason', () => {
    const ctx = session();
    expect(execute(ctx, 'do SEND-PRE-PREPARE(⟨REQUEST,a,1,c0⟩σc0, 0, 1)_r0')).toBe(
      'error: not enabled: SEND-PRE-PREPARE(⟨REQUEST,a,1,c0⟩σc0, 0, 1)_r0: precondition of SEND-PRE-PREPARE false at r0',
    );
    expect(execute(ctx, 'do RECEIVE(⟨REQUEST,a,1,c0⟩σc0)_r0')).toMatch(/^error: not enabled: .*no such \(m, X\) in wire/);
  });
});

describe('tab completion', () => {
  const ctx = session('--chain');
  const c = (line: string) => complete(ctx.session, line);

  it('completes command names, also after a dot', () => {
    expect(c('sh')).toEqual([['show'], 'sh']);
    expect(c('b')).toEqual([['back', 'byz'], 'b']);
    expect(c('.ex')).toEqual([['exit'], 'ex']);
    expect(c('')[0]).toContain('enabled');
  });

  it('completes action kinds, families, tags and nodes after enabled and until', () => {
    expect(c('enabled SEND-')).toEqual([['SEND-COMMIT', 'SEND-NEW-VIEW', 'SEND-PRE-PREPARE', 'SEND-VIEW-CHANGE'], 'SEND-']);
    expect(c('enabled r')[0]).toEqual(expect.arrayContaining(['r0', 'r3', 'receive', 'RECEIVE', 'REPLY', 'REQUEST']));
    expect(c('until AGR')).toEqual([['AGREEMENT'], 'AGR']);
  });

  it('completes do with kinds, then with the enabled lines that begin so', () => {
    expect(c('do REQ')).toEqual([['REQUEST(a)_c0', 'REQUEST(a)_c1', 'REQUEST(b)_c0', 'REQUEST(b)_c1'], 'REQ']);
    expect(c('do COLLECT')[0]).toHaveLength(4);
    expect(c('do EXEC')).toEqual([['EXECUTE'], 'EXEC']);
  });

  it('completes show targets, fail and byz, help, and file names for load', () => {
    expect(c('show S')).toEqual([['S', "S'", 'spec'], 'S']);
    expect(c('show w')).toEqual([['wire'], 'w']);
    expect(c('byz r')).toEqual([['replica'], 'r']);
    expect(c('help ch')).toEqual([['check'], 'ch']);
    expect(c('load traces/reg')).toEqual([['traces/regression/'], 'traces/reg']);
    expect(c('load traces/regression/f-')[0]).toEqual(['traces/regression/f-plus-1-agreement.json']);
    expect(c('frobnicate x')).toEqual([[], 'x']);
  });
});
