// `enabled` filters: by node (r1, c0), by kind (RECEIVE, SEND-COMMIT), family (protocol,
// view-change, misbehave, byzantine), message tag (PREPARE, NEW-VIEW), or a pattern (text or
// /regex/) of the printed action. Filters of one sort are alternatives; sorts combine with "and".
import { ACTION_KINDS, type Action } from '../../automata/actions.ts';
import type { SystemState } from '../../automata/compose.ts';
import { FAMILIES, familyOf, type Family } from '../../automata/enabled.ts';
import { formatAction } from '../../automata/format.ts';
import type { Universe } from '../../automata/universe.ts';
import { CommandError } from './context.ts';

export const MESSAGE_TAGS = ['REQUEST', 'REPLY', 'PRE-PREPARE', 'PREPARE', 'COMMIT', 'CHECKPOINT', 'VIEW-CHANGE', 'NEW-VIEW'];

/** The nodes an action concerns (for MISBEHAVE: those whose destination it changes). */
export function nodesOf(u: Universe, a: Action): number[] {
  switch (a.kind) {
    case 'SEND':
    case 'RECEIVE':
      return [a.x];
    case 'REQUEST':
    case 'REPLY':
    case 'CLIENT-FAILURE':
      return [u.n + a.c];
    case 'MISBEHAVE': {
      const out: number[] = [];
      for (let x = 0; x < u.n + u.clients; x++) if (((a.X ^ a.X2) >> x) & 1) out.push(x);
      return out;
    }
    default:
      return [a.i];
  }
}

export interface ActionFilter {
  test(a: Action): boolean;
  /** MISBEHAVE actions are listed only when asked for (by `all`, kind or family). */
  misbehave: boolean;
}

export function parseFilter(u: Universe, s: SystemState, words: readonly string[]): ActionFilter {
  const nodes: number[] = [];
  const kinds: string[] = [];
  const families: Family[] = [];
  const tags: string[] = [];
  const patterns: ((line: string) => boolean)[] = [];
  let all = false;
  for (const w of words) {
    const up = w.toUpperCase();
    const node = /^([rc])(\d+)$/i.exec(w);
    if (w.toLowerCase() === 'all') all = true;
    else if (node !== null) {
      const k = Number(node[2]);
      if (node[1]!.toLowerCase() === 'r' ? k >= u.n : k >= u.clients) throw new CommandError(`there is no node ${w} (r0..r${u.n - 1}, c0..c${u.clients - 1})`);
      nodes.push(node[1]!.toLowerCase() === 'r' ? k : u.n + k);
    } else if ((ACTION_KINDS as readonly string[]).includes(up)) kinds.push(up);
    // VIEW-CHANGE is a message tag, view-change a family: the case tells them apart.
    else if (MESSAGE_TAGS.includes(up) && (w === up || !(FAMILIES as readonly string[]).includes(w))) tags.push(up);
    else if ((FAMILIES as readonly string[]).includes(w.toLowerCase())) families.push(w.toLowerCase() as Family);
    else if (/^\/.*\/$/.test(w) && w.length > 2) {
      let re: RegExp;
      try {
        re = new RegExp(w.slice(1, -1), 'i');
      } catch (e) {
        throw new CommandError(`bad pattern ${w}: ${(e as Error).message}`);
      }
      patterns.push((line) => re.test(line));
    } else patterns.push((line) => line.toLowerCase().includes(w.toLowerCase()));
  }
  const misbehave = all || kinds.includes('MISBEHAVE') || families.includes('misbehave');
  const messageTag = (a: Action) => (a.kind === 'SEND' || a.kind === 'RECEIVE' || a.kind === 'MISBEHAVE' ? a.m.tag : null);
  return {
    misbehave,
    test: (a) =>
      (misbehave || a.kind !== 'MISBEHAVE') &&
      (nodes.length === 0 || nodesOf(u, a).some((x) => nodes.includes(x))) &&
      (kinds.length === 0 || kinds.includes(a.kind)) &&
      (families.length === 0 || families.includes(familyOf(s, a))) &&
      (tags.length === 0 || tags.includes(messageTag(a) ?? '')) &&
      (patterns.length === 0 || patterns.every((p) => p(formatAction(u, a)))),
  };
}
