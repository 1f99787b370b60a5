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
//   certificate  ⟨VIEW-CHANGE, …, P, j⟩σj whose P is a certificate j assembles from what it has seen:
//                a pre-prepare and every seen prepare for it, with j's own prepare added (weight 0
//                but in the assembled-certificates strategy, so the other plans draw as before)
//   lying-view-change  ⟨VIEW-CHANGE, v, n, s, C, {}, j⟩σj (A_gc) for a checkpoint number n at or
//                beyond the highest seen, with a known value of another number as s and C = j's own
//                checkpoint for it alone (weight 0 but in the lying-view-changes strategy)
//   nest         any known message where M allows one (Fig 2-8): a pre-prepare of any message, a
//                view-change with C from seen checkpoints and P of any messages, a new-view with
//                any choice of V and O, N thinned or padded; in A_gc it nests no checkpoint,
//                view-change or new-view (ERRATA R16) unless nestAgcMessages
// "Known" is everything seen on the wire and what in_j and chkpts_j held when j failed (frozen
// since: the initial checkpoints of Fig 2-10 among them).
import type { Action } from './actions.ts';
import { computeON } from './aux-functions.ts';
import { D, type Digest } from './digests.ts';
import type { SystemState } from './compose.ts';
import type { StandIn } from './byzantine.ts';
import type { Rng } from './enabled.ts';
import type { Checkpoint, CheckpointValue, Message, PrePrepare, Prepare, Request, ViewChange, Payload } from './messages.ts';
import type { ReplicaState } from './replica-state.ts';
import type { Universe } from './universe.ts';
import { forgeryAllowed } from './variant.ts';

export const REPLICA_TACTICS = ['relay', 'pre-prepare', 'prepare', 'commit', 'checkpoint', 'view-change', 'new-view', 'reply', 'back', 'nest', 'mimic', 'certificate', 'lying-view-change'] as const;
export type ReplicaTactic = (typeof REPLICA_TACTICS)[number];
export type TacticWeights = Readonly<Record<ReplicaTactic, number>>;

// 'certificate' and 'lying-view-change' came later: weight 0 keeps the draws of every plan written
// before them (they are last in the order).
export const EVEN_TACTICS: TacticWeights = { relay: 1, 'pre-prepare': 1, prepare: 1, commit: 1, checkpoint: 1, 'view-change': 1, 'new-view': 1, reply: 1, back: 1, nest: 1, mimic: 1, certificate: 0, 'lying-view-change': 0 };

/** Appends x to the group of key k. */
function addTo<T>(groups: Map<string, T[]>, k: string, x: T): void {
  const group = groups.get(k);
  if (group === undefined) groups.set(k, [x]);
  else group.push(x);
}

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
  readonly checkpoints: Checkpoint[] = [];
  /** Seen prepares by (v, n, d): what a certificate may be assembled from. */
  readonly preparesByVND = new Map<string, Prepare[]>();
  /** Seen checkpoint messages by (n, d): the certificates a view-change's C may be built from. */
  readonly checkpointsByND = new Map<string, Checkpoint[]>();
  readonly values: { n: number; s: CheckpointValue }[] = [];
  /** The checkpoint values known by their digest (seen in view-changes, or held when failing). */
  readonly valueByDigest = new Map<Digest, CheckpointValue>();
  maxN = 0;
  maxView = 0;

  /** Reads what the adversary has seen since the last call (the wire's messages and what they carry). */
  sync(u: Universe, s: SystemState): void {
    for (const m of s.wire.seenSince(this.seen)) this.learn(u, m);
    this.seen = s.wire.seenCount;
  }

  /** What replica j's own state held when it failed (frozen since): its log and its checkpoints. */
  learnOwn(u: Universe, r: ReplicaState): void {
    for (const m of r.in.all) this.learn(u, m);
    for (const c of r.chkpts) this.learnValue(u, c.n, c.s);
  }

  private learnValue(u: Universe, n: number, v: CheckpointValue): void {
    const d = u.interner.valueDigest(v);
    if (this.valueByDigest.has(d)) return;
    this.valueByDigest.set(d, v);
    this.values.push({ n, s: v });
  }

  private learn(u: Universe, m: Message): void {
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
        if (m.gc !== null) this.learnValue(u, m.gc.n, m.gc.s);
        break;
      case 'CHECKPOINT':
        this.checkpoints.push(m);
        addTo(this.checkpointsByND, `${m.n}|${m.d}`, m);
        this.maxN = Math.max(this.maxN, m.n);
        this.maxView = Math.max(this.maxView, m.v);
        break;
      case 'PREPARE':
        addTo(this.preparesByVND, `${m.v}|${m.n}|${m.d}`, m);
        this.maxN = Math.max(this.maxN, m.n);
        this.maxView = Math.max(this.maxView, m.v);
        break;
      case 'COMMIT':
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
    k.checkpoints.push(...this.checkpoints);
    for (const [key, group] of this.checkpointsByND) k.checkpointsByND.set(key, [...group]);
    k.values.push(...this.values);
    for (const [d, v] of this.valueByDigest) k.valueByDigest.set(d, v);
    k.maxN = this.maxN;
    k.maxView = this.maxView;
    return k;
  }
}

