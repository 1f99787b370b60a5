// The liveness properties along a replayed trace or a REPL session: from GST on, the monitor
// follows the steps taken, and a shadow of the stabilized scheduler follows them too, so that at
// the end it can tell whether the stabilized run had nothing left to do (then an obligation still
// open is violated, as during the search); in the REPL the shadow also proposes the next step.
import type { Action } from '../automata/actions.ts';
import type { SystemState } from '../automata/compose.ts';
import type { Universe } from '../automata/universe.ts';
import { backlogOf, defaultBounds, LIVENESS_PROPERTIES, LivenessMonitor, type LivenessBounds, type LivenessViolation } from '../invariants/liveness.ts';
import type { Rng } from '../automata/enabled.ts';
import { SeededRng } from './rng.ts';
import { DEFAULT_STABLE, StableScheduler, type StableOptions } from './stable-scheduler.ts';
import type { TraceStabilized } from './trace-file.ts';

/** Where a run stabilizes and how: the deadlines given (a trace's all three; the others from the configuration at GST). */
export interface StabilizeAt {
  gst: number;
  bounds: Partial<LivenessBounds>;
  options?: StableOptions | undefined;
}

export class LivenessReplay {
  private monitor: LivenessMonitor | null = null;
  private shadow: StableScheduler | null = null;

  constructor(
    private readonly u: Universe,
    private readonly stabilized: StabilizeAt,
  ) {}

  /** Before step k: starts watching at GST. */
  reach(k: number, s: SystemState): void {
    if (k !== this.stabilized.gst || this.monitor !== null) return;
    this.monitor = new LivenessMonitor(this.u, k, { ...defaultBounds(this.u, backlogOf(this.u, s)), ...this.stabilized.bounds });
    this.monitor.start(s);
    this.shadow = new StableScheduler(this.u, s, new SeededRng('shadow'), k, this.stabilized.options ?? DEFAULT_STABLE);
  }

  after(k: number, a: Action, s: SystemState): LivenessViolation | null {
    if (this.monitor === null) return null;
    this.shadow!.observe(k, a, s);
    return this.monitor.observe(k, a, s) ?? (this.shadow!.onlyTimers(s) ? this.monitor.stuck(k, s) : null);
  }

  /** After the last of `steps` steps: a violation if the stabilized run was left with nothing to do. */
  end(steps: number, s: SystemState): LivenessViolation | null {
    this.reach(steps, s);
    if (this.monitor === null || !this.shadow!.done(s)) return null;
    return this.monitor.end(steps - 1, s);
  }

  /** The stabilized scheduler's next action from s (once GST is reached), or null when it has nothing left to do. */
  next(s: SystemState, rng: Rng): Action | null {
    return this.shadow === null ? null : this.shadow.next(s, rng);
  }

  /** Whether GST has been reached. */
  get started(): boolean {
    return this.monitor !== null;
  }

  /** GST, the deadlines and how the stabilized part is scheduled, as a trace file records them (once GST is reached). */
  recorded(): TraceStabilized | null {
    const m = this.monitor;
    return m === null ? null : { gst: m.gst, bounds: { ...m.bounds }, options: { ...this.shadow!.o } };
  }

  /** The monitor (once GST is reached): open obligations, the longest so far. */
  get watching(): LivenessMonitor | null {
    return this.monitor;
  }
}

/** A liveness violation's report: the property, the step, and its context a line each. */
export function formatLiveness(v: LivenessViolation): string {
  const p = LIVENESS_PROPERTIES.find((x) => x.id === v.id)!;
  const [head, ...context] = v.message.split('; ');
  return [`violation of ${v.id} (${p.ref})`, `  ${p.statement}`, `  at step ${v.step}`, `  ${head}`, ...context.map((c) => `  ${c}`)].join('\n');
}
