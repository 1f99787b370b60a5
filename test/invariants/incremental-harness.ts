// For tests: the incremental evaluation of a list of invariants, fed with the changes since the
// previous call (a DeltaTracker), so that checkDelta can be compared with the plain check.
import type { SystemState } from '../../automata/compose.ts';
import type { Universe } from '../../automata/universe.ts';
import { DeltaTracker, type Delta } from '../../invariants/delta.ts';
import type { SystemInvariant, Violation } from '../../invariants/types.ts';

export class Incremental {
  private readonly tracker = new DeltaTracker();
  private readonly caches: Map<string, unknown>[];
  /** The last delta seen. */
  lastDelta: Delta | null = null;
  constructor(
    private readonly u: Universe,
    readonly invs: readonly SystemInvariant[],
  ) {
    this.caches = invs.map(() => new Map());
  }
  /** checkDelta of each invariant on the changes since the previous call, by invariant. */
  next(s: SystemState): Map<SystemInvariant, Violation[]> {
    const d = this.tracker.next(s);
    this.lastDelta = d;
    return new Map(this.invs.map((x, k) => [x, x.checkDelta!(this.u, s, d, this.caches[k]!)]));
  }
}
