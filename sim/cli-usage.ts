// What every command of the CLI shares: the usage error (exit code 2) and parsing of option values.
import type { LivenessBounds } from '../invariants/liveness.ts';
import type { LivenessCheck } from './checks.ts';
import { ConfigError, LITERAL_READINGS, makeConfig, OPEN_ERRATA, READING_OF_ERRATUM, type Config, type ConfigInput, type Readings, type Variant } from '../automata/config.ts';
import { selectInvariants, SelectionError, systemInvariants } from '../invariants/registry.ts';
import type { ChainOptions } from '../proofs/chain.ts';
import { VariantError } from '../automata/variant.ts';
import { mutantConfig } from './variants.ts';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * A message as one line a terminal shows safely: control bytes escaped (a newline as \n), at
 * most `max` characters (a file's content quoted by an error can be long).
 */
export function oneLine(s: string, max = 300): string {
  const flat = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\r' ? '\\r' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

export class UsageError extends Error {}

/**
 * node:util's parseArgs with our own one-line messages: a negative number after an option that
 * takes a value is refused by name (parseArgs would call it an ambiguous option, in three lines),
 * and parseArgs's own errors keep their first line.
 */
export function parseOptions<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  const args = config.args ?? [];
  for (let k = 0; k + 1 < args.length; k++) {
    const name = args[k]!.startsWith('--') ? args[k]!.slice(2) : null;
    const value = args[k + 1]!;
    if (name !== null && config.options?.[name]?.type === 'string' && /^-\d+(\.\d*)?$/.test(value)) throw new UsageError(`--${name} must not be negative, got '${value}'`);
  }
  try {
    return parseArgs(config);
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]!);
  }
}

