// A Byzantine replica: after REPLICA-FAILURE_j, replica j "is replaced by an arbitrary automaton
// with the same external interface" (Section 2.4.2). Its only limit is unforgeability, enforced
// by the composition (compose.ts, standInMaySend): it may send, to any destinations, any message it
// signs itself with any field values within the configured bounds, and any message of others that
// the adversary has seen. The adversary sees everything sent (MC's wire, and what is nested in it).
//
// A random draw picks a tactic by weight, then the fields. Tactics (each a kind of message):
//   relay        resend any message seen on the wire (replay, redirection)
//   pre-prepare  ⟨PRE-PREPARE, v, n, m⟩σj for a view j leads, equivocating: the same v and n with
//                another request (or null) to another set of backups
//   prepare      ⟨PREPARE, v, n, d, j⟩σj for a seen pre-prepare, with its digest or another
//   commit       ⟨COMMIT, v, n, d, j⟩σj likewise
//   checkpoint   ⟨CHECKPOINT, v, n, d, j⟩σj at a checkpoint number, with a seen value's digest
//                (possibly another number's: a stale or lying checkpoint)
//   view-change  ⟨VIEW-CHANGE, v, n, s, C, P, j⟩σj built from a seen view-change's checkpoint
//                part, with P partial or padded with own pre-prepares (A_gc), or ⟨VIEW-CHANGE, v, P, j⟩σj (A)
//   new-view     ⟨NEW-VIEW, v, V, O, N⟩σj for a view j leads, from 2f + 1 seen view-changes, with
//                O and N as computed or crafted (a pre-prepare dropped, a null one added)
//   reply        ⟨REPLY, v, t, c, j, r⟩σj with a made-up result, to client c
//   back         collusion: a PREPARE or COMMIT for a pre-prepare a faulty replica sent, to the
//                backups it went to (all faulty replicas are one adversary and share a board)
import type { Action } from './actions.ts';
import { computeON } from './aux-functions.ts';
import { D } from './digests.ts';
import type { SystemState } from './compose.ts';
import type { StandIn } from './byzantine.ts';
import type { Rng } from './enabled.ts';
import type { CheckpointValue, Message, PrePrepare, Request, ViewChange, Payload } from './messages.ts';
import type { Universe } from './universe.ts';

export const REPLICA_TACTICS = ['relay', 'pre-prepare', 'prepare', 'commit', 'checkpoint', 'view-change', 'new-view', 'reply', 'back'] as const;
export type ReplicaTactic = (typeof REPLICA_TACTICS)[number];
export type TacticWeights = Readonly<Record<ReplicaTactic, number>>;

export const EVEN_TACTICS: TacticWeights = { relay: 1, 'pre-prepare': 1, prepare: 1, commit: 1, checkpoint: 1, 'view-change': 1, 'new-view': 1, reply: 1, back: 1 };

/** What the faulty replicas of one run tell each other: the pre-prepares they sent, and to whom. */
export class CollusionBoard {
  readonly prePrepares: { pp: PrePrepare; X: number }[] = [];
  post(pp: PrePrepare, X: number): void {
    this.prePrepares.push({ pp, X });
    if (this.prePrepares.length > 16) this.prePrepares.shift();
  }
}

/** What the adversary has learned from the wire, indexed for drawing fields. */
export class Knowledge {
  private seen = 0;
  readonly requests: Request[] = [];
  readonly prePrepares: PrePrepare[] = [];
  readonly viewChanges: ViewChange[] = [];
  readonly values: { n: number; s: CheckpointValue }[] = [];
  maxN = 0;
  maxView = 0;

  /** Reads what the adversary has seen since the last call (the wire's messages and what they carry). */
  sync(s: SystemState): void {
    for (const m of s.wire.seenSince(this.seen)) this.learn(m);
    this.seen = s.wire.seenCount;
  }

  private learn(m: Message): void {
    switch (m.tag) {
      case 'REQUEST':
        this.requests.push(m);
        break;
      case 'PRE-PREPARE':
        this.prePrepares.push(m);
        this.maxN = Math.max(this.maxN, m.n);
        this.maxView = Math.max(this.maxView, m.v);
        break;
      case 'VIEW-CHANGE':
        this.viewChanges.push(m);
        this.maxView = Math.max(this.maxView, m.v);
        if (m.gc !== null) this.values.push({ n: m.gc.n, s: m.gc.s });
        break;
      case 'PREPARE':
      case 'COMMIT':
      case 'CHECKPOINT':
        this.maxN = Math.max(this.maxN, m.n);
        this.maxView = Math.max(this.maxView, m.v);
        break;
      default:
        break;
    }
  }

