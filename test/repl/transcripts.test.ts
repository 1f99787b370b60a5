// Transcript tests: each test/repl/transcripts/NAME.in is piped through the REPL and its output
// compared exactly with NAME.out. UPDATE_TRANSCRIPTS=1 re-records the .out files (read them
// before committing: they must show what each session claims).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runRepl, splitTranscript } from './run-repl.ts';

const DIR = join(import.meta.dirname, 'transcripts');
const update = process.env.UPDATE_TRANSCRIPTS === '1';

describe('REPL transcripts', () => {
  for (const name of readdirSync(DIR).filter((f) => f.endsWith('.in')).sort()) {
    it(name, async () => {
      const { args, input } = splitTranscript(readFileSync(join(DIR, name), 'utf8'));
      const r = await runRepl(args, input);
      // A transcript that shows failing commands runs them all (--keep-going) and exits 2.
      expect(r.code).toBe(args.includes('--keep-going') ? 2 : 0);
      expect(r.err).toBe('');
      const outPath = join(DIR, name.replace(/\.in$/, '.out'));
      if (update || !existsSync(outPath)) writeFileSync(outPath, r.out);
      expect(r.out).toBe(readFileSync(outPath, 'utf8'));
    });
  }

  it('the transcripts show what they claim', () => {
    const read = (n: string) => readFileSync(join(DIR, n), 'utf8');
    // The normal case ends with the client's REPLY output, from a certificate of f + 1 replies.
    expect(read('normal-case.out')).toMatch(/^\s+\d+ {2}REPLY\(1@[0-9a-f]+\)_c0$/m);
    expect(read('normal-case.out')).toMatch(/reply certificates: 1@[0-9a-f]+/);
    // The view change: r1 sends the new-view for view 1 (with O non-empty), r0 accepts it.
    expect(read('view-change.out')).toMatch(/SEND-NEW-VIEW\(1, \{#\w+,#\w+,#\w+\}\)_r1\n\s+r1: view 0 → 1/);
    expect(read('view-change.out')).toMatch(/RECEIVE\(⟨NEW-VIEW,1,V=\{[^}]+\},O=\{#\w+\},N=\{\}⟩σ1\)_r0/);
    expect(read('view-change.out')).toMatch(/H \(A_gc to A\): 7 clause\(s\), all hold/);
    // The counterexample: stepping forward reaches the recorded violation at the recorded step.
    expect(read('counterexample.out')).toMatch(/recorded violation: AGREEMENT at step 28/);
    expect(read('counterexample.out')).toMatch(/ {3}28 {2}EXECUTE\(⟨REQUEST,a,1,c1⟩σc1, 0, 1\)_r1\n.*\n {2}!! violation of AGREEMENT/);
    // Malformed input: messages, never a stack trace or an internal error; lines after exit not run.
    const bad = read('malformed.out');
    expect(bad).not.toMatch(/internal error|    at |Error:/);
    expect(bad.match(/^error: /gm)!.length).toBeGreaterThan(30);
    expect(bad.endsWith('pbft> exit\n')).toBe(true);
  });
});
