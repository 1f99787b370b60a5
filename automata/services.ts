// Deterministic state machines ⟨S, C, O, O', g, s_o⟩ (Def 2.4.1) that the system replicates.
// States are immutable values, so a checkpoint (Fig 2-8, chkpts_i) is a reference, not a copy.
import { D } from './digests.ts';
import type { ServiceName } from './config.ts';

/** A result in O'. */
export type Result = string;
/** A service state in S; opaque to the automata, which only pass it to g, encode and show. */
export type ServiceState = unknown;

export interface StateMachine {
  readonly name: ServiceName;
  /** s_o */
  readonly initial: ServiceState;
  /** The default operation alphabet the scheduler draws from (O itself may be larger). */
  readonly ops: readonly string[];
  /** g : C × O × S → O' × S; total: every operation string is accepted. */
  g(c: number, o: string, s: ServiceState): [Result, ServiceState];
  /** Canonical encoding of a state: equal states, equal encodings. */
  encode(s: ServiceState): string;
  /** A readable rendering for reports. */
  show(s: ServiceState): string;
  /** A JSON-compatible form from which `deserialize` rebuilds an equal state (for trace files). */
  serialize(s: ServiceState): unknown;
  deserialize(j: unknown): ServiceState;
}

/** null-rep of Fig 2-8: the last reply a replica holds for a client before any execution. */
export const NULL_REP: Result = 'null-rep';

// The order-revealing service: an append-only log. Its result is the log's length and a hash
// chained over every (client, operation) appended so far, so two different execution orders
// give different results (the digest is collision resistant) while results stay short.
interface LogState {
  readonly len: number;
  readonly chain: string;
  readonly prev: LogState | null;
  readonly c: number;
  readonly o: string;
}
const EMPTY_LOG: LogState = { len: 0, chain: D('log:'), prev: null, c: -1, o: '' };

function logEntries(s: LogState): string[] {
  const out: string[] = [];
  for (let e: LogState | null = s; e !== null && e.len > 0; e = e.prev) out.push(`c${e.c}:${e.o}`);
  return out.reverse();
}

export const logService: StateMachine = {
  name: 'log',
  initial: EMPTY_LOG,
  ops: ['a', 'b'],
  g(c, o, s) {
    const prev = s as LogState;
    const next: LogState = { len: prev.len + 1, chain: D(`${prev.chain}|${c}|${o}`), prev, c, o };
    return [`${next.len}@${next.chain.slice(0, 12)}`, next];
  },
  encode: (s) => `log:${(s as LogState).len}@${(s as LogState).chain}`,
  show: (s) => `[${logEntries(s as LogState).join(' ')}]`,
  serialize(s) {
    const out: [number, string][] = [];
    for (let e: LogState | null = s as LogState; e !== null && e.len > 0; e = e.prev) out.push([e.c, e.o]);
    return out.reverse();
  },
  deserialize(j) {
    if (!Array.isArray(j)) throw new Error('log state must be an array of [client, operation] pairs');
    let st: ServiceState = EMPTY_LOG;
    for (const e of j) {
      if (!Array.isArray(e) || typeof e[0] !== 'number' || typeof e[1] !== 'string')
        throw new Error('log state entries must be [client, operation] pairs');
      st = logService.g(e[0], e[1], st)[1];
    }
    return st;
  },
};

// An ordinary service: a counter. inc and dec return the new value, read returns the value;
// any other operation leaves the state alone and returns 'bad-op' (g must be total).
export const counterService: StateMachine = {
  name: 'counter',
  initial: 0,
  ops: ['inc', 'dec', 'read'],
  g(_c, o, s) {
    const v = s as number;
    if (o === 'inc') return [String(v + 1), v + 1];
    if (o === 'dec') return [String(v - 1), v - 1];
    if (o === 'read') return [String(v), v];
    return ['bad-op', v];
  },
  encode: (s) => `counter:${s as number}`,
  show: (s) => String(s as number),
  serialize: (s) => s as number,
  deserialize(j) {
    if (typeof j !== 'number' || !Number.isInteger(j)) throw new Error('counter state must be an integer');
    return j;
  },
};

export function serviceByName(name: ServiceName): StateMachine {
  return name === 'log' ? logService : counterService;
}