  clone(): Knowledge {
    const k = new Knowledge();
    k.seen = this.seen;
    k.requests.push(...this.requests);
    k.prePrepares.push(...this.prePrepares);
    k.viewChanges.push(...this.viewChanges);
    k.values.push(...this.values);
    k.maxN = this.maxN;
    k.maxView = this.maxView;
    return k;
  }
}

const pick = <T>(rng: Rng, xs: readonly T[]): T | undefined => (xs.length === 0 ? undefined : xs[rng.int(xs.length)]);

export class ByzantineReplica implements StandIn {
  readonly name = 'byzantine';
  private knowledge = new Knowledge();
  /** Where the last 'back' message goes. */
  private backTo = 0;
  /** The last (v, n) this replica pre-prepared, reused to equivocate. */
  private lastPrePrepare: { v: number; n: number; m: Payload; X: number } | null = null;

  constructor(
    private readonly j: number,
    private readonly tactics: TacticWeights = EVEN_TACTICS,
    private readonly board: CollusionBoard = new CollusionBoard(),
  ) {}

  receive(): void {}

  /** A few sends for listings (every enabled action, the REPL): relays of the latest messages to all replicas. */
  proposals(u: Universe, s?: SystemState): Action[] {
    if (s === undefined) return [];
    const msgs = s.wire.messagesSince(Math.max(0, s.wire.messageCount - 4));
    return msgs.map((m): Action => ({ kind: 'SEND', x: this.j, m, X: u.allReplicas & ~u.replicaBit(this.j) }));
  }

  draw(u: Universe, s: SystemState, rng: Rng): Action | null {
    this.knowledge.sync(s);
    const total = REPLICA_TACTICS.reduce((t, k) => t + Math.max(0, this.tactics[k]), 0);
    if (total <= 0) return null;
    let x = rng.float() * total;
    let tactic: ReplicaTactic = 'relay';
    for (const k of REPLICA_TACTICS) {
      const w = Math.max(0, this.tactics[k]);
      if (x < w) {
        tactic = k;
        break;
      }
      x -= w;
    }
    const m = this.build(u, s, rng, tactic);
    if (m === null) return null;
    if (tactic === 'back' && this.backTo !== 0) return { kind: 'SEND', x: this.j, m, X: this.backTo };
    const X = m.tag === 'REPLY' ? u.clientBit(m.c) : this.destinations(u, rng, m);
    if (m.tag === 'PRE-PREPARE' && m.signer === this.j) this.board.post(m, X);
    return { kind: 'SEND', x: this.j, m, X };
  }

  /** Usually every other replica; sometimes a random subset (a partial multicast), or some clients too. */
  private destinations(u: Universe, rng: Rng, m: Message): number {
    if (m.tag === 'PRE-PREPARE' && this.lastPrePrepare !== null && this.lastPrePrepare.v === m.v && this.lastPrePrepare.n === m.n)
      return this.lastPrePrepare.X;
    const others = u.allReplicas & ~u.replicaBit(this.j);
    if (rng.float() < 0.6) return others;
    const X = rng.int(1 << (u.n + u.clients)) & ~u.replicaBit(this.j);
    return X === 0 ? others : X;
  }

