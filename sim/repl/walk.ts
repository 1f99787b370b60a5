// `run K` and `until`: random steps from the current state with the session's strategy, drawn as
// the scheduler draws them (sim/scheduler.ts: family weights, the strategy's bias, the
// view-change timer, the configured failures at their step, a partition's held deliveries, a
// lagging replica's lost ones); from a stabilized session's GST on, the stabilized scheduler's
// steps (sim/stable-scheduler.ts).
import type { Action } from '../../automata/actions.ts';
import { Drawer } from '../drawer.ts';
import { SeededRng } from '../rng.ts';
import { planDrawing } from '../strategies.ts';
import type { LivenessReplay } from '../liveness-replay.ts';
import type { Session, SessionFinding } from './session.ts';

export interface Taken {
  readonly index: number;
  readonly action: Action;
  findings: readonly SessionFinding[];
}

export interface WalkResult {
  taken: Taken[];
  /** Why the walk stopped. */
  stop: 'done' | 'violation' | 'match' | 'quiescent';
  /** Later steps of the timeline that the walk replaced. */
  dropped: number;
  /** A liveness violation found where the walk began (the stabilized run had nothing left to do). */
  ended?: SessionFinding;
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

/** The session's stabilized scheduler when the cursor is at or after its GST, or null. */
function stabilized(session: Session): LivenessReplay | null {
  const gst = session.setup.liveness?.gst ?? null;
  const live = session.live;
  if (live === null || gst === null || session.cursor < gst) return null;
  live.reach(session.cursor, session.s);
  return live;
}

/**
 * Up to k random steps (from GST on, the stabilized scheduler's); stops early at a violation, at an action `match` accepts, or when nothing
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
    const stable = stabilized(session);
    const a = failure ?? (stable !== null ? stable.next(session.s, rng) : drawer.draw(session.s, rng, index));
    if (a === null) {
      result.stop = 'quiescent';
      // The stabilized run has nothing left to do: an open liveness obligation fails now.
      const end = stable === null ? null : session.livenessEnd();
      if (end !== null) {
        result.stop = 'violation';
        const last = result.taken[result.taken.length - 1];
        if (last !== undefined) last.findings = [...last.findings, end];
        else result.ended = end;
      }
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
