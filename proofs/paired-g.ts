// Paired simulation of A' and S' through G (Theorem A.1.19): the composed system A (replicas
// without garbage collection, Appendix A.1) takes steps; S' follows by the step correspondence.
// After every step: (i) every step of α is enabled in S' in turn, (ii) the external trace of α
// equals that of π (A' hides everything but REQUEST, CLIENT-FAILURE, REPLICA-FAILURE and REPLY),
// (iii) G holds on the new pair. Also the start condition.
//
// The correspondence reads the state before the step (x.last-exec_i, the faulty flags, the proxy's
// last-req_c), so a step is reported in two calls that fit the scheduler's hooks: before(k, π, x)
// with the state π applies to (runRandom's beforeStep), after(k, π, x') with the state it produced
// (runRandom's onStep).
//
// S' is defined only while n-faulty ≤ f (Def A.1.13). Once y.n-faulty > f its behaviour is
// unspecified ("for n-faulty > f any relation will do", proof of Theorem A.1.19) and the model's S'
// has no step at all: the simulation stops following and reports nothing from then on.
//
// G is evaluated incrementally by default (gIncremental, proofs/g.ts: the cost of a step follows
// what it changed in x and y, not the run's length), with the same findings as the plain clauses
// (options.incremental = false). The changes of x come from its own DeltaTracker (each tracker has
// its own journal of each log), so an InvariantChecker may run on the same state.
import type { Action } from '../automata/actions.ts';
import type { SystemState } from '../automata/compose.ts';
import { formatAction } from '../automata/format.ts';
import {
  cloneSpecHist,
  initialSpecHist,
  specHistDefined,
  specHistPre,
  specHistStep,
  type SpecHistAction,
  type SpecHistState,
} from '../automata/spec-hist.ts';
import type { Universe } from '../automata/universe.ts';
import { DeltaTracker } from '../invariants/delta.ts';
import {
  gClauses,
  gFragment,
  gIncremental,
  preState,
  SpecTracker,
  type GFragment,
  type GIncremental,
  type PreState,
} from './g.ts';
import { externalLabel, externalLabelA, showAbstract } from './labels.ts';
import type { SimulationFinding } from './paired-f.ts';
import { failingClauses, type Clause, type ClauseFailure } from './relation.ts';

export interface GSimulationOptions {
  /** Evaluate G incrementally (default), or with the plain clauses (false). The findings are the same. */
  incremental?: boolean;
}

export class GSimulation {
  /** The state of S', for reports and for chaining (feed the steps of α to an FSimulation). */
  readonly y: SpecHistState;
  /** α of the last step (empty before the first). */
  alpha: SpecHistAction[] = [];
  /** The index of the first step after which S' was undefined (y.n-faulty > f), or null. */
  undefinedFrom: number | null = null;
  /** Called after each step of α is applied to y (e.g. FSimulation.step, for the chain A' → S' → S). */
  onAbstractStep?: (k: number, b: SpecHistAction, y: SpecHistState) => void;

  private readonly clauses: Clause<SystemState, SpecHistState>[];
  /** The incremental evaluation of G and what it reads the changes from, or null for the plain one. */
  readonly incremental: GIncremental | null;
  private readonly xChanges = new DeltaTracker();
  private readonly yChanges = new SpecTracker();
  private pending: { k: number; pre: PreState } | null = null;

  constructor(
    private readonly u: Universe,
    literal = u.config.readings.literalG ?? false,
    /** The step correspondence; tests substitute a wrong one to see it reported. */
    private readonly fragment: GFragment = gFragment(literal),
    options: GSimulationOptions = {},
  ) {
    this.y = initialSpecHist(u);
    this.clauses = gClauses(u, literal);
    this.incremental = options.incremental === false ? null : gIncremental(u, literal);
  }

  /** The clauses of G that fail on (x, y). */
  private evaluate(x: SystemState): ClauseFailure[] {
    if (this.incremental === null) return failingClauses(this.clauses, x, this.y);
    return this.incremental.check(x, this.y, this.xChanges.next(x), this.yChanges.next(this.y));
  }

  /** Start condition: G relates the start state of A' to the (single) start state of S'. */
  start(x0: SystemState): SimulationFinding[] {
    return this.evaluate(x0).map((f) => ({ id: f.id, step: -1, concrete: 'start', fragment: [], message: f.message }));
  }

  /** A' is about to take step π (index k) from x: remember what the correspondence reads. */
  before(k: number, _pi: Action, x: SystemState): void {
    this.pending = { k, pre: preState(x) };
  }

  /** A' took step π (index k) and is now in x: let S' follow and check. */
  after(k: number, pi: Action, x: SystemState): SimulationFinding[] {
    const pending = this.pending;
    if (pending === null || pending.k !== k) throw new Error(`GSimulation.after(${k}) without before(${k})`);
    this.pending = null;
    if (this.undefinedFrom !== null) return [];
    if (!specHistDefined(this.u, this.y)) {
      this.undefinedFrom = k;
      this.alpha = [];
      return [];
    }
    const alpha = this.fragment(pi, pending.pre, this.y);
    this.alpha = alpha;
    const at = (id: string, message: string): SimulationFinding => ({
      id,
      step: k,
      concrete: formatAction(this.u, pi),
      fragment: alpha.map(showAbstract),
      message,
    });
    for (const b of alpha) {
      if (!specHistPre(this.u, this.y, b)) return [at('enabled', `${showAbstract(b)} is not enabled in S′`)];
      specHistStep(this.u, this.y, b);
      this.onAbstractStep?.(k, b, this.y);
    }
    const want = externalLabelA(pi);
    const got = alpha.map(externalLabel).filter((l): l is string => l !== null);
    if (!(want === null ? got.length === 0 : got.length === 1 && got[0] === want))
      return [at('trace', `trace(α) = ⟨${got.join(', ')}⟩ but trace(π) = ⟨${want ?? ''}⟩`)];
    return this.evaluate(x).map((f) => at(f.id, f.message));
  }

  /** A copy of S′'s state, for reports. */
  snapshot(): SpecHistState {
    return cloneSpecHist(this.y);
  }
}