/** Messages of A_gc with no counterpart in runs of A when another replica signs them (R16, E24). */
const AGC_ONLY_TAGS: ReadonlySet<Message['tag']> = new Set(['CHECKPOINT', 'VIEW-CHANGE', 'NEW-VIEW']);

const pick = <T>(rng: Rng, xs: readonly T[]): T | undefined => (xs.length === 0 ? undefined : xs[rng.int(xs.length)]);

/** A non-faulty replica at random (the adversary sees every state), or undefined if none. */
const someCorrect = (s: SystemState, rng: Rng): ReplicaState | undefined => pick(rng, s.replicas.filter((r) => !r.faulty));

/** The highest view of a non-faulty replica. */
const topCorrectView = (s: SystemState): number => s.replicas.reduce((top, r) => (r.faulty ? top : Math.max(top, r.view)), 0);

export class ByzantineReplica implements StandIn {
  readonly name = 'byzantine';
  private knowledge = new Knowledge();
  /** Where the last 'back' message goes. */
  private backTo = 0;
  /** What in_j held at the failure (frozen since), once read: messages it may resend or nest. */
  private ownLog: readonly Message[] | null = null;
  /** The last (v, n) this replica pre-prepared, reused to equivocate. */
  private lastPrePrepare: { v: number; n: number; m: Payload; X: number } | null = null;

  constructor(
    private readonly j: number,
    private readonly tactics: TacticWeights = EVEN_TACTICS,
    private readonly board: CollusionBoard = new CollusionBoard(),
    /**
     * Whether 'nest' may put checkpoints, view-changes and new-views inside another message in A_gc.
     * Off by default (ERRATA R16): relation H has no step of A for such a send (E24).
     */
    private readonly nestAgcMessages = false,
  ) {}

  receive(): void {}

  /** A few sends for listings (every enabled action, the REPL): relays of the latest messages to all replicas. */
  proposals(u: Universe, s?: SystemState): Action[] {
    if (s === undefined) return [];
    const msgs = s.wire.messagesSince(Math.max(0, s.wire.messageCount - 4));
    return msgs.map((m): Action => ({ kind: 'SEND', x: this.j, m, X: u.allReplicas & ~u.replicaBit(this.j) }));
  }

  draw(u: Universe, s: SystemState, rng: Rng): Action | null {
    if (this.ownLog === null) {
      const own = s.replicas[this.j]!;
      this.ownLog = [...own.in.all];
      this.knowledge.learnOwn(u, own);
    }
    this.knowledge.sync(u, s);
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
    const built = this.build(u, s, rng, tactic);
    // Forgery only where a protocol variant lets faulty nodes forge (automata/variant.ts); the
    // draw is not taken otherwise, so the thesis's runs are the same with or without it.
    const m = built !== null && forgeryAllowed(u) && rng.float() < 0.5 ? this.forge(u, rng, built) : built;
    if (m === null) return null;
    if (tactic === 'back' && this.backTo !== 0) return { kind: 'SEND', x: this.j, m, X: this.backTo };
    const X = m.tag === 'REPLY' ? u.clientBit(m.c) : this.destinations(u, rng, m);
    if (m.tag === 'PRE-PREPARE' && m.signer === this.j) this.board.post(m, X);
    return { kind: 'SEND', x: this.j, m, X };
  }

