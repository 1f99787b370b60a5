// The building blocks of our validators of JSON files (trace files, sim/trace-validate.ts; search
// results, sim/result-validate.ts): a check takes a value, its field path and the sizes that
// ranges depend on, and throws Bad naming the path and what is wrong; combinators build checks of
// arrays and objects from checks of their parts. Messages are short: an offending value is shown
// in at most 40 characters.

/** Sizes that ranges depend on: replicas n = 3f+1, clients, nodes n + clients. */
export interface Sizes {
  n: number;
  clients: number;
  nodes: number;
}

/** A failed check: the field path ('' for the value itself) and what is wrong with it. */
export class Bad {
  constructor(
    readonly path: string,
    readonly what: string,
  ) {}
}

/** A check throws Bad if the value at `path` is not acceptable. */
export type Check = (v: unknown, path: string, z: Sizes) => void;
export type Spec = Readonly<Record<string, Check>>;

/** A short rendering of an offending value. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number') return String(v);
  let s: string | undefined;
  try {
    s = JSON.stringify(v);
  } catch {
    s = undefined;
  }
  if (s === undefined) return typeof v;
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

export const want = (path: string, v: unknown, desc: string): never => {
  throw new Bad(path, v === undefined ? `is missing (must be ${desc})` : `must be ${desc}, got ${show(v)}`);
};
export const sub = (path: string, k: string | number) => (typeof k === 'number' ? `${path}[${k}]` : path === '' ? k : `${path}.${k}`);
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isNat = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
export const field = (o: Record<string, unknown>, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);

// Leaf checks.
export const int =
  (min: number): Check =>
  (v, p) => {
    if (!(typeof v === 'number' && Number.isSafeInteger(v) && v >= min)) want(p, v, `an integer >= ${min}`);
  };
export const nat = int(0);
export const probability: Check = (v, p) => {
  if (!(typeof v === 'number' && v >= 0 && v <= 1)) want(p, v, 'a number in 0..1');
};
export const str: Check = (v, p) => {
  if (typeof v !== 'string') want(p, v, 'a string');
};
export const bool: Check = (v, p) => {
  if (typeof v !== 'boolean') want(p, v, 'a boolean');
};
/** Lowercase hex strings of a fixed length: digests (SHA-256, digests.ts), state fingerprints (state-hash.ts). */
export const hex =
  (what: string, len: number): Check =>
  (v, p) => {
    if (!(typeof v === 'string' && v.length === len && /^[0-9a-f]*$/.test(v))) want(p, v, `${what} (${len} lowercase hex digits)`);
  };
export const present: Check = (v, p) => {
  if (v === undefined) throw new Bad(p, 'is missing');
};
export const oneOf =
  (...xs: readonly unknown[]): Check =>
  (v, p) => {
    if (!xs.includes(v)) want(p, v, xs.length === 1 ? show(xs[0]) : `one of ${xs.map(show).join(', ')}`);
  };
// Combinators.
export const optional =
  (c: Check): Check =>
  (v, p, z) => {
    if (v !== undefined) c(v, p, z);
  };
export const nullOr =
  (c: Check): Check =>
  (v, p, z) => {
    if (v !== null) c(v, p, z);
  };
export const array =
  (c: Check, len?: (z: Sizes) => number): Check =>
  (v, p, z) => {
    if (!Array.isArray(v)) return want(p, v, 'an array');
    if (len !== undefined && v.length !== len(z)) throw new Bad(p, `must have ${len(z)} elements, got ${v.length}`);
    v.forEach((x, k) => c(x, sub(p, k), z));
  };
export const object =
  (spec: Spec): Check =>
  (v, p, z) => {
    if (!isObject(v)) return want(p, v, 'an object');
    for (const [k, c] of Object.entries(spec)) c(field(v, k), sub(p, k), z);
  };

/** A number >= 0 (seconds, rates). */
export const nonNegative: Check = (v, p) => {
  if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0)) want(p, v, 'a number >= 0');
};

/** Sizes for checks that need none. */
export const NO_SIZES: Sizes = { n: 0, clients: 0, nodes: 0 };
