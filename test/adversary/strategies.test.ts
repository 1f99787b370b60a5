// Each named strategy reaches the behaviour it is named for (seen in the trace and in the coverage
// report), swarm mixes strategies per seed and says what it picked, and faulty nodes never forge.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Action } from '../../automata/actions.ts';
import type { SystemState } from '../../automata/compose.ts';
import { EVEN_TACTICS, REPLICA_TACTICS } from '../../automata/byzantine-replica.ts';
import { SilentStandIn, type StandIn } from '../../automata/byzantine.ts';
import { whyDisabled } from '../../automata/compose.ts';
import { nestedMessages, signerOf, type Message } from '../../automata/messages.ts';
import { CoverageTracker, mergeCoverage, emptyCoverage, type CoverageReport } from '../../sim/coverage.ts';
import { runRandom } from '../../sim/scheduler.ts';
import { describePlan, planFor, planRunOptions, STRATEGIES, STRATEGY_NAMES, StrategyError, TARGETED_STRATEGIES, type StrategyPlan } from '../../sim/strategies.ts';

interface Observed {
  plan: StrategyPlan;
  trace: Action[];
  /** Per step: whether the receiver was faulty and whether the message's signer was. */
  faultyAt: { receiverFaulty: boolean; signerFaulty: boolean }[];
  coverage: CoverageReport;
  viewsAfter: number[];
}

function observe(strategy: string, seed: string, steps = 2000): Observed {
  const plan = planFor(strategy, seed, { f: 1, n: 4, clients: 2 });
  let cov!: CoverageTracker;
  const faultyAt: Observed['faultyAt'] = [];
  const isFaulty = (s: SystemState, m: Message) => {
    const sg = signerOf(m);
    return sg.kind === 'replica' ? s.replicas[sg.id]?.faulty === true : s.proxies[sg.id]?.faulty === true;
  };
  const r = runRandom({
    seed,
    steps,
    ...planRunOptions(plan, { variant: 'Agc' }),
    onStart: (u) => {
      cov = new CoverageTracker(u);
    },
    beforeStep: (_i, a, s) => {
      cov.before(s, a);
      faultyAt.push(
        a.kind === 'RECEIVE' || a.kind === 'SEND'
          ? { receiverFaulty: a.x < s.replicas.length ? s.replicas[a.x]!.faulty : s.proxies[a.x - s.replicas.length]!.faulty, signerFaulty: isFaulty(s, a.m) }
          : { receiverFaulty: false, signerFaulty: false },
      );
    },
    onStep: (_i, a, s) => cov.after(s, a),
  });
  return { plan, trace: r.trace, faultyAt, coverage: cov.report(), viewsAfter: r.state.replicas.map((x) => x.view) };
}

function over(strategy: string, seeds: number, steps = 2000): Observed[] {
  return Array.from({ length: seeds }, (_, k) => observe(strategy, `behaviour-${strategy}-${k}`, steps));
}
const merged = (runs: Observed[]) => runs.reduce((c, r) => mergeCoverage(c, r.coverage), emptyCoverage());
const accepted = (c: CoverageReport) => c.milestones['Byzantine messages accepted by correct replicas']!;

