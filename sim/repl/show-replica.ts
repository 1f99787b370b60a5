// `show replica i`: the variables of R_i (Fig 2-8) and its log in_i grouped by kind, view and
// sequence number, with what the last step changed marked: `*` a variable, `+` a message added,
// `-` a message removed.
import { formatMessage, formatValue } from '../../automata/format.ts';
import type { Message } from '../../automata/messages.ts';
import { h, type ReplicaState } from '../../automata/replica-state.ts';
import type { Universe } from '../../automata/universe.ts';

const TAG_ORDER = ['REQUEST', 'PRE-PREPARE', 'PREPARE', 'COMMIT', 'CHECKPOINT', 'VIEW-CHANGE', 'NEW-VIEW', 'REPLY'];

/** A stable order: tag, then the message's fields as printed (never the order of a hash). */
function sortMessages(ms: Iterable<Message>): Message[] {
  return [...ms].sort((a, b) => TAG_ORDER.indexOf(a.tag) - TAG_ORDER.indexOf(b.tag) || signer(a) - signer(b) || a.id - b.id);
}
function signer(m: Message): number {
  return 'j' in m ? m.j : 'signer' in m ? m.signer : 'i' in m ? m.i : m.c;
}

/** A line with the change marker in front. */
export const mark = (changed: boolean, text: string, sign = '*') => `${changed ? sign : ' '} ${text}`;

export function replicaVariables(u: Universe, r: ReplicaState): [string, string][] {
  const clients = (xs: readonly (string | number)[]) => xs.map((x, c) => `c${c}: ${x}`).join(', ');
  const vars: [string, string][] = [
    ['view', String(r.view)],
    ['last-exec', String(r.lastExec)],
    ['seqno', String(r.seqno)],
    ['val', u.service.show(r.val)],
    ['last-rep', clients(r.lastRep)],
    ['last-rep-t', clients(r.lastRepT)],
  ];
  if (u.config.variant === 'Agc') {
    vars.push(['h', String(h(r))]);
    vars.push(['chkpts', r.chkpts.length === 0 ? '{}' : r.chkpts.map((c) => `⟨${c.n}, ${formatValue(u, c.s)}⟩`).join(', ')]);
  }
  vars.push(['faulty', String(r.faulty)]);
  return vars;
}

export function showReplica(u: Universe, r: ReplicaState, prev: ReplicaState | null, standIn: string | null): string {
  const lines: string[] = [`replica r${r.i} (${u.config.variant === 'Agc' ? 'A_gc' : 'A'})${standIn === null ? '' : `, faulty: replaced by a ${standIn} stand-in`}`];
  const before = prev === null ? null : new Map(replicaVariables(u, prev));
  for (const [k, v] of replicaVariables(u, r)) lines.push(mark(before !== null && before.get(k) !== v, `${k.padEnd(10)} ${v}`));
  const added = (m: Message) => prev !== null && !prev.in.has(m);
  lines.push(`  in (${r.in.size} messages)`);
  lines.push(...groupLog(u, [...r.in.all], added));
  const removed = prev === null ? [] : sortMessages([...prev.in.all].filter((m) => !r.in.has(m)));
  if (removed.length > 0) {
    lines.push(`  removed from in by the last step (${removed.length})`);
    for (const m of removed) lines.push(mark(true, `    ${formatMessage(u, m)}`, '-'));
  }
  const out = sortMessages(r.out);
  lines.push(`  out (${out.length} messages)`);
  for (const m of out) lines.push(mark(prev !== null && !prev.out.has(m), `    ${formatMessage(u, m)}`, '+'));
  return lines.join('\n');
}

/** The log grouped: requests; per view and sequence number the pre-prepares, prepares and commits; checkpoints by n; view-changes and new-views by view. */
function groupLog(u: Universe, ms: Message[], added: (m: Message) => boolean): string[] {
  const lines: string[] = [];
  const show = (m: Message, indent: string) => mark(added(m), `${indent}${formatMessage(u, m)}`, '+');
  const requests = sortMessages(ms.filter((m) => m.tag === 'REQUEST' || m.tag === 'REPLY'));
  if (requests.length > 0) {
    lines.push('    requests');
    for (const m of requests) lines.push(show(m, '      '));
  }
  const byVn = new Map<number, Map<number, Message[]>>();
  for (const m of ms)
    if (m.tag === 'PRE-PREPARE' || m.tag === 'PREPARE' || m.tag === 'COMMIT') {
      let byN = byVn.get(m.v);
      if (byN === undefined) byVn.set(m.v, (byN = new Map()));
      byN.set(m.n, [...(byN.get(m.n) ?? []), m]);
    }
  for (const v of [...byVn.keys()].sort((a, b) => a - b)) {
    lines.push(`    view ${v}`);
    const byN = byVn.get(v)!;
    for (const n of [...byN.keys()].sort((a, b) => a - b)) {
      lines.push(`      n = ${n}`);
      for (const m of sortMessages(byN.get(n)!)) lines.push(show(m, '        '));
    }
  }
  const grouped = (title: string, tag: string, key: (m: Message) => number, label: string) => {
    const sel = ms.filter((m) => m.tag === tag);
    if (sel.length === 0) return;
    lines.push(`    ${title}`);
    const keys = [...new Set(sel.map(key))].sort((a, b) => a - b);
    for (const k of keys) {
      lines.push(`      ${label} = ${k}`);
      for (const m of sortMessages(sel.filter((x) => key(x) === k))) lines.push(show(m, '        '));
    }
  };
  grouped('checkpoints', 'CHECKPOINT', (m) => (m as { n: number }).n, 'n');
  grouped('view-changes', 'VIEW-CHANGE', (m) => (m as { v: number }).v, 'v');
  grouped('new-views', 'NEW-VIEW', (m) => (m as { v: number }).v, 'v');
  return lines;
}
