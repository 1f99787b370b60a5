// A coverage report of a run: which actions fired, which branches of the figures' effects were
// taken, and which milestones of the protocol were reached (TigerBeetle's coverage marks, observed
// from outside the automata as sim/stats.ts does).
//
// The tracker looks at the state just before and just after each step, and only at the node the
// action concerns: a few scalars (view_i, last-exec_i, h_i, last-rep-t_i(c)), the sizes of in_i and
// chkpts_i, and whether the one message the action names is in in_i. It never scans a whole log or
// the whole wire, so it can observe every step of a long run.
//
// Every branch is decided from what changed, not by evaluating the figure's guard again, except
// where the guard is a comparison of scalars that the step does not change (RECEIVE(REQUEST),
// EXECUTE's timestamp cases); each id below says how it is decided and which figure it belongs to.
import type { Action } from '../automata/actions.ts';
import { ACTION_KINDS } from '../automata/actions.ts';
import type { SystemState } from '../automata/compose.ts';
import type { Message, NewView, Tag } from '../automata/messages.ts';
import { signerOf } from '../automata/messages.ts';
import { h } from '../automata/replica-state.ts';
import type { Universe } from '../automata/universe.ts';
import { isProgress, progressedInSecondHalf } from './stats.ts';

/** Plain JSON-able data; every known key is present (0 when never seen), in a fixed order. */
export interface CoverageReport {
  steps: number;
  actions: Record<string, number>;
  branches: Record<string, number>;
  milestones: Record<string, number>;
  /** How far the runs went (REACH): counts of runs, and the highest view (a maximum when merged). */
  reach: Record<string, number>;
  /** Pre-prepares sent, by the kind of their payload m ∈ M (Fig 2-8): null or a message tag. */
  payloads: Record<string, number>;
}

/** The message tags, in the order of messages.ts. */
export const MESSAGE_TAGS: readonly Tag[] = ['REQUEST', 'REPLY', 'PRE-PREPARE', 'PREPARE', 'COMMIT', 'CHECKPOINT', 'VIEW-CHANGE', 'NEW-VIEW'];

/** Reach ids: per run, 1 or 0 (summed when reports are merged), and the highest view (the maximum). */
export const REACH = {
  runs: 'runs',
  alive: 'runs still making progress in their second half',
  adopted: 'runs where a correct replica adopted a state (update-state-nv)',
  highestView: 'highest view of a correct replica',
} as const;
export const REACH_IDS: readonly string[] = Object.values(REACH);

/** Payload kinds of a pre-prepare: null, then the message tags. */
export const PAYLOAD_KINDS: readonly string[] = ['null', ...MESSAGE_TAGS];

/** Keys of `actions` besides the action kinds: SEND and RECEIVE per tag, and steps of faulty nodes. */
export const FAULTY_SEND = 'SEND by faulty node';
export const FAULTY_RECEIVE = 'RECEIVE at faulty node';
export const ACTION_KEYS: readonly string[] = [
  ...ACTION_KINDS,
  ...MESSAGE_TAGS.map((t) => `SEND:${t}`),
  ...MESSAGE_TAGS.map((t) => `RECEIVE:${t}`),
  FAULTY_SEND,
  FAULTY_RECEIVE,
];

/**
 * Branch ids. Branches are counted at non-faulty nodes only (a faulty node's stand-in has no
 * figure). "Entered in_i" means: not in in_i before the step, in in_i after it.
 */
