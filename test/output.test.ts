// Every output path (issue 17): a destination that cannot be written is refused before the work,
// in one line with exit 2; a write that fails at the end is reported in one line with exit 2 after
// the result; no temporary file is ever left behind.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../sim/cli.ts';
import { oneLine } from '../sim/cli-usage.ts';
import { OutputFile } from '../sim/output.ts';
import { replCommand } from '../sim/repl/command.ts';

const tmp = mkdtempSync(join(tmpdir(), 'pbft-output-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const TRACE = 'traces/regression/f-plus-1-agreement.json';

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}

const leftovers = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

describe('a destination that cannot be written is refused before the work', () => {
  const missing = join(tmp, 'no-such-folder', 'x.json');
  const folder = join(tmp, 'a-folder');
  mkdirSync(folder);
  const cases: [string, string[]][] = [
    ['run --trace (missing folder)', ['run', '--steps', '50', '--trace', missing]],
    ['run --trace (a folder)', ['run', '--steps', '50', '--trace', folder]],
    ['search --out (a folder)', ['search', '--runs', '1', '--steps', '50', '--workers', '1', '--out', folder]],
    ['simulate --out (missing folder)', ['simulate', '--runs', '1', '--steps', '50', '--workers', '1', '--out', missing]],
    ['explore --out (missing folder)', ['explore', '--depth', '2', '--out', missing]],
    ['replay --itf (a folder)', ['replay', TRACE, '--itf', folder]],
    ['replay --itf (missing folder)', ['replay', TRACE, '--itf', missing]],
    ['view --out (a folder)', ['view', TRACE, '--out', folder]],
  ];
  for (const [name, argv] of cases)
    it(name, async () => {
      const r = await cli(...argv);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/^pbft-check: --(trace|out|itf) .* (does not exist|is a folder, not a file)/);
      expect(leftovers(tmp)).toEqual([]);
      expect(leftovers(folder)).toEqual([]);
    });

  it('mutants --out: a file, or a folder that cannot be made', async () => {
    const file = join(tmp, 'plain.txt');
    writeFileSync(file, 'x');
    const a = await cli('mutants', '--only', 'prepare-quorum-all', '--out', file);
    expect([a.code, a.err]).toEqual([2, `pbft-check: --out ${file} is a file, not a folder\n`]);
    const b = await cli('mutants', '--only', 'prepare-quorum-all', '--out', join(file, 'sub'));
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/^pbft-check: --out .*plain\.txt\/sub cannot be made a writable folder \(E[A-Z]+\)\n$/);
  });

  it('a folder without write permission is named (unless running as root, who may write anywhere)', async () => {
    const locked = join(tmp, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    const r = await cli('run', '--steps', '50', '--trace', join(locked, 'x.json'));
    chmodSync(locked, 0o700);
    if (process.getuid?.() === 0) expect(r.code).toBe(0);
    else expect(r.err).toMatch(/cannot be written here \(no permission/);
  });
});

describe('a write that fails at the end', () => {
  it('is one line naming the file and the option, and leaves no temporary file', () => {
    const target = join(tmp, 'late.json');
    const file = OutputFile.check(target, '--out');
    mkdirSync(target); // the destination changed after the check
    const failed = file.write('{}\n');
    expect(failed).toMatch(/^could not write .*late\.json \(--out\): E[A-Z]+$/);
    expect(leftovers(tmp)).toEqual([]);
  });
});

describe("the REPL's save and view", () => {
  it('refuse a destination that cannot be written in one line, and the session goes on', async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    stdin.end(`run 5\nsave ${tmp}\nsave ${join(tmp, 'nope', 'x.json')}\nview ${join(tmp, 'nope', 'x.html')}\nsave ${join(tmp, 'ok.json')}\nexit\n`);
    await replCommand(['--keep-going'], { input: stdin, output: stdout, err: () => {} });
    expect(out).toMatch(/error: save .* is a folder, not a file/);
    expect(out).toMatch(/error: save .*x\.json is in a folder that does not exist/);
    expect(out).toMatch(/error: view .*x\.html is in a folder that does not exist/);
    expect(out).toMatch(/saved 5 actions to ok\.json/);
    expect(leftovers(tmp)).toEqual([]);
  });
});

describe('error messages', () => {
  it('are one line of at most 300 characters, control bytes escaped, the file named', async () => {
    const bad = join(tmp, 'control.json');
    writeFileSync(bad, `{"format": "pbft-check-trace",\n\u0001\u0002 "x": "${'a'.repeat(2000)}"`);
    const r = await cli('replay', bad);
    expect(r.code).toBe(2);
    const line = r.err.replace(/\n$/, '');
    expect(line.split('\n')).toHaveLength(1);
    expect(line.length).toBeLessThanOrEqual(300 + 'pbft-check: '.length);
    expect(line).toContain(bad);
    expect(oneLine('a\nb\u0001c\td')).toBe('a\\nb\\x01c\\td');
    expect(oneLine('x'.repeat(500))).toHaveLength(300);
  });

  it('a trace file that begins with a byte-order mark is read', async () => {
    const bom = join(tmp, 'bom.json');
    writeFileSync(bom, `\uFEFF${readFileSync(TRACE, 'utf8')}`);
    const r = await cli('replay', bom, '--quiet');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/recorded\s+AGREEMENT at step 28: reproduced/);
  });
});
