// Readable renderings of messages and destination sets, in the thesis's notation.
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
