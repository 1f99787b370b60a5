// The scheduler's choice at each step: drawAction (automata/enabled.ts) under the family weights
// and the strategy's bias, with the view-change timer of Section 2.3.5, and the deliveries a
// partition holds back (or a lagging replica loses) at that step. Shared by the scheduler's walks
// and the REPL's `run`. All of it is scheduling: every action drawn is enabled (ERRATA R17).
//
// The timer makes view changes depend on progress, as the thesis's liveness argument does. It
// restarts on progress (an execution, a non-faulty client's reply) and on a view change; it
// expires after max(`timeout`, 4 × the mean steps between new sequence numbers executed) steps,
// doubled for each view the correct replicas moved since the last progress (Section 2.3.5: "it
// waits for 2T"). While it runs, spontaneous view changes are drawn at their family weight (under
// a strategy, only while the views are fewer than `ahead` past the last progress); once it has
// expired, with the catch-up weight. So a run does not use up its views while it is stalled.
import type { Action } from '../automata/actions.ts';
import type { SystemState } from '../automata/compose.ts';
import { DEFAULT_BIAS, drawAction, type DrawBias, type Rng, type Weights } from '../automata/enabled.ts';
import type { Message } from '../automata/messages.ts';
import type { Universe } from '../automata/universe.ts';

export const DEFAULT_TIMEOUT = 600;
/** The probability of drawing a proxy's retransmission (DrawBias.resend). */
export const DEFAULT_RESEND = 0.3;
/** The probability of drawing a request of a client whose last one is outstanding (DrawBias.overlap). */
export const DEFAULT_OVERLAP = 0.05;
/** The probability of drawing a delivery fairly among signers (DrawBias.fairness). */
export const DEFAULT_FAIRNESS = 0.5;
/** The timeout is at least this many times the mean steps between two new sequence numbers executed. */
const ADAPT = 4;
/** The timeout doubles at most this many times. */
const MAX_DOUBLINGS = 4;

export interface DrawerOptions {
  weights?: Partial<Weights>;
  patience?: number;
  catchUp?: number;
  timeout?: number;
  resend?: number;
  overlap?: number;
  fairness?: number;
  holdBack?: (step: number, m: Message, x: number) => boolean;
  /** Deliveries the network loses at a step (DrawBias.lost). */
  lose?: (step: number, m: Message, x: number) => boolean;
  /**
   * Spontaneous view changes (the family weight) are drawn only while the correct replicas' views
   * are fewer than this many ahead of the last progress; after that only the timer starts one.
   * Default: no limit. The strategies set 2 (sim/strategies.ts), so that frequent view changes do
   * not use up the views of a run that is not making progress.
   */
  ahead?: number;
  /** A step at which the view-change timer expires whatever the progress (e.g. after a replica lagged). */
  timerExpiresAt?: number;
  /** Failures are taken explicitly at their step, never drawn. */
  noFailureDraws?: boolean;
}

export class Drawer {
  /** The bias while the timer runs; the same without spontaneous view changes (views too far ahead); after it expired. */
  private readonly calm: DrawBias;
  private readonly still: DrawBias;
  private readonly impatient: DrawBias;
  private readonly timeout: number;
  /** The highest view of a correct replica when progress was last made. */
  private viewAtProgress = 0;
  /** The highest last-exec of a correct replica, the step it rose at, and the mean steps between rises. */
  private topExec = 0;
  private topExecAt = 0;
  private meanGap = 0;

  /** lastRestart: the step the timer last restarted at. */
  constructor(
    private readonly u: Universe,
    private readonly o: DrawerOptions,
    private lastRestart = 0,
  ) {
    const weights = { ...DEFAULT_BIAS.weights, ...o.weights, ...(o.noFailureDraws ? { failure: 0 } : {}) };
    const bias: DrawBias = { weights, patience: o.patience ?? DEFAULT_BIAS.patience, catchUp: o.catchUp ?? DEFAULT_BIAS.catchUp, resend: o.resend ?? DEFAULT_RESEND, overlap: o.overlap ?? DEFAULT_OVERLAP, fairness: o.fairness ?? DEFAULT_FAIRNESS };
    this.calm = bias;
    this.still = { ...bias, weights: { ...weights, 'view-change': 0 } };
    this.impatient = { ...bias, weights: { ...weights, 'view-change': Math.max(weights['view-change'], bias.catchUp) } };
    this.timeout = o.timeout ?? DEFAULT_TIMEOUT;
  }

  /** The action of step k from s, or null when nothing is enabled. */
  draw(s: SystemState, rng: Rng, k: number): Action | null {
    const top = topView(s);
    const doublings = Math.min(MAX_DOUBLINGS, Math.max(0, top - this.viewAtProgress));
    const timeout = Math.max(this.timeout, ADAPT * this.meanGap) * 2 ** doublings;
    if (k === this.o.timerExpiresAt) this.lastRestart = -Infinity;
    const base = k - this.lastRestart > timeout ? this.impatient : top - this.viewAtProgress < (this.o.ahead ?? Infinity) ? this.calm : this.still;
    const { holdBack, lose } = this.o;
    const bias = holdBack === undefined && lose === undefined ? base : { ...base, held: holdBack && ((m: Message, x: number) => holdBack(k, m, x)), lost: lose && ((m: Message, x: number) => lose(k, m, x)) };
    const a = drawAction(this.u, s, rng, bias);
    if (a === null) return a;
    // The timer restarts on progress and on the replica's own view change (Section 2.3.5).
    // A faulty client's REPLY is not progress.
    const progress = a.kind === 'EXECUTE' || (a.kind === 'REPLY' && !s.proxies[a.c]!.faulty);
    if (progress) this.viewAtProgress = top;
    if (a.kind === 'EXECUTE' && a.n > this.topExec) {
      this.meanGap = this.topExec === 0 ? k : 0.8 * this.meanGap + 0.2 * (k - this.topExecAt);
      this.topExec = a.n;
      this.topExecAt = k;
    }
    if (progress || a.kind === 'SEND-NEW-VIEW' || a.kind === 'SEND-VIEW-CHANGE') this.lastRestart = k;
    return a;
  }
}

/** The highest view of a correct replica. */
function topView(s: SystemState): number {
  let top = 0;
  for (const r of s.replicas) if (!r.faulty && r.view > top) top = r.view;
  return top;
}
