// The registry names every conjunct of Appendix A the checker knows, once, with its automaton,
// statement and thesis reference; users select by id, family or pattern.
import { describe, expect, it } from 'vitest';
import { ALL_IDS, ALL_INVARIANTS, SelectionError, selectInvariants, SYSTEM_INVARIANTS, systemInvariants } from '../../invariants/registry.ts';

const EXPECTED = [
  'A.1.1(in)', 'A.1.1(wire)', 'A.1.1(out)',
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((k) => `A.1.2(${k})`),
  'A.1.4', 'A.1.5', 'A.1.6', 'A.1.7', 'A.1.8(1)', 'A.1.8(2)', 'A.1.9', 'A.1.10', 'A.1.11', 'A.1.12',
  'A.1.17', 'A.1.18(1)', 'A.1.18(2)',
  'A.2.3(1)', 'A.2.3(2)', 'A.2.4',
];

describe('invariant registry', () => {
  it('holds every conjunct the proof relies on, each once, with a statement and a reference', () => {
    expect(ALL_INVARIANTS.map((x) => x.id).sort()).toEqual([...EXPECTED].sort());
    for (const x of ALL_INVARIANTS) {
      expect(x.statement.length, x.id).toBeGreaterThan(10);
      expect(x.ref, x.id).toMatch(/A\.[12]|Appendix/);
      expect(x.id.startsWith(x.family), x.id).toBe(true);
    }
    expect(ALL_IDS).toContain('E2E');
  });

  it('states each invariant for the automaton the thesis states it for', () => {
    const subject = (id: string) => ALL_INVARIANTS.find((x) => x.id === id)!.subject;
    expect(subject('A.1.2(7)')).toBe('A');
    expect(subject('A.1.11')).toBe('A');
    expect(subject('A.1.17')).toBe("S'");
    expect(subject('A.2.3(1)')).toBe('Agc');
  });

  it('selects by exact id, by family and by pattern', () => {
    expect(selectInvariants(SYSTEM_INVARIANTS, ['A.1.2(7)']).map((x) => x.id)).toEqual(['A.1.2(7)']);
    expect(selectInvariants(SYSTEM_INVARIANTS, ['A.1.2']).length).toBe(9);
    expect(selectInvariants(SYSTEM_INVARIANTS, ['A.2.*']).map((x) => x.id)).toEqual(['A.2.3(1)', 'A.2.3(2)', 'A.2.4']);
    expect(selectInvariants(SYSTEM_INVARIANTS, ['A.1.1*', 'A.1.11']).map((x) => x.id)).toEqual([
      'A.1.1(in)', 'A.1.1(wire)', 'A.1.1(out)', 'A.1.10', 'A.1.11', 'A.1.12',
    ]);
    expect(selectInvariants(SYSTEM_INVARIANTS, []).length).toBe(SYSTEM_INVARIANTS.length);
  });

  it('rejects a pattern that matches nothing, naming the known ids', () => {
    expect(() => selectInvariants(SYSTEM_INVARIANTS, ['A.9.9'])).toThrow(SelectionError);
    expect(() => selectInvariants(SYSTEM_INVARIANTS, ['A.9.9'])).toThrow(/no invariant matches 'A.9.9'.*A\.1\.2\(7\)/);
  });

  it('keeps the literal form of a corrected invariant selectable', () => {
    const corrected = systemInvariants().find((x) => x.id === 'A.1.2(3)')!;
    const literal = systemInvariants({ literalNullSet: false, literalSeqnoInvariant: true, literalOutReset: false, literalWire: false, literalLastRepT: false, literalF: false }).find(
      (x) => x.id === 'A.1.2(3)',
    )!;
    expect(corrected).not.toBe(literal);
    expect(corrected.statement).toMatch(/view_i/);
  });
});
