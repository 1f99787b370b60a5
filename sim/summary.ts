// The summary `pbft-check run` prints: what a random walk did, and how long it took.
import type { Config } from '../automata/config.ts';
import { h } from '../automata/replica-state.ts';
import { formatFinding, InvariantChecker, type Finding } from '../invariants/check.ts';
import { ALL_IDS, systemInvariants } from '../invariants/registry.ts';
import type { SystemInvariant } from '../invariants/types.ts';
import { CoverageTracker, formatCoverage, type CoverageReport } from './coverage.ts';
import { describePlan, planRunOptions, type StrategyPlan } from './strategies.ts';
import { chainRelations, ChainSimulation, type ChainOptions } from '../proofs/chain.ts';
import type { SimulationFinding } from '../proofs/paired-f.ts';
import { runRandom } from './scheduler.ts';
import { RunStats } from './stats.ts';
import { traceJson as makeTraceFile, type TraceChecks, type TraceFile } from './trace-file.ts';
import { LivenessWatch, traceStabilized, type LivenessCheck, type Violation } from './checks.ts';
import { formatLiveness } from './liveness-replay.ts';
import { STABLE_HORIZON } from './stable-scheduler.ts';
import type { LivenessBounds } from '../invariants/liveness.ts';
import type { Universe } from '../automata/universe.ts';

export interface SummaryData {
  variant: Config['variant'];
  f: number;
  replicas: number;
  clients: number;
  service: string;
  seed: string;
  steps: number;
  quiescent: boolean;
  requestsIssued: number;
  requestsCompleted: number;
  executions: number;
  viewsReached: number;
  viewChangesSent: number;
  newViewsSent: number;
  checkpointsTaken: number;
  checkpointsMadeStable: number;
  garbageCollections: number;
  /** Highest stable checkpoint h_i among non-faulty replicas (A_gc). */
  highestStableCheckpoint: number;
  messagesInterned: number;
  seconds: number;
  stepsPerSecond: number;
  /** With checking: the invariants evaluated, how often, and the first violation (if any). */
  check?: { invariants: string[]; every: number; evaluations: number; violation: string | null };
  /** With the chain of simulations: the relations, the abstract steps taken, the first finding. */
  chain?: { relations: string[]; abstractSteps: number; violation: string | null };
  /** With --liveness: where the walk stabilized, the deadlines, how close it came to them, the first violation. */
  liveness?: { gst: number | null; bounds: LivenessBounds | null; worst: LivenessBounds | null; violation: string | null };
  /** With a strategy: what it picked. */
  strategy?: string;
  /** With --coverage: the coverage report. */
  coverage?: CoverageReport;
}

/** What a run does besides walking: checks, the chain, a strategy, coverage. */
export interface RunRequest {
  check?: CheckRequest | undefined;
  /** The chain of simulations to run in lockstep, or null for none. */
  chain?: ChainOptions | null;
  plan?: StrategyPlan | null;
  coverage?: boolean;
  /** Stabilize the walk at step gst (sim/stable-scheduler.ts) and check the liveness properties after it. */
  liveness?: { check: LivenessCheck; gst: number } | null;
}

/** A readable report of a simulation finding. */
export function formatSimulationFinding(f: SimulationFinding): string {
  const what = f.id === 'enabled' ? 'a step of α is not enabled' : f.id === 'trace' ? 'the traces differ' : `${f.id} does not hold`;
  return [
    `simulation failure: ${what}`,
    f.step < 0 ? '  at the start states' : `  at step ${f.step}: ${f.concrete}`,
    `  α = ⟨${f.fragment.join(', ')}⟩`,
    `  ${f.message}`,
  ].join('\n');
}

export interface CheckRequest {
  /** The invariants to evaluate (the end-to-end property is always monitored). */
  invariants: readonly SystemInvariant[];
  every: number;
}