export const BRANCH = {
  // Fig 2-7, REQUEST(o)_c: the effect at a non-faulty proxy; a faulty proxy ignores it.
  requestIssued: 'REQUEST: issued',
  requestAtFaultyClient: 'REQUEST: at faulty client (no effect)',

  // Fig 2-12 (A.1) RECEIVE(⟨REQUEST, o, t, c⟩σc)_i, decided by t against last-rep-t_i(c) before
  // the step (the receive does not change last-rep-t_i).
  requestResent: 'RECEIVE(REQUEST): reply resent (t = last-rep-t)',
  requestLogged: 'RECEIVE(REQUEST): logged (t > last-rep-t)',
  requestIgnored: 'RECEIVE(REQUEST): ignored (t < last-rep-t)',

  // Fig 2-12 (A.1) RECEIVE(⟨PRE-PREPARE, v, n, m⟩σj)_i: accepted when the pre-prepare entered in_i
  // (with it the prepare p, also put in out_i); A.1's else branch when only the request m entered;
  // ignored when in_i gained neither; a pre-prepare already in in_i changes nothing.
  ppAccepted: 'RECEIVE(PRE-PREPARE): accepted (prepare sent)',
  ppRequestOnly: 'RECEIVE(PRE-PREPARE): request logged only (A, else branch)',
  ppIgnored: 'RECEIVE(PRE-PREPARE): ignored',
  ppDuplicate: 'RECEIVE(PRE-PREPARE): already in log (no change)',

  // Fig 2-12 (A.1) RECEIVE(⟨PREPARE, v, n, d, j⟩σj)_i: logged when the prepare entered in_i.
  prepareLogged: 'RECEIVE(PREPARE): logged',
  prepareIgnored: 'RECEIVE(PREPARE): ignored',
  prepareDuplicate: 'RECEIVE(PREPARE): already in log (no change)',

  // Fig 2-12 (A.1) RECEIVE(⟨COMMIT, v, n, d, j⟩σj)_i: logged when the commit entered in_i.
  commitLogged: 'RECEIVE(COMMIT): logged',
  commitIgnored: 'RECEIVE(COMMIT): ignored',
  commitDuplicate: 'RECEIVE(COMMIT): already in log (no change)',

  // Fig 2-11 RECEIVE(⟨CHECKPOINT, v, n, d, j⟩σj)_i: logged when the checkpoint entered in_i. In A a
  // checkpoint is not an input of R_i, so it is counted as ignored.
  checkpointLogged: 'RECEIVE(CHECKPOINT): logged',
  checkpointIgnored: 'RECEIVE(CHECKPOINT): ignored',
  checkpointDuplicate: 'RECEIVE(CHECKPOINT): already in log (no change)',

  // Fig 2-13 (A.1) RECEIVE(⟨VIEW-CHANGE, …, j⟩σj)_i: logged when the view-change entered in_i.
  vcLogged: 'RECEIVE(VIEW-CHANGE): logged',
  vcIgnored: 'RECEIVE(VIEW-CHANGE): ignored',
  vcDuplicate: 'RECEIVE(VIEW-CHANGE): already in log (no change)',

  // Fig 2-13 (A.1) RECEIVE(⟨NEW-VIEW, v, V, O, N⟩σj)_i: accepted exactly when m entered in_i (the
  // effect adds m, and a new-view already in in_i makes has-new-view(v, i) true, so it is ignored);
  // within accepted, Fig 2-9 update-state-nv adopted a checkpoint when last-exec_i rose.
  nvAccepted: 'RECEIVE(NEW-VIEW): accepted',
  nvIgnored: 'RECEIVE(NEW-VIEW): ignored',
  nvStateAdopted: 'RECEIVE(NEW-VIEW): state adopted (update-state-nv raised last-exec)',

  // Fig 2-8 / A.1: a reply is not in R_i's input signature.
  replyAtReplica: 'RECEIVE(REPLY) at replica: not an input (no effect)',

  // Fig 2-7 RECEIVE(⟨REPLY, v, t, c, i, r⟩σi)_c: kept when the reply entered in_c; ignored when it did
  // not (no outstanding request, another timestamp, another client's reply).
  proxyKept: 'proxy RECEIVE(REPLY): kept',
  proxyIgnored: 'proxy RECEIVE(REPLY): ignored',
  proxyDuplicate: 'proxy RECEIVE(REPLY): already in in_c (no change)',
  proxyNotReply: 'proxy RECEIVE: not a reply (no effect)',

  // Fig 2-7 REPLY(r)_c
  replyDelivered: 'REPLY: delivered',
  replyAtFaultyClient: 'REPLY: output by a faulty client (no proxy state)',

  // Fig 2-12 (A.1) EXECUTE(m, v, n)_i, decided by m and by last-rep-t_i(c) before and after:
  // new timestamp when last-rep-t_i(c) rose; same when t = last-rep-t_i(c) before (the reply is
  // rebuilt from last-rep_i(c)); stale when t < last-rep-t_i(c) (only last-exec_i := n and
  // in_i := in_i − {m}). Fig 2-12's take-chkpt branch: chkpts_i gained an entry at n (A_gc only).
  execNull: 'EXECUTE: null request',
  execNotRequest: 'EXECUTE: a payload that is not a request (nothing executed, reading R14)',
  execNew: 'EXECUTE: new timestamp (executed)',
  execSame: 'EXECUTE: same timestamp (reply resent)',
  execStale: 'EXECUTE: stale timestamp (t < last-rep-t, no effect but last-exec)',
  execCheckpoint: 'EXECUTE: checkpoint taken',

  // Fig 2-13 (A.1) SEND-VIEW-CHANGE(v)_i: whether the P of the view-change put in out_i is empty.
  vcSentEmptyP: 'SEND-VIEW-CHANGE: P empty',
  vcSentNonEmptyP: 'SEND-VIEW-CHANGE: P non-empty',

  // Fig 2-13 (A.1) SEND-NEW-VIEW(v, V)_i: the O and N of the new-view put in out_i; update-state-nv
  // (Fig 2-9) adopted a checkpoint when last-exec_i rose.
  nvSentO: 'SEND-NEW-VIEW: O non-empty',
  nvSentN: 'SEND-NEW-VIEW: N non-empty',
  nvSentEmpty: 'SEND-NEW-VIEW: O and N empty',
  nvSentStateAdopted: 'SEND-NEW-VIEW: state adopted (update-state-nv raised last-exec)',

  // Fig 2-11 COLLECT-GARBAGE_i: whether in_i or chkpts_i shrank.
  gcDiscarded: 'COLLECT-GARBAGE: log discarded',
  gcNothing: 'COLLECT-GARBAGE: nothing to discard',
} as const;
export type BranchId = (typeof BRANCH)[keyof typeof BRANCH];
export const BRANCH_IDS: readonly BranchId[] = Object.values(BRANCH);

