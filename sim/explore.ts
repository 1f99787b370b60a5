// Bounded exhaustive search: breadth-first over every enabled action (automata/enabled.ts) from the
// initial state, each state identified by its fingerprint (automata/state-hash.ts) so that it is
// expanded once, up to a depth and a number of distinct states. Every new state is checked with
// every invariant (their plain, whole-state evaluation); breadth-first order makes the first
// violation found one with a shortest trace.
import type { Action } from '../automata/actions.ts';
import { cloneSystem, initialSystem, step, type SystemState } from '../automata/compose.ts';
import type { ConfigInput } from '../automata/config.ts';
import { enabled } from '../automata/enabled.ts';
import { stateHash } from '../automata/state-hash.ts';
import { Universe } from '../automata/universe.ts';
import { systemInvariants } from '../invariants/registry.ts';
import { traceJson, type TraceFile } from './trace-file.ts';

export interface ExploreOptions {
  config: ConfigInput;
  maxDepth: number;
  maxStates: number;
}

export interface ExploreResult {
  distinct: number;
  /** The depth of the deepest state reached (all states at smaller depths were expanded). */
  depth: number;
  transitions: number;
  seconds: number;
  /** Whether the state bound stopped the search before the depth bound. */
  truncated: boolean;
  violation: { id: string; message: string; trace: TraceFile } | null;
}

interface Node {
  parent: number;
  action: Action | null;
  depth: number;
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
  const u = new Universe({ ...EXPLORE_DEFAULTS, ...o.config });
  const invariants = systemInvariants(u.config.readings).filter((x) => x.subject === u.config.variant);
  const nodes: Node[] = [{ parent: -1, action: null, depth: 0 }];
  const seen = new Set<string>();
  const s0 = initialSystem(u);
  seen.add(stateHash(u, s0));
  for (const inv of invariants) {
    const v = inv.check(u, s0)[0];
    if (v !== undefined)
      return { distinct: 1, depth: 0, transitions: 0, seconds: (performance.now() - t0) / 1000, truncated: false, violation: { id: v.id, message: v.message, trace: traceJson(u, [], { description: `explore: ${v.id} in the initial state` }) } };
  }
  let frontier: { s: SystemState; id: number }[] = [{ s: s0, id: 0 }];
  let depth = 0;
  let transitions = 0;
  let truncated = false;
  const pathTo = (id: number): Action[] => {
    const out: Action[] = [];
    for (let k = id; nodes[k]!.action !== null; k = nodes[k]!.parent) out.push(nodes[k]!.action!);
    return out.reverse();
  };
  while (frontier.length > 0 && depth < o.maxDepth && !truncated) {
    const next: { s: SystemState; id: number }[] = [];
    for (const { s, id } of frontier) {
      for (const a of enabled(u, s)) {
        const c = cloneSystem(s);
        step(u, c, a);
        transitions++;
        const h = stateHash(u, c);
        if (seen.has(h)) continue;
        seen.add(h);
        const cid = nodes.length;
        nodes.push({ parent: id, action: a, depth: depth + 1 });
        for (const inv of invariants) {
          const v = inv.check(u, c)[0];
          if (v !== undefined) {
            const trace = traceJson(u, pathTo(cid), { description: `explore: ${v.id} after ${depth + 1} steps`, violation: { id: v.id, step: depth, message: v.message } });
            return { distinct: seen.size, depth: depth + 1, transitions, seconds: (performance.now() - t0) / 1000, truncated, violation: { id: v.id, message: v.message, trace } };
          }
        }
        next.push({ s: c, id: cid });
        if (seen.size >= o.maxStates) {
          truncated = true;
          break;
        }
      }
      if (truncated) break;
    }
    frontier = next;
    if (next.length > 0) depth++;
  }
  return { distinct: seen.size, depth, transitions, seconds: (performance.now() - t0) / 1000, truncated, violation: null };
}