describe('each strategy reaches what it is named for', () => {
  it('random: Byzantine replicas send every kind of message, and correct replicas accept some', () => {
    const runs = over('random', 4);
    const sent = new Set(runs.flatMap((r) => r.trace.flatMap((a) => (a.kind === 'SEND' && r.plan.faultyReplicas.includes(a.x) ? [a.m.tag] : []))));
    for (const tag of ['PRE-PREPARE', 'PREPARE', 'COMMIT', 'CHECKPOINT', 'VIEW-CHANGE', 'REPLY']) expect(sent, tag).toContain(tag);
    expect(accepted(merged(runs))).toBeGreaterThan(0);
  });

  it('equivocating-primary: the faulty primary of view 0 sends two requests for one sequence number, to different backups, and backups accept its pre-prepares', () => {
    const runs = over('equivocating-primary', 4);
    let equivocations = 0;
    for (const r of runs) {
      expect(r.plan.faultyReplicas).toContain(0);
      const byVn = new Map<string, Set<number>>();
      for (const a of r.trace)
        if (a.kind === 'SEND' && a.x === 0 && a.m.tag === 'PRE-PREPARE' && a.m.signer === 0) {
          const key = `${a.m.v}|${a.m.n}`;
          const ms = byVn.get(key) ?? new Set<number>();
          ms.add(a.m.m === null ? -1 : a.m.m.id);
          byVn.set(key, ms);
        }
      equivocations += [...byVn.values()].filter((s) => s.size > 1).length;
    }
    expect(equivocations).toBeGreaterThan(0);
    expect(merged(runs).branches['RECEIVE(PRE-PREPARE): accepted (prepare sent)']).toBeGreaterThan(0);
    expect(accepted(merged(runs))).toBeGreaterThan(0);
  });

  it('silent-primary: the primary of view 0 fails mid-run and the others change view', () => {
    for (const r of over('silent-primary', 3, 3000)) {
      expect(r.plan.silent).toBe(true);
      const at = r.trace.findIndex((a) => a.kind === 'REPLICA-FAILURE' && a.i === 0);
      expect(at).toBe(r.plan.failAt);
      expect(at).toBeGreaterThan(0);
      expect(r.trace.slice(at).some((a) => a.kind === 'SEND-NEW-VIEW')).toBe(true);
      expect(r.trace.some((a) => a.kind === 'SEND' && a.x === 0 && a.m.tag !== 'REPLY' && r.trace.indexOf(a) > at)).toBe(false);
    }
  });

  it('view-change-storm: many view changes, and Byzantine view-changes accepted', () => {
    const runs = over('view-change-storm', 3, 4000);
    const c = merged(runs);
    expect(c.milestones['views changed']).toBeGreaterThan(30);
    expect(runs.some((r) => r.trace.some((a, i) => a.kind === 'RECEIVE' && a.m.tag === 'VIEW-CHANGE' && r.faultyAt[i]!.signerFaulty && !r.faultyAt[i]!.receiverFaulty))).toBe(true);
  });

  it('lying-checkpoints: faulty replicas send checkpoints whose digest no correct replica sent for that number, and correct replicas log some', () => {
    const runs = over('lying-checkpoints', 3);
    let lies = 0;
    for (const r of runs) {
      const correctDigests = new Set(r.trace.filter((a) => a.kind === 'SEND' && a.m.tag === 'CHECKPOINT' && !r.plan.faultyReplicas.includes(a.x)).map((a) => (a.kind === 'SEND' && a.m.tag === 'CHECKPOINT' ? `${a.m.n}|${a.m.d}` : '')));
      lies += r.trace.filter((a) => a.kind === 'SEND' && a.m.tag === 'CHECKPOINT' && r.plan.faultyReplicas.includes(a.m.j) && !correctDigests.has(`${a.m.n}|${a.m.d}`)).length;
    }
    expect(lies).toBeGreaterThan(0);
    expect(runs.some((r) => r.trace.some((a, i) => a.kind === 'RECEIVE' && a.m.tag === 'CHECKPOINT' && r.faultyAt[i]!.signerFaulty && !r.faultyAt[i]!.receiverFaulty))).toBe(true);
  });

  it('crafted-new-view: the faulty primary of view 1 sends new-views, and a correct replica accepts one', () => {
    const runs = over('crafted-new-view', 4);
    const nvs = runs.flatMap((r) => r.trace.filter((a) => a.kind === 'SEND' && a.x === 1 && a.m.tag === 'NEW-VIEW' && a.m.signer === 1));
    expect(nvs.length).toBeGreaterThan(0);
    expect(merged(runs).branches['RECEIVE(NEW-VIEW): accepted']).toBeGreaterThan(0);
    expect(runs.some((r) => r.trace.some((a, i) => a.kind === 'RECEIVE' && a.m.tag === 'NEW-VIEW' && r.faultyAt[i]!.signerFaulty && !r.faultyAt[i]!.receiverFaulty))).toBe(true);
  });

  it('replay-flood: the network replays delivered messages and duplicates others, and faulty replicas resend what they saw', () => {
    const runs = over('replay-flood', 2);
    const mis = runs.flatMap((r) => r.trace.filter((a) => a.kind === 'MISBEHAVE'));
    expect(mis.filter((a) => a.kind === 'MISBEHAVE' && a.X === 0).length).toBeGreaterThan(10);
    expect(mis.filter((a) => a.kind === 'MISBEHAVE' && a.X !== 0 && (a.X2 & ~a.X) !== 0).length).toBeGreaterThan(10);
    const relays = runs.flatMap((r) => r.trace.filter((a, i) => a.kind === 'SEND' && r.plan.faultyReplicas.includes(a.x) && !r.faultyAt[i]!.signerFaulty));
    expect(relays.length).toBeGreaterThan(10);
  });

  it('colluding-primary-client: the faulty primary pre-prepares the faulty client’s requests, with odd timestamps, and backups accept them', () => {
    const runs = over('colluding-primary-client', 4);
    for (const r of runs) expect([r.plan.faultyReplicas.includes(0), r.plan.faultyClients]).toEqual([true, [0]]);
    const pps = runs.flatMap((r) => r.trace.filter((a) => a.kind === 'SEND' && a.x === 0 && a.m.tag === 'PRE-PREPARE' && a.m.m?.tag === 'REQUEST' && a.m.m.c === 0));
    expect(pps.length).toBeGreaterThan(0);
    const clientTs = runs.flatMap((r) => r.trace.filter((a) => a.kind === 'SEND' && a.x === 4 && a.m.tag === 'REQUEST').map((a) => (a.kind === 'SEND' && a.m.tag === 'REQUEST' ? a.m.t : -1)));
    expect(new Set(clientTs).has(0)).toBe(true);
    expect(runs.some((r) => r.trace.some((a, i) => a.kind === 'RECEIVE' && a.m.tag === 'PRE-PREPARE' && a.m.m?.tag === 'REQUEST' && a.m.m.c === 0 && r.faultyAt[i]!.signerFaulty && !r.faultyAt[i]!.receiverFaulty))).toBe(true);
  });

  it('partition: no message crosses between the groups while the partition lasts, and crosses after it', () => {
    for (const r of over('partition', 3, 2000)) {
      const p = r.plan.partition!;
      const [a, b] = p.groups;
      const from = (m: Message): number | null => {
        const sg = signerOf(m);
        return sg.kind === 'replica' && m.tag !== 'REPLY' ? sg.id : null;
      };
      const crosses = (x: Action) => {
        if (x.kind !== 'RECEIVE') return false;
        const s = from(x.m);
        return s !== null && ((a.includes(s) && b.includes(x.x)) || (b.includes(s) && a.includes(x.x)));
      };
      const during = r.trace.slice(p.from, p.from + p.length);
      // Only as a last resort (nothing else enabled) may a held message go through.
      expect(during.filter(crosses).length).toBeLessThanOrEqual(2);
      expect(r.trace.slice(p.from + p.length).some(crosses) || r.trace.slice(0, p.from).some(crosses)).toBe(true);
    }
  });
});

