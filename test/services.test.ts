// The replicated state machines ⟨S, C, O, O', g, s_o⟩ (Definition 2.4.1): the order-revealing log
// service and the counter service.
import { describe, expect, it } from 'vitest';
import { counterService, logService, NULL_REP, serviceByName, type ServiceState, type StateMachine } from '../automata/services.ts';
import { Universe } from '../automata/universe.ts';

const SERVICES: readonly StateMachine[] = [logService, counterService];
const ODD_OPS = ['', ' ', 'zzz', 'inc ', 'INC', 'a|b', '"quoted"', 'ünïcödé ✓', 'x'.repeat(2000), '\n', 'null-rep'];

/** Applies (c, o) pairs from s_o; returns the results and the final state. */
function run(sm: StateMachine, ops: readonly [number, string][]): { results: string[]; state: ServiceState } {
  let s = sm.initial;
  const results: string[] = [];
  for (const [c, o] of ops) {
    const [r, next] = sm.g(c, o, s);
    results.push(r);
    s = next;
  }
  return { results, state: s };
}

describe.each(SERVICES.map((sm) => [sm.name, sm] as const))('%s service (Def 2.4.1)', (_name, sm) => {
  it('g is total: every operation, including odd ones, yields a result in O\' and a state', () => {
    let s = sm.initial;
    for (const o of [...sm.ops, ...ODD_OPS])
      for (const c of [0, 1, 7]) {
        const out = sm.g(c, o, s);
        expect(out).toHaveLength(2);
        expect(typeof out[0]).toBe('string');
        expect(() => sm.encode(out[1])).not.toThrow();
        s = out[1];
      }
  });

  it('g is deterministic: the same inputs give the same result and an equal state', () => {
    const ops: [number, string][] = [
      [0, sm.ops[0]!],
      [1, sm.ops[1]!],
      [0, 'weird'],
      [1, sm.ops[0]!],
    ];
    const a = run(sm, ops);
    const b = run(sm, ops);
    expect(a.results).toEqual(b.results);
    expect(sm.encode(a.state)).toBe(sm.encode(b.state));
  });

  it('g does not mutate its argument state (states are values)', () => {
    const enc0 = sm.encode(sm.initial);
    const s1 = sm.g(0, sm.ops[0]!, sm.initial)[1];
    const enc1 = sm.encode(s1);
    sm.g(1, sm.ops[1]!, s1);
    sm.g(0, sm.ops[0]!, s1);
    expect(sm.encode(s1)).toBe(enc1);
    expect(sm.encode(sm.initial)).toBe(enc0);
    expect(enc1).not.toBe(enc0);
  });

  it('no g result equals null-rep (so a fresh replica’s null-rep is never mistaken for a result)', () => {
    let s = sm.initial;
    for (const o of [...sm.ops, ...ODD_OPS]) {
      const [r, next] = sm.g(0, o, s);
      expect(r).not.toBe(NULL_REP);
      s = next;
    }
  });

  it('serialize / deserialize round trip (also through JSON text)', () => {
    const { state } = run(sm, [
      [0, sm.ops[0]!],
      [1, sm.ops[1]!],
      [1, sm.ops[0]!],
    ]);
    for (const s of [sm.initial, state]) {
      const back = sm.deserialize(JSON.parse(JSON.stringify(sm.serialize(s))));
      expect(sm.encode(back)).toBe(sm.encode(s));
      expect(sm.show(back)).toBe(sm.show(s));
      // and the rebuilt state behaves the same
      expect(sm.g(0, sm.ops[0]!, back)[0]).toBe(sm.g(0, sm.ops[0]!, s)[0]);
    }
  });

  it('deserialize rejects malformed input', () => {
    expect(() => sm.deserialize('not a state')).toThrow();
    expect(() => sm.deserialize({})).toThrow();
  });

  it('encode is equal for equal states built independently, and differs for different states', () => {
    const ops: [number, string][] = [
      [0, sm.ops[0]!],
      [0, sm.ops[0]!],
    ];
    const a = run(sm, ops).state;
    const b = run(sm, ops).state;
    if (typeof a === 'object') expect(a).not.toBe(b); // two separately built values, not one shared object
    expect(sm.encode(a)).toBe(sm.encode(b));
    expect(sm.encode(a)).not.toBe(sm.encode(sm.initial));
  });

  it('serviceByName and Universe pick this service', () => {
    expect(serviceByName(sm.name)).toBe(sm);
    expect(new Universe({ service: sm.name }).service).toBe(sm);
  });
});

describe('log service: results reveal the execution order', () => {
  it('two orders of the same operations give different results and states', () => {
    const x = run(logService, [
      [0, 'a'],
      [1, 'b'],
    ]);
    const y = run(logService, [
      [1, 'b'],
      [0, 'a'],
    ]);
    expect(x.results[1]).not.toBe(y.results[1]);
    expect(x.results[0]).not.toBe(y.results[1]);
    expect(logService.encode(x.state)).not.toBe(logService.encode(y.state));
    expect(logService.show(x.state)).toBe('[c0:a c1:b]');
    expect(logService.show(y.state)).toBe('[c1:b c0:a]');
  });

  it('the same operation by different clients gives different results (c is an argument of g)', () => {
    expect(logService.g(0, 'a', logService.initial)[0]).not.toBe(logService.g(1, 'a', logService.initial)[0]);
  });

  it('repeating an operation gives a new result each time (the result names the whole prefix)', () => {
    const { results } = run(logService, [
      [0, 'a'],
      [0, 'a'],
      [0, 'a'],
    ]);
    expect(new Set(results).size).toBe(3);
    expect(results.map((r) => r.split('@')[0])).toEqual(['1', '2', '3']);
  });

  it('operations that look like separators do not collide', () => {
    const x = run(logService, [[0, 'a|1|b']]);
    const y = run(logService, [
      [0, 'a'],
      [1, 'b'],
    ]);
    expect(logService.encode(x.state)).not.toBe(logService.encode(y.state));
  });
});

describe('counter service', () => {
  it('inc, dec and read; any other operation returns bad-op and keeps the state', () => {
    const { results, state } = run(counterService, [
      [0, 'inc'],
      [1, 'inc'],
      [0, 'read'],
      [1, 'dec'],
      [0, 'frobnicate'],
      [0, 'read'],
    ]);
    expect(results).toEqual(['1', '2', '2', '1', 'bad-op', '1']);
    expect(state).toBe(1);
  });

  it('is not order-revealing: inc by two clients in either order gives the same final state', () => {
    const x = run(counterService, [
      [0, 'inc'],
      [1, 'inc'],
    ]);
    const y = run(counterService, [
      [1, 'inc'],
      [0, 'inc'],
    ]);
    expect(counterService.encode(x.state)).toBe(counterService.encode(y.state));
  });

  it('deserialize requires an integer', () => {
    expect(() => counterService.deserialize(1.5)).toThrow();
    expect(counterService.deserialize(-3)).toBe(-3);
  });
});