  private build(u: Universe, s: SystemState, rng: Rng, tactic: ReplicaTactic): Message | null {
    const K = this.knowledge;
    const I = u.interner;
    const j = this.j;
    const view = () => rng.int(Math.max(K.maxView, 1) + 2);
    const seqno = () => 1 + rng.int(K.maxN + 2);
    const request = (): Request | null => (rng.float() < 0.2 ? null : (pick(rng, K.requests) ?? null));
    switch (tactic) {
      case 'relay': {
        if (s.wire.size === 0) return null;
        return s.wire.entryAt(rng.int(s.wire.size)).m;
      }
      case 'pre-prepare': {
        const led = this.ledViews(u, K.maxView + 1);
        const last = this.lastPrePrepare;
        if (last !== null && rng.float() < 0.5) {
          // Equivocate: the same v and n, another request, to the backups that did not get the first.
          let m = request();
          if (m === last.m) m = m === null ? (pick(rng, K.requests) ?? null) : null;
          const others = u.allReplicas & ~u.replicaBit(j);
          const X = (others & ~last.X) || others;
          this.lastPrePrepare = { ...last, m, X };
          return I.prePrepare(last.v, last.n, m, j);
        }
        // The adversary schedules the network and sees everything: it aims at the view the
        // non-faulty replicas are in (when it leads it) and the next sequence number they execute.
        const correct = s.replicas.filter((r) => !r.faulty);
        const current = correct.length > 0 ? correct[rng.int(correct.length)]! : undefined;
        const v = current !== undefined && u.primary(current.view) === j && rng.float() < 0.8 ? current.view : (pick(rng, led) ?? view());
        const n = current !== undefined && rng.float() < 0.8 ? current.lastExec + 1 + rng.int(2) : seqno();
        const m = request();
        const others = u.allReplicas & ~u.replicaBit(j);
        let X = rng.int(1 << u.n) & others;
        if (X === 0) X = others;
        this.lastPrePrepare = { v, n, m, X };
        return I.prePrepare(v, n, m, j);
      }
      case 'prepare':
      case 'commit': {
        // Mostly one of the latest pre-prepares, so that colluding replicas back an equivocation.
        const recent = K.prePrepares.slice(-4);
        const pp = rng.float() < 0.7 ? pick(rng, recent) : pick(rng, K.prePrepares);
        const v = pp?.v ?? view();
        const n = pp?.n ?? seqno();
        // The pre-prepare's digest, another request's, or a digest of nothing anyone sent.
        const k = rng.float();
        const d = pp !== undefined && k < 0.7 ? I.digest(pp.m) : k < 0.9 ? I.digest(request()) : D(`junk-${rng.int(4)}`);
        return tactic === 'prepare' ? I.prepare(v, n, d, j) : I.commit(v, n, d, j);
      }
      case 'checkpoint': {
        const val = pick(rng, K.values);
        const int = u.config.chkptInt;
        const n = rng.float() < 0.5 && val !== undefined ? val.n : int * (1 + rng.int(Math.floor(K.maxN / int) + 1));
        const d = val !== undefined ? I.valueDigest(val.s) : I.digest(request());
        return I.checkpoint(view(), n, d, j);
      }
      case 'view-change': {
        const base = pick(rng, K.viewChanges);
        const v = Math.min(u.config.maxView, K.maxView + rng.int(2)) || 1;
        let P: Message[] = base === undefined ? [] : base.P.filter(() => rng.float() < 0.7);
        if (rng.float() < 0.3) P = [...P, ...K.prePrepares.filter(() => rng.float() < 0.2)];
        const pp = P.filter((x): x is PrePrepare | Extract<Message, { tag: 'PREPARE' }> => x.tag === 'PRE-PREPARE' || x.tag === 'PREPARE');
        const seenGc = u.config.variant === 'A' ? null : (base?.gc ?? null);
        if (u.config.variant === 'Agc' && seenGc === null) return null; // no stable certificate seen to build on
        // C whole, or partial (then possibly too small to certify the checkpoint).
        const gc = seenGc === null ? null : { ...seenGc, C: rng.float() < 0.7 ? seenGc.C : seenGc.C.filter(() => rng.float() < 0.5) };
        return I.viewChange(v, gc, pp, j);
      }
      case 'new-view': {
        const led = this.ledViews(u, u.config.maxView).filter((v) => v > 0);
        const v = pick(rng, led);
        if (v === undefined) return null;
        const bySigner = new Map<number, ViewChange>();
        for (const vc of K.viewChanges) if (vc.v === v && (vc.gc === null) === (u.config.variant === 'A') && !bySigner.has(vc.j)) bySigner.set(vc.j, vc);
        const V = [...bySigner.values()].sort((a, b) => a.j - b.j).slice(0, 2 * u.f + 1);
        if (V.length < 2 * u.f + 1) return null;
        let { O, N } = computeON(u, v, V, j);
        if (rng.float() < 0.4 && O.length > 0) O = O.filter((_, k) => k !== rng.int(O.length));
        if (rng.float() < 0.3) N = [...N, I.prePrepare(v, K.maxN + 1 + rng.int(2), null, j)];
        return I.newView(v, V, O, N, j);
      }
      case 'back': {
        const post = pick(rng, this.board.prePrepares.slice(-4));
        if (post === undefined) return null;
        const { pp, X } = post;
        this.backTo = X & ~u.replicaBit(j);
        const d = I.digest(pp.m);
        return pp.signer !== j && rng.float() < 0.5 ? I.prepare(pp.v, pp.n, d, j) : I.commit(pp.v, pp.n, d, j);
      }
      case 'reply': {
        const req = pick(rng, K.requests);
        if (req === undefined) return null;
        return I.reply(view(), req.t, req.c, j, `forged-${rng.int(3)}`);
      }
    }
  }

  /** Views up to `top` whose primary this replica is. */
  private ledViews(u: Universe, top: number): number[] {
    const out: number[] = [];
    for (let v = this.j; v <= top; v += u.n) out.push(v);
    return out;
  }

  /** The copy keeps sharing the run's board (the board only biases draws; traces stay explicit). */
  clone(): StandIn {
    const c = new ByzantineReplica(this.j, this.tactics, this.board);
    c.knowledge = this.knowledge.clone();
    c.lastPrePrepare = this.lastPrePrepare;
    return c;
  }
}