describe('strategies for state transfer, overlapping requests and mimicry', () => {
  it('lagging-replica: the laggard receives nothing during its stretch (every delivery to it is lost), and a new view later brings it a state', () => {
    const runs = over('lagging-replica', 4, 6000);
    for (const r of runs) {
      const lag = r.plan.laggard!;
      expect(r.plan.faultyReplicas).not.toContain(lag.replica);
      const during = r.trace.slice(lag.from, lag.from + lag.length);
      expect(during.filter((a) => a.kind === 'RECEIVE' && a.x === lag.replica)).toEqual([]);
      expect(during.some((a) => a.kind === 'MISBEHAVE' && (a.X & ~a.X2) === 1 << lag.replica)).toBe(true);
    }
    expect(merged(runs).milestones['state adopted through update-state-nv']).toBeGreaterThan(0);
  });

  it('overlapping-requests: a non-faulty client issues a request while its last one is outstanding, and requests still complete', () => {
    const plan = planFor('overlapping-requests', 'behaviour-overlap-0', { f: 1, n: 4, clients: 2 });
    let overlapped = 0;
    let completed = 0;
    const r = runRandom({
      seed: 'behaviour-overlap-0',
      steps: 4000,
      ...planRunOptions(plan, { variant: 'Agc' }),
      beforeStep: (_i, a, s) => {
        if (a.kind === 'REQUEST' && s.proxies[a.c]!.out !== null && !s.proxies[a.c]!.faulty) overlapped++;
        if (a.kind === 'REPLY' && !s.proxies[a.c]!.faulty) completed++;
      },
    });
    expect(r.universe.config.clientsWaitForReply).toBe(false);
    expect(overlapped).toBeGreaterThan(0);
    expect(completed).toBeGreaterThan(0);
  });

  it("tactic 'mimic': a faulty replica signs the prepare, commit or checkpoint a correct replica would send, and correct replicas log it", () => {
    const plan = { ...planFor('random', 'mimic', { f: 1, n: 4, clients: 2 }), tactics: { ...EVEN_TACTICS, ...Object.fromEntries(REPLICA_TACTICS.map((t) => [t, t === 'mimic' ? 1 : 0])) } as typeof EVEN_TACTICS };
    const j = plan.faultyReplicas[0]!;
    let mimicked = 0;
    let logged = 0;
    runRandom({
      seed: 'mimic',
      steps: 2000,
      ...planRunOptions(plan, { variant: 'Agc' }),
      onStep: (_i, a, s) => {
        if (a.kind === 'SEND' && a.x === j && (a.m.tag === 'PREPARE' || a.m.tag === 'COMMIT' || a.m.tag === 'CHECKPOINT')) {
          const m = a.m;
          // Some correct replica signed the same (v, n, d) of the same kind.
          const twin = s.replicas.some((r) => !r.faulty && [...r.in.all].some((x) => x.tag === m.tag && 'j' in x && x.j === r.i && x.v === m.v && x.n === m.n && x.d === m.d));
          if (twin) mimicked++;
        }
        if (a.kind === 'RECEIVE' && a.x !== j && !s.replicas[a.x]?.faulty && 'j' in a.m && a.m.j === j && s.replicas[a.x]?.in.has(a.m)) logged++;
      },
    });
    expect(mimicked).toBeGreaterThan(10);
    expect(logged).toBeGreaterThan(0);
  });
});

