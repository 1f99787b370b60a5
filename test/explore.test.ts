// pbft-check explore: bounded breadth-first search over every enabled action.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { menuStandIns } from '../automata/byzantine-menu.ts';
import { cloneSystem, initialSystem, step } from '../automata/compose.ts';
import type { ConfigInput } from '../automata/config.ts';
import { enabled } from '../automata/enabled.ts';
import { stateHash } from '../automata/state-hash.ts';
import { fingerprintText, StateHashParts } from '../automata/state-hash-parts.ts';
import { Universe } from '../automata/universe.ts';
import type { SystemInvariant } from '../invariants/types.ts';
import { main } from '../sim/cli.ts';
import { EXPLORE_HELP, stateBound } from '../sim/cli-explore.ts';
import { EXPLORE_DEFAULTS, explore } from '../sim/explore.ts';
import { FingerprintSet } from '../sim/explore-seen.ts';
import { loadTrace } from '../sim/trace-file.ts';

function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = main(argv, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}

/**
 * The search as it was first written: every child cloned whole (cloneSystem), stepped, and
 * fingerprinted from scratch (stateHash); the yardstick for explore's copy on write, kept
 * fingerprints and kept enabled lists.
 */
function fromScratch(config: ConfigInput, maxDepth: number): { distinct: number; transitions: number; perDepth: number[] } {
  const u = new Universe({ ...EXPLORE_DEFAULTS, ...config });
  let frontier = [initialSystem(u)];
  const seen = new Set([stateHash(u, frontier[0]!)]);
  const perDepth = [1];
  let transitions = 0;
  for (let depth = 0; depth < maxDepth && frontier.length > 0; depth++) {
    const next = [];
    for (const s of frontier)
      for (const a of enabled(u, s)) {
        const c = cloneSystem(s);
        step(u, c, a, menuStandIns);
        transitions++;
        const h = stateHash(u, c);
        if (seen.has(h)) continue;
        seen.add(h);
        next.push(c);
      }
    if (next.length > 0) perDepth.push(next.length);
    frontier = next;
  }
  return { distinct: seen.size, transitions, perDepth };
}

