// Complete validation of a parsed trace file before it is decoded (trace-json.ts decodes without
// checking): every field of the file, of each action and of each (nested) message, with its type
// and its range under the trace's configuration. Table-driven: one field spec per action kind and
// per message tag, mirroring actionToJson / messageToJson. Errors are one-line TraceErrors that
// name the field path and the step; no input, however wrong, gets any other exception out.
import { ACTION_KINDS, type ActionKind } from '../automata/actions.ts';
import { DEFAULT_CONFIG, makeConfig, type Config } from '../automata/config.ts';
import type { Tag } from '../automata/messages.ts';
import { selectInvariants, SelectionError, systemInvariants } from '../invariants/registry.ts';
import { TRACE_FORMAT, TraceError, type TraceChecks, type TraceFile } from './trace-file.ts';
import { array, Bad, bool, field, hex, int, isNat, isObject, nat, NO_SIZES, nullOr, object, oneOf, optional, present, probability, show, str, sub, want, type Check, type Sizes, type Spec } from './validate.ts';

/** A trace file as validateTrace accepts it: version 0, or 1 with its optional fields. */
export interface ValidatedTrace extends TraceFile {
  version: 0 | 1 | 2;
  /** The state fingerprint (16 lowercase hex digits) after each action. */
  fingerprints?: string[];
  /** The invariant violated after action `step`. */
  violation?: { id: string; step: number; message: string };
  strategy?: string;
  checks?: TraceChecks;
}

/** An integer in 0..max(z)-1, `what` naming it (replica, client, node). */
const below =
  (what: string, max: (z: Sizes) => number): Check =>
  (v, p, z) => {
    if (!(isNat(v) && v < max(z))) want(p, v, `${what} in 0..${max(z) - 1}`);
  };
const replica = below('a replica', (z) => z.n);
const client = below('a client', (z) => z.clients);
const node = below('a node', (z) => z.nodes);
const digest = hex('a digest', 64);
const fingerprint = hex('a fingerprint', 16);
/** A destination set: a bit mask over the nodes 0..nodes-1 (actions.ts). */
const mask: Check = (v, p, z) => {
  if (!isNat(v)) want(p, v, 'a node mask (an integer >= 0)');
  const x = v as number;
  if (x >= 2 ** z.nodes) {
    let bit = z.nodes;
    while (2 ** (bit + 1) <= x) bit++;
    throw new Bad(p, `names nodes that do not exist (bit ${bit} set, ${z.nodes} nodes)`);
  }
};

/** A message with one of the given tags, checked against its tag's spec. */
const message =
  (...tags: readonly Tag[]): Check =>
  (v, p, z) => {
    const what = tags.length === 1 ? `a ${tags[0]} message` : 'a message';
    if (!isObject(v)) return want(p, v, what);
    oneOf(...tags)(field(v, 'tag'), sub(p, 'tag'), z);
    object(MESSAGES[field(v, 'tag') as Tag])(v, p, z);
  };
const ALL_TAGS: readonly Tag[] = ['REQUEST', 'REPLY', 'PRE-PREPARE', 'PREPARE', 'COMMIT', 'CHECKPOINT', 'VIEW-CHANGE', 'NEW-VIEW'];

// Messages, as messageToJson writes them (messages.ts). Signers and j are replicas.
const vnd: Spec = { v: nat, n: nat, d: digest, j: replica };
const MESSAGES: Readonly<Record<Tag, Spec>> = {
  REQUEST: { o: str, t: nat, c: client },
  REPLY: { v: nat, t: nat, c: client, i: replica, r: str },
  // Fig 2-8 and A.1: a pre-prepare carries any m ∈ M (or null); C, P, V, O and N are subsets of M.
  'PRE-PREPARE': { v: nat, n: nat, m: nullOr(message(...ALL_TAGS)), signer: replica },
  PREPARE: vnd,
  COMMIT: vnd,
  CHECKPOINT: vnd,
  'VIEW-CHANGE': {
    v: nat,
    // The stable checkpoint of A_gc: n, the value s = ⟨val, last-rep, last-rep-t⟩ (val is the
    // service's serialized state, checked by its deserialize when decoded) and C.
    gc: nullOr(
      object({
        n: nat,
        s: object({ val: present, lastRep: array(str, (z) => z.clients), lastRepT: array(nat, (z) => z.clients) }),
        C: array(message(...ALL_TAGS)),
      }),
    ),
    P: array(message(...ALL_TAGS)),
    j: replica,
  },
  'NEW-VIEW': { v: nat, V: array(message(...ALL_TAGS)), O: array(message(...ALL_TAGS)), N: array(message(...ALL_TAGS)), signer: replica },
};

