// Chain mode: A drives S' through G (Theorem A.1.19), and every step S' takes drives S through F
// (Theorem A.1.14), in lockstep, so that one run of A checks both simulations. (A_gc → A through H,
// Theorem A.2.5, is the next link.)
import type { Action } from '../automata/actions.ts';
import type { SystemState } from '../automata/compose.ts';
import type { Universe } from '../automata/universe.ts';
import { FSimulation, type SimulationFinding } from './paired-f.ts';
import { GSimulation } from './paired-g.ts';

export class ChainSimulation {
  readonly g: GSimulation;
  readonly f: FSimulation;
  private fFindings: SimulationFinding[] = [];
  /** Abstract steps taken by S' and S so far. */
  abstractSteps = 0;

  constructor(u: Universe) {
    this.g = new GSimulation(u);
    this.f = new FSimulation(u);
    this.g.onAbstractStep = (k, b, y) => {
      this.abstractSteps++;
      this.fFindings.push(...this.f.step(k, b, y));
    };
  }

  /** The start conditions of G and F. */
  start(x0: SystemState): SimulationFinding[] {
    return [...this.g.start(x0), ...this.f.start(this.g.y)];
  }

  before(k: number, pi: Action, x: SystemState): void {
    this.g.before(k, pi, x);
  }

  /** A took step π (index k): S' follows through G's correspondence, S through F's; check both. */
  after(k: number, pi: Action, x: SystemState): SimulationFinding[] {
    this.fFindings = [];
    const found = this.g.after(k, pi, x);
    return [...found, ...this.fFindings];
  }
}