describe('swarm', () => {
  it('mixes two or three strategies per seed, says which, and is the same for the same seed', () => {
    const plans = Array.from({ length: 20 }, (_, k) => planFor('swarm', `s${k}`, { f: 1, n: 4, clients: 2 }));
    for (const p of plans) {
      expect(p.picked.length).toBeGreaterThanOrEqual(2);
      expect(p.picked.length).toBeLessThanOrEqual(3);
      expect(p.faultyReplicas.length).toBeLessThanOrEqual(1);
      expect(describePlan(p)).toMatch(new RegExp(`^strategy ${p.picked.join(' \\+ ')};`));
    }
    expect(new Set(plans.map((p) => p.picked.join('+'))).size).toBeGreaterThan(5);
    expect(planFor('swarm', 's3', { f: 1, n: 4, clients: 2 })).toEqual(plans[3]);
  });

  it('every named strategy exists and an unknown name is an error', () => {
    expect(STRATEGY_NAMES).toEqual([...STRATEGIES.map((s) => s.name), ...TARGETED_STRATEGIES.map((s) => s.name), 'swarm']);
    expect(() => planFor('nope', 'x', { f: 1, n: 4, clients: 2 })).toThrow(StrategyError);
  });

  it('the targeted strategies stay out of the swarm, and only they draw the tactics added for them', () => {
    for (let k = 0; k < 200; k++) {
      const p = planFor('swarm', `t${k}`, { f: 1, n: 4, clients: 2 });
      for (const t of TARGETED_STRATEGIES) expect(p.picked).not.toContain(t.name);
      expect(p.tactics.certificate).toBe(0);
      expect(p.tactics['lying-view-change']).toBe(0);
    }
    for (const s of STRATEGIES) expect(planFor(s.name, 'x', { f: 1, n: 4, clients: 2 }).tactics.certificate + planFor(s.name, 'x', { f: 1, n: 4, clients: 2 }).tactics['lying-view-change']).toBe(0);
    expect(planFor('assembled-certificates', 'x', { f: 1, n: 4, clients: 2 }).tactics.certificate).toBeGreaterThan(0);
    expect(planFor('lying-view-changes', 'x', { f: 1, n: 4, clients: 2 }).tactics['lying-view-change']).toBeGreaterThan(0);
  });

  it("assembled-certificates: the faulty primary sends view-changes whose P carries its own prepare", () => {
    const plan = planFor('assembled-certificates', 'a1', { f: 1, n: 4, clients: 2 });
    const r = runRandom({ ...planRunOptions(plan), seed: 'a1', steps: 1500 });
    let found = 0;
    for (const a of r.trace)
      if (a.kind === 'SEND' && a.x === 0 && a.m.tag === 'VIEW-CHANGE')
        if (a.m.P.some((p) => p.tag === 'PREPARE' && p.j === 0) && a.m.P.some((p) => p.tag === 'PRE-PREPARE' && p.signer === 0)) found++;
    expect(found).toBeGreaterThan(0);
  });

  it('the fault budget: f faulty replicas by default, more when asked', () => {
    for (const s of STRATEGY_NAMES) {
      expect(planFor(s, 'b', { f: 1, n: 4, clients: 2 }).faultyReplicas.length).toBeLessThanOrEqual(1);
      expect(planFor(s, 'b', { f: 1, n: 4, clients: 2, faults: 2 }).faultyReplicas.length).toBe(2);
    }
  });
});

