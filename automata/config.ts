// Configuration of a composed system A or A_gc (Fig 2-3) and the bounds under which the
// scheduler explores it. Bounds restrict which actions the scheduler offers; they never change
// what an automaton does once an action is taken.

export type Variant = 'A' | 'Agc';
export type ServiceName = 'log' | 'counter';

/** Which misbehaviours MC's MISBEHAVE(m, X, X') may be drawn as (Fig 2-5). */
export interface NetworkMisbehaviour {
  /** X' = X - {x}: the copy for x is lost. */
  loss: boolean;
  /** X' = X ∪ {y} for a message still in flight: a duplicate (or redirected copy) goes to y. */
  duplicate: boolean;
  /** X = {} and X' = {y}: an old, fully delivered message is replayed to y. */
  replay: boolean;
}

export interface Config {
  variant: Variant;
  /** Maximum number of faulty replicas; |R| = 3f + 1 (Section 2.3). */
  f: number;
  clients: number;
  service: ServiceName;
  /** Operation alphabet O the scheduler draws REQUEST(o)_c from; default: the service's own. */
  ops?: readonly string[];
  /** chkpt-int of Fig 2-9 (take-chkpt), A_gc only. Must be < L. */
  chkptInt: number;
  /** L of Fig 2-9 (in-w), the log size, A_gc only. */
  L: number;
  /** The scheduler offers SEND-VIEW-CHANGE(v) and SEND-NEW-VIEW(v, V) only for v <= maxView. */
  maxView: number;
  /** The scheduler offers REQUEST(o)_c only while last-req_c < maxRequestsPerClient. */
  maxRequestsPerClient: number;
  /** The scheduler offers SEND-PRE-PREPARE(m, v, n) only for n <= maxSeqno. */
  maxSeqno: number;
  /** A well-formed client waits for the reply before its next request (Section 2.3.2). */
  clientsWaitForReply: boolean;
  network: NetworkMisbehaviour;
  /** How many distinct new-view certificates V the scheduler offers per view (SEND-NEW-VIEW), in lexicographic order of signers (ERRATA readings R18). */
  maxNewViewChoices: number;
  /** Replicas that suffer REPLICA-FAILURE at the start of every run (the trace begins with it). */
  faultyReplicas: readonly number[];
  /** Clients that suffer CLIENT-FAILURE at the start of every run. */
  faultyClients: readonly number[];
  /** Where the thesis text is inconsistent, which form to run (ERRATA.md). Default: corrected. */
  readings: Readings;
  /** Protocol variants to apply, by name (automata/variant.ts; the catalog in variants/). Default: none. */
  mutants: readonly string[];
  /** Files (absolute paths) of users' own variants that `mutants` may name; loaded before a universe is built (sim/variants.ts). */
  mutantFiles: readonly string[];
}

