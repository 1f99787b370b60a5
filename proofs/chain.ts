// Chain mode: the whole safety proof of Appendix A run in lockstep. For A: A drives S' through G
// (Theorem A.1.19), and every step S' takes drives S through F (Theorem A.1.14). For A_gc: A_gc
// drives a copy of A through H (Theorem A.2.5), every action of that copy drives S' through G and
// S through F, and the invariants of A (A.1.x and the end-to-end property) are evaluated on the
// copy after each of its steps — so one run of A_gc checks the proof of Theorem A.2.5 end to end.
import type { Action } from '../automata/actions.ts';
import type { SystemState } from '../automata/compose.ts';
import { formatAction } from '../automata/format.ts';
import type { Universe } from '../automata/universe.ts';
import { InvariantChecker } from '../invariants/check.ts';
import { systemInvariants } from '../invariants/registry.ts';
import type { SystemInvariant } from '../invariants/types.ts';
import { FSimulation, type SimulationFinding } from './paired-f.ts';
import { GSimulation } from './paired-g.ts';
import { HSimulation } from './paired-h.ts';

export interface ChainOptions {
  /**
   * Which relations' clauses to check: relation names ('F', 'G', 'H') or clause ids ('H(2)').
   * Default: all. The simulations still follow (and check enabledness and traces) either way.
   */
  relations?: readonly string[];
  /** The invariants evaluated on A's copy when the concrete automaton is A_gc (default: all of A's). */
  copyInvariants?: readonly SystemInvariant[];
}

/** The relations a chain checks for a variant, outermost first. */
export function chainRelations(u: Universe): string[] {
  return u.config.variant === 'Agc' ? ['H (A_gc to A, with A\'s invariants on the copy)', 'G (A to S′)', 'F (S′ to S)'] : ['G (A to S′)', 'F (S′ to S)'];
}

export class ChainSimulation {
  /** H, when the concrete automaton is A_gc. */
  readonly h: HSimulation | null;
  readonly g: GSimulation;
  readonly f: FSimulation;
  /** The invariants of A on the copy that H drives (A_gc only). */
  readonly copyChecker: InvariantChecker | null;
  /** Abstract steps taken by A's copy, S' and S so far. */
  abstractSteps = 0;
  private fFindings: SimulationFinding[] = [];
  private copyIndex = 0;
  /** Whether a finding or clause id is one --relations asks for (every id that is not a clause's is). */
  readonly wanted: (id: string) => boolean;

  constructor(u: Universe, options: ChainOptions = {}) {
    const rel = options.relations;
    this.wanted = (id) => rel === undefined || !/^[FGH]\(/.test(id) || rel.some((r) => r === id || id.startsWith(`${r}(`));
    const hClauses = rel === undefined ? undefined : ['1', '2', '3', '4', '5', '6', '7'].map((k) => `H(${k})`).filter(this.wanted);
    this.h = u.config.variant === 'Agc' ? new HSimulation(u, { clauses: hClauses }) : null;
    const ua = this.h?.uy ?? u;
    this.g = new GSimulation(ua);
    this.f = new FSimulation(ua);
    this.g.onAbstractStep = (k, b, y) => {
      this.abstractSteps++;
      this.fFindings.push(...this.f.step(k, b, y));
    };
    this.copyChecker = this.h === null ? null : new InvariantChecker(ua, { invariants: options.copyInvariants ?? systemInvariants(ua.config.readings) });
    if (this.h !== null) {
      const h = this.h;
      h.beforeAbstract = (b, y) => this.g.before(this.copyIndex, b, y);
      h.afterAbstract = (b, y) => {
        const k = this.copyIndex++;
        this.abstractSteps++;
        const found = this.gAfter(k, b, y);
        for (const v of this.copyChecker!.afterStep(k, b, y))
          found.push({ id: v.id, step: k, concrete: formatAction(ua, b), fragment: [], message: `on A's copy: ${v.message}` });
        return found;
      };
    }
  }

  private gAfter(k: number, pi: Action, x: SystemState): SimulationFinding[] {
    this.fFindings = [];
    const found = this.g.after(k, pi, x);
    return [...found, ...this.fFindings].filter((f) => this.wanted(f.id));
  }

  /** The start conditions of every relation in the chain. */
  start(x0: SystemState): SimulationFinding[] {
    const a0 = this.h?.y ?? x0;
    return [...(this.h?.start(x0) ?? []), ...this.g.start(a0), ...this.f.start(this.g.y)].filter((f) => this.wanted(f.id));
  }

  before(k: number, pi: Action, x: SystemState): void {
    if (this.h !== null) this.h.before(k, pi, x);
    else this.g.before(k, pi, x);
  }

  /** The concrete automaton took step π (index k): every abstract automaton follows; check all. */
  after(k: number, pi: Action, x: SystemState): SimulationFinding[] {
    // With H, the findings of G, F and the copy's invariants come back through afterAbstract and
    // are reported at the step of A_gc that caused them.
    return this.h === null ? this.gAfter(k, pi, x) : this.h.after(k, pi, x);
  }
}
