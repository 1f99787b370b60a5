// Checking during execution: after every step (or every k steps), evaluate the selected
// invariants of the automaton being run and the end-to-end property; stop at the first violation
// with a report naming the invariant and conjunct, the step, the action and the witnesses.
import type { Action } from '../automata/actions.ts';
import type { SystemState } from '../automata/compose.ts';
import { formatAction, formatMessage } from '../automata/format.ts';
import type { Universe } from '../automata/universe.ts';
import { DeltaTracker } from './delta.ts';
import { AgreementMonitor, AGREEMENT_ID } from './agreement.ts';
import { EndToEndMonitor, END_TO_END_ID } from './end-to-end.ts';
import type { SystemInvariant, Violation } from './types.ts';

export interface CheckOptions {
  /** The invariants to evaluate; those stated for another automaton are skipped. */
  invariants: readonly SystemInvariant[];
  /** Evaluate the invariants after every `every`-th step (the end-to-end monitor sees every step). */
  every?: number;
  /** Whether to run the end-to-end monitor. */
  endToEnd?: boolean;
  /** Whether to run the agreement monitor (no hypothesis on the number of faults; default on). */
  agreement?: boolean;
  /** Incremental evaluation where an invariant has one (default); false: the plain one only. */
  incremental?: boolean;
}

/** A violation found during a run, with where it was found. */
export interface Finding extends Violation {
  step: number;
  action: Action;
}

export class InvariantChecker {
  private readonly invariants: readonly SystemInvariant[];
  private readonly every: number;
  private readonly monitor: EndToEndMonitor | null;
  private readonly agreement: AgreementMonitor | null;
  private readonly incremental: boolean;
  private readonly tracker = new DeltaTracker();
  private readonly caches = new Map<SystemInvariant, Map<string, unknown>>();
  /** Number of invariant evaluations made, for reports and benchmarks. */
  evaluations = 0;

  constructor(
    private readonly u: Universe,
    opts: CheckOptions,
  ) {
    this.invariants = opts.invariants.filter((x) => x.subject === u.config.variant);
    this.every = Math.max(1, opts.every ?? 1);
    this.monitor = opts.endToEnd === false ? null : new EndToEndMonitor(u);
    this.agreement = opts.agreement === false ? null : new AgreementMonitor(u);
    this.incremental = opts.incremental !== false;
  }

  /** Invariants that apply to this run. */
  get active(): readonly SystemInvariant[] {
    return this.invariants;
  }

  /** Checks the state after step `index` (action a); returns the violations found. */
  afterStep(index: number, a: Action, s: SystemState): Finding[] {
    const found: Violation[] = [...(this.monitor?.observe(a, s) ?? []), ...(this.agreement?.observe(a, s) ?? [])];
    if ((index + 1) % this.every === 0) found.push(...this.checkNow(s));
    return found.map((v) => ({ ...v, step: index, action: a }));
  }

  /** Evaluates every active invariant on s. */
  checkNow(s: SystemState): Violation[] {
    const out: Violation[] = [];
    const delta = this.incremental ? this.tracker.next(s) : null;
    for (const inv of this.invariants) {
      this.evaluations++;
      if (delta === null || inv.checkDelta === undefined) out.push(...inv.check(this.u, s));
      else out.push(...inv.checkDelta(this.u, s, delta, this.cacheOf(inv)));
    }
    return out;
  }

  private cacheOf(inv: SystemInvariant): Map<string, unknown> {
    let c = this.caches.get(inv);
    if (c === undefined) this.caches.set(inv, (c = new Map()));
    return c;
  }
}

/** A readable report of a finding. */
export function formatFinding(u: Universe, f: Finding, invariants: readonly { id: string; statement: string; ref: string }[]): string {
  const inv = invariants.find((x) => x.id === f.id);
  const lines = [
    `violation of ${f.id}${inv ? ` (${inv.ref})` : f.id === END_TO_END_ID ? ' (end-to-end safety)' : f.id === AGREEMENT_ID ? ' (agreement, any number of faults)' : ''}`,
    ...(inv ? [`  ${inv.statement}`] : []),
    `  at step ${f.step}: ${formatAction(u, f.action)}`,
    `  ${f.message}`,
  ];
  const w = f.witness;
  if (w.replicas?.length) lines.push(`  replicas: ${w.replicas.map((i) => `r${i}`).join(', ')}`);
  if (w.clients?.length) lines.push(`  clients: ${w.clients.map((c) => `c${c}`).join(', ')}`);
  if (w.view !== undefined) lines.push(`  view: ${w.view}`);
  if (w.n !== undefined) lines.push(`  sequence number: ${w.n}`);
  for (const m of w.messages ?? []) lines.push(`  message: ${formatMessage(u, m)}`);
  if (w.detail) lines.push(`  ${w.detail}`);
  return lines.join('\n');
}