// Actions, as actionToJson writes them (actions.ts). x is any node, i a replica, c a client.
const replicaStep: Spec = { v: nat, n: nat, i: replica };
const ACTIONS: Readonly<Record<ActionKind, Spec>> = {
  REQUEST: { o: str, c: client },
  'CLIENT-FAILURE': { c: client },
  'REPLICA-FAILURE': { i: replica },
  REPLY: { r: str, c: client },
  SEND: { x: node, m: message(...ALL_TAGS), X: mask },
  RECEIVE: { x: node, m: message(...ALL_TAGS), X: mask },
  MISBEHAVE: { m: message(...ALL_TAGS), X: mask, X2: mask },
  'SEND-PRE-PREPARE': { m: message('REQUEST'), ...replicaStep },
  'SEND-COMMIT': { m: nullOr(message(...ALL_TAGS)), ...replicaStep },
  EXECUTE: { m: nullOr(message(...ALL_TAGS)), ...replicaStep },
  'SEND-VIEW-CHANGE': { v: nat, i: replica },
  'SEND-NEW-VIEW': { v: nat, V: array(message('VIEW-CHANGE')), i: replica },
  'COLLECT-GARBAGE': { i: replica, n: nat, d: digest },
};

// The configuration's fields, all optional (makeConfig fills in defaults); makeConfig then
// checks the relations between them (chkptInt < L, sizes, faulty nodes in range).
export const CONFIG: Spec = {
  variant: optional(oneOf('A', 'Agc')),
  f: optional(int(1)),
  clients: optional(int(1)),
  service: optional(oneOf('log', 'counter')),
  ops: optional(array(str)),
  chkptInt: optional(int(1)),
  L: optional(int(1)),
  maxView: optional(nat),
  maxRequestsPerClient: optional(nat),
  maxSeqno: optional(nat),
  clientsWaitForReply: optional(bool),
  network: optional(object({ loss: optional(bool), duplicate: optional(bool), replay: optional(bool) })),
  maxNewViewChoices: optional(int(1)),
  faultyReplicas: optional(array(nat)),
  faultyClients: optional(array(nat)),
  readings: optional(object(Object.fromEntries(Object.keys(DEFAULT_CONFIG.readings).map((k) => [k, optional(bool)])))),
};


/** Clause counts of the relations (Defs A.1.15, A.1.20, A.2.6), as sim/cli-usage.ts relationsArg has them. */
const RELATION_CLAUSES: Readonly<Record<string, number>> = { F: 3, G: 11, H: 7 };

/** A relation or clause id that the chain of config's variant checks ('H', 'G(8)'). */
const relationOf =
  (config: Config): Check =>
  (v, p) => {
    const m = typeof v === 'string' ? /^([FGH])(?:\((\d+)\))?$/.exec(v) : null;
    if (m === null || (m[2] !== undefined && !(Number(m[2]) >= 1 && Number(m[2]) <= RELATION_CLAUSES[m[1]!]!)))
      want(p, v, 'a relation (F, G, H) or one of its clauses (F(1)..F(3), G(1)..G(11), H(1)..H(7))');
    if (config.variant === 'A' && m![1] === 'H') throw new Bad(p, `names H, which is not in the chain of variant A (G, F)`);
  };

