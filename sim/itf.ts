// Export of a trace to ITF, the Informal Trace Format of Apalache and Quint (ADR-015,
// https://apalache-mc.org/docs/adr/015adr-trace.html), so that their viewers and tools can read
// our runs: one ITF state per state of the run (the initial one first), integers as {"#bigint"},
// sets as {"#set"} (sorted, for stable output), maps as {"#map"}, tuples as {"#tup"}; messages are
// written in our notation (automata/format.ts). The action that led to a state is the variable
// mbt::actionTaken, as Quint writes it.
import type { Action } from '../automata/actions.ts';
import { initialSystem, nodeName, step, type SystemState } from '../automata/compose.ts';
import { formatAction, formatMessage } from '../automata/format.ts';
import type { Message } from '../automata/messages.ts';
import { h } from '../automata/replica-state.ts';
import { Universe } from '../automata/universe.ts';
import type { TraceFile } from './trace-file.ts';
import { ActionDecoder } from './trace-json.ts';

export type ItfValue = boolean | string | ItfValue[] | { [k: string]: ItfValue };
export interface ItfTrace {
  '#meta': Record<string, ItfValue | number>;
  vars: string[];
  /** Each state: '#meta' ({ index }) and one entry per variable. */
  states: Record<string, unknown>[];
}

export const ITF_VARS = ['mbt::actionTaken', 'replicas', 'proxies', 'wire'];

const big = (n: number): ItfValue => ({ '#bigint': String(n) });
const set = (xs: string[]): ItfValue => ({ '#set': [...xs].sort() });
const map = (entries: [ItfValue, ItfValue][]): ItfValue => ({ '#map': entries });

function stateOf(u: Universe, s: SystemState, action: string): Record<string, ItfValue> {
  const msg = (m: Message) => formatMessage(u, m);
  const nodes = (X: number) => {
    const out: string[] = [];
    for (let x = 0; x < u.n + u.clients; x++) if (X & (1 << x)) out.push(nodeName(u, x));
    return out;
  };
  return {
    'mbt::actionTaken': action,
    replicas: map(
      s.replicas.map((r): [ItfValue, ItfValue] => [
        big(r.i),
        {
          view: big(r.view),
          lastExec: big(r.lastExec),
          seqno: big(r.seqno),
          h: big(h(r)),
          faulty: r.faulty,
          val: u.service.show(r.val),
          lastRep: map(r.lastRep.map((x, c): [ItfValue, ItfValue] => [big(c), x])),
          lastRepT: map(r.lastRepT.map((t, c): [ItfValue, ItfValue] => [big(c), big(t)])),
          in: set([...r.in.all].map(msg)),
          out: set([...r.out].map(msg)),
        },
      ]),
    ),
    proxies: map(
      s.proxies.map((p): [ItfValue, ItfValue] => [
        big(p.c),
        { view: big(p.view), lastReq: big(p.lastReq), retrans: p.retrans, faulty: p.faulty, out: set(p.out === null ? [] : [msg(p.out)]), in: set([...p.in].map(msg)) },
      ]),
    ),
    wire: { '#set': s.wire.all().map((e): ItfValue => ({ '#tup': [msg(e.m), set(nodes(e.X))] })) },
  };
}

/** The ITF form of a trace: its states, replayed from its actions. */
export function toItf(t: TraceFile, source = 'pbft-check'): ItfTrace {
  const u = new Universe(t.config);
  const dec = new ActionDecoder(u);
  const s = initialSystem(u);
  const states: Record<string, unknown>[] = [{ '#meta': { index: 0 }, ...stateOf(u, s, 'init') }];
  t.actions.forEach((j, k) => {
    const a: Action = dec.action(j);
    step(u, s, a);
    states.push({ '#meta': { index: k + 1 }, ...stateOf(u, s, formatAction(u, a)) });
  });
  return {
    '#meta': {
      format: 'ITF',
      'format-description': 'https://apalache-mc.org/docs/adr/015adr-trace.html',
      source,
      description: t.description ?? `pbft-check trace${t.seed ? ` (seed ${t.seed})` : ''}`,
      ...(t.violation ? { status: 'violation', violation: `${t.violation.id} at step ${t.violation.step}` } : { status: 'ok' }),
    },
    vars: ITF_VARS,
    states,
  };
}
