// Protocol variants: a named change to the model applied by configuration (`config.mutants`),
// never by editing the automata. A variant wraps entries of the protocol table (automata/protocol.ts):
// each entry of its patch receives the entry as it was (the thesis's, or an earlier variant's) and
// returns the one to use. The catalog (variants/) and users' own files (--mutant-file) use this API.
import type { ReplicaInternal } from './actions.ts';
import type { Message } from './messages.ts';
import type { EffFn, MessageTag, PreFn, Protocol, Quorums, ReceiveFn, ReplicaActionKind } from './protocol.ts';
import { ModelUndefined } from './replica-gc.ts';
import type { ReplicaState } from './replica-state.ts';
import type { Universe } from './universe.ts';

/** What a variant is expected to do to the checks (the kill matrix compares it with what it did). */
export type Expectation = 'breaks safety' | 'breaks refinement' | 'breaks liveness' | 'harmless';
export const EXPECTATIONS: readonly Expectation[] = ['breaks safety', 'breaks refinement', 'breaks liveness', 'harmless'];

type ActionOf<K extends ReplicaActionKind> = Extract<ReplicaInternal, { kind: K }>;
type MessageOf<T extends MessageTag> = Extract<Message, { tag: T }>;
/** One replica action's precondition or effect, for actions of kind K only. */
export type ActionPre<K extends ReplicaActionKind> = (u: Universe, st: ReplicaState, a: ActionOf<K>) => boolean;
export type ActionEff<K extends ReplicaActionKind> = (u: Universe, st: ReplicaState, a: ActionOf<K>) => void;
export type Receive<T extends MessageTag> = (u: Universe, st: ReplicaState, m: MessageOf<T>) => void;

/** The functions of the protocol table a patch may wrap, one by one. */
export const PATCHABLE_FUNCTIONS = [
  'prepared',
  'lastPrepared',
  'committed',
  'correctViewChange',
  'correctNewView',
  'computeON',
  'inW',
  'takeChkpt',
  'certifiedResults',
  'proxyReceive',
  'proxyReply',
  'mayForge',
] as const;
type PatchableFunction = (typeof PATCHABLE_FUNCTIONS)[number];

export const REPLICA_ACTION_KINDS: readonly ReplicaActionKind[] = ['SEND-PRE-PREPARE', 'SEND-COMMIT', 'EXECUTE', 'SEND-VIEW-CHANGE', 'SEND-NEW-VIEW', 'COLLECT-GARBAGE'];
export const MESSAGE_TAGS: readonly MessageTag[] = ['REQUEST', 'REPLY', 'PRE-PREPARE', 'PREPARE', 'COMMIT', 'CHECKPOINT', 'VIEW-CHANGE', 'NEW-VIEW'];

/**
 * What a variant changes. Each entry gets the current form and returns the new one; leave out
 * what stays. A precondition (`actions[K].pre`) can only narrow what the scheduler offers (the
 * enabled actions are the thesis's candidates filtered by it); to widen an action, change the
 * predicate its candidates come from (e.g. `prepared` for SEND-COMMIT, `committed` for EXECUTE).
 */
export type Patch = {
  quorums?: (base: Quorums, u: Universe) => Quorums;
  actions?: { [K in ReplicaActionKind]?: { pre?: (base: ActionPre<K>) => ActionPre<K>; eff?: (base: ActionEff<K>) => ActionEff<K> } };
  /** RECEIVE(m)_i of a correct replica, by the message's tag. */
  receive?: { [T in MessageTag]?: (base: Receive<T>) => Receive<T> };
} & { [F in PatchableFunction]?: (base: Protocol[F]) => Protocol[F] };

export interface VariantDef {
  /** Lower-case words joined by '-', unique among the variants loaded. */
  name: string;
  /** One paragraph: what changes and why it matters. */
  description: string;
  /** The thesis figure (and line of castro-thesis-2000.txt) whose text it changes. */
  changes: string;
  expectation: Expectation;
  /** The replica kinds it applies to (default both: A_gc, and A, the chain's copy or --variant a). */
  appliesTo?: readonly ('A' | 'Agc')[];
  patch: Patch;
}

