// pbft-check replay: re-execute a trace file deterministically, verify the fingerprint after each
// step, print the run one line per action (with --verbose, what each step changed), check on the
// way with the checks the file records (the chain or not, the invariants and relations selected;
// options override them), and stop at the first violation — saying whether it is the one the file
// records.
import type { Action } from '../automata/actions.ts';
import { ActionNotEnabled, initialSystem, step, type SystemState } from '../automata/compose.ts';
import { formatAction, formatMessage } from '../automata/format.ts';
import { StateHasher } from '../automata/state-hash.ts';
import { Universe } from '../automata/universe.ts';
import { formatFinding, InvariantChecker } from '../invariants/check.ts';
import { DeltaTracker, type Delta } from '../invariants/delta.ts';
import { selectInvariants, systemInvariants } from '../invariants/registry.ts';
import type { Witness } from '../invariants/types.ts';
import { formatLasso } from './lasso.ts';
import { formatLiveness, LivenessReplay } from './liveness-replay.ts';
import { ChainSimulation } from '../proofs/chain.ts';
import { formatSimulationFinding } from './summary.ts';
import { TraceError, type TraceChecks, type TraceFile } from './trace-file.ts';
import { ActionDecoder } from './trace-json.ts';

export interface ReplayOptions {
  /**
   * Check every invariant, the end-to-end property and agreement, whatever the file selected (the
   * invariants are checked anyway when the file records a violation or checks).
   */
  check: boolean;
  /**
   * The chain of simulations on (true) or off (false); undefined: as the file records, or in a file
   * without recorded checks, when its violation is a simulation's.
   */
  chain?: boolean | undefined;
  /** --invariants patterns in place of the file's ([]: every invariant). */
  invariants?: readonly string[] | undefined;
  /** --relations in place of the file's (with the chain). */
  relations?: readonly string[] | undefined;
  verbose: boolean;
  /** The liveness properties on the stabilized part on (true) or off; undefined: as the file records. */
  liveness?: boolean | undefined;
  /** Go on after the first violation to the end of the trace, taking the steps unchecked. */
  beyond?: boolean | undefined;
  /** Replay only the first `to` steps (default: all of them). */
  to?: number | undefined;
  /** Sees the states of the run as it is replayed (the trace viewer builds its pages with it). */
  observer?: ReplayObserver | undefined;
}

/** Called with the initial state, then after each step once it has been checked. */
export interface ReplayObserver {
  start(u: Universe, s: SystemState, chain: ChainSimulation | null): void;
  /** `witness`: the witnesses of an invariant's violation found at this step, if one was. */
  step(k: number, a: Action, s: SystemState, witness: Witness | null): void;
}

/** What a replay checked. */
export interface AppliedChecks {
  /** No invariant, every one, or those the patterns select. */
  invariants: 'none' | 'all' | string[];
  chain: boolean;
  /** The liveness properties from the file's GST on (only a stabilized trace has them). */
  liveness: boolean;
  /** With the chain: every relation, or the relations and clauses reported; null without it. */
  relations: 'all' | string[] | null;
  /** The checks the file records (null: a file written before they were recorded). */
  recorded: TraceChecks | null;
  /** Whether these are the recorded checks. */
  asRecorded: boolean;
}

const LIVENESS_ID = /^L\d$/;

