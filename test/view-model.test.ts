// The trace viewer's model (sim/view/): the lanes, arrows and bands of a page, and the state it
// rebuilds from its changes, compared step by step with the state of a replay.
import { describe, expect, it } from 'vitest';
import type { Action } from '../automata/actions.ts';
import type { SystemState } from '../automata/compose.ts';
import type { Universe } from '../automata/universe.ts';
import type { ChainSimulation } from '../proofs/chain.ts';
import { replay } from '../sim/replay.ts';
import { runRandom } from '../sim/scheduler.ts';
import { planFor, planRunOptions } from '../sim/strategies.ts';
import { loadTrace, traceJson, TraceError, type TraceFile } from '../sim/trace-file.ts';
import type { Json } from '../sim/trace-json.ts';
import { States, type State } from '../sim/view/browser/states.ts';
import type { ViewData } from '../sim/view/data.ts';
import { buildView } from '../sim/view/model.ts';

const F1 = 'traces/regression/f-plus-1-agreement.json';

/** What the state after each step should hold, read off the replay's own state (and chain). */
interface Truth {
  views: number[];
  lastExec: number[];
  inSizes: number[];
  outSizes: number[];
  inFlight: number;
  lastReq: number[];
  copyInSizes: number[] | null;
  histLength: number | null;
}

function truthOf(t: TraceFile, chain: boolean | undefined): Truth[] {
  const out: Truth[] = [];
  let ch: ChainSimulation | null = null;
  const read = (s: SystemState): Truth => ({
    views: s.replicas.map((r) => r.view),
    lastExec: s.replicas.map((r) => r.lastExec),
    inSizes: s.replicas.map((r) => r.in.size),
    outSizes: s.replicas.map((r) => r.out.size),
    inFlight: s.wire.pendingCount,
    lastReq: s.proxies.map((p) => p.lastReq),
    copyInSizes: ch?.h?.y.replicas.map((r) => r.in.size) ?? null,
    histLength: ch === null ? null : ch.g.y.hist.length,
  });
  replay(t, { check: true, chain, verbose: false, beyond: true, observer: {
    start(_u: Universe, s: SystemState, c: ChainSimulation | null) {
      ch = c;
      out.push(read(s));
    },
    step(_k: number, _a: Action, s: SystemState) {
      out.push(read(s));
    },
  } }, () => {});
  return out;
}

/** The same facts, read off the page's data at step k (k = -1: the initial state). */
function pageFacts(d: ViewData, st: State, withChain: boolean): Truth {
  const section = (id: string) => d.sections.findIndex((s) => s.id === id);
  const value = (sec: string, item: string) => {
    const key = d.keys.findIndex(([g, it]) => d.groups[g]!.section === section(sec) && d.groups[g]!.title === 'variables' && it === item);
    return st.get(key);
  };
  const count = (sec: string, title: (t: string) => boolean) => [...st.keys()].filter((key) => {
    const g = d.groups[d.keys[key]![0]]!;
    return g.section === section(sec) && title(g.title);
  }).length;
  const replicas = d.lanes.filter((l) => l.kind === 'replica').map((l) => l.name);
  const clients = d.lanes.filter((l) => l.kind === 'client').map((l) => l.name);
  return {
    views: replicas.map((r) => Number(value(r, 'view'))),
    lastExec: replicas.map((r) => Number(value(r, 'last-exec'))),
    inSizes: replicas.map((r) => count(r, (t) => t.startsWith('in:'))),
    outSizes: replicas.map((r) => count(r, (t) => t === 'out')),
    inFlight: count('wire', () => true),
    lastReq: clients.map((c) => Number(value(c, 'last-req'))),
    copyInSizes: withChain && section("A's copy r0") >= 0 ? replicas.map((r) => count(`A's copy ${r}`, (t) => t.startsWith('in:'))) : null,
    histLength: withChain ? count("S'", (t) => t === 'hist') : null,
  };
}

function randomTrace(seed: string, steps: number, strategy: string): TraceFile {
  const plan = planFor(strategy, seed, { f: 1, n: 4, clients: 2 });
  const r = runRandom({ seed, steps, ...planRunOptions(plan, { variant: 'Agc' }) });
  return traceJson(r.universe, r.trace, { seed });
}

describe('the page rebuilds the state of every step', () => {
  for (const [seed, strategy, chain] of [
    ['view-1', 'swarm', false],
    ['view-2', 'view-change-storm', true],
    ['view-3', 'swarm', true],
  ] as const) {
    it(`equals the replay's state after each step (${strategy}, seed ${seed}, chain ${chain ? 'on' : 'off'})`, () => {
      const t = randomTrace(seed, 600, strategy);
      const d = buildView(t, { path: 'x.json', chain });
      const truth = truthOf(t, chain);
      expect(d.steps.length).toBe(t.actions.length);
      const states = new States(d);
      for (let k = -1; k < d.steps.length; k++) expect(pageFacts(d, states.at(k), chain), `step ${k}`).toEqual(truth[k + 1]);
      // The runs reach what the comparison is about: logs that grow and shrink, the wire, and
      // with the chain A's copy and S''s history.
      const end = truth.at(-1)!;
      expect(Math.max(...end.inSizes)).toBeGreaterThan(10);
      expect(truth.some((x) => x.inFlight > 3)).toBe(true);
      expect(d.steps.some((st) => st.d.some((c) => c.length === 1))).toBe(true);
      if (strategy === 'view-change-storm') expect(Math.max(...end.views)).toBeGreaterThan(0);
      if (chain) expect([Math.max(...end.copyInSizes!) > 10, end.histLength! > 0]).toEqual([true, true]);
      else expect(end.copyInSizes).toBeNull();
    });
  }

  it('gives the same state whether it goes there forwards, backwards or by a jump', () => {
    const d = buildView(randomTrace('view-4', 400, 'swarm'), { path: 'x.json' });
    const states = new States(d);
    const forward: string[] = [];
    for (let k = -1; k < d.steps.length; k++) forward.push(JSON.stringify([...states.at(k)].sort((a, b) => a[0] - b[0])));
    const fresh = new States(d);
    for (const k of [399, 10, 200, -1, 63, 64, 65, 128]) expect(JSON.stringify([...fresh.at(k)].sort((a, b) => a[0] - b[0]))).toBe(forward[k + 1]);
  });
});

