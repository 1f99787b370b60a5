// G (Definition A.1.20) and the paired simulation of A' and S' (Theorem A.1.19).
import { standIns } from './requesting-client.ts';
import { describe, expect, it } from 'vitest';
import type { Action } from '../../automata/actions.ts';
import { initialSystem, step, type SystemState } from '../../automata/compose.ts';
import type { SpecHistAction } from '../../automata/spec-hist.ts';
import { reqKey, repKey } from '../../automata/spec.ts';
import { Universe } from '../../automata/universe.ts';
import { gClauses, gFragment, type GFragment } from '../../proofs/g.ts';
import { FSimulation, type SimulationFinding } from '../../proofs/paired-f.ts';
import { GSimulation } from '../../proofs/paired-g.ts';
import { runRandom } from '../../sim/scheduler.ts';
import { loadTrace, type TraceFile } from '../../sim/trace-file.ts';
import { ActionDecoder } from '../../sim/trace-json.ts';

/** A random run of A with S' following (and S following S' through F when `chain`). */
function paired(seed: string, config: object, opts: { literal?: boolean; chain?: boolean; steps?: number; viewChange?: number } = {}) {
  let g!: GSimulation;
  const found: SimulationFinding[] = [];
  const fFound: SimulationFinding[] = [];
  const alphaKinds = new Set<string>();
  /** The steps π (by index) that are EXECUTE of a request and for which α = EXECUTE-NULL (E11's correction). */
  const nullForRequest: number[] = [];
  const run = runRandom({
    config: { variant: 'A', ...config },
    seed,
    steps: opts.steps ?? 1500,
    standIns,
    ...(opts.viewChange === undefined ? {} : { weights: { 'view-change': opts.viewChange } }),
    onStart: (u, s) => {
      g = new GSimulation(u, opts.literal ?? false);
      const f = opts.chain ? new FSimulation(u) : null;
      g.onAbstractStep = (k, b, y) => {
        alphaKinds.add(b.kind);
        if (f !== null) fFound.push(...f.step(k, b, y));
      };
      found.push(...g.start(s));
    },
    beforeStep: (k, a, s) => g.before(k, a, s),
    onStep: (k, a, s) => {
      found.push(...g.after(k, a, s));
      if (a.kind === 'EXECUTE' && a.m !== null && g.alpha.length === 1 && g.alpha[0]!.kind === 'EXECUTE-NULL') nullForRequest.push(k);
    },
  });
  return { g, found, fFound, alphaKinds, nullForRequest, run };
}

