// Trace files: the configuration and the explicit actions of a run, as JSON. A run is reproduced
// from its trace file, not from its seed (DESIGN.md, principle 4).
import { readFileSync, writeFileSync } from 'node:fs';
import type { Action } from '../automata/actions.ts';
import { initialSystem, step, type SystemState } from '../automata/compose.ts';
import { makeConfig, type Config, type ConfigInput } from '../automata/config.ts';
import { Universe } from '../automata/universe.ts';
import { ActionDecoder, actionToJson, type Json } from './trace-json.ts';

export const TRACE_FORMAT = 'pbft-check-trace';
export const TRACE_VERSION = 0;

export interface TraceFile {
  format: typeof TRACE_FORMAT;
  version: number;
  description?: string;
  seed?: string;
  config: Config;
  actions: Json[];
}

export class TraceError extends Error {}

export function traceJson(u: Universe, actions: readonly Action[], extra: { seed?: string; description?: string } = {}): TraceFile {
  return { format: TRACE_FORMAT, version: TRACE_VERSION, ...extra, config: u.config, actions: actions.map((a) => actionToJson(u, a)) };
}

export function saveTrace(path: string, t: TraceFile): void {
  writeFileSync(path, JSON.stringify(t, null, 1) + '\n');
}

export function loadTrace(path: string): TraceFile {
  let j: any;
  try {
    j = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new TraceError(`${path}: not a readable JSON file (${(e as Error).message})`);
  }
  if (j?.format !== TRACE_FORMAT) throw new TraceError(`${path}: field 'format' must be '${TRACE_FORMAT}'`);
  if (j.version !== TRACE_VERSION) throw new TraceError(`${path}: unsupported version ${JSON.stringify(j.version)}`);
  if (!Array.isArray(j.actions)) throw new TraceError(`${path}: field 'actions' must be an array`);
  return j as TraceFile;
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
