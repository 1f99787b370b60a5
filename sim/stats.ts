// Counters of what a run did, observed from outside the automata (before and after each step).
import type { Action } from '../automata/actions.ts';
import type { SystemState } from '../automata/compose.ts';
import { h } from '../automata/replica-state.ts';
import type { Universe } from '../automata/universe.ts';

export class RunStats {
  steps = 0;
  requestsIssued = 0;
  requestsCompleted = 0;
  executions = 0;
  viewChangesSent = 0;
  newViewsSent = 0;
  checkpointsTaken = 0;
  /** COLLECT-GARBAGE steps that advanced a replica's stable checkpoint h_i. */
  checkpointsMadeStable = 0;
  /** COLLECT-GARBAGE steps that discarded at least one message or checkpoint. */
  garbageCollections = 0;
  private hBefore = 0;
  private sizeBefore = 0;

  constructor(private readonly u: Universe) {}

  before(s: SystemState, a: Action): void {
    if (a.kind === 'COLLECT-GARBAGE') {
      const r = s.replicas[a.i]!;
      this.hBefore = h(r);
      this.sizeBefore = r.in.size + r.chkpts.length;
    }
  }

  after(s: SystemState, a: Action): void {
    this.steps++;
    switch (a.kind) {
      case 'REQUEST':
        this.requestsIssued++;
        break;
      case 'REPLY':
        this.requestsCompleted++;
        break;
      case 'EXECUTE':
        this.executions++;
        if (this.u.config.variant === 'Agc' && a.n % this.u.config.chkptInt === 0) this.checkpointsTaken++;
        break;
      case 'SEND-VIEW-CHANGE':
        this.viewChangesSent++;
        break;
      case 'SEND-NEW-VIEW':
        this.newViewsSent++;
        break;
      case 'COLLECT-GARBAGE': {
        const r = s.replicas[a.i]!;
        if (h(r) > this.hBefore) this.checkpointsMadeStable++;
        if (r.in.size + r.chkpts.length < this.sizeBefore) this.garbageCollections++;
        break;
      }
      default:
        break;
    }
  }

  /** The highest view a non-faulty replica has reached in s. */
  static viewsReached(s: SystemState): number {
    return Math.max(0, ...s.replicas.filter((r) => !r.faulty).map((r) => r.view));
  }
}