describe('explore', () => {
  it('expands every distinct state once up to the depth bound, the same way every time', () => {
    const a = explore({ config: {}, maxDepth: 5, maxStates: 100_000 });
    const b = explore({ config: {}, maxDepth: 5, maxStates: 100_000 });
    expect(a.violation).toBeNull();
    expect([a.distinct, a.depth, a.transitions, a.perDepth]).toEqual([b.distinct, b.depth, b.transitions, b.perDepth]);
    expect(a.depth).toBe(5);
    expect(a.transitions).toBeGreaterThan(a.distinct);
    // A deeper bound reaches more states; the state bound stops the search.
    expect(explore({ config: {}, maxDepth: 6, maxStates: 100_000 }).distinct).toBeGreaterThan(a.distinct);
    const capped = explore({ config: {}, maxDepth: 20, maxStates: 300 });
    expect([capped.distinct, capped.truncated]).toEqual([300, true]);
  });

  it('reaches exactly the states the from-scratch search reaches, depth by depth (default configuration, depths 5 and 6)', () => {
    for (const depth of [5, 6]) {
      const want = fromScratch({}, depth);
      const got = explore({ config: {}, maxDepth: depth, maxStates: 1_000_000 });
      expect({ distinct: got.distinct, transitions: got.transitions, perDepth: got.perDepth }, `depth ${depth}`).toEqual(want);
    }
  });

  it.each([
    ['A', { variant: 'A' }, 5],
    ['a faulty replica (failure input, stand-in)', { faultyReplicas: [2] }, 5],
    ["a faulty primary (the menu's equivocating pre-prepares)", { faultyReplicas: [0] }, 6],
    ['an unreliable network (MISBEHAVE)', { network: { loss: true, duplicate: true, replay: true } }, 4],
    ['the counter service, two requests', { service: 'counter', maxRequestsPerClient: 2 }, 5],
  ] as const)('reaches exactly the states the from-scratch search reaches: %s', (_, config, depth) => {
    const want = fromScratch(config, depth);
    const got = explore({ config, maxDepth: depth, maxStates: 1_000_000 });
    expect({ distinct: got.distinct, transitions: got.transitions, perDepth: got.perDepth }).toEqual(want);
  });

  it('every fingerprint kept part by part is the one computed from scratch, and every enabled list is enabled(u, s)', () => {
    // verify recomputes both for every child and every parent after its expansion (a
    // parent changed by a child's step would show there), and throws on a difference.
    expect(() => explore({ config: {}, maxDepth: 6, maxStates: 100_000, verify: true })).not.toThrow();
    expect(() => explore({ config: { faultyReplicas: [0], network: { loss: true } }, maxDepth: 4, maxStates: 100_000, verify: true })).not.toThrow();
  });

  it('StateHashParts: of(s) is stateHash(s), and child() follows a step from the parent', () => {
    const u = new Universe(EXPLORE_DEFAULTS);
    const parts = new StateHashParts(u);
    let s = initialSystem(u);
    let fp = parts.of(s);
    expect(fingerprintText(fp.lo, fp.hi)).toBe(stateHash(u, s));
    for (const pick of [0, 0, 1, 0, 2, 0]) {
      const a = enabled(u, s)[pick]!;
      // A copy that shares nothing: every part counts as replaced.
      const c = cloneSystem(s);
      step(u, c, a);
      fp = parts.child(fp, s, c, a);
      expect(fingerprintText(fp.lo, fp.hi), a.kind).toBe(stateHash(u, c));
      s = c;
    }
  });

  it('FingerprintSet: membership by both lanes, whatever the growth', () => {
    const set = new FingerprintSet();
    for (let k = 0; k < 20_000; k++) expect(set.add(k * 7919, k & 3)).toBe(true);
    expect(set.size).toBe(20_000);
    expect(set.add(7919, 1)).toBe(false);
    expect(set.has(7919, 2)).toBe(false);
    expect(set.add(0, 0)).toBe(false);
    expect(set.add(-1, -1)).toBe(true);
    expect(set.has(0xffffffff, 0xffffffff)).toBe(true);
  });

  it('finds a violation with a shortest trace (E5 as written fails in the initial state)', () => {
    const r = explore({ config: { readings: { literalLastRepT: true } }, maxDepth: 5, maxStates: 1000 });
    expect(r.violation?.id).toBe('A.2.3(1)');
    expect(r.violation!.trace.actions).toEqual([]);
  });

  it('a violation deeper down comes with a shortest trace, whose fingerprints replay', () => {
    // A made-up invariant: no replica has a request in its log. The least steps that break it are
    // REQUEST, the client's SEND to the primary, and its RECEIVE.
    const noRequestLogged: SystemInvariant = {
      id: 'TEST(1)',
      family: 'TEST',
      subject: 'Agc',
      statement: 'no request in any in_i',
      ref: 'test',
      check: (_u, s) => (s.replicas.some((r) => r.in.requests.size > 0) ? [{ id: 'TEST(1)', message: 'a request was logged', witness: {} }] : []),
    };
    const r = explore({ config: {}, maxDepth: 8, maxStates: 100_000, invariants: [noRequestLogged] });
    expect(r.violation?.id).toBe('TEST(1)');
    expect(r.violation!.trace.actions.map((a) => (a as { kind: string }).kind)).toEqual(['REQUEST', 'SEND', 'RECEIVE']);
    expect(r.violation!.trace.violation).toMatchObject({ id: 'TEST(1)', step: 2 });
    expect(r.violation!.trace.fingerprints).toHaveLength(3);
  });

  it('stops at the time limit', () => {
    const r = explore({ config: {}, maxDepth: 50, maxStates: 10_000_000, timeLimit: 0 });
    expect(r.timedOut).toBe(true);
    expect(r.violation).toBeNull();
  });

  it('stops at the memory bound, before the heap runs out', () => {
    const r = explore({ config: {}, maxDepth: 50, maxStates: 10_000_000, memoryLimit: 1 });
    expect([r.memoryFull, r.timedOut, r.truncated, r.violation]).toEqual([true, false, false, null]);
    expect(r.distinct).toBe(1);
  });

  it('the command: exit 0 within bounds, exit 1 with the trace written, usage errors exit 2', () => {
    const ok = cli('explore', '--depth', '4');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^explore: \d+ distinct states, depth 4, \d+ transitions, [\d.]+ s \(\d+ states\/s\)\n {2}reached: view 1 \(new-view held up to view 0\), stable checkpoint 0; first at depth: SEND-VIEW-CHANGE 1\n {2}no violation\n$/);
    const p = join(mkdtempSync(join(tmpdir(), 'pbft-explore-')), 'x.json');
    const bad = cli('explore', '--literal-errata', 'E5', '--out', p, '--json');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out).violation).toMatchObject({ id: 'A.2.3(1)', steps: 0, trace: p });
    expect(JSON.parse(readFileSync(p, 'utf8')).format).toBe('pbft-check-trace');
    expect(cli('explore', '--depth', 'x').err).toMatch(/--depth must be an integer/);
    expect(cli('explore', '--literal-errata', 'E99').code).toBe(2);
  });

  it('the command takes the options shared with the other search commands: --service, --invariants, --time-limit', () => {
    const counter = JSON.parse(cli('explore', '--depth', '3', '--service', 'counter', '--json').out);
    const log = JSON.parse(cli('explore', '--depth', '3', '--json').out);
    // The counter has three operations where the log has two: more requests to choose from.
    expect(counter.distinct).toBeGreaterThan(log.distinct);
    expect(cli('explore', '--service', 'kv').err).toMatch(/--service must be 'log' or 'counter'/);
    // E5's literal A.2.3(1) fails in the initial state; checking only A.2.4 does not see it.
    expect(cli('explore', '--depth', '2', '--literal-errata', 'E5', '--invariants', 'A.2.4').code).toBe(0);
    expect(cli('explore', '--depth', '2', '--literal-errata', 'E5', '--invariants', 'A.2.3', '--out', join(mkdtempSync(join(tmpdir(), 'pbft-explore-')), 'y.json')).code).toBe(1);
    expect(cli('explore', '--invariants', 'Z.9').err).toMatch(/--invariants: no invariant matches 'Z.9'/);
    expect(cli('explore', '--invariants', 'A.1.2').err).toMatch(/none of 'A.1.2' is stated for A_gc/);
    const timed = cli('explore', '--depth', '40', '--max-states', '10000000', '--time-limit', '1', '--json');
    expect(JSON.parse(timed.out).timedOut).toBe(true);
    expect(cli('explore', '--time-limit', '0').err).toMatch(/--time-limit must be an integer >= 1/);
  });

  it('--time-limit alone lifts the state bound (until the time is up); with --max-states, whichever comes first', () => {
    expect(stateBound(undefined, undefined, false)).toBe(100_000);
    expect(stateBound(undefined, undefined, true)).toBe(20_000_000);
    expect(stateBound(undefined, 5, false)).toBe(Infinity);
    expect(stateBound(undefined, 5, true)).toBe(Infinity);
    expect(stateBound('50', 5, false)).toBe(50);
    expect(() => stateBound('0', undefined, false)).toThrow(/--max-states must be an integer >= 1/);
    const both = JSON.parse(cli('explore', '--depth', '40', '--max-states', '50', '--time-limit', '60', '--json').out);
    expect([both.truncated, both.timedOut, both.distinct]).toEqual([true, false, 50]);
    const alone = JSON.parse(cli('explore', '--depth', '40', '--time-limit', '1', '--json').out);
    expect([alone.truncated, alone.timedOut]).toEqual([false, true]);
  });

  it('a violation\'s trace records the checks: no chain, the invariants selected by id', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pbft-explore-'));
    expect(cli('explore', '--depth', '2', '--literal-errata', 'E5', '--out', join(dir, 'all.json')).code).toBe(1);
    expect(loadTrace(join(dir, 'all.json')).checks).toEqual({ chain: false });
    expect(cli('explore', '--depth', '2', '--literal-errata', 'E5', '--invariants', 'A.2.3', '--out', join(dir, 'sel.json')).code).toBe(1);
    expect(loadTrace(join(dir, 'sel.json')).checks).toEqual({ chain: false, invariants: ['A.2.3(1)', 'A.2.3(2)'] });
  });

  it('--help describes every option', () => {
    const help = cli('explore', '--help');
    expect(help.code).toBe(0);
    for (const option of ['preset', 'from', 'from-step', 'variant', 'f', 'clients', 'faulty', 'faulty-clients', 'service', 'requests', 'max-view', 'chkpt-int', 'log-size', 'depth', 'max-states', 'time-limit', 'invariants', 'network', 'misbehave', 'literal-errata', 'out', 'json', 'help'])
      expect(EXPLORE_HELP, option).toMatch(new RegExp(`--${option}\\b`));
    expect(help.out).toBe(EXPLORE_HELP);
  });
});
