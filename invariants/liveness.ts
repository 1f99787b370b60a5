// Bounded liveness after stabilization: Section 2.3.5's argument ("Liveness") made checkable on a
// finite run whose part from GST on is stabilized (sim/stable-scheduler.ts: a reliable network,
// prompt correct nodes, timers that expire only when nothing else can happen). Each property is a
// deadline counted in steps from GST or from the step its obligation began; L1 also fails at once
// when a request cannot complete in a view with a correct primary, or when the stabilized part
// ends with nothing left to do while a request is outstanding.
import type { Action } from '../automata/actions.ts';
import { hasNewView } from '../automata/aux-functions.ts';
import type { SystemState } from '../automata/compose.ts';
import type { ReplicaState } from '../automata/replica-state.ts';
import type { Universe } from '../automata/universe.ts';

export interface LivenessProperty {
  id: 'L1' | 'L2' | 'L3';
  statement: string;
  ref: string;
}

export const LIVENESS_PROPERTIES: readonly LivenessProperty[] = [
  { id: 'L1', statement: 'every request of a non-faulty client outstanding at GST, or issued after it, completes (its REPLY output) within B steps', ref: 'Section 2.3.5 (Liveness), bounded after GST' },
  { id: 'L2', statement: "while a request of a non-faulty client is outstanding after GST, the correct replicas are all in one view with its new-view within B' steps", ref: 'Section 2.3.5 (Liveness: the three means), bounded after GST' },
  { id: 'L3', statement: "while a request of a non-faulty client is outstanding after GST, some correct replica's last-exec rises within B'' steps", ref: 'Section 2.3.5 (Liveness), bounded after GST' },
];

/** The deadlines, in steps: B (L1), B' (L2), B'' (L3). */
export interface LivenessBounds {
  L1: number;
  L2: number;
  L3: number;
}

/**
 * Default deadlines for a configuration, with `backlog` elements in flight at GST. A view change
 * after GST costs about 2n² steps (n view-changes sent to n - 1 replicas, the new-view, the
 * prepares of O ∪ N) and a request about 4n² (the pre-prepare, n² prepares, n² commits, n
 * replies); at most f + 1 view changes are needed before a correct primary's view (the primary of
 * v is v mod n, so at most f consecutive ones are faulty; one more when GST finds a view already
 * spoiled by lost messages). B'' allows that and a request; B allows that and every client's
 * request ahead of one's own; B' the view changes alone. Each has the delivery of the backlog in
 * flight at GST on top, and a factor of 6 for what the stabilized run does besides (faulty
 * nodes' sends and what they cause, relayed requests, retransmissions, checkpoints): with a
 * factor of 4, the longest obligation of 150 stabilized runs of the correct model per strategy
 * took up to 0.91 of its deadline (README, Liveness after stabilization).
 */
export function defaultBounds(u: Universe, backlog: number): LivenessBounds {
  const SLACK = 6;
  const n2 = u.n * u.n;
  const views = (u.f + 2) * 2 * n2;
  const request = 4 * n2;
  return { L2: SLACK * views + backlog, L3: SLACK * (views + request) + backlog, L1: SLACK * (views + request * u.clients) + backlog };
}

/** Whether a violation id is a liveness property's. */
export const isLivenessId = (id: string): boolean => /^L[123]$/.test(id);

export interface LivenessViolation {
  id: 'L1' | 'L2' | 'L3';
  step: number;
  message: string;
}

/** The deliveries still owed at a state: every correct destination of every element in flight. */
export function backlogOf(u: Universe, s: SystemState): number {
  let k = 0;
  for (const { X } of s.wire.pending()) for (let x = 0; x < u.n + u.clients; x++) if (X & (1 << x) && !faultyNode(s, u, x)) k++;
  return k;
}

function faultyNode(s: SystemState, u: Universe, x: number): boolean {
  return x < u.n ? s.replicas[x]!.faulty : s.proxies[x - u.n]!.faulty;
}

/** Watches the stabilized part of a run (from GST on) and reports the first deadline missed. */
export class LivenessMonitor {
  /** Per client: the step its outstanding request became due (GST or its REQUEST), or null. */
  private due: (number | null)[] = [];
  private divergedSince: number | null = null;
  private stalledSince: number | null = null;
  private topExec = 0;
  /** The longest each obligation has been open so far: how close the run came to each deadline. */
  readonly worst: LivenessBounds = { L1: 0, L2: 0, L3: 0 };

