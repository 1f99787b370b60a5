// The stabilized part of a run (from GST on): the timing assumptions of Section 2.3.5 as a
// scheduler, outside the automata (which leave timing out). From GST:
//
// - the network is reliable: every element in flight is delivered to every correct destination,
//   oldest message first; none is lost, duplicated or replayed. A message a replica would drop only
//   because it is early (a later view, beyond h + L) waits until the replica can take it, as the
//   implementation's retransmissions would bring it again (ERRATA readings R21);
// - correct nodes are prompt: each takes its enabled internal actions, sends and outputs before
//   any further delivery (so nothing enabled waits for long);
// - timers expire only when no correct node has anything left to do: message delays are shorter
//   than every timeout, the limit the thesis's doubling timeouts reach ("unless message delays grow
//   faster than the timeout period indefinitely");
// - then, first, a client whose request is outstanding retransmits it to all replicas (Section
//   2.3.2), once per such pause; then a message a correct replica lacks for what it is blocked on
//   is sent again (the implementation's retransmissions); then the replica whose view-change timer
//   started first starts a view change. A timer runs while its replica is waiting for a request it
//   received and has not executed (the primary's too: ERRATA readings R21); after its own
//   VIEW-CHANGE for v it runs only once the replica holds 2f + 1 view-changes for v (the first of
//   the three means);
// - a replica that holds view-changes from f + 1 others for views above its own moves up to the
//   smallest of their views at once (the second); SEND-VIEW-CHANGE takes one view at a time;
// - a correct new primary sends its NEW-VIEW as soon as it holds 2f + 1 view-changes for its view;
// - faulty nodes keep their strategy's behaviour: a stand-in's send is drawn with probability
//   `faultyRate` at a step where a correct node has something to do (never in a pause, so faulty
//   nodes cannot hold back a timer);
// - each correct client issues `requests` more requests after GST.
//
// The views the recovery needs are available: the configuration's view bound (a bound of the
// adversarial part) does not apply after GST.
import type { Action, ReplicaInternal } from '../automata/actions.ts';
import { nodeBit, replicaModule, whyDisabled, type SystemState } from '../automata/compose.ts';
import { hasNewView } from '../automata/aux-functions.ts';
import { collectGarbageChanges, drawAction, enabledIn, familyOf, isEarly, DEFAULT_BIAS, type DrawBias, type Rng } from '../automata/enabled.ts';
import { signerOf, type Message, type ViewChange } from '../automata/messages.ts';
import { h, sendDestination, type ReplicaState } from '../automata/replica-state.ts';
import { chooseCertificates } from '../automata/replica-common.ts';
import type { Universe } from '../automata/universe.ts';

export interface StableOptions {
  /** Requests each correct client issues after GST. */
  requests: number;
  /** The first timeout T of a replica's view-change timer, in steps (doubled per expiry without progress). */
  timeout: number;
  /** Probability of a faulty node's send at a step where a correct node has something to do. */
  faultyRate: number;
}

/** T = 256 steps: about four times what a request costs with n = 4 replicas (4n² steps each). */
export const DEFAULT_STABLE: StableOptions = { requests: 1, timeout: 256, faultyRate: 0.1 };

/** Steps the stabilized part of a run may take at most (the liveness deadlines end it long before). */
export const STABLE_HORIZON = 100_000;

/** Only the stand-ins' sends (the byzantine family). */
const FAULTY_ONLY: DrawBias = { ...DEFAULT_BIAS, weights: Object.fromEntries(Object.keys(DEFAULT_BIAS.weights).map((f) => [f, f === 'byzantine' ? 1 : 0])) as DrawBias['weights'] };

