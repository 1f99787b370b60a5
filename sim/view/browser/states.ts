// The state after any step, rebuilt from the initial state and the steps' changes; a snapshot
// is kept every SPAN steps on the way, so that going anywhere applies at most SPAN steps' changes.
import type { ViewChange, ViewData } from '../data.ts';

const SPAN = 64;

export type State = Map<number, string>;

export function apply(s: State, d: readonly ViewChange[]): void {
  for (const c of d) {
    if (c.length === 1) s.delete(c[0]);
    else s.set(c[0], c[1]);
  }
}

export class States {
  /** snapshots[j]: the state after step j·SPAN − 1 (snapshots[0]: the initial state). */
  private readonly snapshots: State[] = [];

  constructor(private readonly data: ViewData) {
    const init: State = new Map();
    apply(init, data.init);
    this.snapshots.push(init);
  }

  /** A fresh copy of the state after step k (k = -1: the initial state). */
  at(k: number): State {
    const j = Math.min(Math.floor((k + 1) / SPAN), this.ensure(Math.floor((k + 1) / SPAN)));
    const s = new Map(this.snapshots[j]!);
    for (let x = j * SPAN; x <= k; x++) apply(s, this.data.steps[x]!.d);
    return s;
  }

  /** Builds the snapshots up to j; returns the last one there is. */
  private ensure(j: number): number {
    while (this.snapshots.length <= j) {
      const last = this.snapshots.length - 1;
      const s = new Map(this.snapshots[last]!);
      const from = last * SPAN;
      const to = Math.min(from + SPAN, this.data.steps.length);
      for (let x = from; x < to; x++) apply(s, this.data.steps[x]!.d);
      if (to < from + SPAN) break;
      this.snapshots.push(s);
    }
    return this.snapshots.length - 1;
  }
}
