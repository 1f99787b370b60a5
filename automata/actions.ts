// Actions are data (DESIGN.md, principle 2): one discriminated union for the composed system
// A = proxies ∥ MC ∥ replicas (Fig 2-3). An execution is a list of these.
//
// Nodes 𝒳 = 𝒞 ∪ ℛ are numbered for destination masks: replica i is node i, client c is node |R|+c.
// Where the thesis's action label leaves a choice open (which (m, X) ∈ wire a RECEIVE takes, which
// stable certificate a COLLECT-GARBAGE uses), the action records the choice so that it is replayable.
import type { Digest } from './digests.ts';
import type { Message, Request, ViewChange, Payload } from './messages.ts';
import type { Result } from './services.ts';

export type Action =
  // Inputs of A (Fig 2-4)
  | { readonly kind: 'REQUEST'; readonly o: string; readonly c: number }
  | { readonly kind: 'CLIENT-FAILURE'; readonly c: number }
  | { readonly kind: 'REPLICA-FAILURE'; readonly i: number }
  // Output of A (Fig 2-4), from the proxy (Fig 2-7)
  | { readonly kind: 'REPLY'; readonly r: Result; readonly c: number }
  // SEND(m, X)_x: output of proxy or replica x, input of MC (Fig 2-5, 2-7, 2-10)
  | { readonly kind: 'SEND'; readonly x: number; readonly m: Message; readonly X: number }
  // RECEIVE(m)_x: output of MC, taking the element (m, X) of wire; input of node x
  | { readonly kind: 'RECEIVE'; readonly x: number; readonly m: Message; readonly X: number }
  // MISBEHAVE(m, X, X'): internal to MC (Fig 2-5)
  | { readonly kind: 'MISBEHAVE'; readonly m: Message; readonly X: number; readonly X2: number }
  // Internal actions of replica i (Figs 2-11, 2-12, 2-13; A.1)
  | { readonly kind: 'SEND-PRE-PREPARE'; readonly m: Request; readonly v: number; readonly n: number; readonly i: number }
  | { readonly kind: 'SEND-COMMIT'; readonly m: Payload; readonly v: number; readonly n: number; readonly i: number }
  | { readonly kind: 'EXECUTE'; readonly m: Payload; readonly v: number; readonly n: number; readonly i: number }
  | { readonly kind: 'SEND-VIEW-CHANGE'; readonly v: number; readonly i: number }
  | { readonly kind: 'SEND-NEW-VIEW'; readonly v: number; readonly V: readonly ViewChange[]; readonly i: number }
  | { readonly kind: 'COLLECT-GARBAGE'; readonly i: number; readonly n: number; readonly d: Digest };

export type ActionKind = Action['kind'];
export type ActionOf<K extends ActionKind> = Extract<Action, { kind: K }>;

export const ACTION_KINDS: readonly ActionKind[] = [
  'REQUEST',
  'CLIENT-FAILURE',
  'REPLICA-FAILURE',
  'REPLY',
  'SEND',
  'RECEIVE',
  'MISBEHAVE',
  'SEND-PRE-PREPARE',
  'SEND-COMMIT',
  'EXECUTE',
  'SEND-VIEW-CHANGE',
  'SEND-NEW-VIEW',
  'COLLECT-GARBAGE',
];

/** Replica internal actions. */
export type ReplicaInternal = ActionOf<'SEND-PRE-PREPARE' | 'SEND-COMMIT' | 'EXECUTE' | 'SEND-VIEW-CHANGE' | 'SEND-NEW-VIEW' | 'COLLECT-GARBAGE'>;

/** External signature of A and S (Fig 2-4): everything else is hidden in A' (Appendix A). */
export function isExternal(a: Action): boolean {
  return a.kind === 'REQUEST' || a.kind === 'CLIENT-FAILURE' || a.kind === 'REPLICA-FAILURE' || a.kind === 'REPLY';
}

/**
 * Hiding (Lynch's hide, as A' is A with the outputs outside S's signature hidden): the trace of an
 * execution fragment is its subsequence of external actions.
 */
export function externalTrace(actions: readonly Action[]): Action[] {
  return actions.filter(isExternal);
}
