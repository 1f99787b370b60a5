// The one source of randomness of a run: seedrandom's Alea generator, seeded explicitly.
import seedrandom from 'seedrandom';
import type { Rng } from '../automata/enabled.ts';

export class SeededRng implements Rng {
  private readonly next: () => number;
  constructor(readonly seed: string | number) {
    this.next = seedrandom.alea(String(seed));
  }
  /** Uniform in [0, 1). */
  float(): number {
    return this.next();
  }
  /** Uniform in 0..k-1. */
  int(k: number): number {
    if (!(k >= 1)) throw new RangeError(`int(${k}): k must be >= 1`);
    return Math.floor(this.next() * k);
  }
}
