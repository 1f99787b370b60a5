// Renaming for the minimizer. A replica builds some messages from its state: a view-change carries
// its log's certificates, a new-view the O and N computed from V, a checkpoint the digest of the
// state, a reply the result. Dropping an earlier action can change such a message, and then every
// later action that names it (its SEND and RECEIVEs, a faulty replica's message nesting it, a
// SEND-NEW-VIEW's V) no longer matches and the candidate is rejected, although the same attack
// still works with the new message. So the minimizer replays a candidate with a renaming: when a
// step puts into out_i a message that differs from what the same action put there before, later
// actions name the new message in place of the old (sub-messages and checkpoint digests too). The
// renamed actions are what the candidate records, so a kept candidate is still a plain execution.
// Likewise a RECEIVE names the element (m, X) it takes by X, which shrinks with every delivery of
// m: once an earlier delivery is gone, the RECEIVE takes the element of m that now holds its node.
import type { Action } from '../automata/actions.ts';
import type { SystemState } from '../automata/compose.ts';
import type { Digest } from '../automata/digests.ts';
import type { Message, ViewChange } from '../automata/messages.ts';
import type { Result } from '../automata/services.ts';
import type { Universe } from '../automata/universe.ts';

/** What identifies a message a replica built, apart from the content that depends on its state. */
function role(m: Message): string {
  switch (m.tag) {
    case 'REQUEST':
      return `REQUEST|${m.c}|${m.t}`;
    case 'REPLY':
      return `REPLY|${m.v}|${m.t}|${m.c}|${m.i}`;
    case 'PRE-PREPARE':
      return `PRE-PREPARE|${m.v}|${m.n}|${m.signer}`;
    case 'PREPARE':
    case 'COMMIT':
    case 'CHECKPOINT':
      return `${m.tag}|${m.v}|${m.n}|${m.j}`;
    case 'VIEW-CHANGE':
      return `VIEW-CHANGE|${m.v}|${m.j}`;
    case 'NEW-VIEW':
      return `NEW-VIEW|${m.v}|${m.signer}`;
  }
}

/** The messages each replica's out_i gained in a step. */
export class OutWatch {
  private marks: { out: Set<Message>; count: number }[] = [];

  before(s: SystemState): void {
    this.marks = s.replicas.map((r) => ({ out: r.out, count: r.out.additionCount }));
  }

  after(s: SystemState): Message[] {
    const added: Message[] = [];
    s.replicas.forEach((r, i) => {
      const mark = this.marks[i];
      added.push(...(mark !== undefined && mark.out === r.out ? r.out.addedSince(mark.count) : [...r.out]));
    });
    return added;
  }
}

export class Renaming {
  private readonly messages = new Map<Message, Message>();
  private readonly digests = new Map<Digest, Digest>();
  private readonly results = new Map<string, Result>();
  private cache = new Map<Message, Message>();

  constructor(private readonly u: Universe) {}

  get empty(): boolean {
    return this.messages.size === 0;
  }

  /** Learns from one step: `before` is what the action added to out the last time, `now` what it adds now. */
  learn(before: readonly Message[], now: readonly Message[]): void {
    const unique = (ms: readonly Message[]) => {
      const byRole = new Map<string, Message | null>();
      for (const m of ms) byRole.set(role(m), byRole.has(role(m)) ? null : m);
      return byRole;
    };
    const was = unique(before);
    const is = unique(now);
    for (const [k, old] of was) {
      const fresh = is.get(k);
      if (old === null || fresh === null || fresh === undefined || fresh === old) continue;
      this.messages.set(old, fresh);
      if (old.tag === 'CHECKPOINT' && fresh.tag === 'CHECKPOINT') this.digests.set(old.d, fresh.d);
      if (old.tag === 'REPLY' && fresh.tag === 'REPLY') this.results.set(JSON.stringify(old.r), fresh.r);
      this.cache = new Map();
    }
  }

  /** The action with every message it names renamed. */
  action(a: Action): Action {
    if (this.empty) return a;
    switch (a.kind) {
      case 'SEND':
      case 'RECEIVE':
      case 'MISBEHAVE':
        return { ...a, m: this.message(a.m) };
      case 'SEND-NEW-VIEW':
        return { ...a, V: a.V.map((vc) => this.message(vc) as ViewChange) };
      case 'COLLECT-GARBAGE':
        return { ...a, d: this.digests.get(a.d) ?? a.d };
      case 'REPLY':
        return { ...a, r: this.results.get(JSON.stringify(a.r)) ?? a.r };
      default:
        return a;
    }
  }

  message(m: Message): Message {
    const mapped = this.messages.get(m) ?? this.cache.get(m);
    if (mapped !== undefined) return mapped;
    const renamed = this.rebuild(m);
    this.cache.set(m, renamed);
    return renamed;
  }

  private rebuild(m: Message): Message {
    const I = this.u.interner;
    const all = (ms: readonly Message[]) => ms.map((x) => this.message(x));
    const same = (a: readonly Message[], b: readonly Message[]) => a.every((x, k) => x === b[k]);
    switch (m.tag) {
      case 'PRE-PREPARE': {
        const inner = m.m === null ? null : this.message(m.m);
        return inner === m.m ? m : I.prePrepare(m.v, m.n, inner, m.signer);
      }
      case 'CHECKPOINT': {
        const d = this.digests.get(m.d);
        return d === undefined ? m : I.checkpoint(m.v, m.n, d, m.j);
      }
      case 'VIEW-CHANGE': {
        const P = all(m.P);
        const C = m.gc === null ? null : all(m.gc.C);
        if (same(P, m.P) && (m.gc === null || same(C!, m.gc.C))) return m;
        return I.viewChange(m.v, m.gc === null ? null : { ...m.gc, C: C! }, P, m.j);
      }
      case 'NEW-VIEW': {
        const [V, O, N] = [all(m.V), all(m.O), all(m.N)];
        return same(V, m.V) && same(O, m.O) && same(N, m.N) ? m : I.newView(m.v, V, O, N, m.signer);
      }
      default:
        return m;
    }
  }
}

/**
 * A RECEIVE whose element (m, X) is not on the wire (an earlier delivery of m was dropped) takes
 * the element of m that holds its node, the smallest one containing X if there is one.
 */
export function redirectDelivery(u: Universe, s: SystemState, a: Action): Action {
  if (a.kind !== 'RECEIVE' || s.wire.has(a.m, a.X)) return a;
  const bit = a.x < u.n ? u.replicaBit(a.x) : u.clientBit(a.x - u.n);
  const holding = s.wire.entriesOf(a.m).filter((e) => (e.X & bit) !== 0);
  const e = holding.find((h) => (h.X & a.X) === a.X) ?? holding[0];
  return e === undefined ? a : { ...a, X: e.X };
}