export class StableScheduler {
  /** Per replica: the step its view-change timer started, or null while it is not running. */
  private readonly timerSince: (number | null)[];
  /** When each element (m, X) came on the wire after GST (elementKey), for first-come delivery. */
  private readonly arrival = new Map<string, number>();
  /** Per replica: its view, last-exec and new-view, and the step they last changed at. */
  private readonly position: string[];
  private readonly changedAt: number[];
  /** Per replica: how many times its timer expired since its last progress (the timeout doubles each time). */
  private readonly expiries: number[];
  /** Per replica: last-exec when the timer was last (re)started, to restart it on progress. */
  private readonly execAtTimer: number[];
  /** Per client: requests it may still issue, and whether it retransmitted in the current pause. */
  private readonly requestsLeft: number[];
  private readonly retransmitted: boolean[];
  private turn = 0;
  private progress = '';
  /** plan(s) for the state since the last step (observe forgets it). */
  private planned: { busy: Action | null; pause: Action | null; timer: boolean } | null = null;
  /** The messages sent again to a replica (`id i`): each at most once. */
  private readonly resent = new Set<string>();

  constructor(
    private readonly u: Universe,
    s: SystemState,
    private readonly rng: Rng,
    /** The step the stabilized part begins at (GST). */
    private now: number,
    readonly o: StableOptions = DEFAULT_STABLE,
  ) {
    this.timerSince = s.replicas.map(() => null);
    this.expiries = s.replicas.map(() => 0);
    this.position = s.replicas.map((r) => `${r.view}/${r.lastExec}/${hasNewView(u, r.view, r.in)}`);
    this.changedAt = s.replicas.map(() => now);
    this.execAtTimer = s.replicas.map((r) => r.lastExec);
    this.requestsLeft = s.proxies.map(() => o.requests);
    this.retransmitted = s.proxies.map(() => false);
  }

  /**
   * The next action of the stabilized run, or null when nothing is left to do (not even a timer).
   * Faulty nodes' sends are drawn from `rng` (the REPL passes one seeded by the step).
   */
  next(s: SystemState, rng: Rng = this.rng): Action | null {
    const p = this.plan(s);
    if (p.busy !== null) {
      if (this.o.faultyRate > 0 && s.standIns.some((x) => x !== null) && rng.float() < this.o.faultyRate) {
        // Only a stand-in's send (the draw falls back to other families when none is enabled).
        const f = drawAction(this.u, s, rng, FAULTY_ONLY);
        if (f !== null && familyOf(s, f) === 'byzantine') return f;
      }
      return p.busy;
    }
    return p.pause;
  }

  /** Whether only a replica's timer (or nothing) could change the state now. */
  onlyTimers(s: SystemState): boolean {
    const p = this.plan(s);
    return p.busy === null && (p.pause === null || p.timer);
  }

  /** What a correct node would do in s, and what a pause would bring; computed once per state. */
  private plan(s: SystemState): { busy: Action | null; pause: Action | null; timer: boolean } {
    if (this.planned === null) {
      const busy = this.expired(s) ?? this.resend(s, (r) => this.now - this.changedAt[r.i]! >= this.o.timeout) ?? this.prompt(s) ?? this.deliver(s) ?? this.request(s);
      const pause = busy === null ? this.pause(s) : null;
      this.planned = { busy, pause: pause?.a ?? null, timer: pause?.timer ?? false };
    }
    return this.planned;
  }

  /** Follows the step just taken (chosen here or, in a replay, read from the trace). */
  observe(k: number, a: Action, s: SystemState): void {
    this.planned = null;
    this.now = k + 1;
    this.arrive(k, a);
    if (a.kind === 'SEND-VIEW-CHANGE' && !s.replicas[a.i]!.faulty && this.timerSince[a.i] !== null) this.expiries[a.i]!++;
    if (a.kind === 'REQUEST') {
      this.requestsLeft[a.c] = Math.max(0, this.requestsLeft[a.c]! - 1);
      this.retransmitted[a.c] = false;
    }
    if (a.kind === 'MISBEHAVE') for (let i = 0; i < this.u.n; i++) if (a.X2 & ~a.X & nodeBit(i)) this.resent.add(`${a.m.id} ${i}`);
    if (a.kind === 'SEND' && a.x >= this.u.n && a.X === this.u.allReplicas && !s.proxies[a.x - this.u.n]!.faulty) this.retransmitted[a.x - this.u.n] = true;
    // A client retransmits once per pause in which nothing moved: a view or last-exec of a correct replica.
    const progress = s.replicas.filter((r) => !r.faulty).map((r) => `${r.view}/${r.lastExec}`).join(' ');
    if (progress !== this.progress) this.retransmitted.fill(false);
    this.progress = progress;
    for (const r of s.replicas) {
      this.updateTimer(s, r, k);
      const at = `${r.view}/${r.lastExec}/${hasNewView(this.u, r.view, r.in)}`;
      if (at !== this.position[r.i]) {
        this.position[r.i] = at;
        this.changedAt[r.i] = k;
      }
    }
  }