  /** m re-signed by another node: a replica's message by another replica (a pre-prepare by its view's primary), or a request no client issued. */
  private forge(u: Universe, rng: Rng, m: Message): Message {
    const I = u.interner;
    const k = rng.int(u.n);
    switch (m.tag) {
      case 'PREPARE':
        return I.prepare(m.v, m.n, m.d, k);
      case 'COMMIT':
        return I.commit(m.v, m.n, m.d, k);
      case 'CHECKPOINT':
        return I.checkpoint(m.v, m.n, m.d, k);
      case 'REPLY':
        return I.reply(m.v, m.t, m.c, k, m.r);
      case 'PRE-PREPARE':
        if (rng.float() < 0.5) return I.prePrepare(m.v, m.n, I.request(pick(rng, [...u.ops]) ?? 'x', 1 + rng.int(3), rng.int(u.clients)), u.primary(m.v));
        return I.prePrepare(m.v, m.n, m.m, u.primary(m.v));
      default:
        return I.request(pick(rng, [...u.ops]) ?? 'x', 1 + rng.int(3), rng.int(u.clients));
    }
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
        const v = this.aimedView(u, s, rng);
        const n = this.aimedSeqno(s, rng);
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
        // Any 2f + 1 signers, and any of each one's view-changes for v (every choice of V).
        const bySigner = new Map<number, ViewChange[]>();
        for (const vc of K.viewChanges) if (vc.v === v && (vc.gc === null) === (u.config.variant === 'A')) bySigner.set(vc.j, [...(bySigner.get(vc.j) ?? []), vc]);
        const signers = [...bySigner.keys()].sort((a, b) => a - b);
        if (signers.length < 2 * u.f + 1) return null;
        const chosen = signers.map((k) => ({ k, r: rng.float() })).sort((a, b) => a.r - b.r).slice(0, 2 * u.f + 1).map((x) => x.k).sort((a, b) => a - b);
        const V = chosen.map((k) => pick(rng, bySigner.get(k)!)!);
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
      case 'nest':
        return this.nest(u, s, rng);
      case 'certificate':
        return this.assembledViewChange(u, s, rng);
      case 'lying-view-change':
        return this.lyingViewChange(u, rng);
      case 'mimic':
        return this.mimic(u, s, rng);
    }
  }

  /**
   * ⟨VIEW-CHANGE, v, …, P, j⟩σj with P = one assembled certificate: a seen pre-prepare (j's own
   * most of the time, when it has sent any), every prepare seen for it, and j's own prepare for it
   * (sometimes one for each of j's latest pre-prepares).
   * In A_gc the checkpoint part is a seen view-change's (none seen: nothing to build on).
   */
  private assembledViewChange(u: Universe, s: SystemState, rng: Rng): Message | null {
    const K = this.knowledge;
    const I = u.interner;
    const own = K.prePrepares.filter((pp) => pp.signer === this.j);
    const pp = rng.float() < 0.7 && own.length > 0 ? pick(rng, own.slice(-4)) : pick(rng, K.prePrepares.slice(-6));
    if (pp === undefined) return null;
    const certificate = (x: PrePrepare): Message[] => {
      const d = I.digest(x.m);
      return [x, ...(K.preparesByVND.get(`${x.v}|${x.n}|${d}`) ?? []), I.prepare(x.v, x.n, d, this.j)];
    };
    // Half the time, one for each of j's latest pre-prepares at other sequence numbers too: a
    // certificate beyond the others' raises max-n(O), and the new primary fills the gaps with nulls.
    const more = rng.float() < 0.5 ? own.slice(-4).filter((x) => x !== pp && x.v === pp.v && x.n !== pp.n) : [];
    const P: Message[] = [...new Set([pp, ...more].flatMap(certificate))];
    // The view the correct replicas are changing to (or the next): K.maxView would follow the
    // faulty replicas' own messages of made-up views, and the new view it is for never forms.
    const v = Math.min(u.config.maxView, Math.max(pp.v + 1, topCorrectView(s) + rng.int(2)));
    if (u.config.variant === 'A') return I.viewChange(v, null, P, this.j);
    const seen = pick(rng, K.viewChanges.filter((vc) => vc.gc !== null));
    return seen === undefined ? null : I.viewChange(v, seen.gc, P, this.j);
  }

  /** A view-change whose checkpoint is a lie certified by j's own checkpoint alone (see the tactic's comment). */
  private lyingViewChange(u: Universe, rng: Rng): Message | null {
    if (u.config.variant === 'A') return null;
    const K = this.knowledge;
    const I = u.interner;
    const val = pick(rng, K.values);
    if (val === undefined) return null;
    const int = u.config.chkptInt;
    const n = int * (Math.floor(K.maxN / int) + 1 + rng.int(2));
    const v = Math.min(u.config.maxView, K.maxView + 1 + rng.int(2)) || 1;
    const C = [I.checkpoint(v - 1, n, I.valueDigest(val.s), this.j)];
    return I.viewChange(v, { n, s: val.s, C }, [], this.j);
  }

  /**
   * What a correct replica would send now, signed by j: a prepare or commit for a pre-prepare that
   * a correct replica holds at its next sequence numbers, or a checkpoint of its latest state. A
   * faulty replica that follows the protocol at times helps quorums form, so runs with one
   * faulty and one slow replica still make progress (and the slow one needs state transfer).
   */
  private mimic(u: Universe, s: SystemState, rng: Rng): Message | null {
    const r = someCorrect(s, rng);
    if (r === undefined) return null;
    const I = u.interner;
    const j = this.j;
    const kind = rng.int(3);
    if (kind === 2 && u.config.variant === 'Agc') {
      const e = r.chkpts[r.chkpts.length - 1];
      return e === undefined ? null : I.checkpoint(r.view, e.n, I.valueDigest(e.s), j);
    }
    const n = r.lastExec + 1 + rng.int(2);
    const pps = [...(r.in.ppByN.get(n) ?? [])].filter((pp) => pp.v === r.view).sort((a, b) => a.id - b.id);
    const pp = pick(rng, pps);
    if (pp === undefined) return null;
    const d = I.digest(pp.m);
    return kind === 0 && u.primary(pp.v) !== j ? I.prepare(pp.v, n, d, j) : I.commit(pp.v, n, d, j);
  }

  /**
   * Messages nested where the thesis's M allows any (Fig 2-8: a pre-prepare's m ∈ M; C, P ⊆ M of a
   * view-change; V, O, N ⊆ M of a new-view): a pre-prepare of any known message, a view-change
   * whose C is built from seen checkpoints and whose P is any known messages, a new-view with any
   * choice of V and arbitrary O and N.
   */
  private nest(u: Universe, s: SystemState, rng: Rng): Message | null {
    const I = u.interner;
    const k = rng.float();
    if (k < 0.35) {
      const m = this.known(u, s, rng);
      return m === null ? null : I.prePrepare(this.aimedView(u, s, rng), this.aimedSeqno(s, rng), m, this.j);
    }
    if (k < 0.7) return this.nestedViewChange(u, s, rng);
    return this.nestedNewView(u, s, rng);
  }

  /**
   * Any message the adversary knows to nest in another: seen on the wire (or nested there), or in
   * in_j at the failure; in A_gc not a checkpoint, view-change or new-view unless nestAgcMessages
   * (R16; a few tries, null when none found).
   */
  private known(u: Universe, s: SystemState, rng: Rng): Message | null {
    const own = this.ownLog ?? [];
    const total = s.wire.seenCount + own.length;
    for (let tries = 0; tries < 4 && total > 0; tries++) {
      const x = rng.int(total);
      const m = x < s.wire.seenCount ? s.wire.seenAt(x) : own[x - s.wire.seenCount]!;
      if (this.nestAgcMessages || u.config.variant === 'A' || !AGC_ONLY_TAGS.has(m.tag)) return m;
    }
    return null;
  }

  /** Up to `max` known messages, each drawn independently (repeats collapse in the set). */
  private someKnown(u: Universe, s: SystemState, rng: Rng, max: number): Message[] {
    const out: Message[] = [];
    for (let t = rng.int(max + 1); t > 0; t--) {
      const m = this.known(u, s, rng);
      if (m !== null) out.push(m);
    }
    return out;
  }

  /** ⟨VIEW-CHANGE, v, n, s, C, P, j⟩σj with C from seen checkpoints of one (n, d) and s a value known to have digest d (or another). */
  private nestedViewChange(u: Universe, s: SystemState, rng: Rng): Message | null {
    const K = this.knowledge;
    const v = Math.min(u.config.maxView, K.maxView + rng.int(2)) || 1;
    const P = [...this.someKnown(u, s, rng, 4), ...K.prePrepares.slice(-6).filter(() => rng.float() < 0.3)];
    if (u.config.variant === 'A') return u.interner.viewChange(v, null, P, this.j);
    const cp = pick(rng, K.checkpoints);
    const own = pick(rng, K.values);
    if (own === undefined) return null;
    let n = own.n;
    let value = own.s;
    let C: Message[] = [];
    if (cp !== undefined && rng.float() < 0.8) {
      n = cp.n;
      value = rng.float() < 0.8 ? (K.valueByDigest.get(cp.d) ?? value) : value;
      const group = K.checkpointsByND.get(`${cp.n}|${cp.d}`) ?? [cp];
      C = rng.float() < 0.6 ? [...group] : group.filter(() => rng.float() < 0.6);
    }
    if (rng.float() < 0.2) C = [...C, ...this.someKnown(u, s, rng, 2)];
    return u.interner.viewChange(v, { n, s: value, C }, P, this.j);
  }

  /** ⟨NEW-VIEW, v, V, O, N⟩σj for a view j leads: V any 2f + 1 (or other number of) seen view-changes, O and N computed, thinned or padded. */
  private nestedNewView(u: Universe, s: SystemState, rng: Rng): Message | null {
    const K = this.knowledge;
    const v = pick(rng, this.ledViews(u, u.config.maxView).filter((x) => x > 0));
    if (v === undefined) return null;
    const forV = K.viewChanges.filter((vc) => vc.v === v || rng.float() < 0.05);
    // A random choice of signers (not the lowest-numbered), one view-change each, usually 2f + 1 of them.
    const bySigner = new Map<number, ViewChange[]>();
    for (const vc of forV) {
      const mine = bySigner.get(vc.j);
      if (mine === undefined) bySigner.set(vc.j, [vc]);
      else mine.push(vc);
    }
    const signers = [...bySigner.keys()].sort((a, b) => a - b);
    for (let a = signers.length - 1; a > 0; a--) {
      const b = rng.int(a + 1);
      [signers[a], signers[b]] = [signers[b]!, signers[a]!];
    }
    const size = rng.float() < 0.85 ? 2 * u.f + 1 : rng.int(signers.length + 1);
    const V: Message[] = signers.slice(0, size).map((k) => pick(rng, bySigner.get(k)!)!);
    if (rng.float() < 0.1) V.push(...this.someKnown(u, s, rng, 1));
    const computed = computeON(u, v, V, this.j);
    const thin = (xs: readonly Message[]) => (rng.float() < 0.6 ? [...xs] : xs.filter(() => rng.float() < 0.7));
    const O = [...thin(computed.O), ...(rng.float() < 0.2 ? this.someKnown(u, s, rng, 2) : [])];
    const N = [...thin(computed.N), ...(rng.float() < 0.2 ? [u.interner.prePrepare(v, K.maxN + 1 + rng.int(2), null, this.j)] : [])];
    return u.interner.newView(v, V, O, N, this.j);
  }

  /** The view the non-faulty replicas are in when this replica leads it (mostly), else one it leads. */
  private aimedView(u: Universe, s: SystemState, rng: Rng): number {
    const current = someCorrect(s, rng);
    if (current !== undefined && u.primary(current.view) === this.j && rng.float() < 0.8) return current.view;
    return pick(rng, this.ledViews(u, this.knowledge.maxView + 1)) ?? rng.int(Math.max(this.knowledge.maxView, 1) + 2);
  }

  /** The next sequence number a non-faulty replica executes (mostly), else one near what was seen. */
  private aimedSeqno(s: SystemState, rng: Rng): number {
    const current = someCorrect(s, rng);
    if (current !== undefined && rng.float() < 0.8) return current.lastExec + 1 + rng.int(2);
    return 1 + rng.int(this.knowledge.maxN + 2);
  }

  /** Views up to `top` whose primary this replica is. */
  private ledViews(u: Universe, top: number): number[] {
    const out: number[] = [];
    for (let v = this.j; v <= top; v += u.n) out.push(v);
    return out;
  }

  /** The copy keeps sharing the run's board (the board only biases draws; traces stay explicit). */
  clone(): StandIn {
    const c = new ByzantineReplica(this.j, this.tactics, this.board, this.nestAgcMessages);
    c.knowledge = this.knowledge.clone();
    c.lastPrePrepare = this.lastPrePrepare;
    c.ownLog = this.ownLog;
    return c;
  }
}
