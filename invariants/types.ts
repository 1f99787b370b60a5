// Invariants of Appendix A as named data (DESIGN.md, principle 5): one entry per numbered
// condition ("conjunct"), so that a failure names A.1.2(7) and its witnesses, not "an invariant".
import type { SystemState } from '../automata/compose.ts';
import type { Message } from '../automata/messages.ts';
import type { SpecHistState } from '../automata/spec-hist.ts';
import type { Universe } from '../automata/universe.ts';
import type { Delta } from './delta.ts';

/** What a violation points at: the replicas, clients, messages, view and sequence number involved. */
export interface Witness {
  replicas?: number[];
  clients?: number[];
  messages?: Message[];
  view?: number;
  n?: number;
  /** Anything else worth saying, in words. */
  detail?: string;
}

export interface Violation {
  /** The conjunct's id, e.g. 'A.1.2(7)'. */
  id: string;
  message: string;
  witness: Witness;
}

/** The automaton an invariant is stated for. */
export type Subject = 'A' | 'Agc' | "S'";

interface InvariantBase {
  /** Conjunct id as the thesis numbers it: 'A.1.1(in)', 'A.1.2(7)', 'A.1.11', 'E2E'. */
  id: string;
  /** The invariant it belongs to: 'A.1.2'. */
  family: string;
  subject: Subject;
  /** One line, in the thesis's notation. */
  statement: string;
  /** Where the thesis states it. */
  ref: string;
}

/** An invariant of the composed system A or A_gc. Returns every violation it finds (empty: holds). */
export interface SystemInvariant extends InvariantBase {
  subject: 'A' | 'Agc';
  /** The plain evaluation: the whole state. */
  check(u: Universe, s: SystemState): Violation[];
  /**
   * The incremental evaluation, when the invariant has one: given that the invariant held in the
   * state before the changes described by `delta`, return the violations in s (the same as
   * check(u, s) would). `cache` belongs to this invariant for one run and persists between calls.
   * When delta.full is set (the first call of a run, or a failure), rebuild the cache from s and
   * return what check(u, s) returns. Otherwise the cost must not grow with the run's length, only
   * with what changed.
   */
  checkDelta?(u: Universe, s: SystemState, delta: Delta, cache: Map<string, unknown>): Violation[];
}

/** An invariant of S' (Def A.1.13). */
export interface SpecHistInvariant extends InvariantBase {
  subject: "S'";
  check(u: Universe, s: SpecHistState): Violation[];
}

export type Invariant = SystemInvariant | SpecHistInvariant;

/** n-faulty ≡ |{i ∈ R | faulty_i = true}| (Def A.1.3) */
export function nFaulty(s: SystemState): number {
  return s.replicas.filter((r) => r.faulty).length;
}

/** Replicas i with ¬faulty_i, in order. */
export function correctReplicas(s: SystemState): SystemState['replicas'] {
  return s.replicas.filter((r) => !r.faulty);
}

/** A violation value. */
export function violation(id: string, message: string, witness: Witness = {}): Violation {
  return { id, message, witness };
}