/** The parseArgs declarations of the options every checking command takes (same names everywhere). */
export const CONFIG_OPTIONS = {
  variant: { type: 'string' },
  f: { type: 'string' },
  clients: { type: 'string' },
  service: { type: 'string' },
  invariants: { type: 'string' },
  'literal-errata': { type: 'string' },
  mutant: { type: 'string' },
  'mutant-file': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The help lines of --mutant and --mutant-file (the same in every command). */
export const MUTANT_HELP = `  --mutant LIST          apply these protocol variants, e.g. commit-quorum-2f (pbft-check mutants --list)
  --mutant-file FILE     load variants from a TypeScript or JavaScript file (examples/my-variant.ts);
                         without --mutant, apply all of them`;

/** --mutant and --mutant-file as configuration fields (the files loaded by the command line first). */
export function mutantArg(o: { mutant?: string | undefined; 'mutant-file'?: string | undefined }): { mutants: string[]; mutantFiles: string[] } {
  try {
    return mutantConfig(o.mutant, o['mutant-file']);
  } catch (e) {
    if (e instanceof VariantError) throw new UsageError(e.message);
    throw e;
  }
}

/** makeConfig, with a bad configuration as a usage error. */
export function configArg(input: ConfigInput): Config {
  try {
    return makeConfig(input);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
}

/** --variant a|agc (default agc) as the configuration's variant. */
export function variantArg(v: string | undefined): Variant {
  const x = (v ?? 'agc').toLowerCase();
  if (x !== 'a' && x !== 'agc') throw new UsageError(`--variant must be 'a' or 'agc', got '${v}'`);
  return x === 'a' ? 'A' : 'Agc';
}

/** An integer option >= min, or dflt when absent; a usage error otherwise. */
export function intArg(name: string, v: string | undefined, min: number, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`--${name} must be an integer >= ${min}, got '${v}'`);
  return Number(v);
}

/**
 * Steps per run, at most: a run keeps every step it takes (about 0.5 kB a step with the checks,
 * measured with run --check: 146 MB at 50,000 steps, 224 MB at 200,000), and the search draws a
 * run's whole schedule up front; beyond this a run would need gigabytes.
 */
export const MAX_STEPS = 2_000_000;

/** --steps: an integer in 1..MAX_STEPS. */
export function stepsArg(v: string | undefined, dflt: number): number {
  const n = intArg('steps', v, 1, dflt);
  if (n > MAX_STEPS) throw new UsageError(`--steps must be at most ${MAX_STEPS.toLocaleString('en-US')}, got '${v}': a run keeps every step (about 0.5 kB each), so more would need gigabytes`);
  return n;
}

/** An integer option >= min, or undefined when absent. */
export function intOption(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw new UsageError(`--${name} must be an integer, got '${value}'`);
  const x = Number(value);
  if (x < min) throw new UsageError(`--${name} must be >= ${min}, got ${x}`);
  return x;
}

/** A comma-separated list of node numbers, or undefined when absent. */
export function listOption(name: string, value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') return [];
  return value.split(',').map((x) => {
    if (!/^\d+$/.test(x.trim())) throw new UsageError(`--${name} must be a comma-separated list of numbers, got '${value}'`);
    return Number(x.trim());
  });
}

/** --service log|counter. */
export function serviceArg(v: string | undefined): Config['service'] | undefined {
  if (v !== undefined && v !== 'log' && v !== 'counter') throw new UsageError(`--service must be 'log' or 'counter', got '${v}'`);
  return v;
}

/** Clause counts of the relations (Defs A.1.15, A.1.20, A.2.6). */
const CLAUSES: Record<string, number> = { F: 3, G: 11, H: 7 };

/** --relations: relation names or clause ids, each one the chain of this variant checks. */
export function relationsArg(config: Config, value: string | undefined): ChainOptions {
  if (value === undefined) return {};
  const own = config.variant === 'Agc' ? ['H', 'G', 'F'] : ['G', 'F'];
  const relations = value.split(',').map((x) => x.trim()).filter((x) => x !== '');
  if (relations.length === 0) throw new UsageError('--relations needs at least one relation or clause, e.g. H or G(8)');
  for (const r of relations) {
    const m = /^([FGH])(?:\((\d+)\))?$/.exec(r);
    if (m === null || (m[2] !== undefined && !(Number(m[2]) >= 1 && Number(m[2]) <= CLAUSES[m[1]!]!)))
      throw new UsageError(`--relations: '${r}' is not a relation (F, G, H) or one of its clauses (F(1)..F(3), G(1)..G(11), H(1)..H(7))`);
    if (!own.includes(m[1]!)) throw new UsageError(`--relations: relation ${m[1]} is not in the chain of variant ${config.variant === 'Agc' ? 'agc' : 'a'} (${own.join(', ')})`);
  }
  return { relations };
}

/** --invariants: the patterns, checked against the registry (empty: all). */
export function invariantsArg(config: Config, value: string | undefined): string[] {
  const patterns = value === undefined ? [] : value.split(',').map((x) => x.trim()).filter((x) => x !== '');
  try {
    selectInvariants(systemInvariants(config.readings), patterns);
  } catch (e) {
    if (e instanceof SelectionError) throw new UsageError(`--invariants: ${e.message}`);
    throw e;
  }
  return patterns;
}

/** --literal-errata LIST: the readings that run those errata's text as written. */
export function literalErrataArg(value: string | undefined): Partial<Readings> {
  const readings: Partial<Readings> = {};
  for (const e of (value ?? '').split(',').map((x) => x.trim().toUpperCase()).filter((x) => x !== '')) {
    const key = READING_OF_ERRATUM[e];
    if (e in OPEN_ERRATA) throw new UsageError(`--literal-errata: ${e} has no corrected form, so nothing to select: ${OPEN_ERRATA[e]} (ERRATA.md)`);
    if (key === undefined) throw new UsageError(`--literal-errata: no erratum '${e}' (known: ${Object.keys(READING_OF_ERRATUM).join(', ')})`);
    readings[key] = LITERAL_READINGS[key];
  }
  return readings;
}

/** The help lines of the liveness options (search, simulate, run). */
/** --liveness-bounds, in every command's help. */
export const LIVENESS_BOUNDS_HELP = `  --liveness-bounds L    deadlines in steps in place of the defaults derived from the
                         configuration, e.g. L1=2000,L3=900 (implies --liveness)`;

/** --liveness as the search commands take it. */
export const LIVENESS_HELP = `  --liveness             stabilize each run at a GST (the search chooses it; it shrinks) and check
                         the liveness properties L1-L3 after it (invariants/liveness.ts) [off]
${LIVENESS_BOUNDS_HELP}`;

/** --liveness and --liveness-bounds L1=N,L2=N,L3=N: the liveness check, or undefined when off. */
export function livenessArg(o: { liveness?: boolean | undefined; 'liveness-bounds'?: string | undefined }): LivenessCheck | undefined {
  if (o['liveness-bounds'] === undefined) return o.liveness ? {} : undefined;
  const bounds: Partial<LivenessBounds> = {};
  for (const part of o['liveness-bounds'].split(',').map((x) => x.trim()).filter((x) => x !== '')) {
    const m = /^(L[123])=(\d+)$/.exec(part);
    if (m === null || Number(m[2]) < 1) throw new UsageError(`--liveness-bounds must be a list like L1=2000,L2=600,L3=900 (deadlines in steps, at least 1), got '${part}'`);
    bounds[m[1] as keyof LivenessBounds] = Number(m[2]);
  }
  return { bounds };
}

/** parseArgs entries of the liveness options. */
export const LIVENESS_OPTIONS = {
  liveness: { type: 'boolean' },
  'liveness-bounds': { type: 'string' },
} as const;
