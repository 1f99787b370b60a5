// `show` of the other parts of the state: an overview, a proxy P_c (Fig 2-7), the wire of MC
// (Fig 2-5), and S (Fig 2-6) and S' (Def A.1.13) when the chain is on. Marks as in show-replica.ts.
import { formatAction, formatDestinations, formatMessage } from '../../automata/format.ts';
import type { SystemState } from '../../automata/compose.ts';
import { certifiedResults, type ProxyState } from '../../automata/proxy.ts';
import { h } from '../../automata/replica-state.ts';
import { sortedIn, sortedOut, type SpecCommon, type SpecState } from '../../automata/spec.ts';
import type { SpecHistState } from '../../automata/spec-hist.ts';
import type { Universe } from '../../automata/universe.ts';
import { mark } from './show-replica.ts';

/** The variables of P_c (Fig 2-7) as name and value (the REPL's show and the trace viewer). */
export function proxyVariables(u: Universe, p: ProxyState): [string, string][] {
  const replies = [...p.in].sort((a, b) => a.i - b.i || a.id - b.id).map((m) => formatMessage(u, m));
  return [
    ['view', String(p.view)],
    ['out', p.out === null ? '{}' : `{${formatMessage(u, p.out)}}`],
    ['last-req', String(p.lastReq)],
    ['retrans', String(p.retrans)],
    ['faulty', String(p.faulty)],
    ['in', replies.length === 0 ? '{}' : `{${replies.join(', ')}}`],
  ];
}

export function showProxy(u: Universe, p: ProxyState, prev: ProxyState | null, standIn: string | null): string {
  const lines = [`proxy c${p.c} (Fig 2-7)${standIn === null ? '' : `, faulty: replaced by a ${standIn} stand-in`}`];
  const before = prev === null ? null : new Map(proxyVariables(u, prev));
  for (const [k, v] of proxyVariables(u, p)) lines.push(mark(before !== null && before.get(k) !== v, `${k.padEnd(9)} ${v}`));
  const results = certifiedResults(u, p);
  lines.push(`  reply certificates: ${p.out === null ? 'none (no request outstanding)' : results.length === 0 ? 'none yet' : results.join(', ')}`);
  return lines.join('\n');
}

/** The wire: elements in flight (all of them with `all`), new ones marked. */
export function showWire(u: Universe, s: SystemState, prev: SystemState | null, all: boolean): string {
  const entries = all ? s.wire.all() : s.wire.pending();
  const isNew = (m: Parameters<SystemState['wire']['has']>[0], X: number) => prev !== null && !prev.wire.has(m, X);
  const fresh = s.wire.all().filter((e) => isNew(e.m, e.X)).length;
  const lines = [`wire: ${s.wire.size} elements (m, X), ${s.wire.pendingCount} in flight${prev === null ? '' : `, ${fresh} new`}${all ? '' : '; `show wire all` adds the delivered ones'}`];
  for (const { m, X } of entries) lines.push(mark(isNew(m, X), `(${formatMessage(u, m)}, ${formatDestinations(u, X)})`, '+'));
  return lines.join('\n');
}