  constructor(
    private readonly u: Universe,
    readonly gst: number,
    readonly bounds: LivenessBounds,
  ) {}

  /** The clients whose requests are outstanding, with the step each became due. */
  openRequests(): { c: number; since: number }[] {
    return this.due.flatMap((since, c) => (since === null ? [] : [{ c, since }]));
  }

  /** The state at GST (before step gst). */
  start(s: SystemState): void {
    this.due = s.proxies.map((p) => (!p.faulty && p.out !== null ? this.gst : null));
    const outstanding = this.due.some((d) => d !== null);
    this.divergedSince = outstanding && commonView(this.u, s) === null ? this.gst : null;
    this.topExec = topExec(s);
    this.stalledSince = outstanding ? this.gst : null;
  }

  /** After step k (k ≥ GST): the first property whose deadline has passed, or null. */
  observe(k: number, a: Action, s: SystemState): LivenessViolation | null {
    if (a.kind === 'REQUEST' && !s.proxies[a.c]!.faulty) this.due[a.c] = k;
    if (a.kind === 'REPLY') this.due[a.c] = null;
    s.proxies.forEach((p, c) => {
      if (p.faulty || p.out === null) this.due[c] = null;
    });
    const outstanding = this.due.some((d) => d !== null);
    // Views need to agree only while there is work: an idle replica left alone in a later view is no stall.
    this.divergedSince = !outstanding || commonView(this.u, s) !== null ? null : (this.divergedSince ?? k);
    const top = topExec(s);
    if (!outstanding) this.stalledSince = null;
    else if (this.stalledSince === null || top > this.topExec) this.stalledSince = k;
    this.topExec = top;
    const b = this.bounds;
    const w = this.worst;
    for (const d of this.due) if (d !== null) w.L1 = Math.max(w.L1, k - d);
    if (this.divergedSince !== null) w.L2 = Math.max(w.L2, k - this.divergedSince);
    if (this.stalledSince !== null) w.L3 = Math.max(w.L3, k - this.stalledSince);
    for (const [c, d] of this.due.entries()) if (d !== null && k - d > b.L1) return { id: 'L1', step: k, message: `${this.requestOf(s, c)} has had no reply for ${k - d} steps (B = ${b.L1})${this.context(s)}` };
    if (this.divergedSince !== null && k - this.divergedSince > b.L2) return { id: 'L2', step: k, message: `the correct replicas have not been in one view with its new-view for ${k - this.divergedSince} steps (B' = ${b.L2})${this.context(s)}` };
    if (this.stalledSince !== null && k - this.stalledSince > b.L3) return { id: 'L3', step: k, message: `no correct replica's last-exec rose for ${k - this.stalledSince} steps while a request was outstanding (B'' = ${b.L3})${this.context(s)}` };
    return null;
  }

  /**
   * After step k, only a replica's timer could change the state. If a request of a non-faulty
   * client is outstanding while the correct replicas are all in one view with its new-view and a
   * correct primary, and they have all executed the same requests, L1 fails at once: after GST,
   * with a correct primary, the thesis's argument needs no view change for the request to
   * complete (lost messages have been sent again, the client has retransmitted), and nothing else
   * can happen.
   */
  stuck(k: number, s: SystemState): LivenessViolation | null {
    const open = this.due.findIndex((d) => d !== null);
    if (open < 0) return null;
    const v = commonView(this.u, s);
    if (v === null) return this.viewChangeStuck(k, s);
    if (s.replicas[this.u.primary(v)]!.faulty) return null;
    // A replica behind the others catches up only through a new-view in the model (it has no
    // state transfer), so a view change may be what it needs.
    const execs = new Set(s.replicas.filter((r) => !r.faulty).map((r) => r.lastExec));
    if (execs.size > 1) return null;
    return { id: 'L1', step: k, message: `${this.requestOf(s, open)} cannot complete: the correct replicas are in view ${v} with its new-view and a correct primary, and no correct node can act (only a view-change timer could change the state)${this.context(s)}` };
  }

