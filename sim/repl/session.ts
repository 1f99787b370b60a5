// The REPL's session: one configuration, the execution so far (a timeline of actions with a
// cursor), and everything that runs in lockstep with it: the invariant checker, the chain of
// simulations (when on) and coverage. Time travel re-executes from the initial state, which is
// exact because execution is deterministic, and correct for the chain, whose abstract automata
// cannot be copied.
import type { Action } from '../../automata/actions.ts';
import { silentStandIns, type StandInFactory } from '../../automata/byzantine.ts';
import { ByzantineClient } from '../../automata/byzantine-client.ts';
import { ByzantineReplica, CollusionBoard, EVEN_TACTICS } from '../../automata/byzantine-replica.ts';
import { ActionNotEnabled, cloneSystem, initialSystem, step, whyDisabled, type SystemState } from '../../automata/compose.ts';
import type { Config } from '../../automata/config.ts';
import { enabled } from '../../automata/enabled.ts';
import { cloneSpec, cloneCommon, type SpecCommon, type SpecState } from '../../automata/spec.ts';
import { Universe } from '../../automata/universe.ts';
import { formatFinding, InvariantChecker } from '../../invariants/check.ts';
import { selectInvariants, systemInvariants } from '../../invariants/registry.ts';
import type { SystemInvariant } from '../../invariants/types.ts';
import { ChainSimulation, type ChainOptions } from '../../proofs/chain.ts';
import { CoverageTracker } from '../coverage.ts';
import { planStandIns, type StrategyPlan } from '../strategies.ts';
import { actionToJson } from '../trace-json.ts';
import { formatSimulationFinding } from '../summary.ts';
import type { LivenessBounds } from '../../invariants/liveness.ts';
import { formatLiveness, LivenessReplay } from '../liveness-replay.ts';
import type { StableOptions } from '../stable-scheduler.ts';

/** How a failure input replaces the node: it stops, turns Byzantine, or as the strategy says. */
export type FailureMode = 'silent' | 'byzantine' | 'plan';

export interface Entry {
  readonly action: Action;
  readonly mode: FailureMode;
}

/** A violation of an invariant or a simulation failure, found after step `step` (-1: the start). */
export interface SessionFinding {
  readonly id: string;
  readonly step: number;
  /** The one-line message, and the full report. */
  readonly message: string;
  readonly report: string;
}

/** What S' looked like before the last step: its shared components, seqno and the length of hist (which only grows). */
interface SpecHistSnapshot {
  common: SpecCommon;
  seqno: number;
  histLength: number;
}

export interface SessionSetup {
  config: Config;
  seed: string;
  plan: StrategyPlan | null;
  /** The chain of simulations to run in lockstep, or null. */
  chain: ChainOptions | null;
  /** The invariant ids the user selected, or null for all. */
  invariantIds: readonly string[] | null;
  /** The trace file this session came from (its base name), for reports. */
  source?: string;
  /**
   * The liveness check (--liveness, `stabilize`, or a stabilized trace loaded): the properties
   * L1-L3 from step gst on, where `run` and `until` take the stabilized scheduler's steps
   * (sim/stable-scheduler.ts); gst null: not stabilized yet. Null: no liveness check.
   */
  liveness?: { gst: number | null; bounds: Partial<LivenessBounds>; options?: StableOptions | undefined } | null;
}

export class Session {
  u: Universe;
  s!: SystemState;
  /** The execution so far: the steps taken, and any later ones kept for `forward`. */
  timeline: Entry[] = [];
  /** The state is the one after timeline[0..cursor). */
  cursor = 0;
  /** The findings after each step up to the cursor, and those of the start states. */
  findings: SessionFinding[][] = [];
  startFindings: SessionFinding[] = [];
  checker!: InvariantChecker;
  chain: ChainSimulation | null = null;
  /** Why the chain stopped following (an exception inside it), or null. */
  chainStopped: string | null = null;
  coverage!: CoverageTracker;
  /** The liveness properties from GST on (when the session is stabilized), and whether they have failed. */
  live: LivenessReplay | null = null;
  private liveFailed = false;
  /** S and S' before the last step (chain only), to show what it changed. */
  specBefore: { S: SpecState; Sp: SpecHistSnapshot } | null = null;
  private board = new CollusionBoard();
  private planFactory: StandInFactory = silentStandIns;
  private enabledCache: { cursor: number; version: number; list: Action[] } | null = null;
  private prevCache: { cursor: number; version: number; s: SystemState } | null = null;
  /** Bumped whenever the timeline changes, to invalidate caches. */
  private version = 0;

