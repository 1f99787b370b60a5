// pbft-check replay: re-execute a trace file deterministically, verify the fingerprint after each
// step, print the run one line per action (with --verbose, what each step changed), check the
// invariants (and with --chain the simulations) on the way, and stop at the first violation —
// saying whether it is the one the file records.
import { ActionNotEnabled, initialSystem, step, type SystemState } from '../automata/compose.ts';
import { formatAction, formatMessage } from '../automata/format.ts';
import { StateHasher } from '../automata/state-hash.ts';
import { Universe } from '../automata/universe.ts';
import { formatFinding, InvariantChecker } from '../invariants/check.ts';
import { DeltaTracker, type Delta } from '../invariants/delta.ts';
import { systemInvariants } from '../invariants/registry.ts';
import { ChainSimulation } from '../proofs/chain.ts';
import { formatSimulationFinding } from './summary.ts';
import { TraceError, type TraceFile } from './trace-file.ts';
import { ActionDecoder } from './trace-json.ts';

export interface ReplayOptions {
  /** Check every invariant, the end-to-end property and agreement (on by default when the file records a violation). */
  check: boolean;
  /** Run the chain of simulations too. */
  chain: boolean;
  verbose: boolean;
}

export interface ReplayResult {
  /** Steps executed. */
  steps: number;
  /** The first step whose state's fingerprint differs from the file's, or null. */
  mismatch: { step: number; expected: string; got: string } | null;
  /** The first violation found: its id, step and report. */
  violation: { id: string; step: number; report: string } | null;
  /** Whether the violation is the one the file records (null when it records none). */
  reproduced: boolean | null;
  fingerprintsChecked: number;
}

/** Replays t, writing one line per step (and changes with verbose) to out. Throws TraceError on a bad file or a step that is not enabled. */
export function replay(t: TraceFile, o: ReplayOptions, out: (line: string) => void): ReplayResult {
  const u = new Universe(t.config);
  const dec = new ActionDecoder(u);
  const s = initialSystem(u);
  const hasher = new StateHasher(u).reset(s);
  const recorded = t.violation ?? null;
  const chainOn = o.chain || (recorded !== null && /^([FGH]\(|enabled$|trace$)/.test(recorded.id));
  const checkOn = o.check || recorded !== null;
  const checker = checkOn ? new InvariantChecker(u, { invariants: systemInvariants(u.config.readings) }) : null;
  const chain = chainOn ? new ChainSimulation(u) : null;
  const changes = o.verbose ? new DeltaTracker() : null;
  changes?.next(s);
  const result: ReplayResult = { steps: 0, mismatch: null, violation: null, reproduced: null, fingerprintsChecked: 0 };
  const start = chain?.start(s)[0];
  if (start !== undefined) result.violation = { id: start.id, step: -1, report: formatSimulationFinding(start) };
  for (let k = 0; k < t.actions.length && result.violation === null; k++) {
    let a;
    try {
      a = dec.action(t.actions[k]);
    } catch (e) {
      throw new TraceError(`step ${k}: ${(e as Error).message}`);
    }
    hasher.before(s, a);
    chain?.before(k, a, s);
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
    const sim = chain?.after(k, a, s)[0];
    if (sim !== undefined) {
      result.violation = { id: sim.id, step: k, report: formatSimulationFinding(sim) };
      break;
    }
    const inv = checker?.afterStep(k, a, s)[0];
    if (inv !== undefined) result.violation = { id: inv.id, step: k, report: formatFinding(u, inv, checker!.active) };
  }
  hasher.close();
  if (recorded !== null) result.reproduced = result.violation !== null && result.violation.id === recorded.id && result.violation.step === recorded.step;
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
