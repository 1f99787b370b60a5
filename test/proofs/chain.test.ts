// Chain mode A → S' → S: one run of A checks G and F in lockstep.
import { describe, expect, it } from 'vitest';
import type { Action } from '../../automata/actions.ts';
import { initialSystem, step } from '../../automata/compose.ts';
import { Universe } from '../../automata/universe.ts';
import { ChainSimulation } from '../../proofs/chain.ts';
import type { SimulationFinding } from '../../proofs/paired-f.ts';
import { runRandom } from '../../sim/scheduler.ts';

function chained(seed: string, faultyReplicas: number[] = []) {
  let chain: ChainSimulation | undefined;
  const found: SimulationFinding[] = [];
  const r = runRandom({
    config: { variant: 'A', faultyReplicas },
    seed,
    steps: 1500,
    onStart: (u, s) => {
      chain = new ChainSimulation(u);
      found.push(...chain.start(s));
    },
    beforeStep: (k, a, s) => chain!.before(k, a, s),
    onStep: (k, a, s) => {
      found.push(...chain!.after(k, a, s));
      return found.length === 0;
    },
  });
  return { r, chain: chain!, found };
}

describe('chain A → S′ → S', () => {
  it.each([
    ['c1', []],
    ['c2', []],
    ['c3', [3]],
  ] as const)('G and F hold at every step (seed %s, faulty %j)', (seed, faulty) => {
    const { r, chain, found } = chained(seed, [...faulty]);
    expect(found).toEqual([]);
    expect(r.trace.length).toBe(1500);
    expect(chain.abstractSteps).toBeGreaterThan(10);
    // S executed what S' recorded: the same number of executions and the same service state.
    expect(chain.f.y.lastRepT).toEqual(chain.g.y.fold.lastRepT);
  });

  it('reports a finding of F raised by a step of A', () => {
    const u = new Universe({ variant: 'A' });
    const chain = new ChainSimulation(u);
    const s = initialSystem(u);
    expect(chain.start(s)).toEqual([]);
    chain.f.y.lastReq[1] = 9; // corrupt S; the next step of A makes S' and S take REQUEST(a)_c0
    const a: Action = { kind: 'REQUEST', o: 'a', c: 0 };
    chain.before(0, a, s);
    step(u, s, a);
    const found = chain.after(0, a, s);
    expect(found.map((x) => x.id)).toEqual(['F(1)']);
    expect(found[0]!.fragment).toEqual(['REQUEST(a)_c0']);
  });
});