/** An --invariants pattern that selects something under config's readings. */
const patternOf =
  (config: Config): Check =>
  (v, p) => {
    if (typeof v !== 'string' || v.trim() === '') return want(p, v, 'an invariant id, family or pattern');
    try {
      selectInvariants(systemInvariants(config.readings), [v]);
    } catch (e) {
      if (e instanceof SelectionError) throw new Bad(p, `matches no invariant, got ${show(v)}`);
      throw e;
    }
  };

/** The recorded checks: chain on or off, the invariants and relations selected. */
export const checksOf =
  (config: Config): Check =>
  (v, p, z) => {
    object({ chain: bool, invariants: optional(array(patternOf(config))), relations: optional(array(relationOf(config))), liveness: optional(bool) })(v, p, z);
    const c = v as Record<string, unknown>;
    if (c.chain === false && field(c, 'relations') !== undefined) throw new Bad(sub(p, 'relations'), 'needs the chain (checks.chain is false)');
  };

/**
 * Checks a parsed trace file completely and returns it, typed; or throws a one-line TraceError
 * beginning with `source`. Unknown fields are ignored; the result is the input itself.
 */
export function validateTrace(j: unknown, source = 'trace'): ValidatedTrace {
  let at = ''; // the step being checked, as the message names it
  try {
    if (!isObject(j)) want('', j, 'a JSON object');
    const t = j as Record<string, unknown>;
    const top = (k: string, c: Check) => c(field(t, k), k, NO_SIZES);
    top('format', oneOf(TRACE_FORMAT));
    top('version', oneOf(0, 1, 2));
    top('config', object(CONFIG));
    let z: Sizes;
    let config: Config;
    try {
      config = makeConfig(t.config as object);
      z = { n: 3 * config.f + 1, clients: config.clients, nodes: 3 * config.f + 1 + config.clients };
    } catch (e) {
      throw new Bad('config', `is rejected: ${e instanceof Error ? e.message : show(e)}`);
    }
    top('actions', array(present));
    const actions = t.actions as unknown[];
    top('seed', optional(str));
    top('description', optional(str));
    // Version 1 fields; checked whenever present, so that the typed result never lies.
    top('strategy', optional(str));
    top('fingerprints', optional(array(fingerprint, () => actions.length)));
    top('violation', optional(object({ id: str, step: below('a step', () => actions.length), message: str })));
    top('checks', optional(checksOf(config)));
    top('stabilized', optional(object({ gst: below('a step', () => actions.length + 1), bounds: object({ L1: int(1), L2: int(1), L3: int(1) }), options: optional(object({ requests: nat, timeout: int(1), faultyRate: probability })) })));
    top('lasso', optional(object({ from: below('a step', () => actions.length), to: below('a step', () => actions.length) })));
    const lasso = t.lasso as { from: number; to: number } | undefined;
    if (lasso !== undefined && lasso.from > lasso.to) throw new Bad('lasso', `goes from step ${lasso.from} back to step ${lasso.to}: from must be at most to`);
    actions.forEach((a, k) => {
      at = `step ${k}: `;
      if (!isObject(a)) want('', a, 'an action object');
      const kind = field(a as Record<string, unknown>, 'kind');
      if (kind === undefined) throw new Bad('kind', 'is missing');
      if (!(ACTION_KINDS as readonly unknown[]).includes(kind)) throw new Bad('', `unknown action kind ${show(kind)}`);
      at = `step ${k} (${kind as string}): `;
      object(ACTIONS[kind as ActionKind])(a, '', z);
    });
    return j as ValidatedTrace;
  } catch (e) {
    if (!(e instanceof Bad)) throw new TraceError(`${source}: ${at}unexpected ${(e instanceof Error ? e.message : show(e)).replace(/\s+/g, ' ')}`);
    throw new TraceError(`${source}: ${at}${e.path === '' ? '' : `field '${e.path}' `}${e.what}`);
  }
}