/** A variant's definition is malformed, or it threw while running. */
export class VariantError extends Error {}

/** Identity: lets a variant file be typed (`export default defineVariants([...])`). */
export function defineVariants(defs: VariantDef[]): VariantDef[] {
  return defs;
}

const registry = new Map<string, { def: VariantDef; source: string }>();

/** Adds variants to those `config.mutants` may name; a name taken by another source is an error. */
export function registerVariants(defs: readonly unknown[], source: string): VariantDef[] {
  const out = defs.map((d, k) => validateVariant(d, `${source}, variant ${k + 1}`));
  for (const d of out) {
    const had = registry.get(d.name);
    if (had !== undefined && had.source !== source) throw new VariantError(`${source}: variant '${d.name}' is already defined by ${had.source}`);
  }
  for (const d of out) registry.set(d.name, { def: d, source });
  return out;
}

export function variantNamed(name: string): VariantDef | undefined {
  return registry.get(name)?.def;
}

/** Every registered variant, in the order registered. */
export function knownVariants(): VariantDef[] {
  return [...registry.values()].map((e) => e.def);
}

/** The variants config.mutants names, or a one-line error naming the unknown one. */
export function resolveVariants(names: readonly string[]): VariantDef[] {
  return names.map((n) => {
    const d = variantNamed(n);
    if (d === undefined) {
      const known = [...registry.keys()];
      throw new VariantError(`unknown mutant '${n}' (known: ${known.length > 12 ? `${known.slice(0, 12).join(', ')}, … (pbft-check mutants --list)` : known.join(', ') || 'none loaded'})`);
    }
    return d;
  });
}

const NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Checks a variant definition as loaded from a user's module; one-line errors that say where. */
export function validateVariant(x: unknown, where: string): VariantDef {
  const fail = (msg: string): never => {
    throw new VariantError(`${where}: ${msg}`);
  };
  if (typeof x !== 'object' || x === null) fail(`a variant must be an object, got ${x === null ? 'null' : typeof x}`);
  const d = x as Record<string, unknown>;
  if (typeof d.name !== 'string' || !NAME.test(d.name)) fail(`name must be lower-case words joined by '-', got ${JSON.stringify(d.name)?.slice(0, 60)}`);
  const at = `${where} ('${String(d.name)}')`;
  const bad = (msg: string): never => {
    throw new VariantError(`${at}: ${msg}`);
  };
  for (const k of ['description', 'changes'] as const) if (typeof d[k] !== 'string' || (d[k] as string).trim() === '') bad(`${k} must be a non-empty string`);
  if (!EXPECTATIONS.includes(d.expectation as Expectation)) bad(`expectation must be one of ${EXPECTATIONS.map((e) => `'${e}'`).join(', ')}, got ${JSON.stringify(d.expectation)}`);
  if (d.appliesTo !== undefined && (!Array.isArray(d.appliesTo) || d.appliesTo.length === 0 || !d.appliesTo.every((v) => v === 'A' || v === 'Agc')))
    bad(`appliesTo must list 'A' and/or 'Agc'`);
  const p = d.patch;
  if (typeof p !== 'object' || p === null) bad('patch must be an object');
  const patch = p as Record<string, unknown>;
  const keys = Object.keys(patch);
  if (keys.length === 0) bad('patch changes nothing');
  for (const k of keys) {
    const v = patch[k];
    if (k === 'actions' || k === 'receive') {
      const names: readonly string[] = k === 'actions' ? REPLICA_ACTION_KINDS : MESSAGE_TAGS;
      if (typeof v !== 'object' || v === null) bad(`patch.${k} must be an object`);
      for (const [a, w] of Object.entries(v as object)) {
        if (!names.includes(a)) bad(`patch.${k}: unknown ${k === 'actions' ? 'action' : 'message'} '${a}' (known: ${names.join(', ')})`);
        if (k === 'receive') {
          if (typeof w !== 'function') bad(`patch.receive['${a}'] must be a function (base) => receive`);
          continue;
        }
        if (typeof w !== 'object' || w === null) bad(`patch.actions['${a}'] must be { pre?, eff? }`);
        for (const [pe, f] of Object.entries(w as object)) {
          if (pe !== 'pre' && pe !== 'eff') bad(`patch.actions['${a}']: unknown part '${pe}' (pre or eff)`);
          if (typeof f !== 'function') bad(`patch.actions['${a}'].${pe} must be a function (base) => ${pe}`);
        }
      }
    } else if (k === 'quorums' || (PATCHABLE_FUNCTIONS as readonly string[]).includes(k)) {
      if (typeof v !== 'function') bad(`patch.${k} must be a function (base) => ${k}`);
    } else bad(`patch: unknown part '${k}' (known: quorums, actions, receive, ${PATCHABLE_FUNCTIONS.join(', ')})`);
  }
  return d as unknown as VariantDef;
}

