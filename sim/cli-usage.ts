import type { Variant } from '../automata/config.ts';

// What every command of the CLI shares: the usage error (exit code 2) and parsing of numbers.
export class UsageError extends Error {}

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
