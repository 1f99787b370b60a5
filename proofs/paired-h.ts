// Paired simulation of A'_gc and A' through H (Theorem A.2.5): the composed system A_gc takes
// steps; a copy of A (the same configuration, replicas of Appendix A.1, one interner) follows by
// the step correspondence (h-fragment.ts). After every step: (i) every action of α is enabled in
// A' in turn, (ii) the external trace of α equals that of π (A'_gc and A' hide everything but
// REQUEST, CLIENT-FAILURE, REPLICA-FAILURE and REPLY), (iii) H holds on the new pair. Also the
// start condition: the start states are related.
//
// The correspondence reads the state before the step (the replicas' last-exec, whether a
// new-view is accepted), so a step is reported in two calls that fit the scheduler's hooks:
// before(k, π, x) and after(k, π, x'), as for G (paired-g.ts).
//
// H "only needs to hold when n-faulty ≤ f" (Def A.2.6): once more than f replicas of x are
// faulty the simulation stops following and reports nothing from then on.
//
// Every action of α is passed to the hooks (beforeAbstract, afterAbstract), so that the chain
// A_gc → A → S' → S drives G with them (chain.ts).
import type { Action } from '../automata/actions.ts';
import { initialSystem, step, whyDisabled, type SystemState } from '../automata/compose.ts';
import { formatAction } from '../automata/format.ts';
import type { Universe } from '../automata/universe.ts';
import { HConsistency, hReadings, Translation } from './h-consistency.ts';
import { FragmentUndefined, hFragment, hPreState, type HFragmentContext, type HPreState } from './h-fragment.ts';
import { hIncremental, type HIncremental } from './h-incremental.ts';
import { hClauses } from './h.ts';
import { WireOIndex } from './h-wire-index.ts';
import { externalLabelA } from './labels.ts';
import type { SimulationFinding } from './paired-f.ts';
import { failingClauses, type Clause, type ClauseFailure } from './relation.ts';

export interface HSimulationOptions {
  /** Every literal form of H and its correspondence (ERRATA E12-E21); default: the configuration's readings. */
  literal?: boolean;
  /** Evaluate H incrementally (default), or with the plain clauses (false). The findings are the same. */
  incremental?: boolean;
  /** Only these clauses of H (ids such as 'H(2)'); default: all. */
  clauses?: readonly string[];
  /** The step correspondence; tests substitute a wrong one to see it reported. */
  fragment?: typeof hFragment;
}

export class HSimulation {
  /** A's universe (the same configuration with variant A, sharing the interner). */
  readonly uy: Universe;
  /** The state of A'. */
  readonly y: SystemState;
  readonly hc: HConsistency;
  /** α of the last step (empty before the first). */
  alpha: Action[] = [];
  /** The index of the first step after which H no longer had to hold (n-faulty > f), or null. */
  undefinedFrom: number | null = null;
  /** Called before and after each action of α is applied to y (for the chain: G follows A'). */
  beforeAbstract?: (b: Action, y: SystemState) => void;
  afterAbstract?: (b: Action, y: SystemState) => SimulationFinding[];

  private readonly clauses: Clause<SystemState, SystemState>[];
  private readonly incremental: HIncremental | null;
  private readonly ctx: HFragmentContext;
  private readonly fragment: typeof hFragment;
  private pending: { k: number; pre: HPreState } | null = null;

  constructor(
    private readonly u: Universe,
    options: HSimulationOptions = {},
  ) {
    if (u.config.variant !== 'Agc') throw new Error('relation H relates A_gc (the concrete automaton) to A');
    const literal = hReadings(u.config.readings, options.literal ?? false);
    this.uy = u.withVariant('A');
    this.y = initialSystem(this.uy);
    this.hc = new HConsistency(u, this.uy, literal);
    const all = hClauses(this.hc);
    const chosen = options.clauses;
    this.clauses = chosen === undefined ? all : all.filter((c) => chosen.includes(c.id));
    this.incremental = options.incremental === false ? null : hIncremental(this.hc, this.clauses.map((c) => c.id));
    this.ctx = { hc: this.hc, tr: new Translation(this.hc), wireO: new WireOIndex(u, !literal.catchUp) };
    this.fragment = options.fragment ?? hFragment;
  }

  /** The clauses of H that fail on (x, y). */
  private evaluate(x: SystemState): ClauseFailure[] {
    if (this.incremental === null) return failingClauses(this.clauses, x, this.y);
    return this.incremental.check(x, this.y);
  }

  /** Start condition: H relates the start state of A'_gc to the start state of A'. */
  start(x0: SystemState): SimulationFinding[] {
    return this.evaluate(x0).map((f) => ({ id: f.id, step: -1, concrete: 'start', fragment: [], message: f.message }));
  }

  before(k: number, pi: Action, x: SystemState): void {
    this.pending = { k, pre: hPreState(this.hc, pi, x) };
  }

  /** A'_gc took step π (index k) and is now in x: let A' follow and check. */
  after(k: number, pi: Action, x: SystemState): SimulationFinding[] {
    const pending = this.pending;
    if (pending === null || pending.k !== k) throw new Error(`HSimulation.after(${k}) without before(${k})`);
    this.pending = null;
    if (this.undefinedFrom !== null) return [];
    if (x.replicas.filter((r) => r.faulty).length > this.u.f) {
      this.undefinedFrom = k;
      this.alpha = [];
      return [];
    }
    const alpha: Action[] = [];
    this.alpha = alpha;
    const at = (id: string, message: string): SimulationFinding => ({
      id,
      step: k,
      concrete: formatAction(this.u, pi),
      fragment: alpha.map((b) => formatAction(this.uy, b)),
      message,
    });
    // Findings of the simulations A' drives (the chain) do not stop α: A' must stay in step with
    // A'_gc for H to be judged at this step and later ones.
    const downstream: SimulationFinding[] = [];
    try {
      for (const b of this.fragment(this.ctx, pi, pending.pre, x, this.y)) {
        alpha.push(b);
        const why = whyDisabled(this.uy, this.y, b);
        if (why !== null) return [...downstream, at('enabled', `${formatAction(this.uy, b)} is not enabled in A′: ${why}`)];
        this.beforeAbstract?.(b, this.y);
        step(this.uy, this.y, b);
        for (const f of this.afterAbstract?.(b, this.y) ?? [])
          downstream.push(at(f.id, `${f.message} (at A′'s step ${f.concrete}${f.fragment.length > 0 ? `, fragment ⟨${f.fragment.join(', ')}⟩` : ''})`));
      }
    } catch (e) {
      if (e instanceof FragmentUndefined) return [...downstream, at('enabled', e.message)];
      throw e;
    }
    const want = externalLabelA(pi);
    const got = alpha.map(externalLabelA).filter((l): l is string => l !== null);
    if (!(want === null ? got.length === 0 : got.length === 1 && got[0] === want))
      return [...downstream, at('trace', `trace(α) = ⟨${got.join(', ')}⟩ but trace(π) = ⟨${want ?? ''}⟩`)];
    return [...downstream, ...this.evaluate(x).map((f) => at(f.id, f.message))];
  }
}
