// Tab completion: command names; then, by command, action kinds and nodes (enabled, until, do,
// show, fail, byz), the lines of `enabled` (do), command names (help) and file names (load, save).
import { readdirSync, statSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { ACTION_KINDS } from '../../automata/actions.ts';
import { FAMILIES } from '../../automata/enabled.ts';
import { formatAction } from '../../automata/format.ts';
import { COMMANDS } from './commands.ts';
import { SHOW_TARGETS } from './commands-show.ts';
import { MESSAGE_TAGS } from './filter.ts';
import type { Session } from './session.ts';

export type Completion = [string[], string];

const NAMES = [...COMMANDS.map((c) => c.name), 'quit'].sort();

function nodes(session: Session): string[] {
  const u = session.u;
  return [...Array.from({ length: u.n }, (_, i) => `r${i}`), ...Array.from({ length: u.clients }, (_, c) => `c${c}`)];
}

const pick = (xs: readonly string[], prefix: string, caseless = false): string[] =>
  [...new Set(xs.filter((x) => (caseless ? x.toLowerCase().startsWith(prefix.toLowerCase()) : x.startsWith(prefix))))].sort();

/** Files (and directories, with a slash) in the directory of a partial path. */
function files(partial: string): string[] {
  const dir = partial.endsWith('/') ? partial : dirname(partial);
  const start = partial.endsWith('/') ? '' : basename(partial);
  try {
    return readdirSync(dir === '' ? '.' : dir)
      .filter((f) => f.startsWith(start))
      .sort()
      .map((f) => {
        const p = dir === '.' && !partial.startsWith('./') ? f : join(dir, f);
        return statSync(p).isDirectory() ? `${p}/` : p;
      });
  } catch {
    return [];
  }
}

export function complete(session: Session, line: string): Completion {
  const m = /^(\s*)(\S*)(\s+)?([\s\S]*)$/.exec(line)!;
  const word = m[2]!;
  if (m[3] === undefined) return [pick(NAMES, word.replace(/^\./, '')), word.replace(/^\./, '')];
  const rest = m[4]!;
  const last = rest.split(/\s+/).pop() ?? '';
  const kinds = [...ACTION_KINDS];
  switch (word.toLowerCase()) {
    case 'help':
      return [pick(NAMES, last), last];
    case 'enabled':
    case 'ls':
      return [pick([...kinds, ...FAMILIES, ...MESSAGE_TAGS, ...nodes(session), 'all'], last, true), last];
    case 'until':
      return [pick([...kinds, 'violation', 'AGREEMENT', 'E2E', 'max'], last, true), last];
    case 'do': {
      // The whole argument: an action kind, or a line of `enabled` that begins with it.
      const lines = session.enabled().map((a) => formatAction(session.u, a));
      const full = pick(lines, rest);
      return [full.length > 0 && rest.length > 0 ? full : pick(kinds, rest, true), rest];
    }
    case 'show':
      return [rest.includes(' ') ? [] : pick([...SHOW_TARGETS, ...nodes(session)], last, true), last];
    case 'fail':
    case 'byz':
      return [rest.includes(' ') ? [] : pick(['replica', 'client'], last), last];
    case 'load':
    case 'save':
      return [files(rest), rest];
    default:
      return [[], last];
  }
}
