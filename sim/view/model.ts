// The trace viewer's model: replays a trace file with the checks it records (sim/replay.ts, so
// the page shows what `replay` finds) and turns the run into the data of a page (data.ts): lanes,
// the steps with their messages and arrows, views and stable checkpoints as bands, the state's
// changes step by step, and the violation with the steps that matter to it.
import type { Action } from '../../automata/actions.ts';
import { actingNode, isReplicaNode, type SystemState } from '../../automata/compose.ts';
import { READING_OF_ERRATUM } from '../../automata/config.ts';
import { formatAction } from '../../automata/format.ts';
import { nestedMessages, type Message } from '../../automata/messages.ts';
import { h } from '../../automata/replica-state.ts';
import type { Universe } from '../../automata/universe.ts';
import type { Witness } from '../../invariants/types.ts';
import type { ChainSimulation } from '../../proofs/chain.ts';
import { describeChecks, replay, type ReplayOptions, type ReplayResult } from '../replay.ts';
import { TraceError, type TraceFile } from '../trace-file.ts';
import type { ViewArrow, ViewBand, ViewData, ViewLane, ViewStep } from './data.ts';
import { StateEntries, ViewTables } from './state-entries.ts';

export interface ViewOptions {
  /** The chain on or off, in place of what the file records (undefined: as recorded). */
  chain?: boolean | undefined;
  /** How the page names the trace in its commands (the path given). */
  path: string;
}

/** Where each node's pending copies of a message came from: per element (m, X), per node. */
type Origins = Map<Message, Map<number, (ViewArrow | undefined)[]>>;

/** Builds the page's data; a trace that does not replay (a step not enabled, a fingerprint that differs) is a TraceError. */
export function buildView(t: TraceFile, o: ViewOptions): ViewData {
  const b = new ViewBuilder(t, o);
  // A file that records no checks is checked with every invariant (as `replay --check` would).
  const opts: ReplayOptions = { check: t.checks === undefined, chain: o.chain, verbose: false, beyond: true, observer: b };
  const r = replay(t, opts, () => {});
  if (r.mismatch !== null) throw new TraceError(`${o.path}: the state after step ${r.mismatch.step} does not match the file's fingerprint (the file has ${r.mismatch.expected}, the replay ${r.mismatch.got})`);
  return b.finish(r);
}

class ViewBuilder {
  private u!: Universe;
  private tables!: ViewTables;
  private entries!: StateEntries;
  private readonly lanes: ViewLane[] = [];
  private readonly steps: ViewStep[] = [];
  private readonly bands: ViewBand[] = [];
  private init: ViewData['init'] = [];
  private readonly origins: Origins = new Map();
  /** Per replica lane: the open view and checkpoint bands. */
  private open: { view: ViewBand; chkpt: ViewBand | null }[] = [];
  private witness: Witness | null = null;

  constructor(
    private readonly t: TraceFile,
    private readonly o: ViewOptions,
  ) {}

  start(u: Universe, s: SystemState, chain: ChainSimulation | null): void {
    this.u = u;
    for (let i = 0; i < u.n; i++) this.lanes.push({ name: `r${i}`, kind: 'replica', faultyFrom: s.replicas[i]!.faulty ? -1 : null });
    for (let c = 0; c < u.clients; c++) this.lanes.push({ name: `c${c}`, kind: 'client', faultyFrom: s.proxies[c]!.faulty ? -1 : null });
    this.lanes.push({ name: 'network', kind: 'network', faultyFrom: null });
    this.tables = new ViewTables((kind, id) => (kind === 'replica' ? id : u.n + id));
    this.entries = new StateEntries(u, this.tables, chain);
    this.init = this.entries.update(s, null);
    this.open = s.replicas.map((r) => {
      const view: ViewBand = { lane: r.i, kind: 'view', from: -1, to: -1, label: `view ${r.view}` };
      const chkpt: ViewBand | null = u.config.variant === 'Agc' ? { lane: r.i, kind: 'checkpoint', from: -1, to: -1, label: `h ${h(r)}` } : null;
      this.bands.push(view, ...(chkpt === null ? [] : [chkpt]));
      return { view, chkpt };
    });
  }

  step(k: number, a: Action, s: SystemState, witness: Witness | null): void {
    const u = this.u;
    const lane = this.laneOf(a);
    const m = a.kind === 'SEND' || a.kind === 'RECEIVE' || a.kind === 'MISBEHAVE' ? a.m : null;
    const st: ViewStep = {
      text: formatAction(u, a),
      kind: a.kind,
      tag: m?.tag ?? null,
      lane,
      faulty: this.faultyAt(lane, k),
      m: m === null ? null : this.tables.message(u, m),
      arrow: null,
      lost: [],
      added: [],
      events: [],
      d: [],
    };
    this.follow(k, a, st);
    if (a.kind === 'REPLICA-FAILURE' || a.kind === 'CLIENT-FAILURE') {
      const l = this.lanes[lane]!;
      if (l.faultyFrom === null) l.faultyFrom = k;
      st.events.push('fails');
    }
    s.replicas.forEach((r) => {
      const open = this.open[r.i]!;
      open.view = this.extend(open.view, k, `view ${r.view}`, st);
      if (open.chkpt !== null) open.chkpt = this.extend(open.chkpt, k, `h ${h(r)}`, st);
    });
    st.d = this.entries.update(s, a);
    if (witness !== null) this.witness = witness;
    this.steps.push(st);
  }

  /** Carries a band to step k, or closes it and opens the next when its label changed. */
  private extend(b: ViewBand, k: number, label: string, st: ViewStep): ViewBand {
    if (b.label === label) {
      b.to = k;
      return b;
    }
    const next: ViewBand = { ...b, from: k, to: k, label };
    this.bands.push(next);
    st.events.push(`${this.lanes[b.lane]!.name}: ${b.kind === 'view' ? label : `stable checkpoint ${label}`}`);
    return next;
  }

