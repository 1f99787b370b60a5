// The summary `pbft-check run` prints: what a random walk did, and how long it took.
import type { Config } from '../automata/config.ts';
import { h } from '../automata/replica-state.ts';
import { runRandom } from './scheduler.ts';
import { RunStats } from './stats.ts';
import { traceJson as makeTraceFile, type TraceFile } from './trace-file.ts';

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
}

export function runSummary(config: Config, seed: string, steps: number): { data: SummaryData; traceJson: TraceFile } {
  const t0 = performance.now();
  const r = runRandom({ config, seed, steps });
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
  const traceJson = makeTraceFile(r.universe, r.trace, { seed });
  return { data, traceJson };
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
  return lines.join('\n') + '\n';
}
