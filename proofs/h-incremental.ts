// Incremental evaluation of H (h.ts): the cost of a step follows what the step changed in x and
// y, not the length of the run, with the same clauses failing as in the plain evaluation.
//
// - Clause 1 compares a fixed number of variables: evaluated as written at every step.
// - Clause 2: per non-faulty replica, the set of messages whose membership in the two sides
//   differs. Only messages added to or removed from x.in_i or y.in_i change it, and a rise of
//   x.h_i only removes messages from both sides alike (so only the differing ones are looked at
//   again); any other change of x.h_i rebuilds it.
// - Clauses 3 and 4 are evaluated again for a replica when a view-change (new-view) entered or
//   left x.in_i or y.in_i.
// - Clauses 5, 6 and 7 are "every m of a set of x has a counterpart in a set of y". The wire
//   never loses a message, so once m's counterpart is on y's wire it stays: each m is kept as
//   pending until then (with clause 5, a counterpart in y.out_i counts while it is there).
// A change of a faulty flag (or the first check) rebuilds everything.
import type { SystemState } from '../automata/compose.ts';
import { formatMessage } from '../automata/format.ts';
import type { Message } from '../automata/messages.ts';
import { signerOf } from '../automata/messages.ts';
import { h } from '../automata/replica-state.ts';
import { DeltaTracker, type Delta } from '../invariants/delta.ts';
import type { HConsistency } from './h-consistency.ts';
import { clause1, countsInX, countsInY, extraRequestAllowed, hClauses, nvsOf, vcsOf } from './h.ts';
import { failingClauses, type ClauseFailure } from './relation.ts';

export interface HIncremental {
  check(x: SystemState, y: SystemState): ClauseFailure[];
}

export function hIncremental(hc: HConsistency, ids: readonly string[]): HIncremental {
  return new IncrementalH(hc, ids);
}

const replicaSigner = (m: Message): number | null => {
  const s = signerOf(m);
  return s.kind === 'replica' ? s.id : null;
};

class IncrementalH implements HIncremental {
  private readonly xT = new DeltaTracker();
  private readonly yT = new DeltaTracker();
  private readonly on: (id: string) => boolean;
  private hOf: number[] = [];
  /** Clause 2: per replica, the messages counted on one side only. */
  private mismatch: Set<Message>[] = [];
  private vcOk: boolean[] = [];
  private nvOk: boolean[] = [];
  /** Clause 5: per replica, members of X_i whose counterpart is not (yet) on y's wire. */
  private pending5: Set<Message>[] = [];
  private pending6 = new Set<Message>();
  private pending7 = new Set<Message>();
  /** y's wire view-changes and new-views by kind, view and signer (the candidates of consistent-all). */
  private readonly yIndex = new Map<string, Message[]>();

  constructor(
    private readonly hc: HConsistency,
    ids: readonly string[],
  ) {
    this.on = (id) => ids.includes(id);
  }

  check(x: SystemState, y: SystemState): ClauseFailure[] {
    const dx = this.xT.next(x);
    const dy = this.yT.next(y);
    for (const m of dy.wireAdded) this.indexY(m);
    if (dx.full || dy.full) this.rebuild(x, y);
    else this.update(x, y, dx, dy);
    return this.report(x, y);
  }

  private indexY(m: Message): void {
    if (m.tag !== 'VIEW-CHANGE' && m.tag !== 'NEW-VIEW') return;
    const key = `${m.tag}|${m.v}|${replicaSigner(m)}`;
    const l = this.yIndex.get(key);
    if (l === undefined) this.yIndex.set(key, [m]);
    else l.push(m);
  }

  private nonFaulty(x: SystemState): number[] {
    return x.replicas.filter((r) => !r.faulty).map((r) => r.i);
  }

  private rebuild(x: SystemState, y: SystemState): void {
    const n = x.replicas.length;
    this.hOf = x.replicas.map(h);
    this.mismatch = Array.from({ length: n }, () => new Set<Message>());
    this.pending5 = Array.from({ length: n }, () => new Set<Message>());
    this.vcOk = Array(n).fill(true);
    this.nvOk = Array(n).fill(true);
    this.pending6 = new Set();
    this.pending7 = new Set();
    for (const i of this.nonFaulty(x)) {
      for (const m of x.replicas[i]!.in.all) this.recheck2(x, y, i, m);
      for (const m of y.replicas[i]!.in.all) this.recheck2(x, y, i, m);
      this.vcOk[i] = this.clause3(x, y, i);
      this.nvOk[i] = this.clause4(x, y, i);
      for (const m of x.replicas[i]!.out) this.add5(i, m);
    }
    for (const m of x.wire.messagesSince(0)) this.addWire(x, m);
  }

  private update(x: SystemState, y: SystemState, dx: Delta, dy: Delta): void {
    for (const i of this.nonFaulty(x)) {
      const hi = h(x.replicas[i]!);
      if (hi !== this.hOf[i]) {
        if (hi < this.hOf[i]!) {
          this.mismatch[i] = new Set();
          for (const m of x.replicas[i]!.in.all) this.recheck2(x, y, i, m);
          for (const m of y.replicas[i]!.in.all) this.recheck2(x, y, i, m);
        } else for (const m of [...this.mismatch[i]!]) this.recheck2(x, y, i, m);
        this.hOf[i] = hi;
      }
      const changed = [...(dx.inAdded.get(i) ?? []), ...(dx.inRemoved.get(i) ?? []), ...(dy.inAdded.get(i) ?? []), ...(dy.inRemoved.get(i) ?? [])];
      for (const m of changed) this.recheck2(x, y, i, m);
      if (changed.some((m) => m.tag === 'VIEW-CHANGE')) this.vcOk[i] = this.clause3(x, y, i);
      if (changed.some((m) => m.tag === 'NEW-VIEW')) this.nvOk[i] = this.clause4(x, y, i);
      for (const m of dx.outAdded.get(i) ?? []) this.add5(i, m);
    }
    for (const m of dx.wireAdded) this.addWire(x, m);
  }

