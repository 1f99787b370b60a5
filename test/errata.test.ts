// Each ERRATA.md entry's trace replays and behaves as documented, under the corrected reading
// (the default) and under --literal.
import { describe, expect, it } from 'vitest';
import { driveToQuiescence } from '../sim/drive.ts';
import { initialSystem, type SystemState } from '../automata/compose.ts';
import { Universe } from '../automata/universe.ts';
import { systemInvariants } from '../invariants/registry.ts';
import { loadTrace, replayTrace } from '../sim/trace-file.ts';
import type { PrePrepare } from '../automata/messages.ts';

describe('E1: the null set N of a new view', () => {
  const trace = loadTrace('traces/errata/E1-null-set.json');

  it('corrected: N fills the gap at n = 1; the null request and b execute and c1 gets its reply', () => {
    const { u, s, actions } = replayTrace(trace);
    const last = actions[actions.length - 1]!;
    expect(last.kind).toBe('SEND-NEW-VIEW');
    const nv = [...s.replicas[1]!.out][0]!;
    expect(nv.tag === 'NEW-VIEW' && (nv.N as PrePrepare[]).map((p) => [p.n, p.m])).toEqual([[1, null]]);
    expect(nv.tag === 'NEW-VIEW' && (nv.O as PrePrepare[]).map((p) => p.n)).toEqual([2]);
    const rest = driveToQuiescence(u, s);
    for (const r of s.replicas) expect(r.lastExec).toBe(2);
    expect(rest.filter((a) => a.kind === 'EXECUTE' && a.n === 1).every((a) => a.kind === 'EXECUTE' && a.m === null)).toBe(true);
    // (a reached only replica 0, the old primary, since the driver takes no retransmissions)
    expect(rest.filter((a) => a.kind === 'REPLY').map((a) => a.kind === 'REPLY' && a.c)).toEqual([1]);
  });

  it('literal: N is empty, nothing past the gap ever executes, and c1 never gets its reply', () => {
    const { u, s } = replayTrace(trace, { readings: { literalNullSet: true } });
    const nv = [...s.replicas[1]!.out][0]!;
    expect(nv.tag === 'NEW-VIEW' && nv.N).toEqual([]);
    expect(nv.tag === 'NEW-VIEW' && (nv.O as PrePrepare[]).map((p) => p.n)).toEqual([2]);
    const rest = driveToQuiescence(u, s);
    for (const r of s.replicas) expect(r.lastExec).toBe(0);
    expect(rest.some((a) => a.kind === 'REPLY' || a.kind === 'EXECUTE')).toBe(false);
    // Request b was prepared and committed at n = 2 in view 1, but n = 1 is never assigned.
    expect(s.replicas.every((r) => r.in.commitSignersOf(1, 2, u.interner.digest(u.interner.request('b', 1, 1))).size === 4)).toBe(true);
  });
});

describe('E2: Invariant A.1.2(3) and seqno_i after SEND-NEW-VIEW', () => {
  const trace = loadTrace('traces/errata/E2-seqno.json');

  it('literal: A.1.2(3) is reported at replica 0 for its view-0 pre-prepare with n = 2 > seqno_0 = 1', () => {
    const { u, s, actions } = replayTrace(trace, { readings: { literalSeqnoInvariant: true } });
    expect(actions[actions.length - 1]!.kind).toBe('SEND-NEW-VIEW');
    const found = systemInvariants(u.config.readings).flatMap((x) => x.check(u, s));
    expect(found.map((v) => v.id)).toEqual(['A.1.2(3)']);
    expect(found[0]!.witness).toMatchObject({ replicas: [0], view: 0, n: 2 });
    expect(s.replicas[0]!.seqno).toBe(1);
  });

  it('corrected: condition 3 restricted to v = view_i holds, and so does every other invariant', () => {
    const { u, s } = replayTrace(trace);
    expect(systemInvariants(u.config.readings).flatMap((x) => x.check(u, s))).toEqual([]);
  });
});

const checkAll = (u: Universe, s: SystemState) => systemInvariants(u.config.readings).flatMap((x) => x.check(u, s));