  /** Whether the stabilized run has nothing left to do: no correct node can act and no timer runs. */
  done(s: SystemState): boolean {
    const p = this.plan(s);
    return p.busy === null && p.pause === null;
  }

  // ------------------------------------------------------------------ prompt correct nodes

  /** A correct node's enabled internal action, send or output (replicas in turn, then proxies). */
  private prompt(s: SystemState): Action | null {
    const u = this.u;
    const R = replicaModule(u);
    for (let d = 0; d < u.n; d++) {
      const r = s.replicas[(this.turn + d) % u.n]!;
      if (r.faulty) continue;
      const a = R.enabledOf(u, r, 'protocol')[0] ?? this.sendOf(r) ?? this.garbage(r) ?? this.newView(r) ?? this.join(r);
      if (a !== undefined && a !== null) {
        this.turn = (r.i + 1) % u.n;
        return a;
      }
    }
    const reply = enabledIn(u, s, 'reply')[0];
    if (reply !== undefined) return reply;
    // A proxy's first send of its request (to the primary of its view); retransmissions wait for a pause.
    for (const p of s.proxies) if (!p.faulty && p.out !== null && !p.retrans) return { kind: 'SEND', x: u.n + p.c, m: p.out, X: u.replicaBit(u.primary(p.view)) };
    return null;
  }

  /** A COLLECT-GARBAGE that discards something (it stays enabled once it has). */
  private garbage(r: ReplicaState): ReplicaInternal | null {
    return replicaModule(this.u).enabledOf(this.u, r, 'garbage').find((a) => a.kind === 'COLLECT-GARBAGE' && collectGarbageChanges(r, a.n)) ?? null;
  }

  /** SEND(m, X)_i of the first message of out_i (by id) that has a destination (Fig 2-10). */
  private sendOf(r: ReplicaState): Action | null {
    for (const m of [...r.out].sort((a, b) => a.id - b.id)) {
      const X = sendDestination(this.u, r, m);
      if (X !== null) return { kind: 'SEND', x: r.i, m, X };
    }
    return null;
  }

  /** SEND-NEW-VIEW(v, V) of a correct primary of its view v, with the first 2f + 1 view-changes by signer. */
  private newView(r: ReplicaState): ReplicaInternal | null {
    const u = this.u;
    const v = r.view;
    if (v === 0 || u.primary(v) !== r.i || hasNewView(u, v, r.in)) return null;
    const vcs = r.in.viewChangesByV.get(v);
    if (vcs === undefined) return null;
    for (const V of chooseCertificates<ViewChange>([...vcs], u.proto.quorums.newView, 4)) {
      const a: ReplicaInternal = { kind: 'SEND-NEW-VIEW', v, V, i: r.i };
      if (replicaModule(u).pre(u, r, a)) return a;
    }
    return null;
  }

  /** SEND-VIEW-CHANGE(view + 1) when f + 1 others' view-changes are for views above view_i (Section 2.3.5, second means). */
  private join(r: ReplicaState): ReplicaInternal | null {
    const u = this.u;
    const highest = new Map<number, number>();
    for (const [v, vcs] of r.in.viewChangesByV) if (v > r.view) for (const vc of vcs) if (vc.j !== r.i) highest.set(vc.j, Math.max(highest.get(vc.j) ?? 0, v));
    if (highest.size < u.f + 1) return null;
    // The smallest view of the f + 1 highest: the furthest the replica may move.
    const target = [...highest.values()].sort((a, b) => b - a)[u.f]!;
    if (r.view >= target) return null;
    const a: ReplicaInternal = { kind: 'SEND-VIEW-CHANGE', v: r.view + 1, i: r.i };
    return replicaModule(u).pre(u, r, a) ? a : null;
  }