/** Milestone ids: events of the protocol a good run should reach. */
export const MILESTONE = {
  /** view_i of a non-faulty replica rose (SEND-VIEW-CHANGE, SEND-NEW-VIEW, RECEIVE(NEW-VIEW)). */
  viewChanged: 'views changed',
  /** Distinct NEW-VIEW messages, put on the wire (by anyone) or built by SEND-NEW-VIEW, with O ≠ {}. */
  newViewO: 'new-views with non-empty O',
  /** The same with N ≠ {}. */
  newViewN: 'new-views with non-empty N',
  /** h_i of a non-faulty replica rose (COLLECT-GARBAGE or update-state-nv). */
  stableCheckpoint: 'stable checkpoints',
  /** COLLECT-GARBAGE steps that discarded something. */
  garbageCollected: 'garbage collections',
  /** last-exec_i of a non-faulty replica jumped by more than one, or rose without EXECUTE (update-state-nv). */
  stateAdopted: 'state adopted through update-state-nv',
  /** A reply rebuilt from last-rep_i(c): RECEIVE(REQUEST) with t = last-rep-t, or EXECUTE with the same t. */
  replyResent: 'replies resent from last-rep',
  /** EXECUTE of a request with t < last-rep-t_i(c). */
  staleExecution: 'requests executed with a stale timestamp',
  /** RECEIVE at a non-faulty replica of a message signed by a faulty node, which entered in_i. */
  byzantineAccepted: 'Byzantine messages accepted by correct replicas',
  /** REPLY(r)_c steps. */
  requestCompleted: 'requests completed',
  /** RECEIVE(NEW-VIEW) at a non-faulty replica that accepted it, with O ≠ {} (accepted, not merely sent). */
  newViewAcceptedO: 'new-views accepted with non-empty O',
  /** The same with N ≠ {}. */
  newViewAcceptedN: 'new-views accepted with non-empty N',
} as const;
export type MilestoneId = (typeof MILESTONE)[keyof typeof MILESTONE];
export const MILESTONE_IDS: readonly MilestoneId[] = Object.values(MILESTONE);

