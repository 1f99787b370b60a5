// The liveness properties along a replayed trace: from the file's GST on, the monitor follows the
// recorded steps, and a shadow of the stabilized scheduler follows them too, so that at the end
// of the trace it can tell whether the stabilized run had nothing left to do (then an obligation
// still open is violated, as during the search).
import type { Action } from '../automata/actions.ts';
import type { SystemState } from '../automata/compose.ts';
import type { Universe } from '../automata/universe.ts';
import { LIVENESS_PROPERTIES, LivenessMonitor, type LivenessViolation } from '../invariants/liveness.ts';
import { SeededRng } from './rng.ts';
import { DEFAULT_STABLE, StableScheduler } from './stable-scheduler.ts';
import type { TraceStabilized } from './trace-file.ts';

export class LivenessReplay {
  private monitor: LivenessMonitor | null = null;
  private shadow: StableScheduler | null = null;

  constructor(
    private readonly u: Universe,
    private readonly stabilized: TraceStabilized,
  ) {}

  /** Before step k: starts watching at GST. */
  reach(k: number, s: SystemState): void {
    if (k !== this.stabilized.gst || this.monitor !== null) return;
    this.monitor = new LivenessMonitor(this.u, k, this.stabilized.bounds);
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
}

/** A liveness violation's report: the property, the step, and its context a line each. */
export function formatLiveness(v: LivenessViolation): string {
  const p = LIVENESS_PROPERTIES.find((x) => x.id === v.id)!;
  const [head, ...context] = v.message.split('; ');
  return [`violation of ${v.id} (${p.ref})`, `  ${p.statement}`, `  at step ${v.step}`, `  ${head}`, ...context.map((c) => `  ${c}`)].join('\n');
}
