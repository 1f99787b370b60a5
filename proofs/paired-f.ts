// Paired simulation of S' and S through F (Theorem A.1.14): S' takes steps; S follows by the
// step correspondence. After every step: (i) every step of α is enabled in S in turn, (ii) the
// external trace of α equals that of π, (iii) F holds on the new pair. Also the start condition.
import { cloneSpec, initialSpec, specPre, specStep, type SpecAction, type SpecState } from '../automata/spec.ts';
import type { SpecHistAction, SpecHistState } from '../automata/spec-hist.ts';
import type { Universe } from '../automata/universe.ts';
import { fClauses, fFragment } from './f.ts';
import { externalLabel, showAbstract } from './labels.ts';
import { failingClauses, type Clause } from './relation.ts';

/** What went wrong at a step of a paired simulation. */
export interface SimulationFinding {
  /** 'start', 'enabled', 'trace', or the failing clause's id ('F(3)'). */
  id: string;
  /** Index of the concrete step, or -1 for the start condition. */
  step: number;
  concrete: string;
  fragment: string[];
  message: string;
}

export class FSimulation {
  readonly y: SpecState;
  private readonly clauses: Clause<SpecHistState, SpecState>[];

  constructor(
    private readonly u: Universe,
    literal = u.config.readings.literalF,
    /** The step correspondence; tests substitute a wrong one to see it reported. */
    private readonly fragment: (a: SpecHistAction) => SpecAction[] = fFragment,
  ) {
    this.y = initialSpec(u);
    this.clauses = fClauses(u, literal);
  }

  /** Start condition: F relates the start states (S has a single start state). */
  start(x0: SpecHistState): SimulationFinding[] {
    return failingClauses(this.clauses, x0, this.y).map((f) => ({ id: f.id, step: -1, concrete: 'start', fragment: [], message: f.message }));
  }

  /** S' took step π (index k) and is now in x: let S follow and check. */
  step(k: number, pi: SpecHistAction, x: SpecHistState): SimulationFinding[] {
    const alpha = this.fragment(pi);
    const at = (id: string, message: string): SimulationFinding => ({ id, step: k, concrete: showAbstract(pi), fragment: alpha.map(showAbstract), message });
    for (const b of alpha) {
      if (!specPre(this.u, this.y, b)) return [at('enabled', `${showAbstract(b)} is not enabled in S`)];
      specStep(this.u, this.y, b);
    }
    const want = externalLabel(pi);
    const got = alpha.map(externalLabel).filter((l): l is string => l !== null);
    if (!(want === null ? got.length === 0 : got.length === 1 && got[0] === want))
      return [at('trace', `trace(α) = ⟨${got.join(', ')}⟩ but trace(π) = ⟨${want ?? ''}⟩`)];
    return failingClauses(this.clauses, x, this.y).map((f) => at(f.id, f.message));
  }

  /** A copy of S's state, for reports. */
  snapshot(): SpecState {
    return cloneSpec(this.y);
  }
}

