// The state of a run as the trace viewer holds it: flat entries (a group and an item, with a
// value) that it records as they change, step by step. Parts that cannot change in a step are
// not looked at: a replica's log follows the delta tracker's journal, the wire the elements the
// action touched, the abstract automata only when they took a step.
import type { Action } from '../../automata/actions.ts';
import type { SystemState } from '../../automata/compose.ts';
import { formatDestinations, formatMessage } from '../../automata/format.ts';
import { signerOf, type Message } from '../../automata/messages.ts';
import type { ReplicaState } from '../../automata/replica-state.ts';
import type { SpecState } from '../../automata/spec.ts';
import type { SpecHistState } from '../../automata/spec-hist.ts';
import type { Universe } from '../../automata/universe.ts';
import type { ChainSimulation } from '../../proofs/chain.ts';
import { DeltaTracker } from '../../invariants/delta.ts';
import { replicaVariables } from '../repl/show-replica.ts';
import { histEntry, proxyVariables, specHistVariables, specVariables } from '../repl/show-system.ts';
import type { ViewChange, ViewGroup, ViewKey, ViewMessage, ViewSection } from './data.ts';

/** The tables a page holds: messages, sections, groups and keys, each interned in first-seen order. */
export class ViewTables {
  readonly messages: ViewMessage[] = [];
  readonly sections: ViewSection[] = [];
  readonly groups: ViewGroup[] = [];
  readonly keys: ViewKey[] = [];
  private readonly messageIndex = new Map<Message, number>();
  private readonly textIndex = new Map<string, number>();
  private readonly sectionIndex = new Map<string, number>();
  private readonly groupIndex = new Map<string, number>();
  private readonly keyIndex = new Map<string, number>();

  constructor(private readonly nodeLane: (kind: 'replica' | 'client', id: number) => number) {}

  /** A message's index; messages of two universes (A_gc and A's copy) that read alike share one. */
  message(u: Universe, m: Message): number {
    let k = this.messageIndex.get(m);
    if (k !== undefined) return k;
    const text = formatMessage(u, m);
    k = this.textIndex.get(text);
    if (k === undefined) {
      const sg = signerOf(m);
      k = this.messages.push({ text, tag: m.tag, signer: this.nodeLane(sg.kind, sg.id) }) - 1;
      this.textIndex.set(text, k);
    }
    this.messageIndex.set(m, k);
    return k;
  }

  section(id: string, title: string, side: ViewSection['side']): number {
    let k = this.sectionIndex.get(id);
    if (k === undefined) this.sectionIndex.set(id, (k = this.sections.push({ id, title, side }) - 1));
    return k;
  }

  group(section: number, title: string, kind: ViewGroup['kind'], order: number[]): number {
    const id = `${section}\u0001${title}`;
    let k = this.groupIndex.get(id);
    if (k === undefined) this.groupIndex.set(id, (k = this.groups.push({ section, title, kind, order }) - 1));
    return k;
  }

  key(group: number, item: string | number): number {
    const id = `${group}\u0001${typeof item}\u0001${item}`;
    let k = this.keyIndex.get(id);
    if (k === undefined) this.keyIndex.set(id, (k = this.keys.push([group, item]) - 1));
    return k;
  }
}

/** The entries of one state, and the changes made to them since the last `take`. */
class Entries {
  private readonly values = new Map<number, string>();
  private changes = new Map<number, string | null>();

  set(key: number, value: string): void {
    if (this.values.get(key) === value) return;
    this.values.set(key, value);
    this.changes.set(key, value);
  }
  delete(key: number): void {
    if (!this.values.has(key)) return;
    this.values.delete(key);
    this.changes.set(key, null);
  }
  /** The changes since the last call, in key order. */
  take(): ViewChange[] {
    const out: ViewChange[] = [...this.changes.keys()].sort((a, b) => a - b).map((k) => {
      const v = this.changes.get(k)!;
      return v === null ? [k] : [k, v];
    });
    this.changes = new Map();
    return out;
  }
}

/** A part of the state kept as a whole: its keys are replaced by the new ones each time it is read. */
class Part {
  private keys = new Set<number>();
  constructor(private readonly entries: Entries) {}
  replace(values: Map<number, string>): void {
    for (const k of this.keys) if (!values.has(k)) this.entries.delete(k);
    for (const [k, v] of values) this.entries.set(k, v);
    this.keys = new Set(values.keys());
  }
}

/** The entries of a replica's log in_i: a group per kind, view and sequence number. */
function logGroup(t: ViewTables, section: number, m: Message): number {
  switch (m.tag) {
    case 'REQUEST':
    case 'REPLY':
      return t.group(section, 'in: requests and replies', 'messages', [1, 0]);
    case 'PRE-PREPARE':
    case 'PREPARE':
    case 'COMMIT':
      return t.group(section, `in: view ${m.v}, n = ${m.n}`, 'messages', [2, m.v, m.n]);
    case 'CHECKPOINT':
      return t.group(section, `in: checkpoints n = ${m.n}`, 'messages', [3, m.n]);
    default:
      return t.group(section, `in: ${m.tag === 'VIEW-CHANGE' ? 'view-changes' : 'new-views'} for view ${m.v}`, 'messages', [4, m.v, m.tag === 'VIEW-CHANGE' ? 0 : 1]);
  }
}

/** Follows one system state (A_gc's or A's copy): its replicas, proxies and wire. */
class SystemEntries {
  private readonly tracker = new DeltaTracker();
  private readonly vars: Part[];
  private readonly outs: Part[];
  private readonly proxies: { part: Part; group: number }[];
  private readonly sections: number[];
  private readonly wire: number | null;