/** Selectable literal readings of the thesis text, each documented in ERRATA.md. */
export interface Readings {
  /** E1: N of correct-new-view / SEND-NEW-VIEW with n rebound by "∄ v', m', n" (always empty). */
  literalNullSet: boolean;
  /** E2: Invariant A.1.2(3) for pre-prepares of every view, not only view_i (false in A). */
  literalSeqnoInvariant: boolean;
  /** E3: the new-view actions reset out_i (out_i := {m}, := P, := {}), dropping unsent messages. */
  literalOutReset: boolean;
  /** E4: Wire of Def A.2.2 holds only top-level messages of the wire, not those nested in them. */
  literalWire: boolean;
  /** E5: committed-Wire compares last-rep with r-last-rep-t(μ), as Def A.2.2 writes. */
  literalLastRepT: boolean;
  /** E6, E7: relation F (Def A.1.15) as written: last-rep for last-rep-t, and last-rep-t in clause 1. */
  literalF: boolean;
  /**
   * E8-E11: relation G (Def A.1.20) and its step correspondence (Theorem A.1.19) as written.
   * Optional only so that Readings written out before it still typecheck; makeConfig fills it in.
   */
  literalG?: boolean;
  // Relation H (Def A.2.6) and its step correspondence (Theorem A.2.5) as written, one erratum
  // each (optional as literalG is).
  /** E12: clause 1 compares the logs of faulty replicas. */
  literalFaultyLogs?: boolean;
  /** E13: clause 2 compares requests, which A.1 keeps where A_gc does not. */
  literalExtraRequests?: boolean;
  /** E14: consistent-nv-set as a set equality (never true but for empty sets). */
  literalNvSet?: boolean;
  /** E15: β sends with SEND(m, {a})_i, which is not an action of R_i. */
  literalBetaSend?: boolean;
  /** E16: a message beyond A_gc's window is delivered in A. */
  literalWindow?: boolean;
  /** E17: actions of faulty nodes (and a proxy's receive of a non-reply) as a single π step. */
  literalFaultyActions?: boolean;
  /** E18: the catch-up sequence C over the top-level Wire+o, with β(y, null, i) for a null request. */
  literalCatchUp?: boolean;
  /** E19: a view-change A_gc rejects as incorrect is still delivered to A's replica, which may accept it. */
  literalVcDelivery?: boolean;
  /** E20: clause 6 of H counts the checkpoints a replica sent before it failed. */
  literalFaultyCheckpoints?: boolean;
  /** E21: consistent-vc compares P with P' above the checkpoint only on the side of A (P' − {n' ≤ n}). */
  literalVcBelow?: boolean;
  /** E22: EXECUTE removes its payload m from in_i whatever m is, not only a request. */
  literalExecuteRemoval?: boolean;
  /** E23: consistent-vc-set asks every member of a set to be a view-change (none may be another message). */
  literalVcSetMembers?: boolean;
  /** E25: SEND-VIEW-CHANGE's P in A_gc holds certificates at or below h_i (the figure; the prose says above). */
  literalVcP?: boolean;
}

/** The reading each erratum of ERRATA.md selects. */
export const READING_OF_ERRATUM: Readonly<Record<string, keyof Readings>> = {
  E1: 'literalNullSet',
  E2: 'literalSeqnoInvariant',
  E3: 'literalOutReset',
  E4: 'literalWire',
  E5: 'literalLastRepT',
  E6: 'literalF',
  E7: 'literalF',
  E8: 'literalG',
  E9: 'literalG',
  E10: 'literalG',
  E11: 'literalG',
  E12: 'literalFaultyLogs',
  E13: 'literalExtraRequests',
  E14: 'literalNvSet',
  E15: 'literalBetaSend',
  E16: 'literalWindow',
  E17: 'literalFaultyActions',
  E18: 'literalCatchUp',
  E19: 'literalVcDelivery',
  E20: 'literalFaultyCheckpoints',
  E21: 'literalVcBelow',
  E22: 'literalExecuteRemoval',
  E23: 'literalVcSetMembers',
  E25: 'literalVcP',
};

/** Errata of ERRATA.md without a corrected form (no reading to select), and what stands in their place. */
export const OPEN_ERRATA: Readonly<Record<string, string>> = {
  E24: 'the stand-ins leave the move out by default (readings R16)',
};

/** Every literal reading at once (`--literal`). */
export const LITERAL_READINGS: Readings = { literalNullSet: true, literalSeqnoInvariant: true, literalOutReset: true, literalWire: true, literalLastRepT: true, literalF: true, literalG: true,
  literalFaultyLogs: true, literalExtraRequests: true, literalNvSet: true, literalBetaSend: true, literalWindow: true, literalFaultyActions: true, literalCatchUp: true, literalVcDelivery: true, literalFaultyCheckpoints: true, literalVcBelow: true, literalExecuteRemoval: true,
  literalVcSetMembers: true, literalVcP: true };

