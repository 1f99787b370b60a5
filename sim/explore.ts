// Bounded exhaustive search: breadth-first over every enabled action (automata/enabled.ts) from the
// initial state, each state identified by its fingerprint (automata/state-hash.ts) so that it is
// expanded once, up to a depth, a number of distinct states and a time limit. Every new state is
// checked with every invariant (their plain, whole-state evaluation); breadth-first order makes
// the first violation found one with a shortest trace.
//
// Speed comes from not copying or rehashing what a step leaves alone: a child shares with its
// parent every replica, proxy and wire object the step does not change (copy on write,
// explore-step.ts), its fingerprint is the parent's with the replaced parts swapped
// (automata/state-hash-parts.ts: the same values as stateHash), and the fingerprints seen are two
// 32-bit lanes in typed arrays (explore-seen.ts). Most children are states already seen; for
// them nothing else is done.
import type { Action } from '../automata/actions.ts';
import { initialSystem, type SystemState } from '../automata/compose.ts';
import type { ConfigInput } from '../automata/config.ts';
import { enabled } from '../automata/enabled.ts';
import { stateHash } from '../automata/state-hash.ts';
import { fingerprintText, StateHashParts, type Fingerprint } from '../automata/state-hash-parts.ts';
import { Universe } from '../automata/universe.ts';
import { systemInvariants } from '../invariants/registry.ts';
import type { SystemInvariant } from '../invariants/types.ts';
import { FingerprintSet } from './explore-seen.ts';
import { enabledOf } from './explore-enabled.ts';
import { rootState, type XState } from './explore-state.ts';
import { leavesAlone, Stepper } from './explore-step.ts';
import { traceJson, type TraceFile } from './trace-file.ts';

export interface ExploreOptions {
  config: ConfigInput;
  maxDepth: number;
  maxStates: number;
  /** Stop after this many seconds (checked between expansions); none by default. */
  timeLimit?: number;
  /**
   * The invariants to check (those of other automata are skipped); every invariant of the
   * configured variant, under its readings, by default.
   */
  invariants?: readonly SystemInvariant[];
  /**
   * For tests: recompute every child's fingerprint from scratch (stateHash), and every parent's
   * after its children were made, and list every state's actions with enabled(u, s) too; throw
   * on a difference. Every child is then made, seen before or not.
   */
  verify?: boolean;
}

export interface ExploreResult {
  distinct: number;
  /** The depth of the deepest state reached (all states at smaller depths were expanded, unless truncated or timed out). */
  depth: number;
  /** Distinct states first reached at each depth (index 0: the initial state). */
  perDepth: number[];
  transitions: number;
  seconds: number;
  /** Whether the state bound stopped the search before the depth bound. */
  truncated: boolean;
  /** Whether the time limit stopped the search. */
  timedOut: boolean;
  violation: { id: string; message: string; trace: TraceFile } | null;
}

/** The configuration explore uses unless told otherwise: one client, one request, views 0 and 1, a reliable network. */
export const EXPLORE_DEFAULTS: ConfigInput = {
  f: 1,
  clients: 1,
  maxRequestsPerClient: 1,
  maxView: 1,
  maxNewViewChoices: 1,
  network: { loss: false, duplicate: false, replay: false },
};