describe('the chart of the f + 1 counterexample', () => {
  const t = loadTrace(F1);
  const d = buildView(t, { path: F1 });

  it('has a lane per replica, per client and for the network, faulty ones from the step they fail', () => {
    expect(d.lanes.map((l) => l.name)).toEqual(['r0', 'r1', 'r2', 'r3', 'c0', 'c1', 'network']);
    expect(d.lanes.map((l) => l.faultyFrom)).toEqual([0, null, 1, null, null, null, null]);
    expect(d.steps[0]!.events).toEqual(['fails']);
    expect(d.steps.filter((s) => s.faulty).every((s) => s.lane === 0 || s.lane === 2)).toBe(true);
    expect(d.steps.some((s) => s.faulty && s.kind === 'SEND')).toBe(true);
  });

  it('draws every delivery from the SEND that put it on the wire', () => {
    const receives = d.steps.map((s, k) => [s, k] as const).filter(([s]) => s.kind === 'RECEIVE');
    expect(receives.length).toBeGreaterThan(5);
    for (const [s, k] of receives) {
      const from = d.steps[s.arrow!.from]!;
      expect(s.arrow!.from).toBeLessThan(k);
      expect([from.kind, from.m, s.arrow!.lane, s.arrow!.how]).toEqual(['SEND', s.m, from.lane, 'send']);
      expect((t.actions[s.arrow!.from] as { X: number }).X & (1 << s.lane)).not.toBe(0); // the receiver was a destination
    }
  });

  it('shows the violation, its witness replicas and the steps that carry its messages', () => {
    expect(d.violation).toMatchObject({ id: 'AGREEMENT', step: 28, lanes: [3, 1], recorded: 'AGREEMENT at step 28', reproduced: true });
    expect(d.violation!.steps).toContain(28);
    expect(d.violation!.report).toContain('replicas 3 and 1 reached last-exec = 1 with different states');
    expect(d.commands.replay).toBe(`pbft-check replay ${F1} --to {N} --verbose`);
    expect(d.notes).toEqual([]);
  });

  it('marks views and stable checkpoints as bands that cover every step of each replica', () => {
    for (const lane of [0, 1, 2, 3])
      for (const kind of ['view', 'checkpoint'] as const) {
        const bands = d.bands.filter((b) => b.lane === lane && b.kind === kind);
        expect(bands[0]!.from).toBe(-1);
        expect(bands.at(-1)!.to).toBe(d.steps.length - 1);
        bands.slice(1).forEach((b, x) => expect(b.from).toBe(bands[x]!.to + 1));
      }
  });
});

describe('the network on the chart', () => {
  it('tells lost, duplicated and replayed deliveries apart', () => {
    const t = loadTrace(F1);
    // After the trace's first SEND (a request to {r0}), by hand: r0 receives it, the network
    // replays it to r0 and r1, loses r1's copy, and r0 receives it again.
    const send = t.actions.findIndex((a) => (a as { kind: string }).kind === 'SEND');
    const s = t.actions[send] as { m: Json; X: number };
    const mk = (extra: Json[]): TraceFile => ({ ...t, actions: [...t.actions.slice(0, send + 1), ...extra], fingerprints: undefined, violation: undefined, checks: { chain: false } });
    const bit = (x: number) => 1 << x;
    const r0 = bit(0);
    const r1 = bit(1);
    const d = buildView(mk([
      { kind: 'RECEIVE', x: 0, m: s.m, X: s.X },
      { kind: 'MISBEHAVE', m: s.m, X: 0, X2: r0 | r1 },
      { kind: 'MISBEHAVE', m: s.m, X: r0 | r1, X2: r0 },
      { kind: 'RECEIVE', x: 0, m: s.m, X: r0 },
    ]), { path: 'hand.json' });
    const [recv, replayed, lost, again] = d.steps.slice(send + 1);
    expect(recv!.arrow).toEqual({ from: send, lane: d.steps[send]!.lane, how: 'send' });
    expect([replayed!.lane, replayed!.added, replayed!.lost]).toEqual([6, [0, 1], []]);
    expect([lost!.added, lost!.lost]).toEqual([[], [1]]);
    expect(again!.arrow).toEqual({ from: send + 2, lane: 6, how: 'replay' });
  });
});

describe('a trace the viewer cannot show', () => {
  it('is refused when a step is not enabled or a fingerprint differs', () => {
    const t = loadTrace(F1);
    expect(() => buildView({ ...t, actions: [t.actions[5]!, ...t.actions], fingerprints: undefined }, { path: 'bad.json' })).toThrow(TraceError);
    const fp = [...t.fingerprints!];
    fp[3] = '0000000000000000';
    expect(() => buildView({ ...t, fingerprints: fp }, { path: 'bad.json' })).toThrow(/bad\.json: the state after step 3 does not match the file's fingerprint/);
  });
});