/** A variant's function, with what it throws turned into a VariantError that names it. */
function guarded<F extends (...args: never[]) => unknown>(u: Universe, v: VariantDef, part: string, f: F): F {
  return ((...args: Parameters<F>) => {
    u.variantCalls.set(v.name, (u.variantCalls.get(v.name) ?? 0) + 1);
    try {
      return f(...args);
    } catch (e) {
      if (e instanceof VariantError || e instanceof ModelUndefined) throw e; // the model's own, passed through
      throw new VariantError(`mutant '${v.name}' threw in ${part}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }) as F;
}

/** Whether a variant of u lets faulty nodes forge signatures (the stand-ins then try to). */
export function forgeryAllowed(u: Universe): boolean {
  return u.variants.length !== 0 && u.variants.some((v) => v.patch.mayForge !== undefined);
}

/** The protocol with the variants applied in order (each sees the form the ones before it left). */
export function applyVariants(u: Universe, base: Protocol, variants: readonly VariantDef[]): Protocol {
  const p: Protocol = { ...base };
  for (const v of variants) {
    if (v.appliesTo !== undefined && !v.appliesTo.includes(u.config.variant)) continue;
    const patch = v.patch;
    const wrap = <T>(part: string, make: () => T): T => {
      try {
        const made = make();
        return (typeof made === 'function' ? guarded(u, v, part, made as never) : made) as T;
      } catch (e) {
        if (e instanceof VariantError) throw e;
        throw new VariantError(`mutant '${v.name}' threw in ${part}: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    if (patch.quorums !== undefined) p.quorums = wrap('quorums', () => patch.quorums!(p.quorums, u));
    for (const k of PATCHABLE_FUNCTIONS) {
      const w = patch[k] as ((base: unknown) => unknown) | undefined;
      if (w !== undefined) (p as unknown as Record<string, unknown>)[k] = wrap(k, () => w(p[k]));
    }
    for (const kind of REPLICA_ACTION_KINDS) {
      const a = patch.actions?.[kind] as { pre?: (b: PreFn) => PreFn; eff?: (b: EffFn) => EffFn } | undefined;
      if (a?.pre !== undefined) {
        const prev = p.pre;
        const mine = wrap(`${kind}.pre`, () => a.pre!(prev));
        p.pre = (uu, st, x) => (x.kind === kind ? mine(uu, st, x) : prev(uu, st, x));
      }
      if (a?.eff !== undefined) {
        const prev = p.eff;
        const mine = wrap(`${kind}.eff`, () => a.eff!(prev));
        p.eff = (uu, st, x) => (x.kind === kind ? mine(uu, st, x) : prev(uu, st, x));
      }
    }
    for (const tag of MESSAGE_TAGS) {
      const r = patch.receive?.[tag] as ((b: ReceiveFn) => ReceiveFn) | undefined;
      if (r === undefined) continue;
      const prev = p.receive;
      const mine = wrap(`receive ${tag}`, () => r(prev));
      p.receive = (uu, st, m) => (m.tag === tag ? mine(uu, st, m) : prev(uu, st, m));
    }
  }
  return p;
}
