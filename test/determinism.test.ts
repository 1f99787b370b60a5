// Same seed and configuration: the same trace, action for action; different seeds: different
// traces. A recorded trace replays in a fresh universe to the same state.
import { describe, expect, it } from 'vitest';
import { initialSystem, step } from '../automata/compose.ts';
import { fingerprint } from '../automata/fingerprint.ts';
import { Universe } from '../automata/universe.ts';
import { runRandom } from '../sim/scheduler.ts';
import { ActionDecoder, actionToJson } from '../sim/trace-json.ts';

const traceOf = (variant: 'A' | 'Agc', seed: string, steps = 3000, faultyReplicas: number[] = []) => {
  const r = runRandom({ config: { variant, faultyReplicas }, seed, steps });
  return { r, json: r.trace.map((a) => JSON.stringify(actionToJson(r.universe, a))) };
};

describe.each(['A', 'Agc'] as const)('determinism of %s', (variant) => {
  it('two runs with the same seed produce identical traces and states', () => {
    const a = traceOf(variant, 'same-seed');
    const b = traceOf(variant, 'same-seed');
    expect(a.json.length).toBe(3000);
    expect(b.json).toEqual(a.json);
    expect(fingerprint(b.r.universe, b.r.state)).toBe(fingerprint(a.r.universe, a.r.state));
  });

  it('different seeds produce different traces', () => {
    const seeds = ['s1', 's2', 's3', 's4'].map((s) => traceOf(variant, s, 500).json.join('\n'));
    expect(new Set(seeds).size).toBe(seeds.length);
  });

  it('a trace recorded as JSON replays in a fresh universe to the same state after every step', () => {
    const { json } = traceOf(variant, 'replay', 1500, [3]);
    let uOriginal: Universe | undefined;
    let u: Universe | undefined;
    let s: ReturnType<typeof initialSystem> | undefined;
    let dec: ActionDecoder | undefined;
    runRandom({
      config: { variant, faultyReplicas: [3] },
      seed: 'replay',
      steps: 1500,
      onStart: (uo) => {
        uOriginal = uo;
        u = new Universe(uo.config);
        s = initialSystem(u);
        dec = new ActionDecoder(u);
      },
      onStep: (k, _a, st) => {
        step(u!, s!, dec!.action(JSON.parse(json[k]!)));
        if (k % 50 === 49) expect(fingerprint(u!, s!), `step ${k}`).toBe(fingerprint(uOriginal!, st));
      },
    });
    expect(u!.interner.size).toBe(uOriginal!.interner.size);
  });
});