export const DEFAULT_CONFIG: Config = {
  variant: 'Agc',
  f: 1,
  clients: 2,
  service: 'log',
  chkptInt: 4,
  L: 8,
  maxView: 32,
  maxRequestsPerClient: 1_000_000,
  maxSeqno: 1_000_000,
  clientsWaitForReply: true,
  network: { loss: true, duplicate: true, replay: true },
  maxNewViewChoices: 64,
  faultyReplicas: [],
  faultyClients: [],
  mutants: [],
  mutantFiles: [],
  readings: { literalNullSet: false, literalSeqnoInvariant: false, literalOutReset: false, literalWire: false, literalLastRepT: false, literalF: false, literalG: false,
    literalFaultyLogs: false, literalExtraRequests: false, literalNvSet: false, literalBetaSend: false, literalWindow: false, literalFaultyActions: false, literalCatchUp: false, literalVcDelivery: false, literalFaultyCheckpoints: false, literalVcBelow: false, literalExecuteRemoval: false },
};

/** Node identifiers 𝒳 = 𝒞 ∪ ℛ are packed into one bit mask for destination sets. */
export const MAX_NODES = 30;

export class ConfigError extends Error {}

/** A configuration as given by a user: any field may be left out, and so may parts of the nested ones. */
export type ConfigInput = Partial<Omit<Config, 'network' | 'readings'>> & {
  network?: Partial<NetworkMisbehaviour>;
  readings?: Partial<Readings>;
};

/** Complete a partial configuration and reject impossible ones with a clear message. */
export function makeConfig(partial: ConfigInput = {}): Config {
  const c: Config = { ...DEFAULT_CONFIG, ...partial, network: { ...DEFAULT_CONFIG.network, ...partial.network }, readings: { ...DEFAULT_CONFIG.readings, ...partial.readings } };
  const int = (name: keyof Config, min: number) => {
    const x = c[name];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < min)
      throw new ConfigError(`${name} must be an integer >= ${min}, got ${String(x)}`);
  };
  int('f', 1);
  int('clients', 1);
  int('chkptInt', 1);
  int('L', 1);
  int('maxView', 0);
  int('maxRequestsPerClient', 0);
  int('maxSeqno', 0);
  int('maxNewViewChoices', 1);
  if (c.variant !== 'A' && c.variant !== 'Agc') throw new ConfigError(`variant must be 'A' or 'Agc', got ${String(c.variant)}`);
  if (c.service !== 'log' && c.service !== 'counter')
    throw new ConfigError(`service must be 'log' or 'counter', got ${String(c.service)}`);
  // Fig 2-9: take-chkpt(n) ≡ (n mod chkpt-int) = 0, where chkpt-int < L.
  if (!(c.chkptInt < c.L)) throw new ConfigError(`chkptInt (${c.chkptInt}) must be < L (${c.L}) (Fig 2-9)`);
  const n = 3 * c.f + 1;
  if (n + c.clients > MAX_NODES) throw new ConfigError(`3f+1 + clients must be <= ${MAX_NODES}, got ${n + c.clients}`);
  for (const i of c.faultyReplicas)
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new ConfigError(`faulty replica ${i} is not in 0..${n - 1}`);
  for (const k of c.faultyClients)
    if (!Number.isInteger(k) || k < 0 || k >= c.clients) throw new ConfigError(`faulty client ${k} is not in 0..${c.clients - 1}`);
  if (c.ops !== undefined && c.ops.length === 0) throw new ConfigError('ops must name at least one operation');
  for (const k of ['mutants', 'mutantFiles'] as const)
    if (!Array.isArray(c[k]) || !c[k].every((x) => typeof x === 'string')) throw new ConfigError(`${k} must be a list of strings`);
  if (new Set(c.mutants).size !== c.mutants.length) throw new ConfigError(`mutants names one variant twice: ${c.mutants.join(', ')}`);
  return c;
}