  // ------------------------------------------------------------------ the reliable network

  /**
   * The delivery of the element in flight that came first (those in flight at GST first, by
   * message) to a correct node that can take it now. By the element's arrival, not its message:
   * a message sent again (a relayed request) must not overtake what was sent before it.
   */
  private deliver(s: SystemState): Action | null {
    const u = this.u;
    const width = u.n + u.clients;
    let best: Action | null = null;
    let bestAt = Infinity;
    for (const { m, X } of s.wire.pending()) {
      const at = this.arrival.get(elementKey(m, X)) ?? -1;
      if (at >= bestAt) continue;
      for (let x = 0; x < width; x++) {
        if (!(X & nodeBit(x)) || this.isFaulty(s, x)) continue;
        if (x < u.n && isEarly(u, s.replicas[x]!, m)) continue;
        best = { kind: 'RECEIVE', x, m, X };
        bestAt = at;
        break;
      }
    }
    return best;
  }

  private request(s: SystemState): Action | null {
    for (const p of s.proxies) {
      if (p.faulty || p.out !== null || this.requestsLeft[p.c]! <= 0 || p.lastReq >= this.u.config.maxRequestsPerClient) continue;
      return { kind: 'REQUEST', o: this.u.ops[p.lastReq % this.u.ops.length]!, c: p.c };
    }
    return null;
  }

  // ------------------------------------------------------------------ timers, in a pause

  /**
   * In a pause: a client's retransmission; else a message a correct replica lacks for what it is
   * blocked on, sent again (the implementation retransmits lost messages; the automaton has no such
   * action, so the channel replays the message: ERRATA readings R21); else the view change of the
   * replica whose timer started first.
   */
  private pause(s: SystemState): { a: Action; timer: boolean } | null {
    const u = this.u;
    for (const p of s.proxies)
      if (!p.faulty && p.out !== null && p.retrans && !this.retransmitted[p.c]) return { a: { kind: 'SEND', x: u.n + p.c, m: p.out, X: u.allReplicas }, timer: false };
    const resend = this.resend(s, () => true);
    if (resend !== null) return { a: resend, timer: false };
    let first: ReplicaState | null = null;
    for (const r of s.replicas) {
      const t = this.timerSince[r.i]!;
      if (r.faulty || t === null) continue;
      if (first === null || t < this.timerSince[first.i]!) first = r;
    }
    if (first === null) return null;
    const a: Action = { kind: 'SEND-VIEW-CHANGE', v: first.view + 1, i: first.i };
    return whyDisabled(u, s, a) === null ? { a, timer: true } : null;
  }

  /**
   * A timer that has run its time while correct nodes were busy (T = timeout · 2^k after k
   * expiries without progress): its view change comes first, so that endless work (e.g. a request
   * relayed back and forth between two replicas that see different primaries) cannot hold back a
   * view change.
   */
  private expired(s: SystemState): Action | null {
    let first: ReplicaState | null = null;
    for (const r of s.replicas) {
      const t = this.timerSince[r.i]!;
      if (r.faulty || t === null || this.now - t < this.o.timeout * 2 ** this.expiries[r.i]!) continue;
      if (first === null || t < this.timerSince[first.i]!) first = r;
    }
    if (first === null) return null;
    const a: Action = { kind: 'SEND-VIEW-CHANGE', v: first.view + 1, i: first.i };
    return whyDisabled(this.u, s, a) === null ? a : null;
  }