describe('E3: the new-view actions reset out_i and drop unsent commits', () => {
  const trace = loadTrace('traces/errata/E3-out-reset.json');

  it('literal: replica 2 drops its own COMMIT for n = 2 and A.2.3(1) fails at replica 1', () => {
    const { u, s, actions } = replayTrace(trace);
    expect(u.config.readings.literalOutReset).toBe(true);
    const last = actions[actions.length - 1]!;
    expect(last.kind === 'RECEIVE' && last.x === 2 && last.m.tag === 'NEW-VIEW').toBe(true);
    const found = checkAll(u, s);
    expect(found.map((v) => v.id)).toContain('A.2.3(1)');
    expect(found.find((v) => v.id === 'A.2.3(1)')!.message).toMatch(/replica 1 /);
  });

  it('corrected: the same actions keep the commit in out_2 and every invariant holds', () => {
    const { u, s } = replayTrace(trace, { readings: { literalOutReset: false } });
    expect(checkAll(u, s)).toEqual([]);
  });
});

describe('E4: Wire of Def A.2.2 without the messages nested in NEW-VIEW and VIEW-CHANGE', () => {
  const trace = loadTrace('traces/errata/E4-nested-wire.json');

  it('literal: after a null request executes, A.2.3(1) fails (its pre-prepare is only inside a NEW-VIEW)', () => {
    const { u, s, actions } = replayTrace(trace);
    expect(u.config.readings.literalWire).toBe(true);
    const last = actions[actions.length - 1]!;
    expect(last.kind === 'EXECUTE' && last.m === null).toBe(true);
    expect(checkAll(u, s).map((v) => v.id)).toContain('A.2.3(1)');
  });

  it('corrected: with nested messages in Wire, every invariant holds on the same state', () => {
    const { u, s } = replayTrace(trace, { readings: { literalWire: false } });
    expect(checkAll(u, s)).toEqual([]);
  });
});

describe('E5: committed-Wire compares last-rep with r-last-rep-t(μ)', () => {
  it('literal: A.2.3(1) fails in the initial state (null-rep is not 0); corrected: it holds', () => {
    const lit = new Universe({ variant: 'Agc', readings: { literalLastRepT: true } });
    expect(checkAll(lit, initialSystem(lit)).filter((v) => v.id === 'A.2.3(1)').length).toBe(lit.n);
    const cor = new Universe({ variant: 'Agc' });
    expect(checkAll(cor, initialSystem(cor))).toEqual([]);
  });
});

describe('E22: EXECUTE removes any payload from in_i, even a replica\'s own prepare', () => {
  const trace = loadTrace('traces/errata/E22-execute-removal.json');
  const ownPrepare = (u: Universe, j: number) => u.interner.prepare(0, 1, u.interner.digest(u.interner.request('a', 1, 0)), j);
  const preparesOfB = (u: Universe, s: SystemState, i: number) => {
    const d = u.interner.digest(u.interner.request('b', 2, 0));
    return [...s.replicas[i]!.out].filter((m) => m.tag === 'PREPARE' && m.n === 1 && m.d === d).length;
  };

  it('literal: executing ⟨PREPARE,0,1,D(a),1⟩σ1 removes it from in_1 (A.1.1 fails), and r1, r2 then prepare b at (0, 1)', () => {
    expect(trace.config.readings?.literalExecuteRemoval).toBe(true);
    const upTo = (k: number) => replayTrace({ ...trace, actions: trace.actions.slice(0, k) });
    const before = upTo(72);
    expect(before.s.replicas[1]!.in.has(ownPrepare(before.u, 1))).toBe(true);
    expect(checkAll(before.u, before.s)).toEqual([]);
    const { u, s, actions } = upTo(73);
    const last = actions[actions.length - 1]!;
    expect(last.kind === 'EXECUTE' && last.i === 1 && last.m === ownPrepare(u, 1)).toBe(true);
    expect(s.replicas[1]!.in.has(ownPrepare(u, 1))).toBe(false);
    expect(checkAll(u, s).map((v) => v.id)).toContain('A.1.1(in)');
    const end = replayTrace(trace);
    expect([1, 2].map((i) => preparesOfB(end.u, end.s, i))).toEqual([1, 1]);
  });

  it('corrected: the payload stays in in_i, the conflicting pre-prepare is refused, and every invariant holds', () => {
    const { u, s } = replayTrace(trace, { readings: { literalExecuteRemoval: false } });
    for (const j of [1, 2]) expect(s.replicas[j]!.in.has(ownPrepare(u, j))).toBe(true);
    expect([1, 2].map((i) => preparesOfB(u, s, i))).toEqual([0, 0]);
    expect(s.replicas.slice(1).map((r) => r.lastExec)).toEqual([3, 3, 3]);
    expect(checkAll(u, s)).toEqual([]);
  });
});
