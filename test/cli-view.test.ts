// pbft-check view: the page is written whole (or not at all) and its path printed; bad input gets
// the one-line errors that replay gives, exit 2; the REPL's `view` writes the page and its trace.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, parseRunArgs } from '../sim/cli.ts';
import { execute } from '../sim/repl/commands.ts';
import { Session } from '../sim/repl/session.ts';
import { loadTrace } from '../sim/trace-file.ts';

const F1 = 'traces/regression/f-plus-1-agreement.json';
const tmp = mkdtempSync(join(tmpdir(), 'pbft-view-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}

/** The page's embedded data. */
function pageData(html: string): { title: string; steps: unknown[]; violation: { id: string } | null; sections: { id: string }[] } {
  const m = /<script id="data" type="application\/json">(.*?)<\/script>/s.exec(html);
  return JSON.parse(m![1]!);
}

describe('pbft-check view', () => {
  it('writes one self-contained page and prints its path', async () => {
    const out = join(tmp, 'f1.html');
    const r = await cli('view', F1, '--out', out);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out).toBe(`${out}\n  shows the violation of AGREEMENT at step 28\n`);
    const html = readFileSync(out, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    // Nothing is fetched: no external script, style, image or font.
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    const d = pageData(html);
    expect([d.title, d.steps.length, d.violation?.id]).toEqual([F1, 29, 'AGREEMENT']);
    expect(readdirSync(tmp).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('puts the page beside the trace by default, and shows the chain when asked', async () => {
    const dir = join(tmp, 'beside');
    mkdirSync(dir);
    const trace = join(dir, 'e22.json');
    writeFileSync(trace, readFileSync('traces/errata/E22-execute-removal.json'));
    const r = await cli('view', trace, '--chain');
    expect(r.out).toBe(`${join(dir, 'e22.html')}\n  shows the violation of A.1.1(in) at step 72\n`);
    const d = pageData(readFileSync(join(dir, 'e22.html'), 'utf8'));
    expect(d.sections.map((s) => s.id)).toEqual(expect.arrayContaining(["A's copy r0", "S'", 'S', 'wire', 'c0']));
    const off = await cli('view', trace, '--no-chain', '--out', join(dir, 'off.html'));
    expect(off.out).toBe(`${join(dir, 'off.html')}\n`);
    expect(pageData(readFileSync(join(dir, 'off.html'), 'utf8')).sections.map((s) => s.id)).not.toContain("S'");
  });

  it('gives the same one-line errors as replay for a bad or mismatched trace, and writes nothing', async () => {
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, '{"format": "pbft-check-trace", "version": 2, ');
    const t = loadTrace(F1);
    const mismatched = join(tmp, 'mismatched.json');
    writeFileSync(mismatched, JSON.stringify({ ...t, fingerprints: t.fingerprints!.map((f, k) => (k === 4 ? '0123456789abcdef' : f)) }));
    const disabled = join(tmp, 'disabled.json');
    writeFileSync(disabled, JSON.stringify({ ...t, actions: [t.actions[6], ...t.actions], fingerprints: undefined }));
    for (const [file, msg] of [
      [bad, /^pbft-check: .*bad\.json: not a readable JSON file/],
      [join(tmp, 'missing.json'), /^pbft-check: .*missing\.json: not a readable JSON file/],
      [mismatched, /^pbft-check: .*mismatched\.json: the state after step 4 does not match the file's fingerprint/],
      [disabled, /^pbft-check: .*disabled\.json: step 0 \(.*\) is not enabled/],
    ] as const) {
      const r = await cli('view', file, '--out', join(tmp, 'never.html'));
      expect([r.code, r.out], file).toEqual([2, '']);
      expect(r.err).toMatch(msg);
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
      if (file === bad) expect((await cli('replay', file)).err).toBe(r.err);
    }
    expect(existsSync(join(tmp, 'never.html'))).toBe(false);
  });

  it('checks the destination before the work, and refuses bad arguments in one line', async () => {
    const cases: [string[], RegExp][] = [
      [['view', F1, '--out', join(tmp, 'no', 'such', 'x.html')], /--out .*x\.html is in a folder that does not exist \(.*no\/such\)/],
      [['view', F1, '--out', tmp], /is a folder, not a file/],
      [['view'], /view needs exactly one trace file, got 0/],
      [['view', F1, F1], /got 2/],
      [['view', F1, '--chain', '--no-chain'], /contradict/],
      [['view', F1, '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [argv, msg] of cases) {
      const r = await cli(...argv);
      expect([r.code, r.out], argv.join(' ')).toEqual([2, '']);
      expect(r.err).toMatch(msg);
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    }
    expect(readdirSync(tmp).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('--open says in one line when no browser can be started, and the page is still written', async () => {
    const path = process.env['PATH'];
    process.env['PATH'] = join(tmp, 'no-such-bin');
    try {
      const out = join(tmp, 'open.html');
      // The opener's failure comes after the command has returned: collect stderr a while longer.
      let err = '';
      let stdout = '';
      const code = await main(['view', F1, '--out', out, '--open'], (x) => (stdout += x), (x) => (err += x));
      await new Promise((done) => setTimeout(done, 300));
      expect([code, stdout.split('\n')[0], existsSync(out)]).toEqual([0, out, true]);
      if (process.platform === 'linux') expect(err).toMatch(/^pbft-check: could not open .*open\.html \(xdg-open: .*\); open it yourself\n$/);
    } finally {
      process.env['PATH'] = path;
    }
  });

  it('has --help, and is listed in the main help', async () => {
    const r = await cli('view', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Usage: pbft-check view <trace.json> \[options\]/);
    expect(r.out).toContain('--open');
    expect((await cli('--help')).out).toMatch(/\n {2}view {5}write a trace file's page/);
  });
});

describe("the REPL's view", () => {
  it('writes the page of the execution so far and its trace beside it', () => {
    const p = parseRunArgs(['--seed', 'view', '--chain']);
    const ctx = { session: new Session({ config: p.config, seed: p.seed, plan: p.plan, chain: p.chain, invariantIds: null }), history: [], exit: false };
    execute(ctx, 'run 40');
    execute(ctx, 'back 10');
    const page = join(tmp, 'repl.html');
    expect(execute(ctx, `view ${page}`)).toBe('wrote repl.html (30 steps) and its trace repl.json');
    const d = pageData(readFileSync(page, 'utf8'));
    expect([d.title, d.steps.length]).toEqual([join(tmp, 'repl.json'), 30]);
    expect(d.sections.map((s) => s.id)).toContain("S'");
    expect(loadTrace(join(tmp, 'repl.json')).actions).toHaveLength(30);
    expect(execute(ctx, `view ${join(tmp, 'none', 'x.html')}`)).toMatch(/^error: view .*x\.html is in a folder that does not exist \(.*none\)$/);
    expect(existsSync(join(tmp, 'none'))).toBe(false);
  });
});