const zeros = (keys: readonly string[]): Record<string, number> => Object.fromEntries(keys.map((k) => [k, 0]));

/** An empty report: every known key, at 0. */
export function emptyCoverage(): CoverageReport {
  return { steps: 0, actions: zeros(ACTION_KEYS), branches: zeros(BRANCH_IDS), milestones: zeros(MILESTONE_IDS), reach: zeros(REACH_IDS), payloads: zeros(PAYLOAD_KINDS) };
}

/** The replica an action concerns, or -1. */
function replicaOfAction(u: Universe, a: Action): number {
  switch (a.kind) {
    case 'SEND':
    case 'RECEIVE':
      return a.x >= 0 && a.x < u.n ? a.x : -1;
    case 'REQUEST':
    case 'CLIENT-FAILURE':
    case 'REPLY':
    case 'MISBEHAVE':
      return -1;
    default:
      return a.i;
  }
}

export class CoverageTracker {
  private steps = 0;
  private readonly actions = new Map<string, number>();
  private readonly branches = new Map<BranchId, number>();
  private readonly milestones = new Map<MilestoneId, number>();
  /** The NEW-VIEW messages counted for the O and N milestones, by interning id. */
  private readonly newViewsSeen = new Set<number>();
  private readonly payloads = new Map<string, number>();
  /** The step of the last progress (a correct replica executed a request, a non-faulty client got its reply), or -1. */
  private lastProgress = -1;
  private highestView = 0;

  // What before() saw, for the action it was given.
  private pending: Action | null = null;
  /** The concerned replica, if it is non-faulty, else -1. */
  private replica = -1;
  private view = 0;
  private lastExec = 0;
  private hi = 0;
  private logSize = 0;
  private outAdditions = 0;
  /** The message of a RECEIVE was in in_i (or in_c) before the step. */
  private hadMessage = false;
  private hadRequest = false;
  private signerFaulty = false;
  private faultyNode = false;
  private lastRepT = 0;
  private hadChkptAtN = false;

  constructor(private readonly u: Universe) {}

  private bump<K>(map: Map<K, number>, k: K): void {
    map.set(k, (map.get(k) ?? 0) + 1);
  }
  private branch(b: BranchId): void {
    this.bump(this.branches, b);
  }
  private milestone(m: MilestoneId): void {
    this.bump(this.milestones, m);
  }

  /** Called before step a is taken from s. */
  before(s: SystemState, a: Action): void {
    const u = this.u;
    this.pending = a;
    const i = replicaOfAction(u, a);
    this.replica = i >= 0 && !s.replicas[i]!.faulty ? i : -1;
    if (this.replica >= 0) {
      const r = s.replicas[i]!;
      this.view = r.view;
      this.lastExec = r.lastExec;
      this.hi = h(r);
      this.logSize = r.in.size + r.chkpts.length;
      this.outAdditions = r.out.additionCount;
    }
    switch (a.kind) {
      case 'REQUEST':
      case 'REPLY':
        this.faultyNode = s.proxies[a.c]!.faulty;
        break;
      case 'SEND':
        this.faultyNode = s.standIns[a.x] !== null;
        break;
      case 'RECEIVE': {
        this.faultyNode = s.standIns[a.x] !== null;
        const m = a.m;
        if (this.replica >= 0) {
          const r = s.replicas[a.x]!;
          this.hadMessage = r.in.has(m);
          if (m.tag === 'PRE-PREPARE') this.hadRequest = m.m !== null && r.in.has(m.m);
          if (m.tag === 'REQUEST') this.lastRepT = r.lastRepT[m.c] ?? NaN;
          const sg = signerOf(m);
          this.signerFaulty = sg.kind === 'replica' ? s.replicas[sg.id]?.faulty === true : s.proxies[sg.id]?.faulty === true;
        } else if (!this.faultyNode && a.x >= u.n && m.tag === 'REPLY') {
          this.hadMessage = s.proxies[a.x - u.n]!.in.has(m);
        }
        break;
      }
      case 'EXECUTE':
        if (this.replica >= 0) {
          const r = s.replicas[a.i]!;
          this.lastRepT = a.m?.tag === 'REQUEST' ? r.lastRepT[a.m.c]! : 0;
          this.hadChkptAtN = r.chkpts.some((e) => e.n === a.n);
        }
        break;
      default:
        break;
    }
  }