export function runSummary(
  config: Config,
  seed: string,
  steps: number,
  opts: RunRequest = {},
): { data: SummaryData; traceJson: () => TraceFile; finding: Finding | null; simulationFinding: SimulationFinding | null; livenessViolation: Violation | null } {
  const check = opts.check;
  const chainOptions = opts.chain ?? null;
  const plan = opts.plan ?? null;
  let coverage: CoverageTracker | null = null;
  let checker: InvariantChecker | null = null;
  let finding: Finding | null = null;
  let chain: ChainSimulation | null = null;
  let simulationFinding: SimulationFinding | null = null;
  const liveness = opts.liveness ?? null;
  const live = liveness === null ? null : new LivenessWatch(liveness.check);
  let livenessViolation: Violation | null = null;
  let universe!: Universe;
  const t0 = performance.now();
  const r = runRandom({
    ...(plan === null ? {} : planRunOptions(plan)),
    // The command line's configuration already holds the plan's (or the named) faulty nodes.
    config,
    seed,
    steps,
    ...(liveness === null ? {} : { stabilize: { gst: liveness.gst, horizon: STABLE_HORIZON, seed } }),
    onStabilize: (k, s, scheduler) => live?.stabilize(universe, k, s, scheduler),
    onStart: (u, s) => {
      universe = u;
      if (opts.coverage) coverage = new CoverageTracker(u);
      if (check) checker = new InvariantChecker(u, { invariants: check.invariants, every: check.every });
      if (chainOptions !== null) {
        chain = new ChainSimulation(u, chainOptions);
        simulationFinding = chain.start(s)[0] ?? null;
      }
    },
    beforeStep: (k, a, s) => {
      coverage?.before(s, a);
      chain?.before(k, a, s);
    },
    onStep: (k, a, s) => {
      coverage?.after(s, a);
      if (chain !== null) simulationFinding ??= chain.after(k, a, s)[0] ?? null;
      if (checker !== null) finding = checker.afterStep(k, a, s)[0] ?? null;
      if (finding === null && simulationFinding === null && live !== null) livenessViolation = live.after(k, a, s);
      return finding === null && simulationFinding === null && livenessViolation === null;
    },
  });
  if (live !== null && finding === null && simulationFinding === null) livenessViolation ??= live.end(r);
  const seconds = (performance.now() - t0) / 1000;
  const st = r.stats;
  const correct = r.state.replicas.filter((x) => !x.faulty);
  const data: SummaryData = {
    variant: config.variant,
    f: config.f,
    replicas: r.universe.n,
    clients: config.clients,
    service: config.service,
    seed,
    steps: st.steps,
    quiescent: r.quiescent,
    requestsIssued: st.requestsIssued,
    requestsCompleted: st.requestsCompleted,
    executions: st.executions,
    viewsReached: RunStats.viewsReached(r.state),
    viewChangesSent: st.viewChangesSent,
    newViewsSent: st.newViewsSent,
    checkpointsTaken: st.checkpointsTaken,
    checkpointsMadeStable: st.checkpointsMadeStable,
    garbageCollections: st.garbageCollections,
    highestStableCheckpoint: Math.max(0, ...correct.map(h)),
    messagesInterned: r.universe.interner.size,
    seconds: Number(seconds.toFixed(3)),
    stepsPerSecond: Math.round(st.steps / Math.max(seconds, 1e-9)),
  };
  const c = checker as InvariantChecker | null;
  if (c !== null && check)
    data.check = {
      invariants: c.active.map((x) => x.id),
      every: check.every,
      evaluations: c.evaluations,
      violation: finding === null ? null : formatFinding(r.universe, finding, c.active),
    };
  const ch = chain as ChainSimulation | null;
  if (ch !== null)
    data.chain = {
      relations: chainRelations(r.universe),
      abstractSteps: ch.abstractSteps,
      violation: simulationFinding === null ? null : formatSimulationFinding(simulationFinding),
    };
  const stabilized = live?.stabilized() ?? null;
  const lv = livenessViolation as Violation | null;
  if (live !== null)
    data.liveness = {
      gst: stabilized?.gst ?? null,
      bounds: stabilized?.bounds ?? null,
      worst: stabilized === null ? null : { ...stabilized.worst },
      violation: lv === null ? null : formatLiveness({ ...lv, id: lv.id as 'L1' | 'L2' | 'L3' }),
    };
  if (plan !== null && plan.picked.length > 0) data.strategy = describePlan(plan);
  const cov = coverage as CoverageTracker | null;
  if (cov !== null) data.coverage = cov.report();
  const first = (simulationFinding as SimulationFinding | null) ?? (finding as Finding | null) ?? lv;
  const violation = first === null ? undefined : { id: first.id, step: first.step, message: first.message };
  // The checks the run made, for replay. A run with neither --check nor --chain records none; one
  // with the chain alone records the chain (replay then checks every invariant too); a selection
  // the file cannot name (none, or invariants not in the registry) records none either.
  const ids = check === undefined || check.invariants.length === systemInvariants(config.readings).length ? null : check.invariants.map((x) => x.id);
  const recordable = ids === null || (ids.length > 0 && ids.every((id) => ALL_IDS.includes(id)));
  const checks: TraceChecks | undefined =
    (check === undefined && chainOptions === null && live === null) || !recordable
      ? undefined
      : {
          chain: chainOptions !== null,
          ...(ids === null ? {} : { invariants: ids }),
          ...(chainOptions?.relations === undefined ? {} : { relations: [...chainOptions.relations] }),
          ...(live === null ? {} : { liveness: true }),
        };
  // Built only when asked for (--trace): it replays the run to record the fingerprints.
  const traceJson = () =>
    makeTraceFile(r.universe, r.trace, { seed, ...(data.strategy ? { strategy: data.strategy } : {}), ...(violation ? { violation } : {}), ...(checks ? { checks } : {}), ...traceStabilized(stabilized) });
  return { data, traceJson, finding, simulationFinding, livenessViolation: lv };
}