describe('G from A′ to S′ (corrected reading)', () => {
  it.each([
    ['g1', {}],
    ['g2', {}],
    ['g3', {}],
    ['g1', { faultyReplicas: [3] }],
    ['g2', { faultyReplicas: [3] }],
    ['g1', { faultyClients: [1] }],
    ['g2', { faultyClients: [1] }],
  ])('holds at the start and after every step of a random run of A (seed %s, %j)', (seed, config) => {
    const { found, run, g } = paired(seed, config);
    expect(found).toEqual([]);
    expect(run.trace.filter((a) => a.kind === 'EXECUTE').length).toBeGreaterThan(10);
    expect(run.trace.some((a) => a.kind === 'REPLY')).toBe(true);
    expect(g.y.hist.length).toBeGreaterThan(3);
    expect(g.undefinedFrom).toBeNull();
  });

  it('covers view changes, faulty clients’ requests and every kind of S′ step', () => {
    const kinds = new Set<string>();
    const concrete = new Set<string>();
    for (const [seed, config, viewChange] of [
      ['c15', {}, 1],
      ['g4', { faultyClients: [1], clientsWaitForReply: false }, undefined],
    ] as const) {
      const { found, alphaKinds, run } = paired(seed, config, { steps: 1000, viewChange });
      expect(found).toEqual([]);
      for (const k of alphaKinds) kinds.add(k);
      for (const a of run.trace) concrete.add(a.kind);
    }
    for (const k of ['REQUEST', 'CLIENT-FAILURE', 'FAULTY-REQUEST', 'EXECUTE', 'EXECUTE-NULL', 'REPLY']) expect(kinds).toContain(k);
    for (const k of ['SEND-VIEW-CHANGE', 'SEND-NEW-VIEW', 'MISBEHAVE']) expect(concrete).toContain(k);
  });

  it('with frequent view changes a request commits at two sequence numbers; corrected, α = EXECUTE-NULL there (E11)', () => {
    // Seed c152: in view 3, replica 3 executes a (c0, t = 1) at n = 1 (step 355), then again at n = 2 (step 372).
    const cor = paired('c152', {}, { steps: 1000, viewChange: 3 });
    expect(cor.found).toEqual([]);
    expect(cor.nullForRequest.length).toBeGreaterThan(0);
    const lit = paired('c152', {}, { steps: 1000, viewChange: 3, literal: true });
    const first = lit.found.find((f) => f.id !== 'G(4)')!;
    expect([first.id, first.step, first.fragment]).toEqual(['enabled', cor.nullForRequest[0], ['EXECUTE(a, 1, c0)']]);
  });

  it('chains with F: the S′ steps of α, fed to an FSimulation, keep F (A′ → S′ → S)', () => {
    const { found, fFound, alphaKinds } = paired('g5', { faultyReplicas: [2] }, { chain: true, steps: 1000 });
    expect(found).toEqual([]);
    expect(fFound).toEqual([]);
    expect(alphaKinds).toContain('EXECUTE');
  });

  it('the start condition: G relates the start states; as written, only G(4) fails there (E8)', () => {
    const u = new Universe({ variant: 'A' });
    expect(new GSimulation(u).start(initialSystem(u))).toEqual([]);
    const literal = new GSimulation(u, true).start(initialSystem(u));
    expect(literal.map((f) => [f.id, f.step])).toEqual([['G(4)', -1]]);
    expect(literal[0]!.message).toBe('replica 0: x.last-exec = 0 ≥ y.seqno = 0');
  });

  it('stops following once n-faulty > f (S′ undefined; "any relation will do")', () => {
    const u = new Universe({ variant: 'A' });
    const x = initialSystem(u);
    const g = new GSimulation(u);
    const acts: Action[] = [
      { kind: 'REPLICA-FAILURE', i: 0 },
      { kind: 'REPLICA-FAILURE', i: 1 },
      { kind: 'REQUEST', o: 'a', c: 0 },
    ];
    const found = acts.flatMap((a, k) => {
      g.before(k, a, x);
      step(u, x, a);
      return g.after(k, a, x);
    });
    expect(found).toEqual([]);
    expect(g.undefinedFrom).toBe(2);
    expect(g.y.faultyReplica).toEqual([true, true, false, false]);
  });

  it('has one clause per condition, with its statement', () => {
    const cs = gClauses(new Universe({ variant: 'A' }));
    expect(cs.map((c) => c.id)).toEqual(['G(1)', 'G(2)', 'G(3)', 'G(4)', 'G(5)', 'G(6)', 'G(7)', 'G(8)', 'G(9)', 'G(10)', 'G(11)']);
    expect(cs[3]!.statement).toMatch(/x\.last-exec_i ≤ y\.seqno/);
    expect(gClauses(new Universe({ variant: 'A' }), true)[3]!.statement).toMatch(/x\.last-exec_i < y\.seqno/);
  });
});

// ---------------------------------------------------------------- replaying recorded traces

/** Replays a trace file under G with S' following; `literal` selects G's literal forms. */
function replayG(t: TraceFile, literal: boolean, upTo = t.actions.length, fragment?: GFragment) {
  const u = new Universe({ ...t.config, readings: { ...t.config.readings, literalG: literal } });
  const x = initialSystem(u);
  const dec = new ActionDecoder(u);
  const g = new GSimulation(u, literal, fragment);
  const found = [...g.start(x)];
  const take = (k: number, a: Action) => {
    g.before(k, a, x);
    step(u, x, a);
    return g.after(k, a, x);
  };
  t.actions.slice(0, upTo).forEach((j, k) => found.push(...take(k, dec.action(j))));
  return { u, x, g, found, take };
}

const E8 = loadTrace('traces/errata/E8-g-last-exec.json');

