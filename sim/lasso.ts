// The lasso of a liveness counterexample: where the stabilized part of a run came back to a state
// it had been in since GST (the state fingerprints of automata/state-hash.ts are equal), the steps
// in between form a cycle the adversary could repeat. A run that ends stuck repeats its last state
// (a cycle of length 0, which the violation itself reports); this finds the earliest cycle of one
// step or more.
import { initialSystem } from '../automata/compose.ts';
import type { Config } from '../automata/config.ts';
import { StateHasher } from '../automata/state-hash.ts';
import { Universe } from '../automata/universe.ts';

/** Steps from..to of the trace lead from the state before step `from` back to it. */
export interface Lasso {
  from: number;
  to: number;
}

/** The earliest cycle of the part from `gst` on, given the fingerprint after each step; or null. */
export function findLasso(config: Config, fingerprints: readonly string[], gst: number): Lasso | null {
  // seen: fingerprint → the step before which the run was in that state.
  const seen = new Map<string, number>();
  if (gst === 0) {
    const u = new Universe(config);
    const h = new StateHasher(u).reset(initialSystem(u));
    seen.set(h.value, 0);
    h.close();
  } else if (gst <= fingerprints.length) seen.set(fingerprints[gst - 1]!, gst);
  for (let k = gst; k < fingerprints.length; k++) {
    const before = seen.get(fingerprints[k]!);
    if (before !== undefined) return { from: before, to: k };
    seen.set(fingerprints[k]!, k + 1);
  }
  return null;
}

/** The lasso as a report line. */
export function formatLasso(l: Lasso): string {
  return `lasso: steps ${l.from}..${l.to} lead from the state before step ${l.from} back to it (a cycle of ${l.to - l.from + 1} steps: the run had been in this state before)`;
}
