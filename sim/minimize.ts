// Minimizing a counterexample: drop actions while the same violation (same id) still comes at the
// last remaining step. First cut the trace after the violation, then try removing whole groups
// (every action of one node, everything about one sequence number of a view, one message's sends
// and deliveries), then chunks of decreasing size down to single actions, then single actions
// with the later ones that depended on them; and again while the trace gets shorter. A candidate
// whose actions are not all enabled in turn is rejected, so the result is always a replayable
// execution. Candidates are replayed with a renaming (sim/minimize-rename.ts): a message a replica
// builds differently once an earlier action is gone is named by its new form in the later actions.
import type { Action } from '../automata/actions.ts';
import { ActionNotEnabled, initialSystem, step, whyDisabled } from '../automata/compose.ts';
import type { Message } from '../automata/messages.ts';
import { Universe } from '../automata/universe.ts';
import { RunChecks, type CheckSpec, type Violation } from './checks.ts';
import { OutWatch, redirectDelivery, Renaming } from './minimize-rename.ts';
import { traceChecks, traceJson, type TraceFile } from './trace-file.ts';
import { ActionDecoder, actionToJson, messageToJson, type Json } from './trace-json.ts';

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

/** One action of the trace being minimized, with the messages it added to out_i when last replayed. */
interface Entry {
  json: Json;
  added: readonly Json[];
}

/**
 * Replays the entries with the checks and the renaming; the first violation, 'invalid' if an action
 * is not enabled, and the entries as renamed (their JSON and what they added), for keeping them.
 */
function replayRenamed(t: TraceFile, entries: readonly Entry[], checks: CheckSpec, skipDisabled = false): { violation: Violation | null | 'invalid'; renamed: () => Entry[] } {
  const u = new Universe(t.config);
  const dec = new ActionDecoder(u);
  const s = initialSystem(u);
  const run = new RunChecks(u, checks);
  const renaming = new Renaming(u);
  const watch = new OutWatch();
  const taken: { a: Action; added: Message[] }[] = [];
  const renamed = () => taken.map(({ a, added }) => ({ json: actionToJson(u, a), added: added.map((m) => messageToJson(u, m)) }));
  const start = run.start(s);
  if (start !== null) return { violation: start, renamed };
  for (const e of entries) {
    const a = redirectDelivery(u, s, renaming.action(dec.action(e.json)));
    if (skipDisabled && whyDisabled(u, s, a) !== null) continue;
    const k = taken.length;
    run.before(k, a, s);
    watch.before(s);
    try {
      step(u, s, a);
    } catch (err) {
      if (err instanceof ActionNotEnabled) return { violation: 'invalid', renamed };
      throw err;
    }
    const added = watch.after(s);
    if (added.length > 0 || e.added.length > 0) renaming.learn(e.added.map((j) => dec.message(j)), added);
    taken.push({ a, added });
    const v = run.after(k, a, s);
    if (v !== null) return { violation: v, renamed };
  }
  return { violation: null, renamed };
}

/** The node an action belongs to (for dropping a node's activity), or null (failures, the network). */
function nodeOf(a: Json): number | null {
  const j = a as { kind: string; x?: number; i?: number; c?: number };
  if (j.kind === 'SEND' || j.kind === 'RECEIVE') return j.x ?? null;
  if (j.kind === 'REPLICA-FAILURE' || j.kind === 'CLIENT-FAILURE' || j.kind === 'MISBEHAVE') return null;
  return j.i ?? null;
}

/** The view and sequence number an action is about (a pre-prepare, prepare or commit, or the step taking one), or null. */
function slotOf(a: Json): string | null {
  const j = a as { kind: string; v?: number; n?: number; m?: { tag: string; v?: number; n?: number } | null };
  if (j.kind === 'SEND-PRE-PREPARE' || j.kind === 'SEND-COMMIT' || j.kind === 'EXECUTE') return `${j.v}|${j.n}`;
  const m = j.kind === 'SEND' || j.kind === 'RECEIVE' || j.kind === 'MISBEHAVE' ? j.m : null;
  if (m && (m.tag === 'PRE-PREPARE' || m.tag === 'PREPARE' || m.tag === 'COMMIT')) return `${m.v}|${m.n}`;
  return null;
}

/** The message an action sends, delivers or replays on the wire, or null. */
function messageOf(a: Json): string | null {
  const j = a as { kind: string; m?: Json };
  return j.kind === 'SEND' || j.kind === 'RECEIVE' || j.kind === 'MISBEHAVE' ? JSON.stringify(j.m) : null;
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
  let entries: Entry[] = replayRenamed(t, t.actions.slice(0, first.step + 1).map((json) => ({ json, added: [] })), o.checks).renamed();
  let found: Violation = first;
  // skipDisabled: the candidate also loses every later action that is no longer enabled.
  const keeps = (cand: Entry[], skipDisabled = false): boolean => {
    if (attempts >= budget || cand.length === 0) return false;
    attempts++;
    const r = replayRenamed(t, cand, o.checks, skipDisabled);
    const v = r.violation;
    if (v === null || v === 'invalid' || v.id !== id) return false;
    const kept = r.renamed();
    if (v.step !== kept.length - 1 || kept.length >= entries.length) return false;
    found = v;
    entries = kept;
    return true;
  };
  // The passes again while they shorten the trace: each one can open the way for another.
  for (let before = Infinity; entries.length < before && attempts < budget; ) {
    before = entries.length;
    // Whole groups: a node's activity, everything about one sequence number of a view, one message's sends and deliveries.
    for (const groupOf of [nodeOf, slotOf, messageOf]) {
      const groups = [...new Set(entries.map((e) => groupOf(e.json)).filter((x) => x !== null))].sort();
      for (const g of groups) {
        const cand = entries.filter((e) => groupOf(e.json) !== g);
        if (cand.length < entries.length) keeps(cand);
      }
    }
    // Chunks, then single actions.
    for (let size = 2 ** Math.floor(Math.log2(Math.max(1, entries.length / 2))); size >= 1; size = Math.floor(size / 2)) {
      let changed = true;
      while (changed && attempts < budget) {
        changed = false;
        for (let k = entries.length - 1 - size; k >= 0; k -= size) {
          if (keeps([...entries.slice(0, k), ...entries.slice(k + size)])) changed = true;
        }
      }
    }
    // Single actions with what depends on them: an action and every later one it enabled.
    for (let k = entries.length - 2; k >= 0 && attempts < budget; k--) keeps([...entries.slice(0, k), ...entries.slice(k + 1)], true);
  }
  const actions = entries.map((e) => e.json);
  const u = new Universe(t.config);
  const dec = new ActionDecoder(u);
  const decoded: Action[] = actions.map((j) => dec.action(j));
  // The minimized trace records the checks it was minimized under (replay applies them).
  const base = { ...(t.seed === undefined ? {} : { seed: t.seed }), ...(t.strategy === undefined ? {} : { strategy: t.strategy }), checks: traceChecks(o.checks) };
  const trace = traceJson(u, decoded, { ...base, description: `${t.description ?? ''}${t.description ? ' ' : ''}(minimized from ${t.actions.length} to ${actions.length} actions)`, violation: found });
  return { trace, violation: found, attempts };
}
