// The registry: every invariant conjunct of Appendix A with its id, the automaton it is stated
// for, a one-line statement and a pointer to the thesis. Users select by id or pattern.
import { A_1_4, A_1_5, A_1_6, A_1_7 } from './a1-prepared.ts';
import { A_1_2, A_1_2_CORRECTED } from './a1-replica.ts';
import { A_1_1 } from './a1-signed.ts';
import { A_1_10, A_1_11, A_1_12 } from './a1-committed.ts';
import { A_1_8, A_1_9 } from './a1-views.ts';
import { agcCheckpointInvariants } from './agc-checkpoints.ts';
import { END_TO_END_INFO } from './end-to-end.ts';
import { A_1_17, A_1_18 } from './spec-hist.ts';
import type { Invariant, SpecHistInvariant, SystemInvariant } from './types.ts';

import type { Readings } from '../automata/config.ts';

/** The invariants of A and A_gc, in the corrected readings unless `readings` asks for the text. */
export function systemInvariants(readings?: Readings): SystemInvariant[] {
  return [
    ...A_1_1,
    ...(readings?.literalSeqnoInvariant ? A_1_2 : A_1_2_CORRECTED),
    ...REST,
    ...agcCheckpointInvariants({ literalWire: readings?.literalWire ?? false, literalLastRepT: readings?.literalLastRepT ?? false }),
  ];
}

const REST: readonly SystemInvariant[] = [
  ...A_1_4,
  ...A_1_5,
  ...A_1_6,
  ...A_1_7,
  ...A_1_8,
  ...A_1_9,
  ...A_1_10,
  ...A_1_11,
  ...A_1_12,
];

/** The default (corrected) invariants of A and A_gc. */
export const SYSTEM_INVARIANTS: readonly SystemInvariant[] = systemInvariants();

export const SPEC_HIST_INVARIANTS: readonly SpecHistInvariant[] = [...A_1_17, ...A_1_18];

export const ALL_INVARIANTS: readonly Invariant[] = [...SYSTEM_INVARIANTS, ...SPEC_HIST_INVARIANTS];

/** Every id a user can name, with the end-to-end property's. */
export const ALL_IDS: readonly string[] = [...ALL_INVARIANTS.map((x) => x.id), END_TO_END_INFO.id];

export class SelectionError extends Error {}

/**
 * The invariants named by a list of ids or patterns: an exact id ('A.1.2(7)'), a family
 * ('A.1.2', meaning all its conditions) or a pattern with * ('A.1.*', 'A.2.3(*)'). Every pattern
 * must match something.
 */
export function selectInvariants<T extends Invariant>(all: readonly T[], patterns: readonly string[]): T[] {
  if (patterns.length === 0) return [...all];
  const chosen = new Set<T>();
  for (const raw of patterns) {
    const p = raw.trim();
    const re = new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
    const hits = all.filter((x) => re.test(x.id) || x.family === p);
    if (hits.length === 0 && !(p === END_TO_END_INFO.id))
      throw new SelectionError(`no invariant matches '${p}' (known: ${ALL_IDS.join(', ')})`);
    for (const h of hits) chosen.add(h);
  }
  return all.filter((x) => chosen.has(x));
}