/** Violation ids that only the chain reports (a file without recorded checks turns it on for them). */
const SIMULATION_ID = /^([FGH]\(|enabled$|trace$)/;

/** The checks a replay of t applies under the options: the file's, with the options' overrides. */
export function replayChecks(t: TraceFile, o: Pick<ReplayOptions, 'check' | 'chain' | 'invariants' | 'relations' | 'liveness'>): AppliedChecks {
  const rec = t.checks ?? null;
  const recorded = t.violation ?? null;
  const chain = o.chain ?? (rec !== null ? rec.chain : recorded !== null && SIMULATION_ID.test(recorded.id));
  const checkOn = o.check || o.invariants !== undefined || recorded !== null || rec !== null;
  const patterns = o.invariants ?? (o.check ? [] : (rec?.invariants ?? []));
  const relations = o.relations ?? rec?.relations;
  const applied: AppliedChecks = {
    invariants: !checkOn ? 'none' : patterns.length === 0 ? 'all' : [...patterns],
    chain,
    relations: !chain ? null : relations === undefined ? 'all' : [...relations],
    liveness: t.stabilized !== undefined && (o.liveness ?? (rec?.liveness === true || (recorded !== null && LIVENESS_ID.test(recorded.id)))),
    recorded: rec,
    asRecorded: false,
  };
  const same = (a: readonly string[] | undefined, b: readonly string[] | undefined) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  applied.asRecorded = rec !== null && checkOn && chain === rec.chain && same(patterns.length === 0 ? undefined : patterns, rec.invariants) && (!chain || same(relations, rec.relations)) && applied.liveness === (rec.liveness === true);
  return applied;
}

/** The checks in a few words: 'invariants all, chain on (relations H(2))'. */
export function describeChecks(c: Pick<AppliedChecks, 'invariants' | 'chain' | 'relations'> & { liveness?: boolean }): string {
  const inv = typeof c.invariants === 'string' ? c.invariants : c.invariants.join(',');
  const rel = c.chain && c.relations !== null && c.relations !== 'all' ? ` (relations ${c.relations.join(',')})` : '';
  return `invariants ${inv}, chain ${c.chain ? 'on' : 'off'}${rel}${c.liveness ? ', liveness on' : ''}`;
}

/** The checks a file records, in the same words. */
export function describeRecorded(r: TraceChecks): string {
  return describeChecks({ invariants: r.invariants === undefined || r.invariants.length === 0 ? 'all' : r.invariants, chain: r.chain, relations: r.relations ?? 'all', liveness: r.liveness === true });
}

export interface ReplayResult {
  /** Steps executed. */
  steps: number;
  /** The first step whose state's fingerprint differs from the file's, or null. */
  mismatch: { step: number; expected: string; got: string } | null;
  /** The first violation found: its id, step and report. */
  violation: { id: string; step: number; report: string } | null;
  /** Whether the violation is the one the file records (null when it records none, or `to` stopped before it). */
  reproduced: boolean | null;
  fingerprintsChecked: number;
  /** What was checked on the way. */
  checks: AppliedChecks;
}

/** Replays t, writing one line per step (and changes with verbose) to out. Throws TraceError on a bad file or a step that is not enabled. */
export function replay(t: TraceFile, o: ReplayOptions, out: (line: string) => void): ReplayResult {
  const u = new Universe(t.config);
  const dec = new ActionDecoder(u);
  const s = initialSystem(u);
  const hasher = new StateHasher(u).reset(s);
  const recorded = t.violation ?? null;
  const applied = replayChecks(t, o);
  // As sim/checks.ts RunChecks builds them, so that a replay checks what the search checked.
  const checker = applied.invariants === 'none' ? null : new InvariantChecker(u, { invariants: selectInvariants(systemInvariants(u.config.readings), applied.invariants === 'all' ? [] : applied.invariants) });
  const chain = !applied.chain ? null : new ChainSimulation(u, applied.relations === 'all' || applied.relations === null ? {} : { relations: applied.relations });
  const changes = o.verbose ? new DeltaTracker() : null;
  changes?.next(s);
  const result: ReplayResult = { steps: 0, mismatch: null, violation: null, reproduced: null, fingerprintsChecked: 0, checks: applied };
  const start = chain?.start(s)[0];
  if (start !== undefined) result.violation = { id: start.id, step: -1, report: formatSimulationFinding(start) };
  o.observer?.start(u, s, chain);
  const steps = Math.min(t.actions.length, o.to ?? Infinity);
  const live = applied.liveness ? new LivenessReplay(u, t.stabilized!) : null;
  for (let k = 0; k < steps && (result.violation === null || o.beyond === true); k++) {
    // After the first violation (with `beyond`), the steps are taken and observed, not checked.
    const checking = result.violation === null;
    if (checking) live?.reach(k, s);
    let a;
    try {
      a = dec.action(t.actions[k]);
    } catch (e) {
      throw new TraceError(`step ${k}: ${(e as Error).message}`);
    }
    hasher.before(s, a);
    if (checking) chain?.before(k, a, s);
    try {
      step(u, s, a);
    } catch (e) {
      if (e instanceof ActionNotEnabled) throw new TraceError(`step ${k} (${formatAction(u, a)}) is not enabled: ${e.message}`);
      throw e;
    }
    hasher.after(s, a);
    result.steps = k + 1;
    out(`${String(k).padStart(5)}  ${formatAction(u, a)}`);
    if (changes !== null) for (const line of describeChanges(u, s, changes.next(s))) out(`         ${line}`);
    const expected = t.fingerprints?.[k];
    if (expected !== undefined) {
      result.fingerprintsChecked++;
      if (expected !== hasher.value) {
        result.mismatch = { step: k, expected, got: hasher.value };
        break;
      }
    }
    const sim = checking ? chain?.after(k, a, s)[0] : undefined;
    const inv = checking && sim === undefined ? checker?.afterStep(k, a, s)[0] : undefined;
    const late = checking && sim === undefined && inv === undefined ? live?.after(k, a, s) : undefined;
    if (sim !== undefined) result.violation = { id: sim.id, step: k, report: formatSimulationFinding(sim) };
    else if (inv !== undefined) result.violation = { id: inv.id, step: k, report: formatFinding(u, inv, checker!.active) };
    else if (late) result.violation = { id: late.id, step: k, report: withLasso(formatLiveness(late), t, k) };
    o.observer?.step(k, a, s, inv?.witness ?? null);
  }
  hasher.close();
  // The whole trace replayed and the stabilized part had nothing left to do: open obligations fail.
  if (live !== null && result.violation === null && result.mismatch === null && steps === t.actions.length) {
    const end = live.end(steps, s);
    if (end !== null) result.violation = { id: end.id, step: end.step, report: withLasso(formatLiveness(end), t, end.step) };
  }
  // Stopped (with `to`) before the recorded step and nothing found: the question stays open.
  const unreached = recorded !== null && result.violation === null && recorded.step >= steps;
  if (recorded !== null && !unreached) result.reproduced = result.violation !== null && result.violation.id === recorded.id && result.violation.step === recorded.step;
  return result;
}

/** What a step changed, in a few lines: each replica's variables and log, and new messages on the wire. */
function describeChanges(u: Universe, s: SystemState, d: Delta): string[] {
  const lines: string[] = [];
  const show = (ms: readonly { tag: string }[]) => ms.map((m) => formatMessage(u, m as never)).join(', ');
  for (const i of [...d.replicas].sort((a, b) => a - b)) {
    const r = s.replicas[i]!;
    const parts: string[] = [];
    if (d.scalars.has(i)) parts.push(`view ${r.view}, last-exec ${r.lastExec}, seqno ${r.seqno}${r.chkpts.length ? `, h ${r.chkpts[0]!.n}` : ''}`);
    const added = d.inAdded.get(i);
    const removed = d.inRemoved.get(i);
    if (added?.length) parts.push(`in + ${show(added)}`);
    if (removed?.length) parts.push(`in − ${removed.length} message(s)`);
    const out = d.outAdded.get(i);
    if (out?.length) parts.push(`out + ${show(out)}`);
    if (parts.length > 0) lines.push(`r${i}: ${parts.join('; ')}`);
  }
  if (d.wireAdded.length > 0) lines.push(`wire + ${show(d.wireAdded)}`);
  return lines;
}

/** A liveness report with the file's lasso, when the cycle closed by the violation's step. */
function withLasso(report: string, t: TraceFile, step: number): string {
  return t.lasso !== undefined && t.lasso.to <= step ? `${report}\n  ${formatLasso(t.lasso)}` : report;
}
