// Readable renderings of messages and destination sets, in the thesis's notation.
import type { Action } from './actions.ts';
import { shortDigest } from './digests.ts';
import type { CheckpointValue, Message } from './messages.ts';
import type { Universe } from './universe.ts';

export function formatValue(u: Universe, s: CheckpointValue): string {
  return `⟨${u.service.show(s.val)}; ${s.lastRep.join(',')}; ${s.lastRepT.join(',')}⟩#${shortDigest(u.interner.valueDigest(s))}`;
}

export function formatMessage(u: Universe, m: Message | null): string {
  if (m === null) return 'null';
  const dg = (d: string) => shortDigest(d);
  const set = (xs: readonly Message[]) => `{${xs.map((x) => `#${shortDigest(u.interner.digest(x))}`).join(',')}}`;
  switch (m.tag) {
    case 'REQUEST':
      return `⟨REQUEST,${m.o},${m.t},c${m.c}⟩σc${m.c}`;
    case 'REPLY':
      return `⟨REPLY,${m.v},${m.t},c${m.c},${m.i},${m.r}⟩σ${m.i}`;
    case 'PRE-PREPARE':
      return `⟨PRE-PREPARE,${m.v},${m.n},${formatMessage(u, m.m)}⟩σ${m.signer}`;
    case 'PREPARE':
    case 'COMMIT':
    case 'CHECKPOINT':
      return `⟨${m.tag},${m.v},${m.n},${dg(m.d)},${m.j}⟩σ${m.j}`;
    case 'VIEW-CHANGE':
      return m.gc === null
        ? `⟨VIEW-CHANGE,${m.v},P=${set(m.P)},${m.j}⟩σ${m.j}`
        : `⟨VIEW-CHANGE,${m.v},${m.gc.n},${formatValue(u, m.gc.s)},C=${set(m.gc.C)},P=${set(m.P)},${m.j}⟩σ${m.j}`;
    case 'NEW-VIEW':
      return `⟨NEW-VIEW,${m.v},V=${set(m.V)},O=${set(m.O)},N=${set(m.N)}⟩σ${m.signer}`;
  }
}

/** A destination set X ⊆ 𝒳 as {r0,r2,c1}. */
export function formatDestinations(u: Universe, X: number): string {
  const names: string[] = [];
  for (let i = 0; i < u.n; i++) if (X & u.replicaBit(i)) names.push(`r${i}`);
  for (let c = 0; c < u.clients; c++) if (X & u.clientBit(c)) names.push(`c${c}`);
  return `{${names.join(',')}}`;
}

/** The fields the external actions share in A, S and S' (Figs 2-4 and 2-6 name them alike). */
export interface ExternalFields {
  readonly kind: string;
  readonly o?: string;
  readonly c?: number;
  readonly i?: number;
  readonly r?: string;
}

/** REQUEST(o)_c, CLIENT-FAILURE_c, REPLICA-FAILURE_i, REPLY(r)_c; null for any other action. */
export function formatExternal(a: ExternalFields): string | null {
  switch (a.kind) {
    case 'REQUEST':
      return `REQUEST(${a.o})_c${a.c}`;
    case 'CLIENT-FAILURE':
      return `CLIENT-FAILURE_c${a.c}`;
    case 'REPLICA-FAILURE':
      return `REPLICA-FAILURE_r${a.i}`;
    case 'REPLY':
      return `REPLY(${a.r})_c${a.c}`;
    default:
      return null;
  }
}

/** One line per action, in the thesis's notation: SEND(m, X)_x, RECEIVE(m)_x, … */
export function formatAction(u: Universe, a: Action): string {
  const node = (x: number) => (x < u.n ? `r${x}` : `c${x - u.n}`);
  const msg = (m: Message | null) => formatMessage(u, m);
  const X = (mask: number) => formatDestinations(u, mask);
  switch (a.kind) {
    case 'REQUEST':
    case 'CLIENT-FAILURE':
    case 'REPLICA-FAILURE':
    case 'REPLY':
      return formatExternal(a)!;
    case 'SEND':
      return `SEND(${msg(a.m)}, ${X(a.X)})_${node(a.x)}`;
    case 'RECEIVE':
      return `RECEIVE(${msg(a.m)})_${node(a.x)} from (m, ${X(a.X)})`;
    case 'MISBEHAVE':
      return `MISBEHAVE(${msg(a.m)}, ${X(a.X)}, ${X(a.X2)})`;
    case 'SEND-PRE-PREPARE':
    case 'SEND-COMMIT':
    case 'EXECUTE':
      return `${a.kind}(${msg(a.m)}, ${a.v}, ${a.n})_r${a.i}`;
    case 'SEND-VIEW-CHANGE':
      return `SEND-VIEW-CHANGE(${a.v})_r${a.i}`;
    case 'SEND-NEW-VIEW':
      return `SEND-NEW-VIEW(${a.v}, {${a.V.map((m) => `#${shortDigest(u.interner.digest(m))}`).join(',')}})_r${a.i}`;
    case 'COLLECT-GARBAGE':
      return `COLLECT-GARBAGE_r${a.i} (n=${a.n}, d=${shortDigest(a.d)})`;
  }
}
