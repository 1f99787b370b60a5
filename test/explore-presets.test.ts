// explore's presets, prefixes, misbehaviour budget and the faulty replicas' menu.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Action } from '../automata/actions.ts';
import { menuStandIns } from '../automata/byzantine-menu.ts';
import { initialSystem, step } from '../automata/compose.ts';
import { enabledIn } from '../automata/enabled.ts';
import type { PrePrepare } from '../automata/messages.ts';
import { h } from '../automata/replica-state.ts';
import { Universe } from '../automata/universe.ts';
import type { SystemInvariant } from '../invariants/types.ts';
import { main } from '../sim/cli.ts';
import { EXPLORE_DEFAULTS, explore } from '../sim/explore.ts';
import { drivePrefix } from '../sim/explore-prefix.ts';
import { EXPLORE_PRESETS, presetNamed, presetPrefix } from '../sim/explore-presets.ts';
import { replayTrace, saveTrace, traceJson } from '../sim/trace-file.ts';

function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = main(argv, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'pbft-explore-presets-'));

/** A made-up invariant over A_gc states, for violations at a known place. */
const invariant = (id: string, holds: (s: ReturnType<typeof initialSystem>) => boolean): SystemInvariant => ({
  id,
  family: 'TEST',
  subject: 'Agc',
  statement: id,
  ref: 'test',
  check: (_u, s) => (holds(s) ? [] : [{ id, message: `${id} broken`, witness: {} }]),
});

describe('explore: the faulty replicas’ menu', () => {
  it('a faulty primary offers a pre-prepare of each request on the wire and of null at the same (v, n), and commits for each', () => {
    const u = new Universe({ ...EXPLORE_DEFAULTS, faultyReplicas: [0] });
    const s = initialSystem(u);
    const take = (a: Action) => step(u, s, a, menuStandIns);
    take({ kind: 'REPLICA-FAILURE', i: 0 });
    take(enabledIn(u, s, 'request')[0]!);
    take(enabledIn(u, s, 'send')[0]!);
    const offered = enabledIn(u, s, 'byzantine').map((a) => (a as Extract<Action, { kind: 'SEND' }>).m);
    const pps = offered.filter((m): m is PrePrepare => m.tag === 'PRE-PREPARE');
    expect(pps.map((m) => [m.v, m.n, m.m === null ? 'null' : m.m.tag])).toEqual([
      [0, 1, 'null'],
      [0, 1, 'REQUEST'],
    ]);
    // Both sent: the menu then backs each with replica 0's commit (it leads view 0, so no prepare).
    for (const m of pps) take({ kind: 'SEND', x: 0, m, X: u.allReplicas & ~1 });
    const backing = enabledIn(u, s, 'byzantine').map((a) => (a as Extract<Action, { kind: 'SEND' }>).m);
    for (const pp of pps) expect(backing).toContain(u.interner.commit(0, 1, u.interner.digest(pp.m), 0));
    expect(backing.some((m) => m.tag === 'PREPARE')).toBe(false);
    // And a checkpoint of the correct replicas' latest (initial) checkpoint, signed by 0.
    expect(backing.filter((m) => m.tag === 'CHECKPOINT').map((m) => (m.tag === 'CHECKPOINT' ? [m.n, m.j] : []))).toEqual([[0, 0]]);
  });

  it('explore finds an equivocation: two correct backups holding different pre-prepares for (0, 1), by a shortest trace', () => {
    const agree = invariant('TEST(pp)', (s) => {
      const held = new Set<unknown>();
      for (const r of s.replicas) if (!r.faulty) for (const pp of r.in.ppByN.get(1) ?? []) if (pp.v === 0) held.add(pp);
      return held.size <= 1;
    });
    const r = explore({ config: { faultyReplicas: [0] }, maxDepth: 8, maxStates: 1_000_000, invariants: [agree] });
    expect(r.violation?.id).toBe('TEST(pp)');
    // Failure, request, its send, two pre-prepares and a delivery of each, in some order.
    const kinds = r.violation!.trace.actions.map((a) => (a as { kind: string }).kind);
    expect(kinds.sort()).toEqual(['RECEIVE', 'RECEIVE', 'REPLICA-FAILURE', 'REQUEST', 'SEND', 'SEND', 'SEND']);
  });
});

