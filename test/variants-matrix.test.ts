// The kill matrix's counterexamples (traces/variants/, one per killed variant of the catalog) and
// the `mutants` command itself.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../sim/cli.ts';
import { runChecked } from '../sim/checks.ts';
import { violationClass } from '../sim/kill-matrix.ts';
import { STABLE_HORIZON } from '../sim/stable-scheduler.ts';
import { loadTrace } from '../sim/trace-file.ts';
import { CATALOG } from '../variants/index.ts';

const DIR = 'traces/variants';
const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

const io = () => {
  const o: string[] = [];
  const e: string[] = [];
  return { o, e, out: (s: string) => o.push(s), err: (s: string) => e.push(s) };
};

describe('the kill matrix counterexamples', () => {
  it('keeps one for every catalog variant expected to break something', () => {
    const meant = CATALOG.filter((v) => v.expectation !== 'harmless').map((v) => `${v.name}.json`);
    expect(files.filter((f) => meant.includes(f))).toEqual([...meant].sort());
    // the safety violations found without the chain, where the first finding was H's alone
    for (const f of files.filter((x) => x.endsWith('.no-chain.json'))) expect(loadTrace(join(DIR, f)).checks?.chain).toBe(false);
  });

  for (const f of files) {
    it(`${f}: replays its violation with the variant its configuration names, and not without it`, async () => {
      const path = join(DIR, f);
      const t = loadTrace(path);
      expect(t.config.mutants).toEqual([f.replace(/(\.no-chain)?\.json$/, '')]);
      const a = io();
      expect(await main(['replay', path, '--quiet', '--json'], a.out, a.err)).toBe(1);
      const r = JSON.parse(a.o.join('')) as { violation: { id: string } | null; reproduced: boolean };
      expect(r.violation?.id).toBe(t.violation!.id);
      expect(r.reproduced).toBe(true);
      // A liveness counterexample's stabilized part is the scheduler's: without the variant, the
      // stabilized part run again from the same prefix stalls nothing.
      if (t.stabilized !== undefined) {
        const prefix = t.actions.slice(0, t.stabilized.gst);
        const again = runChecked({ config: { ...t.config, mutants: [] }, steps: prefix.length, prefix, stabilize: { gst: prefix.length, horizon: STABLE_HORIZON, seed: 'contrast' } }, { invariants: [], chain: false, liveness: { bounds: t.stabilized.bounds } });
        expect(again.violation).toBeNull();
        return;
      }
      // Without the variant the thesis's protocol either cannot take the trace's steps or violates nothing.
      const b = io();
      const code = await main(['replay', path, '--quiet', '--no-mutants'], b.out, b.err);
      expect(code === 2 ? b.e.join('') : 'clean').toMatch(/is not enabled|clean/);
      if (code !== 2) expect(code === 0 || !b.o.join('').includes(`violation      ${t.violation!.id}`)).toBe(true);
    });
  }
});

describe('pbft-check mutants', () => {
  it('lists the catalog with expectations and the text each changes', async () => {
    const a = io();
    expect(await main(['mutants', '--list'], a.out, a.err)).toBe(0);
    const lines = a.o.join('').trimEnd().split('\n');
    expect(lines.length).toBe(CATALOG.length);
    expect(lines[0]).toMatch(/^execute-duplicates +breaks safety +Fig 2-12 EXECUTE/);
  });

  it('runs the matrix: the unmutated model clean, a quorum variant killed, its trace replayed', async () => {
    const a = io();
    const dir = mkdtempSync(join(tmpdir(), 'pbft-matrix-'));
    const code = await main(['mutants', '--only', 'prepare-quorum-2f-1', '--seeds', '1', '--time-limit', '2', '--jobs', '2', '--out', dir, '--json'], a.out, a.err);
    const m = JSON.parse(a.o.join('')) as { rows: { variant: string | null; killed: number; verdict: string; class: string | null; replays: boolean | null; asExpected: boolean }[] };
    expect(m.rows.map((r) => r.variant)).toEqual([null, 'prepare-quorum-2f-1']);
    expect(m.rows[0]!.killed).toBe(0);
    expect(m.rows[1]).toMatchObject({ killed: 1, class: 'safety', replays: true, asExpected: true });
    expect(code).toBe(0);
  }, 120_000);

  it('classes what only relation H found as the refinement, everything else as safety', () => {
    expect(violationClass('H(3)', 'r1: x.vc_i and y.vc_i are not consistent')).toBe('refinement');
    expect(violationClass('enabled', 'SEND-PRE-PREPARE(…) is not enabled in A′: precondition false')).toBe('refinement');
    expect(violationClass('enabled', "REPLY(x)_c1 is not enabled in S′ (at A′'s step REPLY(x)_c1)")).toBe('safety');
    expect(violationClass('A.1.6', "on A's copy: r3 has its own commit (at A′'s step SEND-COMMIT)")).toBe('safety');
    expect(violationClass('AGREEMENT', 'replicas 3 and 2 differ')).toBe('safety');
  });
});
