// The enabled list and the random draw agree with the preconditions: every listed action is
// enabled, every drawn action is in the list, the order is stable, and the inputs of A
// (Fig 2-4) are always enabled (input-enabledness).
import { describe, expect, it } from 'vitest';
import type { Action } from '../automata/actions.ts';
import { cloneSystem, isEnabled, whyDisabled } from '../automata/compose.ts';
import { drawAction, enabled, enabledIn, familyOf, DEFAULT_BIAS } from '../automata/enabled.ts';
import { fingerprint } from '../automata/fingerprint.ts';
import type { Universe } from '../automata/universe.ts';
import { runRandom } from '../sim/scheduler.ts';
import { SeededRng } from '../sim/rng.ts';
import { actionToJson } from '../sim/trace-json.ts';

describe.each(['A', 'Agc'] as const)('enabled actions of %s', (variant) => {
  it('every listed action is enabled and every drawn action is listed, along a run', () => {
    const rng = new SeededRng('draws');
    let checked = 0;
    let runUniverse: Universe | undefined;
    runRandom({
      config: { variant, faultyReplicas: [1], maxView: 3 },
      seed: `enabled-${variant}`,
      steps: 400,
      onStep: (k, _a, s) => {
        if (k % 20 !== 0) return;
        const r = runUniverse!;
        const list = enabled(r, s);
        const keys = new Set(list.map((a) => JSON.stringify(actionToJson(r, a))));
        for (const a of list) expect(whyDisabled(r, s, a), JSON.stringify(actionToJson(r, a))).toBeNull();
        for (let d = 0; d < 20; d++) {
          const a = drawAction(r, s, rng, DEFAULT_BIAS);
          expect(a).not.toBeNull();
          expect(keys.has(JSON.stringify(actionToJson(r, a!)))).toBe(true);
          expect(enabledIn(r, s, familyOf(s, a!)).length).toBeGreaterThan(0);
        }
        // Listing does not change the state, and lists the same actions twice in the same order.
        const before = fingerprint(r, s);
        expect(enabled(r, cloneSystem(s)).map((a) => JSON.stringify(actionToJson(r, a)))).toEqual([...keys]);
        expect(fingerprint(r, s)).toBe(before);
        checked++;
      },
      onStart: (u) => {
        runUniverse = u;
      },
    });
    expect(checked).toBe(20);
  });

  it('inputs of A are always enabled; out-of-range nodes are not actions', () => {
    const r = runRandom({ config: { variant }, seed: 'inputs', steps: 300 });
    const u = r.universe;
    const inputs: Action[] = [
      { kind: 'REQUEST', o: 'anything at all', c: 0 },
      { kind: 'CLIENT-FAILURE', c: 1 },
      { kind: 'REPLICA-FAILURE', i: 3 },
    ];
    for (const a of inputs) expect(isEnabled(u, r.state, a)).toBe(true);
    expect(whyDisabled(u, r.state, { kind: 'REQUEST', o: 'a', c: 7 })).toMatch(/no client 7/);
    expect(whyDisabled(u, r.state, { kind: 'REPLICA-FAILURE', i: 9 })).toMatch(/no replica 9/);
  });
});
