// F (Definition A.1.15) and the paired simulation of S' and S (Theorem A.1.14).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SpecAction } from '../../automata/spec.ts';
import { initialSpecHist, specHistStep, type SpecHistAction } from '../../automata/spec-hist.ts';
import { Universe } from '../../automata/universe.ts';
import { fFragment } from '../../proofs/f.ts';
import { FSimulation, type SimulationFinding } from '../../proofs/paired-f.ts';
import { walkSpecHist } from '../../sim/spec-walk.ts';

const mk = (literalF = false) => new Universe({ f: 1, clients: 2, service: 'log', readings: { literalF } });

/** Runs S' for `steps` random steps with S following; returns every finding. */
function paired(seed: string, steps: number, sim = (u: Universe) => new FSimulation(u)) {
  const u = mk();
  const f = sim(u);
  const found: SimulationFinding[] = [...f.start(initialSpecHist(u))];
  const walk = walkSpecHist(u, seed, steps, (k, a, x) => {
    found.push(...f.step(k, a, x));
  });
  return { u, f, found, walk };
}

describe('F from S′ to S (corrected reading)', () => {
  it.each(['f1', 'f2', 'f3', 'f4', 'f5'])('holds at the start and after every step of a random walk of S′ (seed %s)', (seed) => {
    const { found, walk } = paired(seed, 1500);
    expect(found).toEqual([]);
    const kinds = new Set(walk.actions.map((a) => a.kind));
    for (const k of ['REQUEST', 'EXECUTE', 'EXECUTE-NULL', 'REPLY']) expect(kinds.has(k as SpecHistAction['kind'])).toBe(true);
  });

  it('covers faulty clients and replicas in the walks', () => {
    const kinds = new Set(['f1', 'f2', 'f3', 'f4', 'f5'].flatMap((s) => paired(s, 1500).walk.actions.map((a) => a.kind)));
    expect(kinds.has('CLIENT-FAILURE') && kinds.has('FAULTY-REQUEST') && kinds.has('REPLICA-FAILURE')).toBe(true);
  });
});

describe('each clause of F, and each check of the paired simulation, can fail', () => {
  const u = mk();
  const run = (corrupt: (f: FSimulation) => void) => {
    const f = new FSimulation(u);
    const x = initialSpecHist(u);
    const take = (a: SpecHistAction) => {
      specHistStep(u, x, a);
      return f.step(0, a, x);
    };
    expect(take({ kind: 'REQUEST', o: 'a', c: 0 })).toEqual([]);
    expect(take({ kind: 'EXECUTE', o: 'a', t: 1, c: 0 })).toEqual([]);
    corrupt(f);
    return take({ kind: 'EXECUTE-NULL' }); // α = λ: only the corruption can break F
  };

  it('F(1): a component with the same name differs', () => {
    const found = run((f) => f.y.lastReq[1] = 5);
    expect(found.map((x) => x.id)).toEqual(['F(1)']);
    expect(found[0]!.message).toMatch(/last-req differs/);
  });
  it('F(2): S.val is not val(hist)', () => {
    const found = run((f) => (f.y.val = u.service.g(1, 'b', u.service.initial)[1]));
    expect(found.map((x) => x.id)).toEqual(['F(2)']);
  });
  it('F(3): S.last-rep-t is not last-rep-t(hist)', () => {
    const found = run((f) => (f.y.lastRepT[1] = 7));
    expect(found.map((x) => x.id)).toEqual(['F(3)']);
    expect(found[0]!.message).toMatch(/client 1: S.last-rep-t = 7, last-rep-t\(hist\) = 0/);
  });
  it('a step of α that is not enabled in S is reported', () => {
    const wrong = (a: SpecHistAction): SpecAction[] => (a.kind === 'EXECUTE-NULL' ? [{ kind: 'EXECUTE', o: 'zz', t: 9, c: 0 }] : fFragment(a));
    const f = new FSimulation(u, false, wrong);
    const x = initialSpecHist(u);
    specHistStep(u, x, { kind: 'EXECUTE-NULL' });
    const found = f.step(3, { kind: 'EXECUTE-NULL' }, x);
    expect(found).toEqual([{ id: 'enabled', step: 3, concrete: 'EXECUTE-NULL', fragment: ['EXECUTE(zz, 9, c0)'], message: 'EXECUTE(zz, 9, c0) is not enabled in S' }]);
  });
  it('a fragment whose trace differs from the step is reported', () => {
    const dropRequests = (a: SpecHistAction): SpecAction[] => (a.kind === 'REQUEST' ? [] : fFragment(a));
    const f = new FSimulation(u, false, dropRequests);
    const x = initialSpecHist(u);
    specHistStep(u, x, { kind: 'REQUEST', o: 'a', c: 0 });
    const found = f.step(0, { kind: 'REQUEST', o: 'a', c: 0 }, x);
    expect(found.map((y) => y.id)).toEqual(['trace']);
    expect(found[0]!.message).toBe('trace(α) = ⟨⟩ but trace(π) = ⟨REQUEST(a)_c0⟩');
  });
});

describe('errata of F (ERRATA.md E6, E7)', () => {
  it('E6: as written, F(3) compares last-rep-t with last-rep and fails at the start', () => {
    const u = mk(true);
    const found = new FSimulation(u).start(initialSpecHist(u));
    expect(found.map((x) => x.id)).toEqual(['F(3)']);
    expect(found[0]!.message).toMatch(/S.last-rep-t = 0, last-rep\(hist\) = null-rep/);
    expect(new FSimulation(mk()).start(initialSpecHist(mk()))).toEqual([]);
  });

  it('E7: as written, F(1) fails after the first EXECUTE (S′ never updates last-rep-t)', () => {
    const t = JSON.parse(readFileSync('traces/errata/E7-f-last-rep-t.json', 'utf8'));
    expect(t.format).toBe('pbft-check-spec-trace');
    const replay = (literal: boolean) => {
      const u = new Universe({ ...t.config, readings: { literalF: literal } });
      const f = new FSimulation(u);
      const x = initialSpecHist(u);
      return (t.actions as SpecHistAction[]).flatMap((a, k) => {
        specHistStep(u, x, a);
        return f.step(k, a, x).filter((y) => y.id !== 'F(3)'); // F(3)'s literal form fails from the start (E6)
      });
    };
    const literal = replay(true);
    expect(literal.map((x) => [x.id, x.step])).toEqual([['F(1)', 1]]);
    expect(literal[0]!.message).toBe('last-rep-t differs: S′ 0,0, S 1,0 (S′ never updates it)');
    expect(replay(false)).toEqual([]);
  });
});