  /** Called after step a has been taken; s is the state it led to. */
  after(s: SystemState, a: Action): void {
    if (this.pending !== a) throw new Error(`CoverageTracker.after(${a.kind}) without before() for the same action`);
    this.pending = null;
    const u = this.u;
    this.steps++;
    this.bump(this.actions, a.kind);
    switch (a.kind) {
      case 'REQUEST':
        this.branch(this.faultyNode ? BRANCH.requestAtFaultyClient : BRANCH.requestIssued);
        break;
      case 'REPLY':
        if (this.faultyNode) {
          this.branch(BRANCH.replyAtFaultyClient);
          break;
        }
        this.branch(BRANCH.replyDelivered);
        this.milestone(MILESTONE.requestCompleted);
        break;
      case 'SEND':
        this.bump(this.actions, `SEND:${a.m.tag}`);
        if (this.faultyNode) this.bump(this.actions, FAULTY_SEND);
        if (a.m.tag === 'NEW-VIEW') this.seeNewView(a.m);
        if (a.m.tag === 'PRE-PREPARE') this.bump(this.payloads, a.m.m === null ? 'null' : a.m.m.tag);
        break;
      case 'RECEIVE':
        this.bump(this.actions, `RECEIVE:${a.m.tag}`);
        if (this.faultyNode) this.bump(this.actions, FAULTY_RECEIVE);
        else if (this.replica >= 0) this.receivedAtReplica(s, a.x, a.m);
        else if (a.x >= u.n) this.receivedAtProxy(s, a.x - u.n, a.m);
        break;
      case 'EXECUTE':
        if (this.replica >= 0) this.executed(s, a);
        break;
      case 'SEND-VIEW-CHANGE':
        if (this.replica >= 0) {
          const vc = s.replicas[a.i]!.out.addedSince(this.outAdditions).find((m) => m.tag === 'VIEW-CHANGE' && m.v === a.v && m.j === a.i);
          if (vc?.tag === 'VIEW-CHANGE') this.branch(vc.P.length > 0 ? BRANCH.vcSentNonEmptyP : BRANCH.vcSentEmptyP);
        }
        break;
      case 'SEND-NEW-VIEW':
        if (this.replica >= 0) {
          const r = s.replicas[a.i]!;
          const nv = r.out.addedSince(this.outAdditions).find((m): m is NewView => m.tag === 'NEW-VIEW' && m.v === a.v && m.signer === a.i);
          if (nv !== undefined) {
            if (nv.O.length > 0) this.branch(BRANCH.nvSentO);
            if (nv.N.length > 0) this.branch(BRANCH.nvSentN);
            if (nv.O.length === 0 && nv.N.length === 0) this.branch(BRANCH.nvSentEmpty);
            this.seeNewView(nv);
          }
          if (r.lastExec > this.lastExec) this.branch(BRANCH.nvSentStateAdopted);
        }
        break;
      case 'COLLECT-GARBAGE':
        if (this.replica >= 0) {
          const r = s.replicas[a.i]!;
          if (r.in.size + r.chkpts.length < this.logSize) {
            this.branch(BRANCH.gcDiscarded);
            this.milestone(MILESTONE.garbageCollected);
          } else this.branch(BRANCH.gcNothing);
        }
        break;
      default:
        break;
    }
    if (isProgress(s, a)) this.lastProgress = this.steps - 1;
    // Milestones of the concerned non-faulty replica, from its scalars.
    if (this.replica >= 0 && a.kind !== 'REPLICA-FAILURE') {
      const r = s.replicas[this.replica]!;
      if (r.view > this.view) this.milestone(MILESTONE.viewChanged);
      if (r.view > this.highestView) this.highestView = r.view;
      if (h(r) > this.hi) this.milestone(MILESTONE.stableCheckpoint);
      const rose = r.lastExec - this.lastExec;
      if (rose > 1 || (rose > 0 && a.kind !== 'EXECUTE')) this.milestone(MILESTONE.stateAdopted);
    }
  }

