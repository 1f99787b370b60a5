// Counters of what a run did, observed from outside the automata (before and after each step).
import type { Action } from '../automata/actions.ts';
import type { SystemState } from '../automata/compose.ts';
import { h } from '../automata/replica-state.ts';
import type { Universe } from '../automata/universe.ts';
import type { RunReach } from './search-reach.ts';

/**
 * Whether step a, taken in s, made progress: a correct replica executed a request, or a non-faulty
 * client output its reply (the measure of reach; the scheduler's timer, sim/drawer.ts, also
 * restarts on null executions).
 */
export function isProgress(s: SystemState, a: Action): boolean {
  return (a.kind === 'EXECUTE' && a.m?.tag === 'REQUEST' && !s.replicas[a.i]!.faulty) || (a.kind === 'REPLY' && !s.proxies[a.c]!.faulty);
}

/** Whether a run of `steps` steps whose last progress was at step `lastProgress` (-1: none) progressed in its second half. */
export function progressedInSecondHalf(lastProgress: number, steps: number): boolean {
  return steps > 0 && lastProgress >= Math.floor(steps / 2);
}

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
  /**
   * Reach: the step index of the last step that made progress (a correct replica executed a
   * request, or a non-faulty client output its reply), or -1; and how many steps had a correct
   * replica adopt a state through update-state-nv (Fig 2-9: last-exec_i rose without EXECUTE).
   */
  lastProgress = -1;
  stateAdoptions = 0;
  private hBefore = 0;
  private sizeBefore = 0;
  private lastExecBefore = 0;

  constructor(private readonly u: Universe) {}

  before(s: SystemState, a: Action): void {
    const adopter = this.adopter(s, a);
    if (adopter >= 0) this.lastExecBefore = s.replicas[adopter]!.lastExec;
    if (a.kind === 'COLLECT-GARBAGE') {
      const r = s.replicas[a.i]!;
      this.hBefore = h(r);
      this.sizeBefore = r.in.size + r.chkpts.length;
    }
  }

  after(s: SystemState, a: Action): void {
    this.steps++;
    const adopter = this.adopter(s, a);
    if (adopter >= 0 && s.replicas[adopter]!.lastExec > this.lastExecBefore) this.stateAdoptions++;
    if (isProgress(s, a)) this.lastProgress = this.steps - 1;
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

  /** The correct replica whose update-state-nv action a may run (Fig 2-9), or -1. */
  private adopter(s: SystemState, a: Action): number {
    if (a.kind === 'SEND-NEW-VIEW') return s.replicas[a.i]!.faulty ? -1 : a.i;
    if (a.kind === 'RECEIVE' && a.m.tag === 'NEW-VIEW' && a.x < this.u.n) return s.replicas[a.x]!.faulty ? -1 : a.x;
    return -1;
  }

  /** Whether a step in the second half of the run's `steps` steps made progress. */
  progressedInSecondHalf(steps = this.steps): boolean {
    return progressedInSecondHalf(this.lastProgress, steps);
  }

  /** The run's reach after `steps` steps ending in s (sim/search-reach.ts). */
  reach(s: SystemState, steps = this.steps): RunReach {
    return { alive: this.progressedInSecondHalf(steps), adopted: this.stateAdoptions > 0, view: RunStats.viewsReached(s) };
  }

  /** The highest view a non-faulty replica has reached in s. */
  static viewsReached(s: SystemState): number {
    return Math.max(0, ...s.replicas.filter((r) => !r.faulty).map((r) => r.view));
  }
}