  /**
   * The view-change counterpart of stuck (L2): the correct replicas are all in view v without
   * its new-view, v's primary is correct and has every correct replica's view-change for v in its
   * log, and only a timer could change the state. By Section 2.3.5's argument a correct primary
   * then sends the new-view (after GST nothing it needs is missing); a timer would only move
   * everyone to v + 1 and skip a correct primary's view.
   */
  private viewChangeStuck(k: number, s: SystemState): LivenessViolation | null {
    const correct = s.replicas.filter((r) => !r.faulty);
    const v = correct[0]?.view;
    if (v === undefined || correct.some((r) => r.view !== v)) return null;
    const p = s.replicas[this.u.primary(v)]!;
    if (p.faulty || hasNewView(this.u, v, p.in)) return null;
    const signers = new Set([...(p.in.viewChangesByV.get(v) ?? [])].map((m) => m.j));
    if (correct.some((r) => !signers.has(r.i))) return null;
    return { id: 'L2', step: k, message: `the view change to view ${v} cannot complete: the correct replicas are all in view ${v}, its primary r${p.i} is correct and has all their view-changes, and no correct node can act (only a view-change timer could change the state)${this.context(s)}` };
  }

  /** The stabilized run ended at step k with nothing left to do: an open obligation is violated now. */
  end(k: number, s: SystemState): LivenessViolation | null {
    const open = this.due.findIndex((d) => d !== null);
    const stuck = ': the stabilized run is stuck (no correct node can act and no timer runs: the state repeats from here on, a lasso of length 0)';
    return open < 0 ? null : { id: 'L1', step: k, message: `${this.requestOf(s, open)} never completes${stuck}${this.context(s)}` };
  }

  private requestOf(s: SystemState, c: number): string {
    const m = s.proxies[c]!.out;
    return m === null ? `c${c}'s request` : `c${c}'s request ⟨${m.o}, ${m.t}⟩ (due since step ${this.due[c]})`;
  }

  /** GST, what is outstanding, and what each correct replica is waiting for. */
  private context(s: SystemState): string {
    const outstanding = s.proxies.filter((p) => !p.faulty && p.out !== null).map((p) => `c${p.c}: ⟨${p.out!.o}, ${p.out!.t}⟩`);
    return `; GST ${this.gst}; outstanding ${outstanding.length === 0 ? 'none' : outstanding.join(', ')}; ${waitingFor(this.u, s).join('; ')}`;
  }
}

/** The view all correct replicas are in, each with its new-view, or null. */
export function commonView(u: Universe, s: SystemState): number | null {
  let v: number | null = null;
  for (const r of s.replicas) {
    if (r.faulty) continue;
    if (v !== null && r.view !== v) return null;
    v = r.view;
    if (!hasNewView(u, r.view, r.in)) return null;
  }
  return v;
}

function topExec(s: SystemState): number {
  let top = 0;
  for (const r of s.replicas) if (!r.faulty && r.lastExec > top) top = r.lastExec;
  return top;
}

/** What each correct replica is waiting for: the message or quorum it lacks. */
export function waitingFor(u: Universe, s: SystemState): string[] {
  return s.replicas.filter((r) => !r.faulty).map((r) => `r${r.i} ${replicaWait(u, s, r)}`);
}

function replicaWait(u: Universe, s: SystemState, r: ReplicaState): string {
  const q = u.proto.quorums;
  const p = u.primary(r.view);
  const primary = `r${p}${s.replicas[p]!.faulty ? ', faulty' : ''}`;
  if (!hasNewView(u, r.view, r.in)) {
    const vcs = r.in.viewChangesByV.get(r.view)?.size ?? 0;
    return `(view ${r.view}) lacks the new-view of primary ${primary} (${vcs} of the ${q.newView} view-changes for view ${r.view} in its log)`;
  }
  const n = r.lastExec + 1;
  const pp = [...r.in.prePreparesAt(n)].find((x) => x.v === r.view);
  if (pp === undefined) return `(view ${r.view}, last-exec ${r.lastExec}) lacks a pre-prepare for n = ${n} from primary ${primary}`;
  const d = u.interner.digest(pp.m);
  const prepares = [...r.in.prepareSignersOf(r.view, n, d)].filter((j) => j !== p).length;
  if (prepares < q.prepare) return `(view ${r.view}) has ${prepares} of the ${q.prepare} prepares for n = ${n}`;
  const commits = r.in.commitSignersOf(r.view, n, d).size;
  if (commits < q.commit) return `(view ${r.view}) has ${commits} of the ${q.commit} commits for n = ${n}`;
  return `(view ${r.view}) has n = ${n} committed but not executed`;
}
