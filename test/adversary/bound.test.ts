// The fault bound is tight: with f + 1 = 2 Byzantine replicas at f = 1, a hunt finds a violation of
// agreement within 60 seconds, and the trace it once found (shrunk) stays as a regression.
import { describe, expect, it } from 'vitest';
import { initialSystem, step } from '../../automata/compose.ts';
import { Universe } from '../../automata/universe.ts';
import { InvariantChecker } from '../../invariants/check.ts';
import { systemInvariants } from '../../invariants/registry.ts';
import { hunt } from '../../sim/hunt.ts';
import { loadTrace, type TraceFile } from '../../sim/trace-file.ts';
import { ActionDecoder } from '../../sim/trace-json.ts';

/** Replays a trace with every invariant, the end-to-end property and agreement checked each step. */
function checkedReplay(t: TraceFile): { id: string; step: number }[] {
  const u = new Universe(t.config);
  const dec = new ActionDecoder(u);
  const s = initialSystem(u);
  const checker = new InvariantChecker(u, { invariants: systemInvariants(u.config.readings) });
  const found: { id: string; step: number }[] = [];
  t.actions.forEach((j, k) => {
    const a = dec.action(j);
    step(u, s, a);
    for (const f of checker.afterStep(k, a, s)) found.push({ id: f.id, step: k });
  });
  return found;
}

describe('f + 1 Byzantine replicas break agreement', () => {
  it('the hunt (equivocating primary, 2 faulty replicas) finds an AGREEMENT violation within 60 s, whose trace replays to it', () => {
    const r = hunt({ strategy: 'equivocating-primary', faults: 2, steps: 3000, seedPrefix: 'fplus1-', maxSeeds: 200, timeLimit: 60 });
    expect(r.found, `no violation in ${r.runs} runs, ${r.seconds.toFixed(1)} s`).not.toBeNull();
    expect(r.found!.id).toBe('AGREEMENT');
    expect(r.seconds).toBeLessThan(60);
    expect(r.found!.plan).toMatch(/faulty replicas \d,\d;/);
    expect(checkedReplay(r.found!.trace)[0]).toEqual({ id: 'AGREEMENT', step: r.found!.step });
  }, 90_000);

  it('with f faulty replicas the same hunt finds nothing', () => {
    const r = hunt({ strategy: 'equivocating-primary', steps: 3000, seedPrefix: 'fplus1-', maxSeeds: 10 });
    expect(r.found).toBeNull();
    expect(r.runs).toBe(10);
  }, 90_000);

  it('regression: traces/regression/f-plus-1-agreement.json replays to AGREEMENT at its last step, and to nothing before', () => {
    const t = loadTrace('traces/regression/f-plus-1-agreement.json');
    expect(t.config.faultyReplicas.length).toBe(2);
    expect(checkedReplay(t)).toEqual([{ id: 'AGREEMENT', step: t.actions.length - 1 }]);
  });
});