  /** The lane of the node that takes a step; the network's for MISBEHAVE. */
  private laneOf(a: Action): number {
    return actingNode(this.u, a) ?? this.lanes.length - 1;
  }


  private faultyAt(lane: number, k: number): boolean {
    const from = this.lanes[lane]!.faultyFrom;
    return from !== null && from < k;
  }

  /** Follows the copies of a message on the wire, so that a delivery knows where it came from. */
  private follow(k: number, a: Action, st: ViewStep): void {
    if (a.kind !== 'SEND' && a.kind !== 'RECEIVE' && a.kind !== 'MISBEHAVE') return;
    let byX = this.origins.get(a.m);
    if (byX === undefined) this.origins.set(a.m, (byX = new Map()));
    const nodes = this.lanes.length - 1;
    const put = (X: number, o: (ViewArrow | undefined)[]) => {
      if (!byX.has(X)) byX.set(X, o);
    };
    if (a.kind === 'SEND') {
      put(a.X, Array.from({ length: nodes }, (_, x) => (a.X & (1 << x) ? { from: k, lane: a.x, how: 'send' } : undefined)));
    } else if (a.kind === 'RECEIVE') {
      const o = byX.get(a.X) ?? [];
      st.arrow = o[a.x] ?? null;
      byX.delete(a.X);
      put(a.X & ~(1 << a.x), o.map((x, y) => (y === a.x ? undefined : x)));
    } else {
      const o = byX.get(a.X) ?? [];
      byX.delete(a.X);
      const network = this.lanes.length - 1;
      for (let x = 0; x < nodes; x++) {
        const before = (a.X & (1 << x)) !== 0;
        const after = (a.X2 & (1 << x)) !== 0;
        if (before && !after) st.lost.push(x);
        if (after && !before) st.added.push(x);
      }
      put(a.X2, Array.from({ length: nodes }, (_, x) => (!(a.X2 & (1 << x)) ? undefined : a.X & (1 << x) ? o[x] : { from: k, lane: network, how: a.X === 0 ? 'replay' : 'duplicate' })));
    }
  }

  finish(r: ReplayResult): ViewData {
    const u = this.u;
    const c = u.config;
    const literal = Object.entries(READING_OF_ERRATUM).filter(([, key]) => c.readings[key]).map(([e]) => e);
    const summary = [
      `${c.variant === 'Agc' ? 'A_gc' : 'A'}, f = ${c.f} (${u.n} replicas), ${c.clients} client${c.clients === 1 ? '' : 's'}, ${c.service} service`,
      ...(c.mutants.length > 0 ? [`variants ${c.mutants.join(', ')}`] : []),
      ...(literal.length > 0 ? [`literal errata ${literal.join(', ')}`] : []),
      ...(this.t.strategy ? [this.t.strategy] : []),
    ].join('; ');
    const notes: string[] = [];
    const v = r.violation;
    const lasso = this.t.lasso;
    if (v !== null && lasso !== undefined && lasso.to <= v.step) notes.push(`Steps ${lasso.from}..${lasso.to} are a cycle: they lead from the state before step ${lasso.from} back to it (a lasso; both ends are marked).`);
    if (v !== null && v.step < r.steps - 1) notes.push(`The steps after the violation (${v.step + 1}..${r.steps - 1}) were taken but not checked${r.checks.chain ? ", and the abstract side stops at the violation" : ''}.`);
    return {
      title: this.o.path,
      summary,
      checks: describeChecks(r.checks),
      lanes: this.lanes,
      messages: this.tables.messages,
      sections: this.tables.sections,
      groups: this.tables.groups,
      keys: this.tables.keys,
      init: this.init,
      steps: this.steps,
      bands: this.bands,
      violation: r.violation === null ? null : this.violation(r),
      commands: this.commands(r),
      notes,
    };
  }

  private violation(r: ReplayResult): NonNullable<ViewData['violation']> {
    const v = r.violation!;
    const w = this.witness;
    const wanted = new Set<number>();
    const add = (m: Message) => {
      wanted.add(this.tables.message(this.u, m));
      for (const x of nestedMessages(m)) add(x);
    };
    for (const m of w?.messages ?? []) add(m);
    const lasso = this.t.lasso !== undefined && this.t.lasso.to <= v.step ? [this.t.lasso.from, this.t.lasso.to] : [];
    const steps = this.steps.flatMap((st, k) => (st.m !== null && wanted.has(st.m)) || k === v.step || lasso.includes(k) ? [k] : []);
    const lanes = [...(w?.replicas ?? []).filter((i) => isReplicaNode(this.u, i)), ...(w?.clients ?? []).map((c) => this.u.n + c)];
    const rec = this.t.violation;
    return { id: v.id, step: v.step, report: v.report, steps, lanes, recorded: rec === undefined ? null : `${rec.id} at step ${rec.step}`, reproduced: r.reproduced };
  }

  private commands(r: ReplayResult): ViewData['commands'] {
    const file = shellQuote(this.o.path);
    const chain = r.checks.chain ? ' --chain' : '';
    const override = this.o.chain === undefined ? '' : this.o.chain ? ' --chain' : ' --no-chain';
    return { replay: `pbft-check replay ${file}${override} --to {N} --verbose`, repl: `pbft-check repl --trace ${file}${chain}, then: goto {N}` };
  }
}

/** A path as a shell reads it: plain when it is safe, else in single quotes. */
export function shellQuote(s: string): string {
  return /^[\w./@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