  /**
   * MISBEHAVE(m, X, X ∪ {r}) for the first message a correct replica r lacks for what it is
   * blocked on, signed by a correct replica and not yet sent again to r: in a view change, the
   * view-changes and the new-view of its view; else the pre-prepare, prepares and commits of its
   * next sequence number in its view, and the checkpoints above its h. In a pause, for any replica;
   * while correct nodes are busy, for a replica whose view and last-exec have not moved for a
   * timeout (the implementation's retransmission timer).
   */
  private resend(s: SystemState, due: (r: ReplicaState) => boolean): Action | null {
    const u = this.u;
    for (const r of s.replicas) {
      if (r.faulty || !due(r)) continue;
      const changing = !hasNewView(u, r.view, r.in);
      const hi = h(r);
      const wanted = (m: Message) =>
        changing
          ? (m.tag === 'VIEW-CHANGE' || m.tag === 'NEW-VIEW') && m.v === r.view
          : ((m.tag === 'PRE-PREPARE' || m.tag === 'PREPARE' || m.tag === 'COMMIT') && m.v === r.view && m.n === r.lastExec + 1) || (m.tag === 'CHECKPOINT' && m.n > hi);
      for (const m of s.wire.messagesSince(0)) {
        if (!wanted(m) || r.in.has(m) || this.resent.has(`${m.id} ${r.i}`)) continue;
        const signer = signerOf(m);
        if (signer.kind !== 'replica' || s.replicas[signer.id]!.faulty) continue;
        const X = s.wire.entriesOf(m)[0]!.X;
        if (X & nodeBit(r.i)) continue; // still in flight to r
        return { kind: 'MISBEHAVE', m, X, X2: X | nodeBit(r.i) };
      }
    }
    return null;
  }

  /** Starts, stops or restarts replica r's timer after step k (Section 2.3.5). */
  private updateTimer(s: SystemState, r: ReplicaState, k: number): void {
    const u = this.u;
    if (r.faulty) {
      this.timerSince[r.i] = null;
      return;
    }
    let runs: boolean;
    if (!hasNewView(u, r.view, r.in)) {
      // In a view change: the timer runs once 2f + 1 view-changes for the view are in.
      // (the thesis's 2f + 1: a timing assumption of the scheduler, not the protocol's quorum)
      runs = (r.in.viewChangesByV.get(r.view)?.size ?? 0) >= 2 * u.f + 1;
    } else runs = waiting(s, r);
    if (r.lastExec > this.execAtTimer[r.i]!) this.expiries[r.i] = 0; // progress: back to the first timeout
    if (!runs) this.timerSince[r.i] = null;
    else if (this.timerSince[r.i] === null || r.lastExec > this.execAtTimer[r.i]!) this.timerSince[r.i] = k;
    this.execAtTimer[r.i] = r.lastExec;
  }

  /** Records the arrival of the element a SEND or MISBEHAVE puts on the wire; a delivery's remainder keeps its copy's. */
  private arrive(k: number, a: Action): void {
    const put = (key: string, at: number) => {
      if (!this.arrival.has(key)) this.arrival.set(key, at);
    };
    const take = (m: Message, X: number) => {
      const at = this.arrival.get(elementKey(m, X)) ?? -1;
      this.arrival.delete(elementKey(m, X)); // gone from the wire: sent again later, it arrives anew
      return at;
    };
    if (a.kind === 'SEND') put(elementKey(a.m, a.X), k);
    else if (a.kind === 'MISBEHAVE') {
      take(a.m, a.X);
      put(elementKey(a.m, a.X2), k);
    } else if (a.kind === 'RECEIVE') put(elementKey(a.m, a.X & ~nodeBit(a.x)), take(a.m, a.X));
  }

  private isFaulty(s: SystemState, x: number): boolean {
    return x < this.u.n ? s.replicas[x]!.faulty : s.proxies[x - this.u.n]!.faulty;
  }
}

/**
 * A replica is waiting for a request if it received a valid request and has not executed it
 * (Section 2.3.5); only a correct client's request counts (ERRATA readings R21).
 */
function waiting(s: SystemState, r: ReplicaState): boolean {
  const pending = (m: Message | null) => m !== null && m.tag === 'REQUEST' && m.t > r.lastRepT[m.c]! && !s.proxies[m.c]!.faulty;
  for (const m of r.in.all) {
    if (pending(m)) return true;
    if (m.tag === 'PRE-PREPARE' && m.v === r.view && pending(m.m)) return true;
  }
  return false;
}

const elementKey = (m: Message, X: number) => `${m.id}:${X}`;
