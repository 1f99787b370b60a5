// Stand-ins for faulty nodes. After REPLICA-FAILURE_i (or CLIENT-FAILURE_c) the node "is
// replaced by an arbitrary automaton with the same external interface" (Section 2.4.2). A
// stand-in receives the node's inputs and proposes the node's outputs. Its only limit is
// unforgeability: the messages it may send are those it signs itself or has seen; the
// composition checks that (compose.ts, `standInMaySend`).
import type { Action } from './actions.ts';
import type { Message } from './messages.ts';
import type { SystemState } from './compose.ts';
import type { Rng } from './enabled.ts';
import type { Universe } from './universe.ts';

export interface StandIn {
  /** A short name for reports. */
  readonly name: string;
  /** Input RECEIVE(m) delivered to the faulty node. */
  receive(m: Message): void;
  /**
   * Some SEND actions this faulty node would take now, in a stable order (x is the node itself):
   * a bounded list for listings of every enabled action.
   */
  proposals(u: Universe, s?: SystemState): Action[];
  /** One SEND drawn at random from everything this node may send (random walks); null if none. */
  draw?(u: Universe, s: SystemState, rng: Rng): Action | null;
  /** An independent copy, for branching executions. */
  clone(): StandIn;
}

/** Which node a stand-in replaces: replica i is node i, client c is node |R| + c. */
export type StandInFactory = (u: Universe, node: number) => StandIn;

/** The simplest arbitrary automaton: it stops (a crash). It takes every input and sends nothing. */
export class SilentStandIn implements StandIn {
  readonly name = 'silent';
  receive(): void {}
  proposals(): Action[] {
    return [];
  }
  clone(): StandIn {
    return this;
  }
}

export const silentStandIns: StandInFactory = () => new SilentStandIn();