  constructor(
    readonly u: Universe,
    private readonly t: ViewTables,
    private readonly entries: Entries,
    /** Section ids are prefixed ("A's copy ") for the abstract side, which shows no proxies nor wire. */
    prefix: string,
    side: ViewSection['side'],
  ) {
    const automaton = u.config.variant === 'Agc' ? 'A_gc, Figs 2-8..2-13' : 'A, Appendix A.1';
    this.sections = Array.from({ length: u.n }, (_, i) => t.section(`${prefix}r${i}`, `${prefix}replica r${i} (${automaton})`, side));
    this.vars = this.sections.map(() => new Part(entries));
    this.outs = this.sections.map(() => new Part(entries));
    const concrete = prefix === '';
    this.proxies = !concrete ? [] : Array.from({ length: u.clients }, (_, c) => ({ part: new Part(entries), group: t.group(t.section(`c${c}`, `proxy c${c} (Fig 2-7)`, side), 'variables', 'variables', [0]) }));
    this.wire = concrete ? t.group(t.section('wire', 'wire of MC (Fig 2-5): the elements in flight', side), 'in flight', 'wire', [0]) : null;
  }

  /** Records what changed in s (everything, the first time); `a` names the wire elements it touched. */
  update(s: SystemState, a: Action | null): void {
    const { u, t } = this;
    const d = this.tracker.next(s);
    for (const i of d.full ? s.replicas.map((r) => r.i) : [...d.replicas].sort((x, y) => x - y)) {
      const r = s.replicas[i]!;
      const sec = this.sections[i]!;
      this.vars[i]!.replace(this.variables(sec, r));
      const added = d.full ? [...r.in.all] : (d.inAdded.get(i) ?? []);
      for (const m of added) this.entries.set(t.key(logGroup(t, sec, m), t.message(u, m)), '');
      for (const m of d.full ? [] : (d.inRemoved.get(i) ?? [])) this.entries.delete(t.key(logGroup(t, sec, m), t.message(u, m)));
      const out = t.group(sec, 'out', 'messages', [5]);
      this.outs[i]!.replace(new Map([...r.out].map((m) => [t.key(out, t.message(u, m)), ''])));
    }
    this.proxies.forEach(({ part, group }, c) => part.replace(new Map(proxyVariables(u, s.proxies[c]!).map(([k, v]) => [t.key(group, k), v]))));
    if (this.wire !== null) this.updateWire(s, a);
  }

  private variables(section: number, r: ReplicaState): Map<number, string> {
    const g = this.t.group(section, 'variables', 'variables', [0]);
    return new Map(replicaVariables(this.u, r).map(([k, v]) => [this.t.key(g, k), v]));
  }

  /** The wire's elements in flight: all of them at the start, then those the action touched. */
  private updateWire(s: SystemState, a: Action | null): void {
    const touched: { m: Message; X: number }[] =
      a === null
        ? s.wire.pending()
        : a.kind === 'SEND'
          ? [{ m: a.m, X: a.X }]
          : a.kind === 'RECEIVE'
            ? [{ m: a.m, X: a.X }, { m: a.m, X: a.X & ~(1 << a.x) }]
            : a.kind === 'MISBEHAVE'
              ? [{ m: a.m, X: a.X }, { m: a.m, X: a.X2 }]
              : [];
    for (const { m, X } of touched) {
      const key = this.t.key(this.wire!, `${this.t.message(this.u, m)} ${X}`);
      if (X !== 0 && s.wire.has(m, X)) this.entries.set(key, formatDestinations(this.u, X));
      else this.entries.delete(key);
    }
  }
}

/** The whole state a page shows: the run's automaton, and with the chain A's copy, S' and S. */
export class StateEntries {
  private readonly entries = new Entries();
  private readonly concrete: SystemEntries;
  private readonly copy: SystemEntries | null;
  private readonly spec: { sp: Part; hist: Part; s: Part };
  private abstractSteps = -1;

  constructor(
    u: Universe,
    private readonly t: ViewTables,
    private readonly chain: ChainSimulation | null,
  ) {
    this.concrete = new SystemEntries(u, t, this.entries, '', 'concrete');
    const h = chain?.h ?? null;
    this.copy = h === null ? null : new SystemEntries(h.uy, t, this.entries, "A's copy ", 'abstract');
    this.spec = { sp: new Part(this.entries), hist: new Part(this.entries), s: new Part(this.entries) };
  }

  /** The changes since the last call: after `a`, or the whole initial state when `a` is null. */
  update(s: SystemState, a: Action | null): ViewChange[] {
    this.concrete.update(s, a);
    const c = this.chain;
    if (c !== null && c.abstractSteps !== this.abstractSteps) {
      this.abstractSteps = c.abstractSteps;
      if (c.h !== null) this.copy!.update(c.h.y, null);
      this.updateSpecs(c.h?.uy ?? this.concrete.u, c.g.y, c.f.y);
    }
    return this.entries.take();
  }

  private updateSpecs(ua: Universe, sp: SpecHistState, s: SpecState): void {
    const t = this.t;
    const spSec = t.section("S'", "S' (Def A.1.13), driven through G", 'abstract');
    const sSec = t.section('S', 'S (Fig 2-6), driven through F', 'abstract');
    const spVars = t.group(spSec, 'variables', 'variables', [0]);
    const hist = t.group(spSec, 'hist', 'variables', [1]);
    const sVars = t.group(sSec, 'variables', 'variables', [0]);
    this.spec.sp.replace(new Map(specHistVariables(sp).map(([k, v]) => [t.key(spVars, k), v])));
    this.spec.hist.replace(new Map(sp.hist.map((e, k) => [t.key(hist, String(k + 1)), histEntry(e)])));
    this.spec.s.replace(new Map(specVariables(ua, s).map(([k, v]) => [t.key(sVars, k), v])));
  }
}