export function explore(o: ExploreOptions): ExploreResult {
  const t0 = performance.now();
  const deadline = o.timeLimit === undefined ? Infinity : t0 + o.timeLimit * 1000;
  const u = new Universe({ ...EXPLORE_DEFAULTS, ...o.config });
  const invariants = (o.invariants ?? systemInvariants(u.config.readings)).filter((x) => x.subject === u.config.variant);
  const hash = new StateHashParts(u);
  const stepper = new Stepper(u, hash);
  // The search tree, for the trace of a violation: each state's parent and the action to it.
  const parents: number[] = [-1];
  const actions: (Action | null)[] = [null];
  const seen = new FingerprintSet();
  const perDepth = [1];
  const x0 = rootState(hash, initialSystem(u));
  seen.add(x0.fp.lo, x0.fp.hi);
  const result = (depth: number, violation: ExploreResult['violation'] = null): ExploreResult => ({
    distinct: seen.size,
    depth,
    perDepth,
    transitions,
    seconds: (performance.now() - t0) / 1000,
    truncated,
    timedOut,
    violation,
  });
  let transitions = 0;
  let truncated = false;
  let timedOut = false;
  if (o.verify) verify(u, x0.s, x0.fp);
  for (const inv of invariants) {
    const v = inv.check(u, x0.s)[0];
    if (v !== undefined) return result(0, { id: v.id, message: v.message, trace: traceJson(u, [], { description: `explore: ${v.id} in the initial state` }) });
  }
  const pathTo = (id: number): Action[] => {
    const out: Action[] = [];
    for (let k = id; actions[k] !== null; k = parents[k]!) out.push(actions[k]!);
    return out.reverse();
  };
  // The states to expand (and their node numbers), layer by layer.
  let frontier: XState[] = [x0];
  let ids: number[] = [0];
  let depth = 0;
  while (frontier.length > 0 && depth < o.maxDepth && !truncated && !timedOut) {
    const next: XState[] = [];
    const nextIds: number[] = [];
    // The states of the last layer are checked but never expanded: they are not kept.
    const keep = depth + 1 < o.maxDepth;
    let reached = 0;
    for (let k = 0; k < frontier.length; k++) {
      if ((k & 63) === 0 && performance.now() > deadline) {
        timedOut = true;
        break;
      }
      const x = frontier[k]!;
      const id = ids[k]!;
      const listed = enabledOf(u, x);
      if (o.verify) verifyEnabled(listed, enabled(u, x.s));
      for (const a of listed) {
        transitions++;
        if (leavesAlone(x.s, a)) continue;
        const known = stepper.fingerprint(x, a);
        if (known !== null && !o.verify && seen.has(known.lo, known.hi)) continue;
        const cx = stepper.child(x, a);
        const c = cx.s;
        if (o.verify) {
          verify(u, c, cx.fp);
          if (known !== null) verify(u, c, known);
        }
        if (!seen.add(cx.fp.lo, cx.fp.hi)) continue;
        const cid = parents.length;
        parents.push(id);
        actions.push(a);
        perDepth[depth + 1] = (perDepth[depth + 1] ?? 0) + 1;
        for (const inv of invariants) {
          const v = inv.check(u, c)[0];
          if (v !== undefined) {
            const trace = traceJson(u, pathTo(cid), { description: `explore: ${v.id} after ${depth + 1} steps`, violation: { id: v.id, step: depth, message: v.message } });
            return result(depth + 1, { id: v.id, message: v.message, trace });
          }
        }
        reached++;
        if (keep) {
          next.push(cx);
          nextIds.push(cid);
        }
        if (seen.size >= o.maxStates) {
          truncated = true;
          break;
        }
      }
      if (o.verify) verify(u, x.s, x.fp);
      if (truncated) break;
    }
    frontier = next;
    ids = nextIds;
    if (reached > 0) depth++;
  }
  return result(depth);
}

/** The actions listed from parts must be enabled(u, s): the same actions in the same order. */
function verifyEnabled(got: readonly Action[], want: readonly Action[]): void {
  const same = (a: Action, b: Action) => {
    const ka = Object.keys(a) as (keyof Action)[];
    return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k] || (Array.isArray(a[k]) && Array.isArray(b[k]) && sameList(a[k], b[k])));
  };
  const sameList = (x: readonly unknown[], y: readonly unknown[]) => x.length === y.length && x.every((e, k) => e === y[k]);
  if (got.length !== want.length || !got.every((a, k) => same(a, want[k]!))) throw new Error(`explore: enabled actions listed from parts differ from enabled(u, s)`);
}

/** The fingerprint kept part by part must be the one computed from scratch (and the state unchanged since). */
function verify(u: Universe, s: SystemState, fp: Fingerprint): void {
  const scratch = stateHash(u, s);
  if (scratch !== fingerprintText(fp.lo, fp.hi)) throw new Error(`explore: fingerprint ${fingerprintText(fp.lo, fp.hi)} kept by parts, ${scratch} from scratch`);
}
