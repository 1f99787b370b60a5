// The errata of relation H and its step correspondence (ERRATA.md E12-E21, E23-E25): each trace replays
// with the chain A_gc → A → S' → S; under its erratum's literal reading the chain reports the
// documented finding at the documented step, and under the corrected reading (the default) nothing.
import { describe, expect, it } from 'vitest';
import { initialSystem, step } from '../automata/compose.ts';
import { READING_OF_ERRATUM, type Readings } from '../automata/config.ts';
import { Universe } from '../automata/universe.ts';
import { correctViewChange } from '../automata/aux-functions.ts';
import { h } from '../automata/replica-state.ts';
import type { Message } from '../automata/messages.ts';
import { ChainSimulation } from '../proofs/chain.ts';
import type { SimulationFinding } from '../proofs/paired-f.ts';
import { loadTrace } from '../sim/trace-file.ts';
import { ActionDecoder } from '../sim/trace-json.ts';

/** Replays a trace with the chain on; returns every finding and the number of steps. */
function chained(path: string, readings: Partial<Readings>): { found: SimulationFinding[]; steps: number } {
  return chainedPrefix(path, readings, Infinity);
}

/** The same for the first `upTo` actions of the trace. */
function chainedPrefix(path: string, readings: Partial<Readings>, upTo: number): { found: SimulationFinding[]; steps: number } {
  const t0 = loadTrace(path);
  const t = { ...t0, actions: t0.actions.slice(0, upTo) };
  const u = new Universe({ ...t.config, readings: { ...t.config.readings, ...readings } });
  const dec = new ActionDecoder(u);
  const x = initialSystem(u);
  const chain = new ChainSimulation(u);
  const found = [...chain.start(x)];
  t.actions.forEach((j, k) => {
    const a = dec.action(j);
    chain.before(k, a, x);
    step(u, x, a);
    found.push(...chain.after(k, a, x));
  });
  return { found, steps: t.actions.length };
}

interface Case {
  erratum: string;
  file: string;
  /** The finding ids at the first failing step, and the step (-1: the last step of the trace). */
  ids: string[];
  step: number;
  message: RegExp;
}