describe('unforgeability', () => {
  it('a faulty node never sends a message signed by a non-faulty node that was not seen nor in its own log at the failure, nor one carrying such a message (property over random runs)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...STRATEGY_NAMES), fc.integer({ min: 0, max: 1_000_000 }), (strategy, k) => {
        const seed = `forge-${k}`;
        const plan = planFor(strategy, seed, { f: 1, n: 4, clients: 2 });
        let checked = 0;
        runRandom({
          seed,
          steps: 600,
          ...planRunOptions(plan, { variant: 'Agc' }),
          beforeStep: (_i, a, s) => {
            if (a.kind !== 'SEND' || s.standIns[a.x] === null) return;
            const walk = (m: Message): void => {
              const sg = signerOf(m);
              const nonFaulty = sg.kind === 'replica' ? !s.replicas[sg.id]!.faulty : !s.proxies[sg.id]!.faulty;
              const own = a.x < s.replicas.length && s.replicas[a.x]!.in.has(m); // e.g. the initial checkpoints (Fig 2-10)
              if (nonFaulty) expect(s.wire.hasSeen(m) || own, `${a.x} sends ${m.tag} of a non-faulty signer it has not seen`).toBe(true);
              else for (const x of nestedMessages(m)) walk(x);
              checked++;
            };
            walk(a.m);
          },
        });
        return checked >= 0;
      }),
      { numRuns: 25, seed: 20261124 },
    );
  });

  it('a stand-in that tries to forge gets none of its forgeries into the run (the draw keeps only what the composition allows)', () => {
    let tried = 0;
    const forger: StandIn = {
      name: 'forger',
      receive: () => {},
      proposals: () => [],
      draw: (u, _s, rng) => {
        tried++;
        const signer = rng.int(2) === 0 ? 1 : 3; // 1 is correct, 3 is the forger itself
        return { kind: 'SEND', x: 3, m: u.interner.commit(0, 1 + rng.int(50), u.interner.nullDigest, signer), X: u.allReplicas };
      },
      clone() {
        return this;
      },
    };
    const r = runRandom({ config: { variant: 'Agc', faultyReplicas: [3] }, seed: 'forger', steps: 2000, weights: { byzantine: 20 }, standIns: (_u, node) => (node === 3 ? forger : new SilentStandIn()) });
    const sends = r.trace.filter((a) => a.kind === 'SEND' && a.x === 3);
    expect(tried).toBeGreaterThan(100);
    expect(sends.length).toBeGreaterThan(10);
    expect(sends.every((a) => a.kind === 'SEND' && a.m.tag === 'COMMIT' && a.m.j === 3)).toBe(true);
  });

  it('the composition refuses a forged message: a prepare of a correct replica that was never sent', () => {
    const plan = planFor('random', 'f', { f: 1, n: 4, clients: 2 });
    const r = runRandom({ seed: 'forge', steps: 50, ...planRunOptions({ ...plan, faultyReplicas: [3] }, { variant: 'Agc' }) });
    const u = r.universe;
    const forged = u.interner.prepare(0, 99, u.interner.nullDigest, 1);
    expect(whyDisabled(u, r.state, { kind: 'SEND', x: 3, m: forged, X: u.allReplicas })).toMatch(/cannot forge/);
    const own = u.interner.prepare(0, 99, u.interner.nullDigest, 3);
    expect(whyDisabled(u, r.state, { kind: 'SEND', x: 3, m: own, X: u.allReplicas })).toBeNull();
  });
});