/** One line per node and the wire: where the run stands. */
export function showOverview(u: Universe, s: SystemState, prev: SystemState | null, cursor: number, total: number, last: string | null): string {
  const c = u.config;
  const lines = [
    `step ${cursor} of ${total} (${c.variant === 'Agc' ? 'A_gc' : 'A'}, f = ${c.f}, ${u.n} replicas, ${c.clients} clients, ${c.service} service)`,
    `  last action: ${last ?? 'none (the initial state)'}`,
  ];
  for (const r of s.replicas) {
    const p = prev?.replicas[r.i];
    const text = `r${r.i}  view ${r.view}  last-exec ${r.lastExec}  seqno ${r.seqno}${c.variant === 'Agc' ? `  h ${h(r)}` : ''}  |in| ${r.in.size}  |out| ${r.out.size}${r.faulty ? '  faulty' : ''}`;
    const was = p === undefined ? text : `r${p.i}  view ${p.view}  last-exec ${p.lastExec}  seqno ${p.seqno}${c.variant === 'Agc' ? `  h ${h(p)}` : ''}  |in| ${p.in.size}  |out| ${p.out.size}${p.faulty ? '  faulty' : ''}`;
    lines.push(mark(prev !== null && text !== was, text));
  }
  for (const p of s.proxies) {
    const line = (q: ProxyState) => `c${q.c}  view ${q.view}  last-req ${q.lastReq}  out ${q.out === null ? '{}' : formatMessage(u, q.out)}${q.retrans ? '  retrans' : ''}  |in| ${q.in.size}${q.faulty ? '  faulty' : ''}`;
    const q = prev?.proxies[p.c];
    lines.push(mark(q !== undefined && line(q) !== line(p), line(p)));
  }
  lines.push(`  wire: ${s.wire.size} elements, ${s.wire.pendingCount} in flight`);
  return lines.join('\n');
}

const triples = (xs: readonly { t: number; c: number }[], first: (x: never) => string) =>
  xs.length === 0 ? '{}' : `{${xs.map((x) => `⟨${first(x as never)}, ${x.t}, c${x.c}⟩`).join(', ')}}`;

/** The variables of S (Fig 2-6), val first. */
export function specVariables(u: Universe, y: SpecState): [string, string][] {
  return [['val', u.service.show(y.val)], ...commonVariables(y)];
}

/** The variables of S' (Def A.1.13) but hist, seqno first. */
export function specHistVariables(y: SpecHistState): [string, string][] {
  return [['seqno', String(y.seqno)], ...commonVariables(y)];
}

/** The entries of S''s hist, as ⟨n, o, t, c⟩. */
export const histEntry = (e: SpecHistState['hist'][number]) => `⟨${e.n}, ${e.o}, ${e.t}, c${e.c}⟩`;

function commonVariables(s: SpecCommon): [string, string][] {
  const byClient = (xs: readonly (number | boolean)[], p: string) => xs.map((x, k) => `${p}${k}: ${x}`).join(', ');
  return [
    ['in', triples(sortedIn(s), (x: { o: string }) => x.o)],
    ['out', triples(sortedOut(s), (x: { r: string }) => x.r)],
    ['last-req', byClient(s.lastReq, 'c')],
    ['last-rep-t', byClient(s.lastRepT, 'c')],
    ['faulty-client', byClient(s.faultyClient, 'c')],
    ['faulty-replica', byClient(s.faultyReplica, 'r')],
  ];
}

function showVars(vars: [string, string][], before: Map<string, string> | null): string[] {
  return vars.map(([k, v]) => mark(before !== null && before.get(k) !== v, `${k.padEnd(14)} ${v}`));
}

export function showSpec(u: Universe, y: SpecState, prev: SpecState | null): string {
  const vars = specVariables(u, y);
  const before = prev === null ? null : new Map(specVariables(u, prev));
  return ['S (Fig 2-6), driven through F', ...showVars(vars, before)].join('\n');
}

export function showSpecHist(u: Universe, y: SpecHistState, prev: { common: SpecCommon; seqno: number; histLength: number } | null): string {
  const vars = specHistVariables(y);
  const before = prev === null ? null : new Map<string, string>([['seqno', String(prev.seqno)], ...commonVariables(prev.common)]);
  const lines = ["S' (Def A.1.13), driven through G", ...showVars(vars, before), `  hist (${y.hist.length} entries; val(hist) = ${u.service.show(y.fold.val)})`];
  y.hist.forEach((e, k) => lines.push(mark(prev !== null && k >= prev.histLength, `  ${histEntry(e)}`, '+')));
  return lines.join('\n');
}

/** One executed step as a numbered line. */
export function stepLine(u: Universe, index: number, a: Parameters<typeof formatAction>[1]): string {
  return `${String(index).padStart(5)}  ${formatAction(u, a)}`;
}
