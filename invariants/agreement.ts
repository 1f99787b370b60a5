// Agreement, with no hypothesis on the number of faults: non-faulty replicas that have executed
// up to the same sequence number hold the same ⟨val, last-rep, last-rep-t⟩ (the safety that
// Theorem A.2.5 gives clients: one order of execution). Invariants A.1.11 and the end-to-end
// property are stated "when n-faulty ≤ f" and say nothing beyond it; this monitor keeps judging,
// so that a run with f + 1 faulty replicas can show the bound is tight.
//
// A non-faulty replica's state at last-exec = n is recorded the first time one reaches n (by
// EXECUTE or by adopting a checkpoint through update-state-nv); a later one reaching n with a
// different state is a violation. Only replicas whose last-exec changed are looked at.
import type { Action } from '../automata/actions.ts';
import type { SystemState } from '../automata/compose.ts';
import type { CheckpointValue } from '../automata/messages.ts';
import type { Universe } from '../automata/universe.ts';
import { violation, type Violation } from './types.ts';

export const AGREEMENT_ID = 'AGREEMENT';
export const AGREEMENT_INFO = {
  id: AGREEMENT_ID,
  family: 'AGREEMENT',
  statement: 'non-faulty replicas at the same last-exec hold the same ⟨val, last-rep, last-rep-t⟩ (any number of faults)',
  ref: 'Section 2.2 (safety), the consequence of Theorem A.2.5',
} as const;

export class AgreementMonitor {
  private readonly at = new Map<number, { value: CheckpointValue; replica: number }>();
  private lastExec: number[];

  constructor(private readonly u: Universe) {
    this.lastExec = Array(u.n).fill(0);
  }

  observe(_a: Action, s: SystemState): Violation[] {
    const out: Violation[] = [];
    for (const r of s.replicas) {
      if (r.lastExec === this.lastExec[r.i]) continue;
      this.lastExec[r.i] = r.lastExec;
      if (r.faulty) continue;
      const value = this.u.interner.checkpointValue(r.val, r.lastRep, r.lastRepT);
      const first = this.at.get(r.lastExec);
      if (first === undefined) this.at.set(r.lastExec, { value, replica: r.i });
      else if (first.value !== value)
        out.push(
          violation(AGREEMENT_ID, `replicas ${first.replica} and ${r.i} reached last-exec = ${r.lastExec} with different states`, {
            replicas: [first.replica, r.i],
            n: r.lastExec,
          }),
        );
    }
    return out;
  }
}
