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
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import type { Action, ActionKind } from '../automata/actions.ts';
import { menuStandIns } from '../automata/byzantine-menu.ts';
import type { StandInFactory } from '../automata/byzantine.ts';
import { initialSystem, step, type SystemState } from '../automata/compose.ts';
import type { ConfigInput } from '../automata/config.ts';
import { enabled } from '../automata/enabled.ts';
import { stateHash } from '../automata/state-hash.ts';
import { fingerprintText, StateHashParts, type Fingerprint } from '../automata/state-hash-parts.ts';
import { hasNewView } from '../automata/aux-functions.ts';
import { h, type ReplicaState } from '../automata/replica-state.ts';
import { Universe } from '../automata/universe.ts';
import { ALL_IDS, systemInvariants } from '../invariants/registry.ts';
import type { SystemInvariant } from '../invariants/types.ts';
import { FingerprintSet } from './explore-seen.ts';
import { enabledOf } from './explore-enabled.ts';
import { rootState, type XState } from './explore-state.ts';
import { leavesAlone, Stepper } from './explore-step.ts';
import { traceJson, type TraceChecks, type TraceFile } from './trace-file.ts';

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
  /**
   * Actions taken from the initial state before the search (a preset's or a trace's prefix): the
   * search starts from the state they reach, depths count from there, and a violation's trace
   * holds the prefix too.
   */
  prefix?: (u: Universe) => readonly Action[];
  /**
   * At most this many MISBEHAVE steps on any path from the start (ERRATA readings R19): a state
   * is then the pair (state, misbehaviours taken). Unbounded by default.
   */
  misbehaveBudget?: number;
  /** Stop when the heap or the process holds this many bytes (checked between expansions); default 85% of Node's heap limit, and 70% of the machine's memory. */
  memoryLimit?: number;
  /** What a faulty node may send (default: the finite menu of automata/byzantine-menu.ts). */
  standIns?: StandInFactory;
}

