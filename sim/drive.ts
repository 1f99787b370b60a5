// A deterministic, fair-enough driver: repeatedly takes the first enabled action (in the stable
// order of enabled.ts) of the chosen families until none is left. Used to finish scenarios and to
// show where a run gets stuck, independently of any seed.
import type { Action } from '../automata/actions.ts';
import type { StandInFactory } from '../automata/byzantine.ts';
import { silentStandIns } from '../automata/byzantine.ts';
import { step, type SystemState } from '../automata/compose.ts';
import { collectGarbageChanges, enabledIn, type Family } from '../automata/enabled.ts';
import type { Universe } from '../automata/universe.ts';

export interface DriveOptions {
  /** Families to draw from, in priority order. */
  families?: readonly Family[];
  /** Actions never to take (e.g. a message the scenario loses). */
  skip?: (a: Action) => boolean;
  maxSteps?: number;
  standIns?: StandInFactory;
}

const NORMAL: readonly Family[] = ['protocol', 'garbage', 'send', 'receive', 'reply'];

/**
 * Drives s until no action of the families is enabled; returns the actions taken. A proxy's
 * retransmission SEND(m, R)_c is always enabled (Fig 2-7), so the driver takes only each
 * request's first SEND, to the primary.
 */
export function driveToQuiescence(u: Universe, s: SystemState, opts: DriveOptions = {}): Action[] {
  const families = opts.families ?? NORMAL;
  const skip = opts.skip ?? (() => false);
  const taken: Action[] = [];
  const limit = opts.maxSteps ?? 100_000;
  outer: while (taken.length < limit) {
    for (const f of families) {
      const a = enabledIn(u, s, f).find(
        (x) =>
          !skip(x) &&
          !(x.kind === 'SEND' && x.x >= u.n && s.proxies[x.x - u.n]!.retrans) &&
          (x.kind !== 'COLLECT-GARBAGE' || collectGarbageChanges(s.replicas[x.i]!, x.n)),
      );
      if (a !== undefined) {
        step(u, s, a, opts.standIns ?? silentStandIns);
        taken.push(a);
        continue outer;
      }
    }
    break;
  }
  return taken;
}