describe('each clause of G, and each check of the paired simulation, can fail', () => {
  // E8's trace (one request through the normal case) is clean under the corrected reading; a
  // prefix of it is corrupted, then A takes a step with α = λ (a MISBEHAVE that puts back the same
  // (m, X)), and only the corruption can break G.
  const lastReply = E8.actions.length - 1; // the last step is REPLY(r)_c0
  const run = (upTo: number, corrupt: (x: SystemState, g: GSimulation, u: Universe) => void) => {
    const { u, x, g, found, take } = replayG(E8, false, upTo);
    expect(found).toEqual([]);
    corrupt(x, g, u);
    const { m, X } = x.wire.all()[0]!;
    return take(upTo, { kind: 'MISBEHAVE', m, X, X2: X });
  };
  const ids = (fs: SimulationFinding[]) => fs.map((f) => f.id);

  it('the prefixes used are what the corruptions need', () => {
    const { x, g } = replayG(E8, false, lastReply);
    expect(x.replicas.map((r) => r.lastExec)).toEqual([1, 1, 1, 1]);
    expect(x.proxies[0]!.out).not.toBeNull();
    expect(g.y.hist).toEqual([{ n: 1, o: 'a', t: 1, c: 0 }]);
    expect(replayG(E8, false, 2).g.y.in.has(reqKey('a', 1, 0))).toBe(true);
  });
  it('G(1): faulty flags of a replica differ', () => {
    const found = run(lastReply, (_x, g) => (g.y.faultyReplica[2] = true));
    expect(ids(found)).toEqual(['G(1)']);
    expect(found[0]!.message).toBe('replica 2: x.faulty = false, y.faulty-replica = true');
  });
  it('G(2): faulty flags of a client differ', () => {
    expect(ids(run(lastReply, (_x, g) => (g.y.faultyClient[1] = true)))).toEqual(['G(2)']);
  });
  it('G(3): last-req of a non-faulty client differs', () => {
    const found = run(lastReply, (_x, g) => (g.y.lastReq[0] = 5));
    expect(ids(found)).toEqual(['G(3)']);
    expect(found[0]!.message).toBe('client 0: x.last-req = 1, y.last-req = 5');
  });
  it('G(4): a non-faulty replica is ahead of S′', () => {
    const found = run(lastReply, (_x, g) => (g.y.seqno = 0));
    expect(ids(found)).toEqual(['G(4)']);
    expect(found[0]!.message).toBe('replica 0: x.last-exec = 1 > y.seqno = 0');
  });
  it('G(5): val_i is not val(prefix(hist, last-exec_i))', () => {
    expect(ids(run(lastReply, (x, _g, u) => (x.replicas[1]!.val = u.service.initial)))).toEqual(['G(5)']);
  });
  it('G(6): last-rep_i(c) is not last-rep(prefix(hist, last-exec_i))(c)', () => {
    expect(ids(run(lastReply, (x) => (x.replicas[1]!.lastRep[0] = 'zz')))).toEqual(['G(6)']);
  });
  it('G(7): last-rep-t_i(c) is not last-rep-t(prefix(hist, last-exec_i))(c)', () => {
    const found = run(lastReply, (x) => (x.replicas[1]!.lastRepT[1] = 9));
    expect(ids(found)).toEqual(['G(7)']);
    expect(found[0]!.message).toBe('replica 1, client 1: x.last-rep-t = 9, last-rep-t(prefix(y.hist, 1))(c) = 0');
  });
  it('G(8): the request at n = 1 is prepared by only 2f − n-faulty = 2 non-faulty replicas', () => {
    const found = run(lastReply, (x) => {
      for (const r of [x.replicas[0]!, x.replicas[1]!]) for (const pp of [...r.in.prePreparesAt(1)]) r.in.delete(pp);
    });
    expect(ids(found)).toEqual(['G(8)']);
    expect(found[0]!.message).toMatch(/^n = 1: ⟨1, a, 1, c0⟩ ∈ y\.hist but no v with more than 2 non-faulty replicas that prepared it \(prepared: ⟨REQUEST, a, 1, c0⟩ in view 0 by 2\)$/);
  });
  it('G(8): a sequence number of S′ with no tuple and nothing prepared', () => {
    const found = run(lastReply, (_x, g) => (g.y.seqno = 2));
    expect(ids(found)).toEqual(['G(8)']);
    expect(found[0]!.message).toMatch(/^n = 2: no tuple in y\.hist.*\(nothing prepared there\)$/);
  });
  it('G(9): a reply of a non-faulty replica that no tuple of hist explains', () => {
    const found = run(lastReply, (x, _g, u) => x.replicas[2]!.out.add(u.interner.reply(0, 1, 0, 2, 'bogus')));
    expect(ids(found)).toEqual(['G(9)']);
    expect(found[0]!.message).toMatch(/^⟨REPLY, 0, 1, c0, 2, bogus⟩σ2 ∈ x\.out_2: /);
  });
  it('G(10): the reply for the waiting client is missing from y.out', () => {
    const found = run(lastReply, (_x, g) => g.y.out.clear());
    expect(ids(found)).toEqual(['G(10)']);
    expect(found[0]!.message).toMatch(/^⟨1, a, 1, c0⟩ ∈ y\.hist, client 0 waits/);
  });
  it('G(11): a request on the wire that S′ has neither in in nor in hist', () => {
    const found = run(2, (_x, g) => g.y.in.delete(reqKey('a', 1, 0)));
    expect(ids(found)).toEqual(['G(11)']);
    expect(found[0]!.message).toMatch(/^⟨REQUEST, a, 1, c0⟩ \(in x\.out_c0\) of non-faulty client 0/);
  });

  it('a wrong correspondence step is reported by the clauses it breaks (EXECUTE taken as λ)', () => {
    const noExecute: GFragment = (pi, pre, y) => (pi.kind === 'EXECUTE' ? [] : gFragment()(pi, pre, y));
    const { found } = replayG(E8, false, E8.actions.length, noExecute);
    const first = E8.actions.findIndex((a: any) => a.kind === 'EXECUTE');
    expect(found[0]!.step).toBe(first);
    expect(ids(found.filter((f) => f.step === first))).toEqual(['G(4)', 'G(5)', 'G(6)', 'G(7)', 'G(9)']);
  });
  it('a step of α that is not enabled in S′ is reported', () => {
    const wrong: GFragment = (pi, pre, y): SpecHistAction[] => (pi.kind === 'SEND' ? [{ kind: 'EXECUTE', o: 'zz', t: 9, c: 0 }] : gFragment()(pi, pre, y));
    const { found } = replayG(E8, false, 2, wrong);
    expect(found).toEqual([
      { id: 'enabled', step: 1, concrete: 'SEND(⟨REQUEST,a,1,c0⟩σc0, {r0})_c0', fragment: ['EXECUTE(zz, 9, c0)'], message: 'EXECUTE(zz, 9, c0) is not enabled in S′' },
    ]);
  });
  it('a fragment whose trace differs from the step is reported', () => {
    const dropRequests: GFragment = (pi, pre, y) => (pi.kind === 'REQUEST' ? [] : gFragment()(pi, pre, y));
    const { found } = replayG(E8, false, 1, dropRequests);
    expect(found.map((f) => [f.id, f.step, f.message])).toEqual([['trace', 0, 'trace(α) = ⟨⟩ but trace(π) = ⟨REQUEST(a)_c0⟩']]);
    const replyAsNull: GFragment = (pi, pre, y) => (pi.kind === 'REPLY' ? [{ kind: 'EXECUTE-NULL' }] : gFragment()(pi, pre, y));
    const last = replayG(E8, false, E8.actions.length, replyAsNull).found;
    expect(last.map((f) => [f.id, f.message])).toEqual([['trace', `trace(α) = ⟨⟩ but trace(π) = ⟨REPLY(${(E8.actions[lastReply] as any).r})_c0⟩`]]);
  });
  it('the REPLY of a non-faulty client removes the triple with t = last-req_c', () => {
    const { g, found } = replayG(E8, false);
    expect(found).toEqual([]);
    expect(g.alpha).toEqual([{ kind: 'REPLY', r: (E8.actions[lastReply] as any).r, c: 0, t: 1 }]);
    expect(g.y.out.has(repKey((E8.actions[lastReply] as any).r, 1, 0))).toBe(false);
  });
});