/** What the search reached: for each kind of action, the new states it led to and the first depth it did; the highest view and stable checkpoint of a non-faulty replica. */
export interface ExploreReach {
  newStates: Partial<Record<ActionKind, number>>;
  firstDepth: Partial<Record<ActionKind, number>>;
  highestView: number;
  /** The highest view v whose new-view a non-faulty replica in v holds (the view change to v done; hasNewView, Fig 2-9). */
  highestNewView: number;
  /** The highest h_i (the stable checkpoint, Fig 2-8) of a non-faulty replica (A_gc; 0 in A). */
  highestStable: number;
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
  /** Whether the memory bound stopped the search (before Node's heap ran out). */
  memoryFull: boolean;
  /** Steps of the prefix the search started after. */
  prefixSteps: number;
  reach: ExploreReach;
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
  // What a violation's trace records for replay: no chain, and the invariants by id when selected.
  // Not recordable: a selection with none of the variant's (an empty list means all) or with
  // invariants that are not the registry's (a test's own).
  const recordable = invariants.length > 0 && invariants.every((x) => ALL_IDS.includes(x.id));
  const checks: { checks?: TraceChecks } = o.invariants === undefined ? { checks: { chain: false } } : recordable ? { checks: { chain: false, invariants: invariants.map((x) => x.id) } } : {};
  const standIns = o.standIns ?? menuStandIns;
  const budget = o.misbehaveBudget ?? Infinity;
  const prefix = o.prefix?.(u) ?? [];
  const hash = new StateHashParts(u);
  const stepper = new Stepper(u, hash, standIns);
  // The search tree, for the trace of a violation: each state's parent and the action to it.
  const parents: number[] = [-1];
  const actions: (Action | null)[] = [null];
  const seen = new FingerprintSet();
  const perDepth = [1];
  const reach: ExploreReach = { newStates: {}, firstDepth: {}, highestView: 0, highestNewView: 0, highestStable: 0 };
  const s0 = initialSystem(u);
  for (const a of prefix) step(u, s0, a, standIns);
  const x0 = rootState(hash, s0);
  for (const r of s0.replicas) noteReplica(u, reach, r);
  seen.add(x0.fp.lo, x0.fp.hi);
  const result = (depth: number, violation: ExploreResult['violation'] = null): ExploreResult => ({
    distinct: seen.size,
    depth,
    perDepth,
    transitions,
    seconds: (performance.now() - t0) / 1000,
    truncated,
    timedOut,
    memoryFull,
    prefixSteps: prefix.length,
    reach,
    violation,
  });
  let transitions = 0;
  let truncated = false;
  let timedOut = false;
  let memoryFull = false;
  const memoryLimit = o.memoryLimit ?? 0.85 * getHeapStatistics().heap_size_limit;
  // A heap limit above the machine's memory is never reached: the process dies first (seen at
  // 16.4 GB of a 20 GB heap on a 24 GB machine).
  const rssLimit = o.memoryLimit ?? 0.7 * totalmem();
  if (o.verify) verify(u, x0.s, x0.fp);
  const where = prefix.length === 0 ? 'the initial state' : `the state after the ${prefix.length}-step prefix`;
  for (const inv of invariants) {
    const v = inv.check(u, x0.s)[0];
    if (v === undefined) continue;
    const violation = prefix.length === 0 ? {} : { violation: { id: v.id, step: prefix.length - 1, message: v.message } };
    return result(0, { id: v.id, message: v.message, trace: traceJson(u, prefix, { description: `explore: ${v.id} in ${where}`, ...violation, ...checks }) });
  }
  const pathTo = (id: number): Action[] => {
    const out: Action[] = [];
    for (let k = id; actions[k] !== null; k = parents[k]!) out.push(actions[k]!);
    return [...prefix, ...out.reverse()];
  };
  // The states to expand (their node numbers, and the misbehaviours taken to them), layer by layer.
  let frontier: XState[] = [x0];
  let ids: number[] = [0];
  let spent: number[] = [0];
  let depth = 0;
  while (frontier.length > 0 && depth < o.maxDepth && !truncated && !timedOut && !memoryFull) {
    const next: XState[] = [];
    const nextIds: number[] = [];
    const nextSpent: number[] = [];
    // The states of the last layer are checked but never expanded: they are not kept.
    const keep = depth + 1 < o.maxDepth;
    let reached = 0;
    for (let k = 0; k < frontier.length; k++) {
      if ((k & 63) === 0) {
        timedOut = performance.now() > deadline;
        memoryFull = getHeapStatistics().used_heap_size > memoryLimit || process.memoryUsage.rss() > rssLimit;
        if (timedOut || memoryFull) break;
      }
      const x = frontier[k]!;
      const id = ids[k]!;
      const listed = enabledOf(u, x);
      if (o.verify) verifyEnabled(listed, enabled(u, x.s));
      for (const a of listed) {
        transitions++;
        if (leavesAlone(x.s, a)) continue;
        // Misbehaviours are counted only under a budget (otherwise a state is the state alone).
        const used = a.kind === 'MISBEHAVE' && budget !== Infinity ? spent[k]! + 1 : spent[k]!;
        if (used > budget) continue;
        const known = stepper.fingerprint(x, a);
        if (known !== null && !o.verify && seen.has(known.lo, withSpent(known.hi, used))) continue;
        const cx = stepper.child(x, a);
        const c = cx.s;
        if (o.verify) {
          verify(u, c, cx.fp);
          if (known !== null) verify(u, c, known);
        }
        if (!seen.add(cx.fp.lo, withSpent(cx.fp.hi, used))) continue;
        const cid = parents.length;
        parents.push(id);
        actions.push(a);
        perDepth[depth + 1] = (perDepth[depth + 1] ?? 0) + 1;
        noteStep(u, reach, a, depth + 1, c);
        for (const inv of invariants) {
          const v = inv.check(u, c)[0];
          if (v !== undefined) {
            const path = pathTo(cid);
            const trace = traceJson(u, path, { description: `explore: ${v.id} after ${depth + 1} steps${prefix.length === 0 ? '' : ` from a ${prefix.length}-step prefix`}`, violation: { id: v.id, step: path.length - 1, message: v.message }, ...checks });
            return result(depth + 1, { id: v.id, message: v.message, trace });
          }
        }
        reached++;
        if (keep) {
          next.push(cx);
          nextIds.push(cid);
          nextSpent.push(used);
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
    spent = nextSpent;
    if (reached > 0) depth++;
  }
  return result(depth);
}

/** A fingerprint's high lane with the misbehaviours taken mixed in (unchanged when none were). */
const withSpent = (hi: number, used: number): number => (used === 0 ? hi : hi ^ Math.imul(used, 0x9e3779b1));

/** Records a new state reached by a at the given depth (only a replica that took part in a can have changed). */
function noteStep(u: Universe, reach: ExploreReach, a: Action, depth: number, s: SystemState): void {
  reach.newStates[a.kind] = (reach.newStates[a.kind] ?? 0) + 1;
  reach.firstDepth[a.kind] ??= depth;
  const i = a.kind === 'SEND' || a.kind === 'RECEIVE' ? a.x : 'i' in a ? a.i : -1;
  if (i >= 0 && i < u.n) noteReplica(u, reach, s.replicas[i]!);
}

function noteReplica(u: Universe, reach: ExploreReach, r: ReplicaState): void {
  if (r.faulty) return;
  if (r.view > reach.highestView) reach.highestView = r.view;
  if (r.view > reach.highestNewView && hasNewView(u, r.view, r.in)) reach.highestNewView = r.view;
  const stable = h(r);
  if (stable > reach.highestStable) reach.highestStable = stable;
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
