// What every command of the CLI shares: the usage error (exit code 2) and parsing of numbers.
export class UsageError extends Error {}

/** An integer option >= min, or dflt when absent; a usage error otherwise. */
export function intArg(name: string, v: string | undefined, min: number, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`--${name} must be an integer >= ${min}, got '${v}'`);
  return Number(v);
}
