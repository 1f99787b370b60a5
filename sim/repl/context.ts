// What every command works with, and how they report steps: one numbered line per action, then
// what it changed (for single steps) and any violation in full.
import type { Action } from '../../automata/actions.ts';
import type { SystemState } from '../../automata/compose.ts';
import { formatMessage } from '../../automata/format.ts';
import type { Universe } from '../../automata/universe.ts';
import type { Session, SessionFinding } from './session.ts';
import { stepLine } from './show-system.ts';

export interface Ctx {
  session: Session;
  /** The command lines of this session, for `history`. */
  history: string[];
  /** Set by `exit`. */
  exit: boolean;
}

/** A command: its name, usage, one-line summary and help; run returns what to print. */
export interface Command {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly help: string;
  run(ctx: Ctx, arg: string): string;
}

/** A user error: printed as `error: …`, never a stack trace. */
export class CommandError extends Error {}

export function findingLines(fs: readonly SessionFinding[]): string[] {
  return fs.map((f) => f.report.replace(/^/gm, '  !! '));
}

/** The steps taken by a command: all of them when few, else the last `keep`. */
export function stepLines(u: Universe, taken: readonly { index: number; action: Action; findings: readonly SessionFinding[] }[], keep = 10): string[] {
  const lines: string[] = [];
  const shown = taken.length <= keep + 2 ? taken : taken.slice(-keep);
  if (shown.length < taken.length) lines.push(`  (${taken.length - shown.length} earlier steps not shown; \`trace\` lists them)`);
  for (const t of taken) if (t.findings.length > 0 && !shown.includes(t)) lines.push(stepLine(u, t.index, t.action), ...findingLines(t.findings));
  for (const t of shown) lines.push(stepLine(u, t.index, t.action), ...findingLines(t.findings));
  return lines;
}

/** What one step changed, in a few indented lines (replicas' variables and logs, proxies, the wire). */
export function changeLines(u: Universe, prev: SystemState, s: SystemState): string[] {
  const lines: string[] = [];
  const arrow = (name: string, a: string, b: string) => (a === b ? null : `${name} ${a} → ${b}`);
  for (const r of s.replicas) {
    const p = prev.replicas[r.i]!;
    const parts = [
      arrow('view', String(p.view), String(r.view)),
      arrow('last-exec', String(p.lastExec), String(r.lastExec)),
      arrow('seqno', String(p.seqno), String(r.seqno)),
      arrow('val', u.service.show(p.val), u.service.show(r.val)),
      arrow('last-rep-t', p.lastRepT.join(','), r.lastRepT.join(',')),
      arrow('h', String(p.chkpts[0]?.n ?? 0), String(r.chkpts[0]?.n ?? 0)),
      arrow('faulty', String(p.faulty), String(r.faulty)),
    ].filter((x): x is string => x !== null);
    const added = [...r.in.all].filter((m) => !p.in.has(m));
    const removed = [...p.in.all].filter((m) => !r.in.has(m)).length;
    if (added.length > 0) parts.push(`in + ${added.map((m) => formatMessage(u, m)).join(', ')}`);
    if (removed > 0) parts.push(`in − ${removed} message(s)`);
    const out = [...r.out].filter((m) => !p.out.has(m));
    if (out.length > 0) parts.push(`out + ${out.map((m) => formatMessage(u, m)).join(', ')}`);
    const sent = [...p.out].filter((m) => !r.out.has(m)).length;
    if (sent > 0) parts.push(`out − ${sent}`);
    if (parts.length > 0) lines.push(`r${r.i}: ${parts.join('; ')}`);
  }
  for (const q of s.proxies) {
    const p = prev.proxies[q.c]!;
    const parts = [
      arrow('view', String(p.view), String(q.view)),
      arrow('out', p.out === null ? '{}' : formatMessage(u, p.out), q.out === null ? '{}' : formatMessage(u, q.out)),
      arrow('retrans', String(p.retrans), String(q.retrans)),
      arrow('|in|', String(p.in.size), String(q.in.size)),
      arrow('faulty', String(p.faulty), String(q.faulty)),
    ].filter((x): x is string => x !== null);
    if (parts.length > 0) lines.push(`c${q.c}: ${parts.join('; ')}`);
  }
  const fresh = s.wire.all().filter((e) => !prev.wire.has(e.m, e.X)).length;
  if (fresh > 0) lines.push(`wire: ${fresh} new element(s), ${s.wire.pendingCount} in flight`);
  return lines.map((l) => `         ${l}`);
}

/** The base name of a path, so that transcripts do not depend on where files are. */
export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** A whole number argument, or the default when absent. */
export function count(arg: string, what: string, dflt: number): number {
  const t = arg.trim();
  if (t === '') return dflt;
  if (!/^\d+$/.test(t)) throw new CommandError(`${what} must be a whole number, got '${t}'`);
  const n = Number(t);
  if (!Number.isSafeInteger(n)) throw new CommandError(`${what} is too large: ${t}`);
  return n;
}
