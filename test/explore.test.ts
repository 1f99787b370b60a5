// pbft-check explore: bounded breadth-first search over every enabled action.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../sim/cli.ts';
import { explore } from '../sim/explore.ts';

function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = main(argv, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}

describe('explore', () => {
  it('expands every distinct state once up to the depth bound, the same way every time', () => {
    const a = explore({ config: {}, maxDepth: 5, maxStates: 100_000 });
    const b = explore({ config: {}, maxDepth: 5, maxStates: 100_000 });
    expect(a.violation).toBeNull();
    expect([a.distinct, a.depth, a.transitions]).toEqual([b.distinct, b.depth, b.transitions]);
    expect(a.depth).toBe(5);
    expect(a.transitions).toBeGreaterThan(a.distinct);
    // A deeper bound reaches more states; the state bound stops the search.
    expect(explore({ config: {}, maxDepth: 6, maxStates: 100_000 }).distinct).toBeGreaterThan(a.distinct);
    const capped = explore({ config: {}, maxDepth: 20, maxStates: 300 });
    expect([capped.distinct, capped.truncated]).toEqual([300, true]);
  });

  it('finds a violation with a shortest trace (E5 as written fails in the initial state)', () => {
    const r = explore({ config: { readings: { literalLastRepT: true } }, maxDepth: 5, maxStates: 1000 });
    expect(r.violation?.id).toBe('A.2.3(1)');
    expect(r.violation!.trace.actions).toEqual([]);
  });

  it('the command: exit 0 within bounds, exit 1 with the trace written, usage errors exit 2', () => {
    const ok = cli('explore', '--depth', '4');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^explore: \d+ distinct states, depth 4, \d+ transitions, [\d.]+ s \(\d+ states\/s\)\n {2}no violation\n$/);
    const p = join(mkdtempSync(join(tmpdir(), 'pbft-explore-')), 'x.json');
    const bad = cli('explore', '--literal-errata', 'E5', '--out', p, '--json');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out).violation).toMatchObject({ id: 'A.2.3(1)', steps: 0, trace: p });
    expect(JSON.parse(readFileSync(p, 'utf8')).format).toBe('pbft-check-trace');
    expect(cli('explore', '--depth', 'x').err).toMatch(/--depth must be an integer/);
    expect(cli('explore', '--literal-errata', 'E99').code).toBe(2);
  });
});
