// The coverage report (sim/coverage.ts): action counts agree with the trace, the branches a
// random run must reach are reached, hand-built scenarios land in the branches they are built for,
// and reports merge, format and reproduce.
import { describe, expect, it } from 'vitest';
import type { Action } from '../automata/actions.ts';
import { ACTION_KINDS } from '../automata/actions.ts';
import type { StandIn, StandInFactory } from '../automata/byzantine.ts';
import { clientNode, initialSystem, step, type SystemState } from '../automata/compose.ts';
import type { ConfigInput } from '../automata/config.ts';
import { collectGarbageChanges, enabledIn, type Family } from '../automata/enabled.ts';
import { formatAction } from '../automata/format.ts';
import type { Message, PrePrepare } from '../automata/messages.ts';
import { h } from '../automata/replica-state.ts';
import { Universe } from '../automata/universe.ts';
import {
  ACTION_KEYS,
  BRANCH,
  BRANCH_IDS,
  CoverageTracker,
  coverageHooks,
  emptyCoverage,
  FAULTY_RECEIVE,
  FAULTY_SEND,
  formatCoverage,
  MESSAGE_TAGS,
  mergeCoverage,
  MILESTONE,
  MILESTONE_IDS,
  neverReached,
  PAYLOAD_KINDS,
  REACH,
  REACH_IDS,
  type CoverageReport,
} from '../sim/coverage.ts';
import { runRandom } from '../sim/scheduler.ts';
import { RunStats } from '../sim/stats.ts';
import { planFor, planRunOptions } from '../sim/strategies.ts';

const STEPS = 2500;
const SEEDS = [1, 2, 3];

/** A random run observed by a coverage tracker. */
function covered(config: ConfigInput, seed: number, steps = STEPS, standIns?: StandInFactory) {
  const cov = coverageHooks();
  const run = runRandom({ config, seed, steps, weights: { 'view-change': 1 }, ...(standIns === undefined ? {} : { standIns }), ...cov.hooks });
  return { run, report: cov.report() };
}

const CONFIGS: { name: string; config: ConfigInput }[] = [
  { name: 'Agc', config: { variant: 'Agc' } },
  { name: 'Agc, r3 faulty', config: { variant: 'Agc', faultyReplicas: [3] } },
  { name: 'A', config: { variant: 'A' } },
  { name: 'A, r3 faulty', config: { variant: 'A', faultyReplicas: [3] } },
];

/** The branches that partition the RECEIVE steps at non-faulty nodes (each such step lands in exactly one). */
const RECEIVE_PARTITION = [
  BRANCH.requestResent,
  BRANCH.requestLogged,
  BRANCH.requestIgnored,
  BRANCH.ppAccepted,
  BRANCH.ppRequestOnly,
  BRANCH.ppIgnored,
  BRANCH.ppDuplicate,
  BRANCH.prepareLogged,
  BRANCH.prepareIgnored,
  BRANCH.prepareDuplicate,
  BRANCH.commitLogged,
  BRANCH.commitIgnored,
  BRANCH.commitDuplicate,
  BRANCH.checkpointLogged,
  BRANCH.checkpointIgnored,
  BRANCH.checkpointDuplicate,
  BRANCH.vcLogged,
  BRANCH.vcIgnored,
  BRANCH.vcDuplicate,
  BRANCH.nvAccepted,
  BRANCH.nvIgnored,
  BRANCH.replyAtReplica,
  BRANCH.proxyKept,
  BRANCH.proxyIgnored,
  BRANCH.proxyDuplicate,
  BRANCH.proxyNotReply,
];
const sum = (r: Record<string, number>, keys: readonly string[]) => keys.reduce((t, k) => t + r[k]!, 0);