const CASES: Case[] = [
  { erratum: 'E12', file: 'E12-h-faulty-logs', ids: ['H(1)'], step: 0, message: /r3 \(faulty\): ⟨CHECKPOINT,0,0,\w+,0⟩σ0 is in x in_k only/ },
  { erratum: 'E13', file: 'E13-h-extra-request', ids: ['H(2)'], step: 6, message: /r1: ⟨REQUEST,a,1,c0⟩σc0/ },
  { erratum: 'E14', file: 'E14-h-nv-set', ids: ['H(4)', 'H(5)'], step: 7, message: /r1: x\.nv_i and y\.nv_i are not consistent/ },
  { erratum: 'E15', file: 'E15-h-beta-send', ids: ['enabled'], step: 42, message: /SEND\(⟨COMMIT,0,1,\w+,0⟩σ0, \{r3\}\)_r0 is not enabled/ },
  { erratum: 'E16', file: 'E16-h-window', ids: ['H(2)'], step: -1, message: /r1: ⟨PRE-PREPARE,0,9,/ },
  { erratum: 'E17', file: 'E17-h-faulty-receive', ids: ['enabled'], step: 3, message: /RECEIVE\(⟨VIEW-CHANGE,1,0,.*\)_r3 .* is not enabled in A′/ },
  { erratum: 'E18', file: 'E18-h-catch-up-null', ids: ['enabled'], step: -1, message: /C has no tuple for n = \d+/ },
  { erratum: 'E19', file: 'E19-h-vc-delivery', ids: ['H(3)'], step: -1, message: /x\.vc_i and y\.vc_i are not consistent/ },
  { erratum: 'E20', file: 'E20-h-faulty-checkpoint', ids: ['H(6)'], step: 31, message: /⟨CHECKPOINT,0,1,\w+,2⟩σ2 ∈ X_faulty has no consistent message/ },
  { erratum: 'E21', file: 'E21-h-vc-below-checkpoint', ids: ['H(6)'], step: 124, message: /⟨VIEW-CHANGE,8,4,.*⟩σ3 ∈ X_faulty has no consistent message in Y_faulty/ },
  { erratum: 'E23', file: 'E23-h-vc-set-member', ids: ['H(6)'], step: 1, message: /⟨NEW-VIEW,1,V=\{#\w+\},O=\{\},N=\{\}⟩σ1 ∈ X_faulty has no consistent message in Y_faulty/ },
];

describe('errata of relation H (E12-E21, E23)', () => {
  for (const c of CASES) {
    const path = `traces/errata/${c.file}.json`;
    it(`${c.erratum}: literal, ${c.ids.join(' and ')} at the documented step; corrected, the chain holds`, () => {
      const reading = READING_OF_ERRATUM[c.erratum]!;
      const literal = chained(path, { [reading]: true });
      const at = c.step === -1 ? literal.steps - 1 : c.step;
      const first = literal.found[0]!;
      expect(first, 'the literal reading reports something').toBeDefined();
      expect(first.step).toBe(at);
      expect(literal.found.filter((f) => f.step === at).map((f) => f.id)).toEqual(c.ids);
      expect(first.message).toMatch(c.message);
      expect(chained(path, {}).found).toEqual([]);
    });
  }

  it('every erratum of H has a trace here, and every trace names its erratum in ERRATA.md', async () => {
    const { readFileSync } = await import('node:fs');
    const errata = readFileSync('ERRATA.md', 'utf8');
    for (const c of CASES) expect(errata).toContain(`traces/errata/${c.file}.json`);
    expect(CASES.map((c) => c.erratum)).toEqual(['E12', 'E13', 'E14', 'E15', 'E16', 'E17', 'E18', 'E19', 'E20', 'E21', 'E23']);
  });
});

describe('E24: a faulty replica nests a message only A_gc has (open; the default adversary does not, readings R16)', () => {
  it('the single π step of a faulty node is not enabled in A: the initial checkpoint of r2 is a forgery there', () => {
    const { found } = chained('traces/errata/E24-h-nested-checkpoint.json', {});
    expect(found[0]).toMatchObject({ id: 'enabled', step: 1 });
    expect(found[0]!.message).toMatch(/⟨PRE-PREPARE,1,1,⟨CHECKPOINT,0,0,\w+,2⟩σ2⟩σ1.*cannot forge/);
  });
});

describe('E25: SEND-VIEW-CHANGE puts certificates at or below h_i into P (Fig 2-13; the prose says above)', () => {
  const path = 'traces/errata/E25-h-vc-p-below-checkpoint.json';
  /** The index of r2's SEND-VIEW-CHANGE(6) in the trace. */
  const sendAt = (t: ReturnType<typeof loadTrace>) =>
    t.actions.findIndex((j) => {
      const o = j as { kind?: unknown; v?: unknown; i?: unknown };
      return o.kind === 'SEND-VIEW-CHANGE' && o.v === 6 && o.i === 2;
    });
  /** The sequence numbers of the certificates in a view-change's P. */
  const seqnos = (P: readonly Message[]) => P.flatMap((p) => ('n' in p ? [p.n] : []));
  /** The view-change of r2 for view 6 after replaying the trace up to its SEND-VIEW-CHANGE, and r2's h. */
  const ownViewChange = (readings: Partial<Readings>) => {
    const t = loadTrace(path);
    const u = new Universe({ ...t.config, readings: { ...t.config.readings, ...readings } });
    const dec = new ActionDecoder(u);
    const x = initialSystem(u);
    const at = sendAt(t);
    for (const j of t.actions.slice(0, at + 1)) step(u, x, dec.action(j));
    const r2 = x.replicas[2]!;
    const vc = [...(r2.in.viewChangesByV.get(6) ?? [])].find((m) => m.j === 2)!;
    return { u, vc, h: h(r2) };
  };

  it('as written: after update-state-nv raised h_2, r2 sends a view-change that is not correct in A_gc; its new-view is then incorrect in A_gc, correct in A: H(4)', () => {
    const t = loadTrace(path);
    expect(t.config.readings?.literalVcP).toBe(true);
    const { u, vc, h: h2 } = ownViewChange({});
    expect(seqnos(vc.P).some((n) => n <= h2)).toBe(true);
    expect(correctViewChange(u, vc, 6, 2)).toBe(false);
    const { found, steps } = chained(path, {});
    expect(found[0]).toMatchObject({ id: 'H(4)', step: steps - 1 });
    expect(found[0]!.message).toMatch(/r2: x\.nv_i and y\.nv_i are not consistent/);
  });

  it('corrected: the same schedule gives r2 a view-change with P above h_2 only, which is correct, and the chain holds up to it', () => {
    const { u, vc, h: h2 } = ownViewChange({ literalVcP: false });
    expect(seqnos(vc.P).every((n) => n > h2)).toBe(true);
    expect(vc.P.length).toBeLessThan(ownViewChange({}).vc.P.length);
    expect(correctViewChange(u, vc, 6, 2)).toBe(true);
    const { found } = chainedPrefix(path, { literalVcP: false }, sendAt(loadTrace(path)) + 1);
    expect(found).toEqual([]);
  });
});

describe('regression: a faulty client relays the checkpoint of a replica that failed after sending it', () => {
  const path = 'traces/regression/h-relayed-checkpoint.json';
  it('corrected (E17, E20), the chain holds: A never sent that checkpoint, so the relay and its receipt are λ', () => {
    expect(chained(path, {}).found).toEqual([]);
  });
  it('as written (a single π step, E17), the relay is not enabled in A', () => {
    const { found } = chained(path, { literalFaultyActions: true, literalFaultyCheckpoints: false });
    expect(found[0]).toMatchObject({ id: 'enabled', step: 33 });
    expect(found[0]!.message).toMatch(/cannot forge/);
  });
});
