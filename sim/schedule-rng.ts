// A schedule as the property-based search generates it: one 32-bit choice per step. The draws of
// step k (which family, which action, what a stand-in does) come from a small generator seeded by
// choice k alone, so a step's choice decides that step and nothing else: fast-check can shrink or
// drop one choice and the steps before it stay the same.
import type { Rng } from '../automata/enabled.ts';

export class ScheduleRng implements Rng {
  private k = 0;
  private state = 0;

  constructor(private readonly choices: readonly number[]) {
    this.seedStep();
  }

  /** Steps whose choice has been used. */
  get stepsTaken(): number {
    return this.k;
  }

  /** Whether every choice has been used (the run is over). */
  get exhausted(): boolean {
    return this.k >= this.choices.length;
  }

  /** Moves on to the next step's choice. */
  nextStep(): void {
    this.k++;
    this.seedStep();
  }

  float(): number {
    // mulberry32 (public domain), one 32-bit output per draw.
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(k: number): number {
    if (!(k >= 1)) throw new RangeError(`int(${k}): k must be >= 1`);
    return Math.floor(this.float() * k);
  }

  private seedStep(): void {
    this.state = (this.choices[this.k] ?? 0) | 0;
  }
}
