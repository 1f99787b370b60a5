// The protocol's replaceable parts: the auxiliary functions of Fig 2-9 (and A.1), the quorum sizes,
// the window and checkpoint rules, each replica action's precondition and effect, the proxy's reply
// rule and the unforgeability limit of the network. The automata call these through `u.proto`, one
// table per universe; a protocol variant (automata/variant.ts) replaces or wraps entries of it.
// The default table is the thesis's text (with the corrected readings of ERRATA.md).
//
// The invariants and relations never read this table: they judge with their own reference
// implementations (invariants/reference/), so a variant changes the judged, not the judge.
import type { ReplicaInternal } from './actions.ts';
import type { Message, NewView, Payload, PrePrepare, Reply, ViewChange } from './messages.ts';
import type { MessageSet } from './message-set.ts';
import type { ProxyState } from './proxy.ts';
import type { ReplicaState } from './replica-state.ts';
import type { Result } from './services.ts';
import type { SystemState } from './compose.ts';
import type { Universe } from './universe.ts';

/** The quorum sizes the protocol counts with (Section 2.3; each default is the thesis's). */
export interface Quorums {
  /** prepared (Fig 2-9): prepares from this many replicas other than the primary. Default 2f. */
  prepare: number;
  /** committed (Fig 2-9): commits from this many replicas. Default 2f + 1. */
  commit: number;
  /** |V| of a new-view (Fig 2-9 correct-new-view, Fig 2-13 SEND-NEW-VIEW). Default 2f + 1. */
  newView: number;
  /** a stable checkpoint's certificate, "|R| > f" (Fig 2-9 correct-view-change, Fig 2-11). Default f + 1. */
  stableCheckpoint: number;
  /** the proxy's reply certificate, "|R| > f" (Fig 2-7 REPLY). Default f + 1. */
  reply: number;
}

export type ReplicaActionKind = ReplicaInternal['kind'];
export type MessageTag = Message['tag'];

export type PreFn = (u: Universe, st: ReplicaState, a: ReplicaInternal) => boolean;
export type EffFn = (u: Universe, st: ReplicaState, a: ReplicaInternal) => void;
export type ReceiveFn = (u: Universe, st: ReplicaState, m: Message) => void;

/** One universe's protocol: every part a variant may change. */
export interface Protocol {
  quorums: Quorums;
  /** prepared(m, v, n, M) (Fig 2-9, A.1) */
  prepared(u: Universe, m: Payload, v: number, n: number, M: MessageSet): boolean;
  /** last-prepared(m, v, n, M) (Fig 2-9, A.1) */
  lastPrepared(u: Universe, m: Payload, v: number, n: number, M: MessageSet): boolean;
  /** committed(m, v, n, i) (Fig 2-9, A.1), over replica i's log in_i */
  committed(u: Universe, m: Payload, v: number, n: number, inI: MessageSet): boolean;
  /** correct-view-change(m, v, j) with v and j the message's own (Fig 2-9, A.1) */
  correctViewChange(u: Universe, m: ViewChange): boolean;
  /** correct-new-view(m, v) with v the message's own (Fig 2-9, A.1) */
  correctNewView(u: Universe, m: NewView): boolean;
  /** The sets O and N a primary computes from V for view v (Fig 2-13, A.1 SEND-NEW-VIEW) */
  computeON(u: Universe, v: number, V: readonly Message[], signer: number): { O: PrePrepare[]; N: PrePrepare[] };
  /** in-w(n, i) ≡ 0 < n − h_i ≤ L (Fig 2-9, A_gc's window) */
  inW(u: Universe, st: ReplicaState, n: number): boolean;
  /** take-chkpt(n) ≡ (n mod chkpt-int) = 0 (Fig 2-9) */
  takeChkpt(u: Universe, n: number): boolean;
  /** The results r with a reply certificate at proxy p (Fig 2-7 REPLY's precondition) */
  certifiedResults(u: Universe, p: ProxyState): Result[];
  /** RECEIVE(⟨REPLY, …⟩)_c of the proxy (Fig 2-7) */
  proxyReceive(u: Universe, p: ProxyState, m: Reply): void;
  /** The effect of REPLY(r)_c of the proxy (Fig 2-7) */
  proxyReply(u: Universe, p: ProxyState, r: Result): void;
  /**
   * The network's limit on faulty nodes beyond "seen or signed by itself" (Sections 2.1, 2.4.2):
   * whether faulty node x may forge m, a message signed by another node. Default: never.
   */
  mayForge(u: Universe, s: SystemState, x: number, m: Message): boolean;
  /** Precondition and effect of each replica internal action (Figs 2-11..2-13, A.1) */
  pre: PreFn;
  eff: EffFn;
  /** RECEIVE(m)_i of a correct replica (Figs 2-11..2-13, A.1) */
  receive: ReceiveFn;
}

/** The protocol as the thesis writes it, for one replica kind; built by automata/protocol-base.ts. */
export type BaseProtocol = Omit<Protocol, 'quorums'>;

/** The thesis's quorum sizes for f. */
export function thesisQuorums(f: number): Quorums {
  return { prepare: 2 * f, commit: 2 * f + 1, newView: 2 * f + 1, stableCheckpoint: f + 1, reply: f + 1 };
}