  /** A NEW-VIEW put on the wire or built: counted once per distinct message. */
  private seeNewView(m: NewView): void {
    if (this.newViewsSeen.has(m.id)) return;
    this.newViewsSeen.add(m.id);
    if (m.O.length > 0) this.milestone(MILESTONE.newViewO);
    if (m.N.length > 0) this.milestone(MILESTONE.newViewN);
  }

  private receivedAtReplica(s: SystemState, i: number, m: Message): void {
    const r = s.replicas[i]!;
    const entered = !this.hadMessage && r.in.has(m);
    if (entered && this.signerFaulty) this.milestone(MILESTONE.byzantineAccepted);
    const logged = (yes: BranchId, no: BranchId, dup: BranchId) => this.branch(this.hadMessage ? dup : entered ? yes : no);
    switch (m.tag) {
      case 'REQUEST': {
        const lrt = this.lastRepT;
        if (m.t === lrt) {
          this.branch(BRANCH.requestResent);
          this.milestone(MILESTONE.replyResent);
        } else if (m.t > lrt) this.branch(BRANCH.requestLogged);
        else if (m.t < lrt) this.branch(BRANCH.requestIgnored);
        break;
      }
      case 'PRE-PREPARE':
        if (this.hadMessage) this.branch(BRANCH.ppDuplicate);
        else if (entered) this.branch(BRANCH.ppAccepted);
        else if (m.m !== null && !this.hadRequest && r.in.has(m.m)) this.branch(BRANCH.ppRequestOnly);
        else this.branch(BRANCH.ppIgnored);
        break;
      case 'PREPARE':
        logged(BRANCH.prepareLogged, BRANCH.prepareIgnored, BRANCH.prepareDuplicate);
        break;
      case 'COMMIT':
        logged(BRANCH.commitLogged, BRANCH.commitIgnored, BRANCH.commitDuplicate);
        break;
      case 'CHECKPOINT':
        logged(BRANCH.checkpointLogged, BRANCH.checkpointIgnored, BRANCH.checkpointDuplicate);
        break;
      case 'VIEW-CHANGE':
        logged(BRANCH.vcLogged, BRANCH.vcIgnored, BRANCH.vcDuplicate);
        break;
      case 'NEW-VIEW':
        if (entered) {
          this.branch(BRANCH.nvAccepted);
          if (m.O.length > 0) this.milestone(MILESTONE.newViewAcceptedO);
          if (m.N.length > 0) this.milestone(MILESTONE.newViewAcceptedN);
          if (r.lastExec > this.lastExec) this.branch(BRANCH.nvStateAdopted);
        } else this.branch(BRANCH.nvIgnored);
        break;
      case 'REPLY':
        this.branch(BRANCH.replyAtReplica);
        break;
    }
  }

  private receivedAtProxy(s: SystemState, c: number, m: Message): void {
    if (m.tag !== 'REPLY') return this.branch(BRANCH.proxyNotReply);
    if (this.hadMessage) return this.branch(BRANCH.proxyDuplicate);
    this.branch(s.proxies[c]!.in.has(m) ? BRANCH.proxyKept : BRANCH.proxyIgnored);
  }

  private executed(s: SystemState, a: Extract<Action, { kind: 'EXECUTE' }>): void {
    const r = s.replicas[a.i]!;
    if (a.m === null) this.branch(BRANCH.execNull);
    else if (a.m.tag !== 'REQUEST') this.branch(BRANCH.execNotRequest);
    else {
      const { t, c } = a.m;
      if (r.lastRepT[c]! > this.lastRepT) this.branch(BRANCH.execNew);
      else if (t === this.lastRepT) {
        this.branch(BRANCH.execSame);
        this.milestone(MILESTONE.replyResent);
      } else {
        this.branch(BRANCH.execStale);
        this.milestone(MILESTONE.staleExecution);
      }
    }
    if (!this.hadChkptAtN && r.chkpts.some((e) => e.n === a.n)) this.branch(BRANCH.execCheckpoint);
  }