  private recheck2(x: SystemState, y: SystemState, i: number, m: Message): void {
    const hi = h(x.replicas[i]!);
    const xin = x.replicas[i]!.in;
    const yin = y.replicas[i]!.in;
    const bad =
      (yin.has(m) && countsInY(m, hi) && !(countsInX(m, hi) && xin.has(m)) && !extraRequestAllowed(this.hc, m)) ||
      (xin.has(m) && countsInX(m, hi) && !yin.has(m));
    if (bad) this.mismatch[i]!.add(m);
    else this.mismatch[i]!.delete(m);
  }

  private clause3(x: SystemState, y: SystemState, i: number): boolean {
    return this.hc.consistentVcSet(vcsOf(x, i, true), vcsOf(y, i, false));
  }
  private clause4(x: SystemState, y: SystemState, i: number): boolean {
    return this.hc.consistentNvSet(nvsOf(x, i), nvsOf(y, i));
  }

  private add5(i: number, m: Message): void {
    if (m.tag !== 'CHECKPOINT') this.pending5[i]!.add(m);
  }

  /** A message new on x's wire: a member of X_i (clause 5), X_faulty (clause 6) or a client's (clause 7). */
  private addWire(x: SystemState, m: Message): void {
    const j = replicaSigner(m);
    if (j === null) this.pending7.add(m);
    else if (j < x.replicas.length) {
      if (x.replicas[j]!.faulty) {
        if (m.tag !== 'CHECKPOINT' || this.hc.literal.faultyCheckpoints) this.pending6.add(m);
      }
      else this.add5(j, m);
    }
  }

  /** A counterpart of m on y's wire signed by j (permanent), checked with consistent-all's disjunction. */
  private onYWire(y: SystemState, m: Message, j: number): boolean {
    if (m.tag === 'VIEW-CHANGE' || m.tag === 'NEW-VIEW') {
      const tag = m.tag;
      const forms = this.yIndex.get(`${tag}|${m.v}|${j}`) ?? [];
      return forms.some((m2) => this.hc.consistentOne(m, m2));
    }
    return y.wire.hasMessage(m) && replicaSigner(m) === j;
  }

  private report(x: SystemState, y: SystemState): ClauseFailure[] {
    const out: ClauseFailure[] = [];
    const show = (m: Message) => formatMessage(this.hc.ux, m);
    if (this.on('H(1)')) {
      const msg = clause1(this.hc, x, y);
      if (msg !== null) out.push({ id: 'H(1)', message: msg });
    }
    const nonFaulty = this.nonFaulty(x);
    const first = (id: string, find: (i: number) => string | null) => {
      if (!this.on(id)) return;
      for (const i of nonFaulty) {
        const msg = find(i);
        if (msg !== null) return void out.push({ id, message: `r${i}: ${msg}` });
      }
    };
    first('H(2)', (i) => {
      const m = this.mismatch[i]!.values().next().value;
      return m === undefined ? null : `${show(m)} is in one of x.in_i and y.in_i but not the other (x.h_i = ${this.hOf[i]})`;
    });
    first('H(3)', (i) => (this.vcOk[i] ? null : 'x.vc_i and y.vc_i are not consistent (consistent-vc-set)'));
    first('H(4)', (i) => (this.nvOk[i] ? null : 'x.nv_i and y.nv_i are not consistent (consistent-nv-set)'));
    first('H(5)', (i) => {
      const xi = x.replicas[i]!;
      const yOut = y.replicas[i]!.out;
      for (const m of [...this.pending5[i]!]) {
        const inX = xi.out.has(m) || (x.wire.hasMessage(m) && replicaSigner(m) === i);
        if (!inX || this.onYWire(y, m, i)) {
          this.pending5[i]!.delete(m);
          continue;
        }
        // Only view-changes and new-views have counterparts other than themselves.
        const inYOut = m.tag === 'VIEW-CHANGE' || m.tag === 'NEW-VIEW' ? [...yOut].some((m2) => this.hc.consistentOne(m, m2)) : yOut.has(m);
        if (!inYOut) return `${show(m)} ∈ X_i has no consistent message in Y_i`;
      }
      return null;
    });
    if (this.on('H(6)'))
      for (const m of [...this.pending6]) {
        const j = replicaSigner(m)!;
        if (y.replicas[j]!.faulty && this.onYWire(y, m, j)) this.pending6.delete(m);
        else {
          out.push({ id: 'H(6)', message: `${show(m)} ∈ X_faulty has no consistent message in Y_faulty` });
          break;
        }
      }
    if (this.on('H(7)'))
      for (const m of [...this.pending7]) {
        if (y.wire.hasMessage(m)) this.pending7.delete(m);
        else {
          out.push({ id: 'H(7)', message: `${show(m)} ∈ x.Wire but not in y.Wire` });
          break;
        }
      }
    return out;
  }
}

/** The plain evaluation with the same interface (for comparisons in tests). */
export function hPlain(hc: HConsistency, ids: readonly string[]): HIncremental {
  const clauses = hClauses(hc).filter((c) => ids.includes(c.id));
  return { check: (x, y) => failingClauses(clauses, x, y) };
}
