// No input crashes the REPL: random command lines (commands with random and plausible arguments,
// and arbitrary text) always get an answer, never an exception or an internal error. Seeds pinned.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRunArgs } from '../../sim/cli.ts';
import { execute } from '../../sim/repl/commands.ts';
import type { Ctx } from '../../sim/repl/context.ts';
import { Session } from '../../sim/repl/session.ts';
import { runRepl } from './run-repl.ts';

// save writes files: it gets a path in a temporary directory (below), never the working directory.
const WORDS = ['help', 'enabled', 'step', 'do', 'run', 'until', 'show', 'check', 'coverage', 'back', 'forward', 'goto', 'trace', 'load', 'save', 'fail', 'byz', 'config', 'history', 'stabilize', 'liveness', '.help', 'ls', '?'];
const tmp = mkdtempSync(join(tmpdir(), 'pbft-repl-fuzz-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const small = fc.integer({ min: -2, max: 40 }).map(String);
const arg = fc.oneof(
  small,
  fc.constantFrom('', 'off', 'L1=20', 'all', 'r0', 'r3', 'c0', 'c9', 'RECEIVE', 'PREPARE', 'view-change', 'replica 1', 'client 0', 'replica', 'S', "S'", 'spec', 'wire all', '/x(/', 'AGREEMENT max 20', 'REPLY max 30'),
  fc.constantFrom('REQUEST(a)_c0', 'SEND(<REQUEST,a,1,c0>σc0, {r0})_c0', 'RECEIVE(<REQUEST,a,1,c0>σc0)_r0', 'EXECUTE(null, 0, 1)_r0', 'SEND-NEW-VIEW(1, {#00})_r1', 'COLLECT-GARBAGE_r0 (n=0, d=b4054ef5)', 'MISBEHAVE(x, {}, {})'),
  fc.constantFrom('{"kind":"REQUEST","o":"a","c":0}', '{"kind":"RECEIVE","x":0}', '{', '[]', 'null', '{"kind":"SEND","x":99,"m":null,"X":-1}'),
  fc.string({ maxLength: 12 }),
);
// until without a small bound could walk 10,000 steps: every until here has one.
const line = fc.oneof(
  fc.tuple(fc.constantFrom(...WORDS), arg).map(([w, a]) =>
    w === 'until' ? `until ${a.replace(/\bmax\b.*$/, '')} max 25` : w === 'save' ? `save ${join(tmp, a.replace(/[^\w.-]/g, '_') || 'x')}` : `${w} ${a}`,
  ),
  fc.string({ maxLength: 30 }).filter((s) => !/^\s*\.?(until|run|exit|quit|save|load)\b/i.test(s)),
);

function fresh(args: string[]): Ctx {
  const p = parseRunArgs(args);
  return { session: new Session({ config: p.config, seed: p.seed, plan: p.plan, chain: p.chain, invariantIds: null }), history: [], exit: false };
}

describe('REPL fuzz (fast-check, seed 7)', () => {
  it('random command sequences always get an answer and never an internal error', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 25 }), fc.boolean(), (lines, chain) => {
        const ctx = fresh(chain ? ['--chain', '--clients', '1'] : ['--variant', 'a', '--clients', '1']);
        for (const l of lines) {
          const out = execute(ctx, l.replace(/[\r\n]/g, ' '));
          expect(typeof out).toBe('string');
          expect(out).not.toMatch(/^internal error/);
        }
      }),
      { seed: 7, numRuns: 60 },
    );
  });

  it('writes no file outside its temporary directory', () => {
    expect(readdirSync('.').filter((f) => /^(\d+|save|x)$/.test(f))).toEqual([]);
  });

  it('arbitrary text piped in is answered line by line (--keep-going) and the REPL exits 2 for the failed commands', async () => {
    const text = fc.sample(fc.string({ maxLength: 40, unit: 'binary' }), { seed: 11, numRuns: 80 }).join('\n');
    const r = await runRepl(['--keep-going'], text.replace(/\b(exit|quit|run|until|save|load)\b/gi, 'x'));
    expect(r.code).toBe(2);
    expect(r.out).not.toMatch(/the script stops/);
    expect(r.out).not.toMatch(/internal error|Uncaught/);
  });
});
