// The scheduler's choice at each step: drawAction (automata/enabled.ts) under the family weights
// and the strategy's bias, with the view-change timer of Section 2.3.5 (after `timeout` steps
// without progress, view changes are drawn with the catch-up weight) and the deliveries a
// partition holds back at that step. Shared by the scheduler's walks and the REPL's `run`.
import type { Action } from '../automata/actions.ts';
import type { SystemState } from '../automata/compose.ts';
import { DEFAULT_BIAS, drawAction, type DrawBias, type Rng, type Weights } from '../automata/enabled.ts';
import type { Message } from '../automata/messages.ts';
import type { Universe } from '../automata/universe.ts';

export const DEFAULT_TIMEOUT = 600;

export interface DrawerOptions {
  weights?: Partial<Weights>;
  patience?: number;
  catchUp?: number;
  timeout?: number;
  holdBack?: (step: number, m: Message, x: number) => boolean;
  /** Failures are taken explicitly at their step, never drawn. */
  noFailureDraws?: boolean;
}

export class Drawer {
  private readonly bias: DrawBias;
  private readonly impatient: DrawBias;
  private readonly timeout: number;

  /** lastProgress: the step the timer last restarted at. */
  constructor(
    private readonly u: Universe,
    private readonly o: DrawerOptions,
    private lastProgress = 0,
  ) {
    const weights = { ...DEFAULT_BIAS.weights, ...o.weights, ...(o.noFailureDraws ? { failure: 0 } : {}) };
    this.bias = { weights, patience: o.patience ?? DEFAULT_BIAS.patience, catchUp: o.catchUp ?? DEFAULT_BIAS.catchUp };
    this.impatient = { ...this.bias, weights: { ...weights, 'view-change': Math.max(weights['view-change'], this.bias.catchUp) } };
    this.timeout = o.timeout ?? DEFAULT_TIMEOUT;
  }

  /** The action of step k from s, or null when nothing is enabled. */
  draw(s: SystemState, rng: Rng, k: number): Action | null {
    const base = k - this.lastProgress > this.timeout ? this.impatient : this.bias;
    const holdBack = this.o.holdBack;
    const a = drawAction(this.u, s, rng, holdBack === undefined ? base : { ...base, held: (m, x) => holdBack(k, m, x) });
    // The timer restarts on progress and on the replica's own view change (Section 2.3.5).
    // A faulty client's REPLY is not progress.
    if (a !== null && (a.kind === 'EXECUTE' || (a.kind === 'REPLY' && !s.proxies[a.c]!.faulty) || a.kind === 'SEND-NEW-VIEW' || a.kind === 'SEND-VIEW-CHANGE'))
      this.lastProgress = k;
    return a;
  }
}