describe('explore: the misbehaviour budget', () => {
  it('budget 0 on a misbehaving network reaches the reliable network’s states; budget 1 reaches more, budget 2 more still', () => {
    const reliable = explore({ config: {}, maxDepth: 5, maxStates: 1_000_000 });
    const bad = { network: { loss: true, duplicate: true, replay: true } };
    const none = explore({ config: bad, maxDepth: 5, maxStates: 1_000_000, misbehaveBudget: 0 });
    expect(none.perDepth).toEqual(reliable.perDepth);
    expect(none.reach.firstDepth.MISBEHAVE).toBeUndefined();
    const one = explore({ config: bad, maxDepth: 5, maxStates: 1_000_000, misbehaveBudget: 1 });
    const two = explore({ config: bad, maxDepth: 5, maxStates: 1_000_000, misbehaveBudget: 2 });
    expect(one.distinct).toBeGreaterThan(none.distinct);
    expect(two.distinct).toBeGreaterThan(one.distinct);
    expect(one.reach.firstDepth.MISBEHAVE).toBe(3);
  });

  it('a state that needs two misbehaviours is out of reach of budget 1 (two copies of a pre-prepare lost)', () => {
    // The pre-prepare's copy for replica 3 is the only one left, and replicas 1 and 2 never got it.
    const lostTwice = invariant('TEST(lost)', (s) => !s.wire.all().some(({ m, X }) => m.tag === 'PRE-PREPARE' && X === 1 << 3 && !s.replicas[1]!.in.all.has(m) && !s.replicas[2]!.in.all.has(m)));
    const lossy = { network: { loss: true, duplicate: false, replay: false } };
    expect(explore({ config: lossy, maxDepth: 7, maxStates: 1_000_000, misbehaveBudget: 1, invariants: [lostTwice] }).violation).toBeNull();
    const two = explore({ config: lossy, maxDepth: 7, maxStates: 1_000_000, misbehaveBudget: 2, invariants: [lostTwice] });
    expect(two.violation?.trace.actions.filter((a) => (a as { kind: string }).kind === 'MISBEHAVE')).toHaveLength(2);
  });
});