export function formatSummary(d: SummaryData): string {
  const variant = d.variant === 'Agc' ? 'A_gc (Figs 2-8..2-13)' : 'A (Appendix A.1)';
  const lines = [
    `pbft-check run: ${variant}, f = ${d.f} (${d.replicas} replicas), ${d.clients} clients, ${d.service} service, seed '${d.seed}'`,
    `  steps                    ${d.steps}${d.quiescent ? ' (stopped early: nothing enabled)' : ''}`,
    `  requests issued          ${d.requestsIssued}`,
    `  requests completed       ${d.requestsCompleted}`,
    `  executions (all replicas) ${d.executions}`,
    `  views reached            ${d.viewsReached} (${d.viewChangesSent} view-changes sent, ${d.newViewsSent} new-views sent)`,
  ];
  if (d.variant === 'Agc')
    lines.push(
      `  checkpoints taken        ${d.checkpointsTaken}`,
      `  checkpoints made stable  ${d.checkpointsMadeStable} (highest stable checkpoint ${d.highestStableCheckpoint})`,
      `  garbage collections      ${d.garbageCollections}`,
    );
  lines.push(`  messages interned        ${d.messagesInterned}`, `  time                     ${d.seconds.toFixed(2)} s (${d.stepsPerSecond} steps/s)`);
  if (d.chain)
    lines.push(
      `  simulations checked      ${d.chain.relations.join(', ')}; ${d.chain.abstractSteps} abstract steps`,
      d.chain.violation === null ? '  simulation failures      none' : `\n${d.chain.violation}`,
    );
  if (d.strategy) lines.splice(1, 0, `  ${d.strategy}`);
  if (d.check)
    lines.push(
      `  invariants checked       ${d.check.invariants.length} conjuncts, the end-to-end property and agreement, every ${d.check.every} step(s), ${d.check.evaluations} evaluations`,
      d.check.violation === null ? '  violations               none' : `\n${d.check.violation}`,
    );
  if (d.liveness) lines.push(...formatLivenessSummary(d.liveness));
  if (d.coverage) lines.push('', formatCoverage(d.coverage));
  return lines.join('\n') + '\n';
}

function formatLivenessSummary(l: NonNullable<SummaryData['liveness']>): string[] {
  if (l.gst === null || l.bounds === null || l.worst === null) return ['  liveness                 not checked: the walk ended before GST'];
  const b = l.bounds;
  const w = l.worst;
  return [
    `  liveness                 L1-L3 from GST ${l.gst} on; deadlines B = ${b.L1}, B' = ${b.L2}, B'' = ${b.L3}; longest open ${w.L1}, ${w.L2}, ${w.L3}`,
    l.violation === null ? '  liveness violations      none' : `\n${l.violation}`,
  ];
}