  /** The counts so far, every known key present, in a fixed order. */
  report(): CoverageReport {
    const r = emptyCoverage();
    r.steps = this.steps;
    for (const k of ACTION_KEYS) r.actions[k] = this.actions.get(k) ?? 0;
    for (const k of BRANCH_IDS) r.branches[k] = this.branches.get(k) ?? 0;
    for (const k of MILESTONE_IDS) r.milestones[k] = this.milestones.get(k) ?? 0;
    for (const k of PAYLOAD_KINDS) r.payloads[k] = this.payloads.get(k) ?? 0;
    r.reach[REACH.runs] = this.steps > 0 ? 1 : 0;
    r.reach[REACH.alive] = progressedInSecondHalf(this.lastProgress, this.steps) ? 1 : 0;
    r.reach[REACH.adopted] = (this.milestones.get(MILESTONE.stateAdopted) ?? 0) > 0 ? 1 : 0;
    r.reach[REACH.highestView] = this.highestView;
    return r;
  }
}

/** The run hooks (RunOptions onStart, beforeStep, onStep) that feed a CoverageTracker, and its report once the run is over. */
export function coverageHooks(): {
  hooks: { onStart: (u: Universe) => void; beforeStep: (k: number, a: Action, s: SystemState) => void; onStep: (k: number, a: Action, s: SystemState) => void };
  report: () => CoverageReport;
} {
  let tracker: CoverageTracker | null = null;
  return {
    hooks: {
      onStart: (u) => {
        tracker = new CoverageTracker(u);
      },
      beforeStep: (_k, a, s) => tracker!.before(s, a),
      onStep: (_k, a, s) => tracker!.after(s, a),
    },
    report: () => (tracker === null ? emptyCoverage() : tracker.report()),
  };
}

/** The known keys first, in their order, then any others of either record, sorted. */
function mergeRecords(known: readonly string[], a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const knownSet = new Set(known);
  const extra = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !knownSet.has(k)).sort();
  return Object.fromEntries([...known, ...extra].map((k) => [k, (a[k] ?? 0) + (b[k] ?? 0)]));
}

/** The sum of two reports (runs aggregated). */
export function mergeCoverage(a: CoverageReport, b: CoverageReport): CoverageReport {
  return {
    steps: a.steps + b.steps,
    actions: mergeRecords(ACTION_KEYS, a.actions, b.actions),
    branches: mergeRecords(BRANCH_IDS, a.branches, b.branches),
    milestones: mergeRecords(MILESTONE_IDS, a.milestones, b.milestones),
    reach: { ...mergeRecords(REACH_IDS, a.reach, b.reach), [REACH.highestView]: Math.max(a.reach[REACH.highestView] ?? 0, b.reach[REACH.highestView] ?? 0) },
    payloads: mergeRecords(PAYLOAD_KINDS, a.payloads, b.payloads),
  };
}

/** The milestones with a count of 0, in the report's order. */
export function neverReached(r: CoverageReport): string[] {
  return Object.entries(r.milestones)
    .filter(([, n]) => n === 0)
    .map(([k]) => k);
}

/** A readable report: actions, branches and milestones in aligned columns, then what was never reached. */
export function formatCoverage(r: CoverageReport): string {
  const sections: [string, Record<string, number>][] = [
    ['actions', r.actions],
    ['branches', r.branches],
    ['milestones', r.milestones],
    ['pre-prepare payloads', r.payloads],
    ['reach', r.reach],
  ];
  const entries = sections.flatMap(([, rec]) => Object.entries(rec));
  const keyWidth = Math.max(0, ...entries.map(([k]) => k.length));
  const numWidth = Math.max(1, ...entries.map(([, n]) => String(n).length));
  const lines = [`coverage of ${r.steps} steps`];
  for (const [title, rec] of sections) {
    lines.push(title);
    for (const [k, n] of Object.entries(rec)) lines.push(`  ${k.padEnd(keyWidth)}  ${String(n).padStart(numWidth)}`);
  }
  const never = neverReached(r);
  lines.push(never.length === 0 ? 'every milestone reached' : `never reached: ${never.join(', ')}`);
  return lines.join('\n');
}
