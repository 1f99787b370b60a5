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
};

export function serviceByName(name: ServiceName): StateMachine {
  return name === 'log' ? logService : counterService;
}
