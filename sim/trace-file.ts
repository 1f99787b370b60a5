// Trace files: the configuration and the explicit actions of a run, as JSON. A run is reproduced
// from its trace file, not from its seed (DESIGN.md, principle 4).
import { isLivenessId } from '../invariants/liveness.ts';
import { findLasso, type Lasso } from './lasso.ts';
import { readFileSync } from 'node:fs';
import type { Action } from '../automata/actions.ts';
import { initialSystem, step, type SystemState } from '../automata/compose.ts';
import { makeConfig, type Config, type ConfigInput } from '../automata/config.ts';
import { StateHasher } from '../automata/state-hash.ts';
import { Universe } from '../automata/universe.ts';
import type { CheckSpec } from './checks.ts';
import { ActionDecoder, actionToJson, type Json } from './trace-json.ts';
import { validateTrace } from './trace-validate.ts';
import { writeWhole } from './write-whole.ts';

export const TRACE_FORMAT = 'pbft-check-trace';
/**
 * Version 1 adds the state fingerprints, the violation and the strategy; version 2 lets message
 * fields range over M (a pre-prepare's payload and C, P, V, O, N hold any messages). Version 0 and
 * 1 files still load unchanged: their messages are a subset of version 2's. The optional `checks`
 * came later within version 2 (a reader that ignores it replays as before).
 */
export const TRACE_VERSION = 2;

/**
 * The checks a trace was found with (sim/checks.ts CheckSpec), which `replay` applies by default.
 * The errata's readings are the configuration's (`config.readings`), not a check.
 */
export interface TraceChecks {
  /** Whether the chain of simulations ran (A_gc: H to A's copy, with A's invariants on it; G; F). */
  chain: boolean;
  /** The --invariants patterns; absent: every invariant, the end-to-end property and agreement. */
  invariants?: string[];
  /** The --relations (relation names or clause ids) reported by the chain; absent: all of them. */
  relations?: string[];
  /** Whether the liveness properties were checked on the stabilized part (`stabilized` says where it starts). */
  liveness?: boolean;
}

/** Where the run's stabilized part begins (its actions from `gst` on) and the liveness deadlines, in steps. */
export interface TraceStabilized {
  gst: number;
  bounds: { L1: number; L2: number; L3: number };
  /** How the stabilized part was scheduled (sim/stable-scheduler.ts StableOptions); absent: the defaults. */
  options?: { requests: number; timeout: number; faultyRate: number };
}

export interface TraceFile {
  format: typeof TRACE_FORMAT;
  version: number;
  description?: string;
  seed?: string;
  /** What the strategy picked (sim/strategies.ts describePlan). */
  strategy?: string;
  config: Config;
  actions: Json[];
  /** The fingerprint of the state after each action (automata/state-hash.ts). */
  fingerprints?: string[];
  /** The violation the run ended with. */
  violation?: { id: string; step: number; message: string };
  /** The checks the run was made with (absent in files written before they were recorded). */
  checks?: TraceChecks;
  /** A run stabilized at GST (sim/stable-scheduler.ts): where, and the liveness deadlines. */
  stabilized?: TraceStabilized;
  /** With a liveness violation: the earliest cycle of states after GST (sim/lasso.ts), if any. */
  lasso?: Lasso;
}

type TraceExtra = Pick<TraceFile, 'seed' | 'description' | 'strategy' | 'violation' | 'checks' | 'stabilized'>;

/** A search's checks as a trace file records them. */
export function traceChecks(spec: CheckSpec): TraceChecks {
  return { chain: spec.chain, ...(spec.invariants.length === 0 ? {} : { invariants: [...spec.invariants] }), ...(spec.relations === undefined ? {} : { relations: [...spec.relations] }), ...(spec.liveness === undefined ? {} : { liveness: true }) };
}

export class TraceError extends Error {}

/** A TraceError's message naming the file it is about (loadTrace's do already; a replay's step errors do not). */
export function inFile(path: string, e: TraceError): string {
  return e.message.startsWith(`${path}: `) ? e.message : `${path}: ${e.message}`;
}

/** The trace of actions run in u from its initial state, with the fingerprint after each. */
export function traceJson(u: Universe, actions: readonly Action[], extra: TraceExtra = {}): TraceFile {
  const json = actions.map((a) => actionToJson(u, a));
  const fingerprints = fingerprintsOf(u.config, json);
  const live = extra.stabilized !== undefined && extra.violation !== undefined && isLivenessId(extra.violation.id);
  const lasso = live ? findLasso(u.config, fingerprints, extra.stabilized!.gst) : null;
  return { format: TRACE_FORMAT, version: TRACE_VERSION, ...extra, config: u.config, actions: json, fingerprints, ...(lasso === null ? {} : { lasso }) };
}

/** Replays the actions in a fresh universe and hashes the state after each (a few μs a step). */
export function fingerprintsOf(config: Config, actions: readonly Json[]): string[] {
  const u = new Universe(config);
  const s = initialSystem(u);
  const dec = new ActionDecoder(u);
  const h = new StateHasher(u).reset(s);
  const out = actions.map((j) => {
    const a = dec.action(j);
    h.before(s, a);
    step(u, s, a);
    h.after(s, a);
    return h.value;
  });
  h.close();
  return out;
}

/** A trace file's text. */
export function traceText(t: TraceFile): string {
  return JSON.stringify(t, null, 1) + '\n';
}

/** Writes the trace file whole or not at all (a temporary file renamed into place). */
export function saveTrace(path: string, t: TraceFile): void {
  writeWhole(path, traceText(t));
}

/** Reads and validates a trace file; a bad file gives a TraceError naming the field or the step. */
export function loadTrace(path: string): TraceFile {
  let j: unknown;
  try {
    j = JSON.parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, '')); // a byte-order mark is not content
  } catch (e) {
    throw new TraceError(`${path}: not a readable JSON file (${(e as Error).message})`);
  }
  return validateTrace(j, path);
}

/** Replays a trace from the initial state; `config` overrides parts of the recorded configuration. */
export function replayTrace(t: TraceFile, config: ConfigInput = {}): { u: Universe; s: SystemState; actions: Action[] } {
  const u = new Universe(makeConfig({ ...t.config, ...config }));
  const s = initialSystem(u);
  const dec = new ActionDecoder(u);
  const actions: Action[] = [];
  t.actions.forEach((j, k) => {
    const a = dec.action(j);
    try {
      step(u, s, a);
    } catch (e) {
      throw new TraceError(`step ${k} (${JSON.stringify(j).slice(0, 120)}): ${(e as Error).message}`);
    }
    actions.push(a);
  });
  return { u, s, actions };
}