describe('explore: presets and prefixes', () => {
  it('every preset’s prefix is an execution that replays, and reaches its goal', () => {
    for (const p of EXPLORE_PRESETS) {
      const u = new Universe({ ...EXPLORE_DEFAULTS, ...p.config });
      const prefix = presetPrefix(p, menuStandIns)(u);
      expect(prefix.length === 0).toBe(p.prefix === undefined);
      const { s } = replayTrace(traceJson(u, prefix));
      if (p.name === 'gc') {
        expect(s.replicas.every((r) => r.lastExec === 1 && h(r) === 0)).toBe(true);
        // The checkpoints for 1 are in out_i, not yet sent.
        expect(s.replicas.every((r) => [...r.out].some((m) => m.tag === 'CHECKPOINT' && m.n === 1))).toBe(true);
      }
      if (p.name === 'view-change') expect(s.replicas.map((r) => [r.view, r.lastExec])).toEqual([[1, 1], [1, 1], [1, 1], [1, 1]]);
    }
  });

  it('a phase that cannot reach its goal says so', () => {
    const u = new Universe(EXPLORE_DEFAULTS);
    expect(() => drivePrefix(u, [{ goal: 'view 5', order: ['receive'], done: (_u, s) => s.replicas[0]!.view === 5 }], menuStandIns)).toThrow(/'view 5' not reached: nothing left to take after 0 steps/);
  });

  it('gc: a stable checkpoint and garbage collection within a few steps of the prefix; a violation there comes with a trace that replays from the initial state', () => {
    const p = presetNamed('gc')!;
    const r = explore({ config: p.config, maxDepth: 4, maxStates: 1_000_000, prefix: presetPrefix(p, menuStandIns) });
    expect(r.reach.highestStable).toBe(1);
    expect(r.reach.firstDepth['COLLECT-GARBAGE']).toBeLessThanOrEqual(4);
    const noStable = invariant('TEST(h)', (s) => s.replicas.every((x) => h(x) === 0));
    const bad = explore({ config: p.config, maxDepth: 6, maxStates: 1_000_000, prefix: presetPrefix(p, menuStandIns), invariants: [noStable] });
    expect(bad.violation?.id).toBe('TEST(h)');
    const t = bad.violation!.trace;
    expect(t.actions.length).toBe(bad.prefixSteps + bad.depth);
    expect(t.violation?.step).toBe(t.actions.length - 1);
    const { s } = replayTrace(t);
    expect(s.replicas.some((x) => h(x) === 1)).toBe(true);
  });

  it('view-change: the view change to 2 is done (its new-view held) within the preset’s depth', () => {
    const p = presetNamed('view-change')!;
    const r = explore({ config: p.config, maxDepth: 8, maxStates: 2_000_000, prefix: presetPrefix(p, menuStandIns) });
    expect(r.reach.highestNewView).toBe(2);
  });

  it('the command: --preset, --from, --from-step and their errors', () => {
    const gc = cli('explore', '--preset', 'gc', '--depth', '3');
    expect(gc.code).toBe(0);
    expect(gc.out).toMatch(/^explore from a \d+-step prefix: \d+ distinct states, depth 3,/);
    expect(gc.out).toMatch(/stable checkpoint 1; first at depth: COLLECT-GARBAGE 3/);
    expect(cli('explore', '--preset', 'gc', '--requests', '0').err).toMatch(/^pbft-check: --preset gc: its prefix fails with these options: 'request 1 executed at every non-faulty replica' not reached: nothing left to take after 0 steps/);
    expect(cli('explore', '--preset', 'nope').err).toMatch(/--preset: no preset 'nope' \(known: normal, gc, view-change, network, faulty-primary\)/);
    // A trace of a run, explored from its 10th step and from its end.
    const dir = tmp();
    const trace = join(dir, 'run.json');
    expect(cli('run', '--steps', '40', '--trace', trace).code).toBe(0);
    const at10 = JSON.parse(cli('explore', '--from', trace, '--from-step', '10', '--depth', '1', '--misbehave', '0', '--json').out);
    expect([at10.from, at10.prefixSteps, at10.depth]).toEqual([trace, 10, 1]);
    expect(JSON.parse(cli('explore', '--from', trace, '--depth', '1', '--json').out).prefixSteps).toBe(40);
    // An erratum's trace explored from one step before its violation, under the literal reading, finds it.
    const out = join(dir, 'e2.json');
    const e2 = cli('explore', '--from', 'traces/errata/E2-seqno.json', '--from-step', '46', '--literal-errata', 'E2', '--depth', '1', '--misbehave', '0', '--out', out);
    expect(e2.code).toBe(1);
    expect(e2.out).toMatch(/violation of A\.1\.2\(3\) after 47 steps/);
    expect(cli('explore', '--from', trace, '--f', '2').err).toMatch(/--f cannot be used with --from: the trace fixes the configuration/);
    expect(cli('explore', '--from', trace, '--from-step', '41').err).toMatch(/--from-step must be at most the 40 actions of/);
    expect(cli('explore', '--from-step', '3').err).toMatch(/--from-step needs --from FILE/);
    expect(cli('explore', '--from', join(dir, 'missing.json')).code).toBe(2);
    saveTrace(join(dir, 'bad.json'), { ...JSON.parse(JSON.stringify(traceJson(new Universe(EXPLORE_DEFAULTS), []))), actions: [{ kind: 'EXECUTE', i: 0 }] });
    expect(cli('explore', '--from', join(dir, 'bad.json')).code).toBe(2);
  });
});