// ---------------------------------------------------------------- errata (ERRATA.md E8-E11)

describe('errata of G (ERRATA.md E8-E11): literal forms fail as documented, corrected ones hold', () => {
  const at = (fs: SimulationFinding[], id: string) => fs.filter((f) => f.id === id).map((f) => f.step);
  const others = (fs: SimulationFinding[]) => fs.filter((f) => f.id !== 'G(4)').map((f) => [f.id, f.step]);
  const allSteps = (t: TraceFile, upTo = t.actions.length) => [-1, ...Array.from({ length: upTo }, (_, k) => k)];

  it('E8: as written, G(4) (x.last-exec_i < y.seqno) fails at the start and after every step', () => {
    const lit = replayG(E8, true).found;
    expect(at(lit, 'G(4)')).toEqual(allSteps(E8));
    expect(others(lit)).toEqual([]);
    expect(replayG(E8, false).found).toEqual([]);
  });

  it('E9: as written, G(9) fails once a non-faulty replica answers a faulty client’s request with t = 0', () => {
    const t = loadTrace('traces/errata/E9-g-null-reply.json');
    const lit = replayG(t, true).found;
    expect(others(lit)).toEqual([
      ['G(9)', 2],
      ['G(9)', 3],
    ]);
    expect(lit.find((f) => f.id === 'G(9)')!.message).toBe(
      '⟨REPLY, 0, 0, c1, 0, null-rep⟩σ0 ∈ x.out_0: no ⟨n, o, 0, c1⟩ ∈ y.hist with last-rep(prefix(y.hist, n))(c1) = null-rep',
    );
    expect(at(lit, 'G(4)')).toEqual(allSteps(t));
    expect(replayG(t, false).found).toEqual([]);
  });

  it('E10: as written, G(11) fails when S′ executes a request whose timestamp is already below last-rep-t(hist)(c)', () => {
    const t = loadTrace('traces/errata/E10-g-stale-request.json');
    expect(t.config.clientsWaitForReply).toBe(false);
    const last = t.actions.length - 1;
    const lit = replayG(t, true);
    expect(others(lit.found)).toEqual([['G(11)', last]]);
    expect(lit.found.find((f) => f.id === 'G(11)')!.message).toMatch(/^⟨REQUEST, a, 1, c0⟩ .* of non-faulty client 0: ⟨a, 1, c0⟩ ∉ y\.in and not in y\.hist$/);
    expect(lit.g.alpha).toEqual([{ kind: 'EXECUTE', o: 'a', t: 1, c: 0 }]);
    expect(lit.g.y.hist).toEqual([{ n: 1, o: 'b', t: 2, c: 0 }]);
    const cor = replayG(t, false);
    expect(cor.found).toEqual([]);
    expect(cor.g.y.seqno).toBe(2);
  });

  it('E11: as written, the correspondence’s EXECUTE(o, t, c) is not enabled for a request committed at a second sequence number', () => {
    const t = loadTrace('traces/errata/E11-g-double-commit.json');
    const last = t.actions.length - 1;
    const lit = replayG(t, true);
    expect(others(lit.found)).toEqual([['enabled', last]]);
    expect(lit.found.find((f) => f.id === 'enabled')!.message).toBe('EXECUTE(a, 1, c0) is not enabled in S′');
    expect(at(lit.found, 'G(4)')).toEqual(allSteps(t, last));
    // The last step: replica 0 executes a again, at n = 2 (it executed it at n = 1 in view 1).
    expect(lit.x.replicas[0]!.lastExec).toBe(2);
    const cor = replayG(t, false);
    expect(cor.found).toEqual([]);
    expect(cor.g.alpha).toEqual([{ kind: 'EXECUTE-NULL' }]);
    expect(cor.g.y.hist).toEqual([{ n: 1, o: 'a', t: 1, c: 0 }]);
    expect(cor.g.y.seqno).toBe(2);
  });
});
