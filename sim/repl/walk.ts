// `run K` and `until`: random steps from the current state with the session's strategy, drawn as
// the scheduler draws them (sim/scheduler.ts: family weights, the strategy's bias, the
// view-change timer, the configured failures at their step, a partition's held deliveries, a
// lagging replica's lost ones).
import type { Action } from '../../automata/actions.ts';
import { Drawer } from '../drawer.ts';
import { SeededRng } from '../rng.ts';
import { planDrawing } from '../strategies.ts';
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
  // Failures come at their step, taken explicitly, never drawn earlier.
  const drawer = new Drawer(session.u, { ...(plan === null ? {} : planDrawing(plan)), noFailureDraws: true }, session.cursor);
  const result: WalkResult = { taken: [], stop: 'done', dropped: 0 };
  for (let j = 0; j < k; j++) {
    const index = session.cursor;
    const failure = dueFailures(session)[0];
    const a = failure ?? drawer.draw(session.s, rng, index);
    if (a === null) {
      result.stop = 'quiescent';
      break;
    }
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