describe('coverage of random runs', () => {
  for (const { name, config } of CONFIGS)
    for (const seed of SEEDS)
      it(`${name}, seed ${seed}: action counts sum to the steps and equal those of the trace`, () => {
        const { run, report } = covered(config, seed);
        const faulty = new Set(config.faultyReplicas ?? []);
        expect(report.steps).toBe(run.trace.length);
        expect(sum(report.actions, ACTION_KINDS)).toBe(run.trace.length);
        const count = (p: (a: Action) => boolean) => run.trace.filter(p).length;
        for (const kind of ACTION_KINDS) expect(report.actions[kind], kind).toBe(count((a) => a.kind === kind));
        for (const tag of MESSAGE_TAGS) {
          expect(report.actions[`SEND:${tag}`], tag).toBe(count((a) => a.kind === 'SEND' && a.m.tag === tag));
          expect(report.actions[`RECEIVE:${tag}`], tag).toBe(count((a) => a.kind === 'RECEIVE' && a.m.tag === tag));
        }
        // The failures come first in every run, so a faulty node's every SEND and RECEIVE follows its failure.
        expect(report.actions[FAULTY_SEND]).toBe(count((a) => a.kind === 'SEND' && faulty.has(a.x)));
        expect(report.actions[FAULTY_RECEIVE]).toBe(count((a) => a.kind === 'RECEIVE' && faulty.has(a.x)));
        if (faulty.size > 0) expect(report.actions[FAULTY_RECEIVE]).toBeGreaterThan(0);
        // Every RECEIVE at a non-faulty node is in exactly one branch; every EXECUTE, REPLY, REQUEST in one.
        expect(sum(report.branches, RECEIVE_PARTITION)).toBe(report.actions.RECEIVE! - report.actions[FAULTY_RECEIVE]!);
        expect(sum(report.branches, [BRANCH.execNull, BRANCH.execNew, BRANCH.execSame, BRANCH.execStale])).toBe(report.actions.EXECUTE);
        expect(report.branches[BRANCH.replyDelivered]).toBe(report.actions.REPLY);
        expect(report.milestones[MILESTONE.requestCompleted]).toBe(report.actions.REPLY);
        expect(sum(report.branches, [BRANCH.gcDiscarded, BRANCH.gcNothing])).toBe(report.actions['COLLECT-GARBAGE']);
        expect(report.milestones[MILESTONE.garbageCollected]).toBe(report.branches[BRANCH.gcDiscarded]);
        // Branches of the other variant never occur.
        if (config.variant === 'A') {
          for (const b of [BRANCH.checkpointLogged, BRANCH.execCheckpoint, BRANCH.gcDiscarded, BRANCH.gcNothing, BRANCH.nvStateAdopted, BRANCH.nvSentStateAdopted])
            expect(report.branches[b], b).toBe(0);
          for (const m of [MILESTONE.stableCheckpoint, MILESTONE.garbageCollected, MILESTONE.stateAdopted]) expect(report.milestones[m], m).toBe(0);
        } else expect(report.branches[BRANCH.ppRequestOnly]).toBe(0);
        // Every key is present, in the fixed order.
        expect(Object.keys(report.actions)).toEqual(ACTION_KEYS);
        expect(Object.keys(report.branches)).toEqual(BRANCH_IDS);
        expect(Object.keys(report.milestones)).toEqual(MILESTONE_IDS);
      });

  for (const { name, config } of CONFIGS)
    it(`${name}, seeds ${SEEDS.join(',')}: the normal case and view changes with non-empty O are reached`, () => {
      const r = SEEDS.map((seed) => covered(config, seed).report).reduce(mergeCoverage);
      const reached = [
        BRANCH.ppAccepted,
        BRANCH.prepareLogged,
        BRANCH.commitLogged,
        BRANCH.execNew,
        BRANCH.requestLogged,
        BRANCH.requestResent,
        BRANCH.proxyKept,
        BRANCH.vcLogged,
        BRANCH.nvAccepted,
        BRANCH.nvSentO,
        ...(config.variant === 'Agc' ? [BRANCH.execCheckpoint, BRANCH.checkpointLogged, BRANCH.gcDiscarded] : []),
      ];
      for (const b of reached) expect(r.branches[b], b).toBeGreaterThan(0);
      const milestones = [
        MILESTONE.viewChanged,
        MILESTONE.newViewO,
        MILESTONE.replyResent,
        MILESTONE.requestCompleted,
        ...(config.variant === 'Agc' ? [MILESTONE.stableCheckpoint, MILESTONE.garbageCollected] : []),
      ];
      for (const m of milestones) expect(r.milestones[m], m).toBeGreaterThan(0);
    });

  it(`Agc with clients that do not wait for replies, seeds ${SEEDS.join(',')}: requests execute with stale timestamps`, () => {
    const r = SEEDS.map((seed) => covered({ variant: 'Agc', clientsWaitForReply: false }, seed).report).reduce(mergeCoverage);
    expect(r.branches[BRANCH.execStale]).toBeGreaterThan(0);
    expect(r.milestones[MILESTONE.staleExecution]).toBe(r.branches[BRANCH.execStale]);
  });

  it('the report is the same for the same seed twice', () => {
    for (const config of [{ variant: 'Agc' as const, faultyReplicas: [3] }, { variant: 'A' as const }]) {
      const a = covered(config, 7).report;
      const b = covered(config, 7).report;
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
      expect(formatCoverage(a)).toBe(formatCoverage(b));
    }
  });

  it('a Byzantine replica whose prepares correct replicas log is counted', () => {
    const { report } = covered({ variant: 'Agc', faultyReplicas: [3] }, 1, 1500, (_u, x) => new Preparer(x));
    expect(report.actions[FAULTY_SEND]).toBeGreaterThan(0);
    expect(report.milestones[MILESTONE.byzantineAccepted]).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------- hand-built scenarios

/** A faulty replica that prepares every pre-prepare it receives (its own signature: unforgeable-safe), once. */
class Preparer implements StandIn {
  readonly name = 'preparer';
  private readonly seen: PrePrepare[] = [];
  constructor(private readonly x: number) {}
  receive(m: Message): void {
    if (m.tag === 'PRE-PREPARE' && m.signer !== this.x) this.seen.push(m);
  }
  proposals(u: Universe, s?: SystemState): Action[] {
    const out: Action[] = [];
    for (const pp of this.seen) {
      const m = u.interner.prepare(pp.v, pp.n, u.interner.digest(pp.m), this.x);
      if (s === undefined || !s.wire.hasMessage(m)) out.push({ kind: 'SEND', x: this.x, m, X: u.allReplicas & ~u.replicaBit(this.x) });
    }
    return out;
  }
  clone(): StandIn {
    return this;
  }
}

/** A composed system driven by chosen actions, every step observed by a tracker. */
class Scenario {
  readonly u: Universe;
  readonly s: SystemState;
  readonly tracker: CoverageTracker;
  readonly log: string[] = [];
  constructor(
    config: ConfigInput,
    private readonly standIns?: StandInFactory,
  ) {
    this.u = new Universe(config);
    this.s = initialSystem(this.u);
    this.tracker = new CoverageTracker(this.u);
  }
  take(a: Action): void {
    this.log.push(formatAction(this.u, a));
    this.tracker.before(this.s, a);
    step(this.u, this.s, a, this.standIns);
    this.tracker.after(this.s, a);
  }
  /**
   * Takes the first enabled action of the families in order (garbage collection only when it
   * discards; a client's send and a faulty node's send of one message only the first time) until
   * `done` holds, leaving out the actions `skip` names.
   */
  settle(done: () => boolean, families: Family[] = ['protocol', 'receive', 'send', 'byzantine'], skip: (a: Action) => boolean = () => false): void {
    for (let k = 0; !done(); k++) {
      if (k >= 1000) throw new Error(`scenario did not settle:\n${this.log.slice(-20).join('\n')}`);
      const a = families
        .flatMap((f) => enabledIn(this.u, this.s, f))
        .find((a) =>
          skip(a) ? false : a.kind === 'COLLECT-GARBAGE'
            ? collectGarbageChanges(this.s.replicas[a.i]!, a.n)
            : a.kind !== 'SEND' ||
              (this.s.standIns[a.x] !== null
                ? !this.s.wire.hasMessage(a.m) // a faulty node's send, once
                : a.x < this.u.n || !this.s.proxies[a.x - this.u.n]!.retrans),
        );
      if (a === undefined) throw new Error('scenario: nothing enabled');
      this.take(a);
    }
  }
  report(): CoverageReport {
    return this.tracker.report();
  }
}

/** The counts that changed from one report to the next. */
function delta(a: CoverageReport, b: CoverageReport): Record<string, number> {
  const out: Record<string, number> = {};
  for (const sec of ['actions', 'branches', 'milestones'] as const)
    for (const [k, n] of Object.entries(b[sec])) if (n !== a[sec][k]) out[k] = n - a[sec][k]!;
  return out;
}

describe('coverage of hand-built scenarios (A_gc, f = 1, one client)', () => {
  it('normal case, a retransmitted request answered from last-rep, checkpoints and garbage collection, a stale replay', () => {
    const sc = new Scenario({ variant: 'Agc', f: 1, clients: 1, chkptInt: 1, L: 4 });
    const { u, s } = sc;
    const c0 = clientNode(u, 0);

    // COLLECT-GARBAGE with the initial certificate at 0 discards nothing.
    sc.take(enabledIn(u, s, 'garbage')[0]!);
    expect(sc.report().branches[BRANCH.gcNothing]).toBe(1);

    sc.take({ kind: 'REQUEST', o: 'a', c: 0 });
    const req1 = s.proxies[0]!.out!;
    sc.settle(() => s.replicas.every((r) => r.lastExec >= 1));
    let r = sc.report();
    expect(r.branches[BRANCH.requestIssued]).toBe(1);
    expect(r.branches[BRANCH.requestLogged]).toBe(1); // at the primary, before it executed
    expect(r.branches[BRANCH.ppAccepted]).toBe(3); // at each backup
    expect(r.branches[BRANCH.execNew]).toBe(4);
    expect(r.branches[BRANCH.execCheckpoint]).toBe(4);
    expect(r.branches[BRANCH.requestResent]).toBe(0);

    // The client retransmits to every replica; r1 answers from last-rep (Fig 2-12, t = last-rep-t).
    sc.take({ kind: 'SEND', x: c0, m: req1, X: u.allReplicas });
    const before = sc.report();
    sc.take({ kind: 'RECEIVE', x: 1, m: req1, X: u.allReplicas });
    expect(delta(before, sc.report())).toEqual({
      RECEIVE: 1,
      'RECEIVE:REQUEST': 1,
      [BRANCH.requestResent]: 1,
      [MILESTONE.replyResent]: 1,
    });

    sc.settle(() => enabledIn(u, s, 'reply').length > 0);
    sc.take(enabledIn(u, s, 'reply')[0]!);
    r = sc.report();
    expect(r.branches[BRANCH.replyDelivered]).toBe(1);
    expect(r.milestones[MILESTONE.requestCompleted]).toBe(1);

    // Checkpoints at 1 become stable everywhere and the logs are collected.
    sc.settle(() => s.replicas.every((r) => h(r) === 1), ['garbage', 'protocol', 'receive', 'send']);
    r = sc.report();
    expect(r.branches[BRANCH.gcDiscarded]).toBe(4);
    expect(r.milestones[MILESTONE.garbageCollected]).toBe(4);
    expect(r.milestones[MILESTONE.stableCheckpoint]).toBe(4);
    expect(r.branches[BRANCH.checkpointLogged]).toBeGreaterThan(0);

    // A second request executes; then MC replays the first to r1, which ignores it (t < last-rep-t).
    sc.take({ kind: 'REQUEST', o: 'b', c: 0 });
    sc.settle(() => s.replicas.every((r) => r.lastExec >= 2));
    sc.settle(() => s.wire.pendingCount === 0, ['receive']);
    expect(s.wire.entriesOf(req1).map((e) => e.X)).toContain(0);
    sc.take({ kind: 'MISBEHAVE', m: req1, X: 0, X2: u.replicaBit(1) });
    const beforeReplay = sc.report();
    sc.take({ kind: 'RECEIVE', x: 1, m: req1, X: u.replicaBit(1) });
    expect(delta(beforeReplay, sc.report())).toEqual({ RECEIVE: 1, 'RECEIVE:REQUEST': 1, [BRANCH.requestIgnored]: 1 });
    expect(sc.report().actions.MISBEHAVE).toBe(1);
    expect(sc.report().milestones[MILESTONE.byzantineAccepted]).toBe(0);
  });

  it('a duplicate delivery changes nothing and is counted apart from an ignored message', () => {
    const sc = new Scenario({ variant: 'Agc', f: 1, clients: 1, chkptInt: 2, L: 4 });
    const { u, s } = sc;
    sc.take({ kind: 'REQUEST', o: 'a', c: 0 });
    // Run until r1 has logged a prepare of r2, then deliver it to r1 once more (MC duplicates it).
    const prepareOf2 = () => [...s.replicas[1]!.in.all].find((m) => m.tag === 'PREPARE' && m.j === 2);
    sc.settle(() => prepareOf2() !== undefined);
    const p = prepareOf2()!;
    const X = s.wire.entriesOf(p)[0]!.X;
    sc.take({ kind: 'MISBEHAVE', m: p, X, X2: X | u.replicaBit(1) });
    const before = sc.report();
    sc.take({ kind: 'RECEIVE', x: 1, m: p, X: X | u.replicaBit(1) });
    expect(delta(before, sc.report())).toEqual({ RECEIVE: 1, 'RECEIVE:PREPARE': 1, [BRANCH.prepareDuplicate]: 1 });
  });

  it('prepares of a faulty replica logged by correct replicas are Byzantine messages accepted', () => {
    const sc = new Scenario({ variant: 'Agc', f: 1, clients: 1, chkptInt: 2, L: 4 }, (_u, x) => new Preparer(x));
    const { s } = sc;
    sc.take({ kind: 'REPLICA-FAILURE', i: 3 });
    sc.take({ kind: 'REQUEST', o: 'a', c: 0 });
    sc.settle(() => [0, 1, 2].every((i) => s.replicas[i]!.lastExec >= 1) && s.wire.pendingCount === 0, ['byzantine', 'protocol', 'receive', 'send']);
    const r = sc.report();
    expect(r.actions[FAULTY_SEND]).toBe(1); // one prepare, to r0, r1, r2
    expect(r.actions[FAULTY_RECEIVE]).toBeGreaterThan(0);
    expect(r.milestones[MILESTONE.byzantineAccepted]).toBe(3); // each correct replica logs it
    expect(r.branches[BRANCH.execNew]).toBe(3);
  });

  it('a replica cut off while the others collect garbage adopts the new view\'s checkpoint (update-state-nv)', () => {
    const sc = new Scenario({ variant: 'Agc', f: 1, clients: 1, chkptInt: 1, L: 4 });
    const { u, s } = sc;
    const cut = (a: Action) => a.kind === 'RECEIVE' && a.x === 3; // r3 hears nothing
    sc.take({ kind: 'REQUEST', o: 'a', c: 0 });
    sc.settle(() => [0, 1, 2].every((i) => h(s.replicas[i]!) === 1), ['garbage', 'protocol', 'receive', 'send'], cut);
    expect(s.replicas[3]!.lastExec).toBe(0);
    for (const i of [0, 1, 2]) sc.take({ kind: 'SEND-VIEW-CHANGE', v: 1, i });
    const newView = () => enabledIn(u, s, 'protocol').find((a) => a.kind === 'SEND-NEW-VIEW');
    sc.settle(() => newView() !== undefined, ['receive', 'send'], cut);
    sc.take(newView()!);
    const nv = [...s.replicas[1]!.out].find((m) => m.tag === 'NEW-VIEW')!;
    sc.take({ kind: 'SEND', x: 1, m: nv, X: u.allReplicas & ~u.replicaBit(1) });
    const before = sc.report();
    sc.take({ kind: 'RECEIVE', x: 3, m: nv, X: u.allReplicas & ~u.replicaBit(1) });
    expect(s.replicas[3]!.lastExec).toBe(1);
    expect(delta(before, sc.report())).toEqual({
      RECEIVE: 1,
      'RECEIVE:NEW-VIEW': 1,
      [BRANCH.nvAccepted]: 1,
      [BRANCH.nvStateAdopted]: 1,
      [MILESTONE.viewChanged]: 1,
      [MILESTONE.stableCheckpoint]: 1,
      [MILESTONE.stateAdopted]: 1,
    });
    const r = sc.report();
    expect(r.branches[BRANCH.nvSentEmpty]).toBe(1); // the prepared request was collected: O = N = {}
    expect(r.branches[BRANCH.vcSentEmptyP]).toBe(3);
    expect(r.milestones[MILESTONE.viewChanged]).toBe(4);
  });

  it('after() without before() for the same action is a usage error', () => {
    const u = new Universe({ variant: 'Agc' });
    const t = new CoverageTracker(u);
    expect(() => t.after(initialSystem(u), { kind: 'REQUEST', o: 'a', c: 0 })).toThrow(/without before/);
  });
});

// ---------------------------------------------------------------- merge and format

describe('reach (issue 13, part 4)', () => {
  /** A lagging-replica run with the tracker and the scheduler's own counters side by side. */
  const lagged = (seed: string, steps: number) => {
    const plan = planFor('lagging-replica', seed, { f: 1, n: 4, clients: 2 });
    const cov = coverageHooks();
    const r = runRandom({ ...planRunOptions(plan, { variant: 'Agc' }), seed, steps, ...cov.hooks });
    return { r, report: cov.report() };
  };

  it('agrees with the run: progress in the second half, a state adopted, the highest view; pre-prepare payloads counted by kind', () => {
    const runs = ['lag-0', 'lag-1', 'lag-2', 'lag-3'].map((seed) => lagged(seed, 6000));
    for (const { r, report } of runs) {
      expect(report.reach[REACH.runs]).toBe(1);
      expect(report.reach[REACH.alive]).toBe(r.stats.progressedInSecondHalf(6000) ? 1 : 0);
      expect(report.reach[REACH.adopted]).toBe(r.stats.stateAdoptions > 0 ? 1 : 0);
      expect(report.reach[REACH.highestView]).toBe(RunStats.viewsReached(r.state));
      const sentPPs = r.trace.filter((a) => a.kind === 'SEND' && a.m.tag === 'PRE-PREPARE').length;
      expect(sum(report.payloads, PAYLOAD_KINDS)).toBe(sentPPs);
    }
    const m = runs.map((x) => x.report).reduce(mergeCoverage);
    expect(m.reach[REACH.runs]).toBe(4);
    expect(m.reach[REACH.adopted]).toBeGreaterThan(0); // the laggard catches up through a new view
    expect(m.reach[REACH.highestView]).toBe(Math.max(...runs.map((x) => x.report.reach[REACH.highestView]!)));
    expect(m.payloads['REQUEST']).toBeGreaterThan(0);
    expect(m.milestones[MILESTONE.newViewAcceptedO]! + m.milestones[MILESTONE.newViewAcceptedN]!).toBeLessThanOrEqual(2 * m.branches[BRANCH.nvAccepted]!);
  });
});

describe('merging and formatting reports', () => {
  it('a fresh tracker reports every key at 0, in the fixed order', () => {
    const r = new CoverageTracker(new Universe({ variant: 'A' })).report();
    expect(r).toEqual(emptyCoverage());
    expect(Object.keys(r.actions)).toEqual(ACTION_KEYS);
    expect(Object.keys(r.branches)).toEqual(BRANCH_IDS);
    expect(Object.keys(r.milestones)).toEqual(MILESTONE_IDS);
    expect(Object.values(r.actions).every((n) => n === 0)).toBe(true);
    expect(neverReached(r)).toEqual(MILESTONE_IDS);
  });

  it('mergeCoverage sums every count, keeps the order, and keeps keys it does not know', () => {
    const a = covered({ variant: 'Agc' }, 1, 800).report;
    const b = covered({ variant: 'A', faultyReplicas: [3] }, 2, 800).report;
    const m = mergeCoverage(a, b);
    expect(m.steps).toBe(a.steps + b.steps);
    for (const sec of ['actions', 'branches', 'milestones'] as const) {
      expect(Object.keys(m[sec])).toEqual(Object.keys(a[sec]));
      for (const k of Object.keys(m[sec])) expect(m[sec][k], k).toBe(a[sec][k]! + b[sec][k]!);
    }
    expect(mergeCoverage(a, emptyCoverage())).toEqual(a);
    const odd = { ...emptyCoverage(), milestones: { ...emptyCoverage().milestones, 'z-extra': 2, 'a-extra': 1 } };
    const mm = mergeCoverage(a, odd);
    expect(Object.keys(mm.milestones).slice(-2)).toEqual(['a-extra', 'z-extra']);
    expect(mm.milestones['z-extra']).toBe(2);
  });

  it('formatCoverage prints aligned sections and names the milestones never reached', () => {
    const r = covered({ variant: 'A' }, 1, 800).report;
    const text = formatCoverage(r);
    const lines = text.split('\n');
    expect(lines[0]).toBe(`coverage of ${r.steps} steps`);
    for (const title of ['actions', 'branches', 'milestones', 'pre-prepare payloads', 'reach']) expect(lines).toContain(title);
    const rows = lines.filter((l) => l.startsWith('  '));
    expect(rows).toHaveLength(ACTION_KEYS.length + BRANCH_IDS.length + MILESTONE_IDS.length + PAYLOAD_KINDS.length + REACH_IDS.length);
    expect(new Set(rows.map((l) => l.length)).size).toBe(1); // one column of right-aligned counts
    expect(rows.find((l) => l.startsWith(`  ${MILESTONE.garbageCollected} `))).toMatch(/ 0$/);
    const never = neverReached(r);
    expect(never).toContain(MILESTONE.garbageCollected); // A has no garbage collection
    expect(never).toContain(MILESTONE.stableCheckpoint);
    expect(never).not.toContain(MILESTONE.requestCompleted);
    expect(lines.at(-1)).toBe(`never reached: ${never.join(', ')}`);

    const all = { ...r, milestones: Object.fromEntries(MILESTONE_IDS.map((k) => [k, 1])) };
    expect(neverReached(all)).toEqual([]);
    expect(formatCoverage(all).split('\n').at(-1)).toBe('every milestone reached');
  });
});
