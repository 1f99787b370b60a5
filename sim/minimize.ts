// Minimizing a counterexample: drop actions while the same violation (same id) still comes at the
// last remaining step. First cut the trace after the violation, then try removing every action of
// one node at a time (its sends, receives and internal steps), then chunks of decreasing size down
// to single actions, until nothing more can go. A candidate whose actions are not all enabled in
// turn is rejected, so the result is always a replayable execution.
import type { Action } from '../automata/actions.ts';
import { ActionNotEnabled, initialSystem, step } from '../automata/compose.ts';
import { Universe } from '../automata/universe.ts';
import { RunChecks, type CheckSpec, type Violation } from './checks.ts';
import { traceChecks, traceJson, type TraceFile } from './trace-file.ts';
import { ActionDecoder, type Json } from './trace-json.ts';

export type { Violation };

/** The first violation when the actions are replayed with the checks, 'invalid' if one is not enabled. */
export function firstViolation(t: TraceFile, actions: readonly Json[], checks: CheckSpec): Violation | null | 'invalid' {
  const u = new Universe(t.config);
  const dec = new ActionDecoder(u);
  const s = initialSystem(u);
  const run = new RunChecks(u, checks);
  const start = run.start(s);
  if (start !== null) return start;
  for (let k = 0; k < actions.length; k++) {
    const a = dec.action(actions[k]);
    run.before(k, a, s);
    try {
      step(u, s, a);
    } catch (e) {
      if (e instanceof ActionNotEnabled) return 'invalid';
      throw e;
    }
    const v = run.after(k, a, s);
    if (v !== null) return v;
  }
  return null;
}

/** The node an action belongs to (for dropping a node's activity), or null (failures, the network). */
function nodeOf(a: Json): number | null {
  const j = a as { kind: string; x?: number; i?: number; c?: number };
  if (j.kind === 'SEND' || j.kind === 'RECEIVE') return j.x ?? null;
  if (j.kind === 'REPLICA-FAILURE' || j.kind === 'CLIENT-FAILURE' || j.kind === 'MISBEHAVE') return null;
  return j.i ?? null;
}

export interface MinimizeResult {
  trace: TraceFile;
  violation: Violation;
  /** Replays tried. */
  attempts: number;
}

/** Shrinks t (whose checked replay ends in a violation) as long as the same violation id comes last. */
export function minimize(t: TraceFile, o: { checks: CheckSpec; budget?: number }): MinimizeResult {
  let attempts = 0;
  const budget = o.budget ?? 20_000;
  const first = firstViolation(t, t.actions, o.checks);
  if (first === null || first === 'invalid') throw new Error('minimize: the trace does not end in a violation');
  const id = first.id;
  let actions = t.actions.slice(0, first.step + 1);
  let found: Violation = first;
  const keeps = (cand: Json[]): boolean => {
    if (attempts >= budget || cand.length === 0) return false;
    attempts++;
    const v = firstViolation(t, cand, o.checks);
    if (v === null || v === 'invalid' || v.id !== id || v.step !== cand.length - 1) return false;
    found = v;
    return true;
  };
  // Whole nodes' activity.
  const nodes = [...new Set(actions.map(nodeOf).filter((x): x is number => x !== null))].sort((a, b) => a - b);
  for (const n of nodes) {
    const cand = actions.filter((a) => nodeOf(a) !== n);
    if (cand.length < actions.length && keeps(cand)) actions = cand;
  }
  // Chunks, then single actions.
  for (let size = 2 ** Math.floor(Math.log2(Math.max(1, actions.length / 2))); size >= 1; size = Math.floor(size / 2)) {
    let changed = true;
    while (changed && attempts < budget) {
      changed = false;
      for (let k = actions.length - 1 - size; k >= 0; k -= size) {
        const cand = [...actions.slice(0, k), ...actions.slice(k + size)];
        if (keeps(cand)) {
          actions = cand;
          changed = true;
        }
      }
    }
  }
  const u = new Universe(t.config);
  const dec = new ActionDecoder(u);
  const decoded: Action[] = actions.map((j) => dec.action(j));
  // The minimized trace records the checks it was minimized under (replay applies them).
  const base = { ...(t.seed === undefined ? {} : { seed: t.seed }), ...(t.strategy === undefined ? {} : { strategy: t.strategy }), checks: traceChecks(o.checks) };
  const trace = traceJson(u, decoded, { ...base, description: `${t.description ?? ''}${t.description ? ' ' : ''}(minimized from ${t.actions.length} to ${actions.length} actions)`, violation: found });
  return { trace, violation: found, attempts };
}
