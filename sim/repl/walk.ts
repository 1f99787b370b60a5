// `run K` and `until`: random steps from the current state with the session's strategy, drawn as
// the scheduler draws them (sim/scheduler.ts: family weights, the strategy's bias, the
// view-change timer, the configured failures at their step, a partition's held deliveries).
import type { Action } from '../../automata/actions.ts';
import { DEFAULT_BIAS, drawAction, type DrawBias } from '../../automata/enabled.ts';
import { SeededRng } from '../rng.ts';
import { DEFAULT_TIMEOUT } from '../scheduler.ts';
import { planHoldBack } from '../strategies.ts';
import type { Session, SessionFinding } from './session.ts';

export interface Taken {
  readonly index: number;
  readonly action: Action;
  readonly findings: readonly SessionFinding[];
}

export interface WalkResult {
  taken: Taken[];
  /** Why the walk stopped. */
  stop: 'done' | 'violation' | 'match' | 'quiescent';
  /** Later steps of the timeline that the walk replaced. */
  dropped: number;
}

/** The configured failures not taken yet, due at the current step. */
function dueFailures(session: Session): Action[] {
  const { u, s, cursor } = session;
  if (cursor < (session.setup.plan?.failAt ?? 0)) return [];
  return [
    ...u.config.faultyReplicas.filter((i) => !s.replicas[i]!.faulty).map((i): Action => ({ kind: 'REPLICA-FAILURE', i })),
    ...u.config.faultyClients.filter((c) => !s.proxies[c]!.faulty).map((c): Action => ({ kind: 'CLIENT-FAILURE', c })),
  ];
}

/**
 * Up to k random steps; stops early at a violation, at an action `match` accepts, or when nothing
 * is enabled. The generator is seeded with the session's seed and the current step, so the same
 * command from the same state takes the same steps.
 */
export function walk(session: Session, k: number, match?: (a: Action) => boolean): WalkResult {
  const plan = session.setup.plan;
  const rng = new SeededRng(`${session.setup.seed}|repl|${session.cursor}`);
  const weights = { ...DEFAULT_BIAS.weights, ...(plan?.weights ?? {}) };
  const bias: DrawBias = { ...DEFAULT_BIAS, weights };
  const impatient: DrawBias = { ...bias, weights: { ...weights, 'view-change': Math.max(weights['view-change'], bias.catchUp) } };
  const holdBack = plan === null ? undefined : planHoldBack(plan);
  const result: WalkResult = { taken: [], stop: 'done', dropped: 0 };
  let lastProgress = session.cursor;
  for (let j = 0; j < k; j++) {
    const index = session.cursor;
    const base = index - lastProgress > DEFAULT_TIMEOUT ? impatient : bias;
    const failure = dueFailures(session)[0];
    // Failures come at their step, taken explicitly, never drawn earlier.
    const draw: DrawBias = { ...base, weights: { ...base.weights, failure: 0 }, ...(holdBack === undefined ? {} : { held: (m, x) => holdBack(index, m, x) }) };
    const a = failure ?? drawAction(session.u, session.s, rng, draw);
    if (a === null) {
      result.stop = 'quiescent';
      break;
    }
    if (a.kind === 'EXECUTE' || a.kind === 'REPLY' || a.kind === 'SEND-NEW-VIEW' || a.kind === 'SEND-VIEW-CHANGE') lastProgress = index;
    const r = session.take(a, failure === undefined ? 'silent' : session.configuredMode);
    result.dropped += r.dropped;
    result.taken.push({ index, action: a, findings: r.findings });
    if (r.findings.length > 0) {
      result.stop = 'violation';
      break;
    }
    if (match?.(a)) {
      result.stop = 'match';
      break;
    }
  }
  return result;
}