  constructor(public setup: SessionSetup) {
    this.u = new Universe(setup.config);
    this.rebuild(0);
  }

  get invariants(): readonly SystemInvariant[] {
    const all = systemInvariants(this.u.config.readings);
    return this.setup.invariantIds === null ? all : selectInvariants(all, this.setup.invariantIds);
  }

  /** The stand-ins of a failure step. */
  private factory(mode: FailureMode): StandInFactory {
    if (mode === 'plan') return this.planFactory;
    if (mode === 'silent') return silentStandIns;
    return (u, node) => (node < u.n ? new ByzantineReplica(node, EVEN_TACTICS, this.board) : new ByzantineClient(node - u.n));
  }

  /** The mode of the configured failures: the strategy's stand-ins, or a stop. */
  get configuredMode(): FailureMode {
    return this.setup.plan !== null && !this.setup.plan.silent ? 'plan' : 'silent';
  }

  /** Re-executes timeline[0..to) from the initial state, with every check. */
  rebuild(to: number): void {
    const u = this.u;
    this.s = initialSystem(u);
    this.checker = new InvariantChecker(u, { invariants: this.invariants });
    this.chain = this.setup.chain === null ? null : new ChainSimulation(u, this.setup.chain);
    this.chainStopped = null;
    this.coverage = new CoverageTracker(u);
    const l = this.setup.liveness;
    this.live = l === undefined || l === null || l.gst === null ? null : new LivenessReplay(u, { gst: l.gst, bounds: l.bounds, options: l.options });
    this.liveFailed = false;
    this.board = new CollusionBoard();
    this.planFactory = this.setup.plan === null ? silentStandIns : planStandIns(this.setup.plan);
    this.findings = [];
    this.specBefore = null;
    this.startFindings = (this.chain?.start(this.s) ?? []).map((f) => ({ id: f.id, step: -1, message: f.message, report: formatSimulationFinding(f) }));
    this.cursor = 0;
    for (let k = 0; k < to; k++) this.apply(this.timeline[k]!);
  }

  /** Why a is not enabled now, or null. */
  whyNot(a: Action): string | null {
    return whyDisabled(this.u, this.s, a);
  }

  /** The stable list of enabled actions in the current state (enabled.ts), cached per state. */
  enabled(): Action[] {
    const c = this.enabledCache;
    if (c !== null && c.cursor === this.cursor && c.version === this.version) return c.list;
    const list = enabled(this.u, this.s);
    this.enabledCache = { cursor: this.cursor, version: this.version, list };
    return list;
  }

  /**
   * Takes a new step from the current state: later steps of the timeline are dropped unless a is
   * the very step recorded next. Returns the findings; throws ActionNotEnabled.
   */
  take(a: Action, mode: FailureMode, keepPrevious = false): { findings: SessionFinding[]; dropped: number } {
    const why = this.whyNot(a);
    if (why !== null) throw new ActionNotEnabled(why);
    // A single step keeps the state before it, for `show` (a walk leaves it to previous()).
    const before = keepPrevious ? cloneSystem(this.s) : null;
    let dropped = 0;
    const next = this.timeline[this.cursor];
    if (next === undefined || next.mode !== mode || !sameAction(this.u, next.action, a)) {
      dropped = this.timeline.length - this.cursor;
      this.timeline.length = this.cursor;
      this.timeline.push({ action: a, mode });
      this.version++;
    }
    const findings = this.apply(this.timeline[this.cursor]!);
    if (before !== null) this.prevCache = { cursor: this.cursor, version: this.version, s: before };
    return { findings, dropped };
  }

  /** Re-takes the next recorded step (`forward`); null at the end of the timeline. */
  redo(): SessionFinding[] | null {
    const e = this.timeline[this.cursor];
    return e === undefined ? null : this.apply(e);
  }

  /** Moves to the state after n steps of the timeline (re-executing from the start when going back). */
  goto(n: number): void {
    const to = Math.max(0, Math.min(n, this.timeline.length));
    if (to >= this.cursor) while (this.cursor < to) this.apply(this.timeline[this.cursor]!);
    else this.rebuild(to);
  }

  /** Replaces the configuration and the timeline (built in the new universe: a loaded trace) and goes to its start. */
  replaceTimeline(setup: SessionSetup, build: (u: Universe) => Entry[]): void {
    this.setup = setup;
    this.u = new Universe(setup.config);
    this.timeline = build(this.u);
    this.version++;
    this.rebuild(0);
  }

  /** Every finding up to the cursor, in order. */
  allFindings(): SessionFinding[] {
    return [...this.startFindings, ...this.findings.flat()];
  }

  /** The state before the last step (re-executed without checks, cached), or null at the start. */
  previous(): SystemState | null {
    if (this.cursor === 0) return null;
    const c = this.prevCache;
    if (c !== null && c.cursor === this.cursor && c.version === this.version) return c.s;
    const s = initialSystem(this.u);
    for (let k = 0; k < this.cursor - 1; k++) {
      const e = this.timeline[k]!;
      step(this.u, s, e.action, this.factory(e.mode));
    }
    this.prevCache = { cursor: this.cursor, version: this.version, s };
    return s;
  }

  /** One step of the timeline at the cursor, with every check in lockstep. */
  private apply(e: Entry): SessionFinding[] {
    const { u, s } = this;
    const k = this.cursor;
    const a = e.action;
    const findings: SessionFinding[] = [];
    this.live?.reach(k, s);
    this.coverage.before(s, a);
    const chain = this.chainStopped === null ? this.chain : null;
    if (chain !== null) {
      this.specBefore = {
        S: cloneSpec(chain.f.y),
        Sp: { common: cloneCommon(chain.g.y), seqno: chain.g.y.seqno, histLength: chain.g.y.hist.length },
      };
      this.guard(() => chain.before(k, a, s), findings, k);
    }
    step(u, s, a, this.factory(e.mode));
    this.cursor++;
    this.coverage.after(s, a);
    if (chain !== null && this.chainStopped === null)
      this.guard(() => findings.push(...chain.after(k, a, s).map((f) => ({ id: f.id, step: k, message: f.message, report: formatSimulationFinding(f) }))), findings, k);
    for (const f of this.checker.afterStep(k, a, s)) findings.push({ id: f.id, step: k, message: f.message, report: formatFinding(u, f, this.checker.active) });
    const late = this.live?.after(k, a, s) ?? null;
    // An execution's liveness fails once: later steps past a deadline are not reported again.
    if (late !== null && !this.liveFailed) {
      this.liveFailed = true;
      findings.push({ id: late.id, step: k, message: late.message, report: formatLiveness(late) });
    }
    this.findings[k] = findings;
    return findings;
  }

  /**
   * Stabilizes the session at the current step (GST), or turns the liveness check off (null);
   * re-executes up to here, so the properties are judged from the new GST on.
   */
  stabilize(bounds: Partial<LivenessBounds> | null): void {
    this.setup = { ...this.setup, liveness: bounds === null ? null : { gst: this.cursor, bounds, options: this.setup.liveness?.options } };
    this.version++;
    this.rebuild(this.cursor);
    this.live?.reach(this.cursor, this.s);
  }

  /**
   * The stabilized run has nothing left to do at the cursor: an obligation still open fails now
   * (the lasso of length 0). Recorded with the last step's findings; null if nothing fails.
   */
  livenessEnd(): SessionFinding | null {
    if (this.live === null || this.liveFailed || this.cursor === 0) return null;
    const v = this.live.end(this.cursor, this.s);
    if (v === null) return null;
    this.liveFailed = true;
    const f = { id: v.id, step: v.step, message: v.message, report: formatLiveness(v) };
    this.findings[this.cursor - 1]!.push(f);
    return f;
  }

  /** Runs a step of the chain; an exception stops the chain (reported once) rather than the REPL. */
  private guard(f: () => void, findings: SessionFinding[], k: number): void {
    try {
      f();
    } catch (e) {
      this.chainStopped = `at step ${k}: ${e instanceof Error ? e.message : String(e)}`;
      const message = `the chain of simulations stopped following ${this.chainStopped}`;
      findings.push({ id: 'chain', step: k, message, report: message });
    }
  }
}

const sameAction = (u: Universe, a: Action, b: Action) => a === b || JSON.stringify(actionToJson(u, a)) === JSON.stringify(actionToJson(u, b));
