// The judge's reference auxiliary functions (invariants/reference/) against the model's
// (automata/aux-functions.ts, the thesis's forms of the protocol table): on every state of seeded
// random runs (A and A_gc, f = 1, faulty replicas under attack strategies, view changes, garbage
// collection, N read as corrected and literally), both agree on every (m, v, n) the logs name, on
// correct-view-change and correct-new-view of every view-change and new-view on the wire (nested
// ones included), on O and N, merge-P and max-n, and on has-new-view. Then hand-made cases where a
// wrong reference would differ, and one where the model runs a variant and the judge does not.
import { describe, expect, it } from 'vitest';
import * as Model from '../../automata/aux-functions.ts';
import type { ConfigInput } from '../../automata/config.ts';
import type { SystemState } from '../../automata/compose.ts';
import { MessageSet } from '../../automata/message-set.ts';
import { nestedMessages, type Message, type NewView, type Payload, type ViewChange } from '../../automata/messages.ts';
import { initialCheckpointValue } from '../../automata/replica-state.ts';
import { Universe } from '../../automata/universe.ts';
import { DeltaTracker, touchedNs } from '../../invariants/delta.ts';
import * as Cert from '../../invariants/reference/certificates.ts';
import * as Vc from '../../invariants/reference/view-change.ts';
import { runRandom } from '../../sim/scheduler.ts';
import { planFor, planRunOptions } from '../../sim/strategies.ts';

/** What the runs reached, so that the test knows it compared both outcomes of each predicate. */
interface Seen {
  triples: number;
  prepared: [number, number];
  committed: [number, number];
  lastPrepared: [number, number];
  vc: [number, number];
  nv: [number, number];
  nonEmptyN: number;
  nonEmptyO: number;
  garbage: number;
  views: number;
}
const newSeen = (): Seen => ({ triples: 0, prepared: [0, 0], committed: [0, 0], lastPrepared: [0, 0], vc: [0, 0], nv: [0, 0], nonEmptyN: 0, nonEmptyO: 0, garbage: 0, views: 0 });
const count = (c: [number, number], b: boolean) => c[b ? 1 : 0]++;

const key = (m: Payload) => (m === null ? -1 : m.id);
const showTriple = (i: number, m: Payload, v: number, n: number) => `r${i}: (m ${key(m)}, v ${v}, n ${n})`;

/** Reference and model agree on every (m, v, n) in_i names at sequence number n. */
function compareAt(u: Universe, i: number, inI: MessageSet, n: number, seen: Seen): void {
  const payloads = new Set<Payload>();
  const views = new Set<number>();
  for (const pp of inI.prePreparesAt(n)) {
    payloads.add(pp.m);
    views.add(pp.v);
  }
  const digests = new Set<string>();
  for (const p of inI.preparesByN.get(n) ?? []) views.add(p.v);
  for (const c of inI.commitsByN.get(n) ?? []) {
    views.add(c.v);
    digests.add(c.d);
  }
  // committed's "m ∈ in_i": the requests of in_i whose digest some commit at n names
  for (const r of inI.requests) if (digests.has(u.interner.digest(r))) payloads.add(r);
  for (const m of payloads)
    for (const v of views) {
      seen.triples++;
      const where = showTriple(i, m, v, n);
      const p = Cert.prepared(u, m, v, n, inI);
      expect(p, `prepared ${where}`).toBe(Model.prepared(u, m, v, n, inI));
      count(seen.prepared, p);
      const lp = Cert.lastPrepared(u, m, v, n, inI);
      expect(lp, `last-prepared ${where}`).toBe(Model.lastPrepared(u, m, v, n, inI));
      count(seen.lastPrepared, lp);
      const c = Cert.committed(u, m, v, n, inI);
      expect(c, `committed ${where}`).toBe(Model.committed(u, m, v, n, inI));
      count(seen.committed, c);
    }
  const pairs = (xs: { m: Payload; v: number }[]) => xs.map((x) => `${x.v}|${key(x.m)}`).sort();
  expect(pairs(Cert.preparedAt(u, n, inI)), `preparedAt r${i} n ${n}`).toEqual(pairs(Model.preparedAt(u, n, inI)));
}

const triples = (xs: { m: Payload; v: number; n: number }[]) => xs.map((x) => `${x.n}|${x.v}|${key(x.m)}`);
const ids = (xs: Iterable<Message>) => [...xs].map((x) => x.id).sort((a, b) => a - b);

/** Reference and model agree on a view-change (and on its P's last-prepared certificates). */
function compareViewChange(u: Universe, m: ViewChange, seen: Seen): void {
  const r = Vc.correctViewChange(u, m, m.v, m.j);
  expect(r, `correct-view-change of ${m.id}`).toBe(Model.correctViewChange(u, m, m.v, m.j));
  expect(Vc.correctViewChange(u, m, m.v + 1, m.j)).toBe(false);
  expect(Vc.correctViewChange(u, m, m.v, (m.j + 1) % u.n)).toBe(false);
  count(seen.vc, r);
  const P = MessageSet.of(u.interner, m.P);
  expect(triples(Cert.lastPreparedAll(u, P)), `last-prepared in P of ${m.id}`).toEqual(triples(Model.lastPreparedAll(u, P)));
}

/** Reference and model agree on a new-view: correct-new-view, O and N, merge-P(V) and max-n. */
function compareNewView(u: Universe, m: NewView, seen: Seen): void {
  const r = Vc.correctNewView(u, m, m.v);
  expect(r, `correct-new-view of ${m.id}`).toBe(Model.correctNewView(u, m, m.v));
  expect(Vc.correctNewView(u, m, m.v + 1)).toBe(false);
  count(seen.nv, r);
  expect(ids(Cert.mergeP(u, m.V).all), `merge-P of ${m.id}`).toEqual(ids(Model.mergeP(u, m.V).all));
  for (const variant of ['A', 'Agc'] as const) {
    expect(Vc.maxN(variant, m.V)).toBe(Model.maxN(variant, m.V));
    expect(Vc.maxN(variant, [...m.O, ...m.N])).toBe(Model.maxN(variant, [...m.O, ...m.N]));
  }
  // O and N as the primary of m.v computes them, compared by what their members carry
  const model = Model.computeON(u, m.v, m.V, u.primary(m.v));
  const ref = Vc.computeON(u, m.V);
  expect(ref.O.map((x) => `${x.n}|${key(x.m)}`), `O of ${m.id}`).toEqual(model.O.map((x) => `${x.n}|${key(x.m)}`));
  expect(ref.N, `N of ${m.id}`).toEqual(model.N.map((x) => x.n));
  if (ref.N.length > 0) seen.nonEmptyN++;
  if (ref.O.length > 0) seen.nonEmptyO++;
}

/** Every message inside m, m included, once. */
function withNested(m: Message, out: Set<Message>): void {
  if (out.has(m)) return;
  out.add(m);
  for (const x of nestedMessages(m)) withNested(x, out);
}

/** A cross-checker for one run: after each step, what the step touched (everything at the start). */
function crossChecker(u: Universe, seen: Seen) {
  const tracker = new DeltaTracker();
  const done = new Set<Message>();
  return (s: SystemState) => {
    const delta = tracker.next(s);
    for (const st of s.replicas) {
      const ns = delta.full ? new Set([...st.in.ppByN.keys(), ...st.in.preparesByN.keys(), ...st.in.commitsByN.keys()]) : touchedNs(delta, st.i);
      // a request added to or removed from in_i changes committed's "m ∈ in_i" at any n
      const requests = [...(delta.inAdded.get(st.i) ?? []), ...(delta.inRemoved.get(st.i) ?? [])].some((m) => m.tag === 'REQUEST');
      if (requests) for (const n of st.in.commitsByN.keys()) ns.add(n);
      for (const n of ns) compareAt(u, st.i, st.in, n, seen);
      if (delta.full || delta.replicas.has(st.i))
        for (const v of new Set([st.view, st.view + 1, ...st.in.newViewsByV.keys()]))
          expect(Vc.hasNewView(u, v, st.in), `has-new-view(${v}, ${st.i})`).toBe(Model.hasNewView(u, v, st.in));
    }
    const fresh = new Set<Message>();
    for (const m of delta.wireAdded) withNested(m, fresh);
    for (const m of fresh) {
      if (done.has(m)) continue;
      done.add(m);
      if (m.tag === 'VIEW-CHANGE') compareViewChange(u, m, seen);
      else if (m.tag === 'NEW-VIEW') compareNewView(u, m, seen);
    }
  };
}

interface RunCase {
  config: ConfigInput;
  strategy: string;
  seed: string;
  steps: number;
}

function crossCheckRun(c: RunCase, seen: Seen): void {
  const plan = planFor(c.strategy, c.seed, { f: 1, n: 4, clients: 2 });
  let check: ((s: SystemState) => void) | null = null;
  const r = runRandom({
    ...planRunOptions(plan, c.config),
    seed: c.seed,
    steps: c.steps,
    onStart: (u, s) => {
      check = crossChecker(u, seen);
      check(s);
    },
    onStep: (_k, _a, s) => void check!(s),
  });
  seen.garbage += r.trace.filter((a) => a.kind === 'COLLECT-GARBAGE').length;
  seen.views = Math.max(seen.views, ...r.state.replicas.map((x) => x.view));
}

const STRATEGIES = ['crafted-new-view', 'view-change-storm', 'equivocating-primary', 'nested-messages', 'lying-checkpoints', 'lagging-replica', 'swarm', 'swarm'];
const CASES: RunCase[] = [];
for (const variant of ['A', 'Agc'] as const)
  for (const literalNullSet of [false, true])
    for (const [k, strategy] of STRATEGIES.entries())
      CASES.push({ config: { variant, readings: { literalNullSet } }, strategy, seed: `ref-${variant}-${literalNullSet ? 'lit' : 'cor'}-${k}`, steps: 2000 });

describe('reference auxiliary functions agree with the model on random runs', () => {
  for (const variant of ['A', 'Agc'] as const)
    for (const literalNullSet of [false, true])
      it(`${variant}, literalNullSet ${literalNullSet}: every state of ${STRATEGIES.length} runs of 2,000 steps (${STRATEGIES.join(', ')})`, () => {
        const seen = newSeen();
        for (const c of CASES) if (c.config.variant === variant && c.config.readings?.literalNullSet === literalNullSet) crossCheckRun(c, seen);
        // both outcomes of every predicate were compared, and the runs changed views
        for (const k of ['prepared', 'committed', 'lastPrepared', 'vc', 'nv'] as const) {
          expect(seen[k][0], `${k} false somewhere`).toBeGreaterThan(0);
          expect(seen[k][1], `${k} true somewhere`).toBeGreaterThan(0);
        }
        expect(seen.views).toBeGreaterThan(1);
        expect(seen.nonEmptyO).toBeGreaterThan(0);
        if (!literalNullSet) expect(seen.nonEmptyN).toBeGreaterThan(0);
        else expect(seen.nonEmptyN).toBe(0);
        if (variant === 'Agc') expect(seen.garbage).toBeGreaterThan(0);
      });
});

// ---------------------------------------------------------------------------------------------
// Hand-made cases (f = 1, so 2f = 2 prepares, 2f + 1 = 3 commits, f + 1 = 2 checkpoints).

function setup(config: ConfigInput = {}) {
  const u = new Universe({ variant: 'A', ...config });
  const I = u.interner;
  const req = I.request('op', 1, 0);
  const req2 = I.request('op2', 1, 1);
  return { u, I, req, req2 };
}

describe('reference certificates (hand-made)', () => {
  it('prepared needs the primary pre-prepare and 2f prepares from other replicas: 2f − 1 is not enough, nor is the primary\'s own prepare', () => {
    const { u, I, req } = setup();
    const d = I.digest(req);
    const M = MessageSet.of(I, [I.prePrepare(0, 1, req, 0), I.prepare(0, 1, d, 1)]);
    expect(Cert.prepared(u, req, 0, 1, M)).toBe(false); // 2f − 1 = 1 prepare
    M.add(I.prepare(0, 1, d, 0)); // the primary's own prepare does not count
    expect(Cert.prepared(u, req, 0, 1, M)).toBe(false);
    M.add(I.prepare(0, 1, d, 2));
    expect(Cert.prepared(u, req, 0, 1, M)).toBe(true);
    expect(Cert.prepared(u, req, 0, 2, M)).toBe(false); // another n
    expect(Cert.prepared(u, req, 1, 1, M)).toBe(false); // another view: no pre-prepare from primary(1)
    // prepares with another digest do not count
    const N = MessageSet.of(I, [I.prePrepare(0, 1, req, 0), I.prepare(0, 1, d, 1), I.prepare(0, 1, I.nullDigest, 2)]);
    expect(Cert.prepared(u, req, 0, 1, N)).toBe(false);
    // a pre-prepare signed by another replica than primary(v) is no certificate
    const W = MessageSet.of(I, [I.prePrepare(0, 1, req, 1), I.prepare(0, 1, d, 2), I.prepare(0, 1, d, 3)]);
    expect(Cert.prepared(u, req, 0, 1, W)).toBe(false);
  });

  it('last-prepared: the certificate of the highest view, and none when two requests are prepared at that view', () => {
    const { u, I, req, req2 } = setup();
    const cert = (v: number, m: Payload, n: number) => [I.prePrepare(v, n, m, v % 4), ...[1, 2, 3].filter((k) => k !== v % 4).slice(0, 2).map((k) => I.prepare(v, n, I.digest(m), k))];
    const M = MessageSet.of(I, [...cert(0, req, 1), ...cert(1, req2, 1)]);
    expect(Cert.lastPrepared(u, req, 0, 1, M)).toBe(false);
    expect(Cert.lastPrepared(u, req2, 1, 1, M)).toBe(true);
    expect(triples(Cert.lastPreparedAll(u, M))).toEqual([`1|1|${req2.id}`]);
    // a faulty primary's two certificates at one view: neither is last-prepared
    const E = MessageSet.of(I, [...cert(0, req, 1), ...cert(0, req2, 1)]);
    expect(Cert.lastPrepared(u, req, 0, 1, E)).toBe(false);
    expect(Cert.lastPreparedAll(u, E)).toEqual([]);
  });

  it('committed needs 2f + 1 commits and the request or its pre-prepare in in_i', () => {
    const { u, I, req } = setup();
    const d = I.digest(req);
    const M = MessageSet.of(I, [I.commit(0, 1, d, 0), I.commit(0, 1, d, 1)]);
    M.add(req);
    expect(Cert.committed(u, req, 0, 1, M)).toBe(false); // 2f commits
    M.add(I.commit(0, 1, d, 2));
    expect(Cert.committed(u, req, 0, 1, M)).toBe(true);
    M.delete(req);
    expect(Cert.committed(u, req, 0, 1, M)).toBe(false); // neither m nor a pre-prepare of it
    M.add(I.prePrepare(2, 1, req, 1)); // signed by a replica that is not primary(2)
    expect(Cert.committed(u, req, 0, 1, M)).toBe(false);
    M.add(I.prePrepare(1, 1, req, 1)); // from primary(1): any view v' will do
    expect(Cert.committed(u, req, 0, 1, M)).toBe(true);
    expect(Cert.committed(u, null, 0, 1, M)).toBe(false);
  });

  it('merge-P takes the P of the automaton\'s own form of view-change only (R15)', () => {
    const { I, req } = setup();
    const pp = I.prePrepare(0, 1, req, 0);
    const vcA = I.viewChange(1, null, [pp], 1);
    const uA = new Universe({ variant: 'A' }, I);
    const uGc = new Universe({ variant: 'Agc' }, I);
    expect(ids(Cert.mergeP(uA, [vcA, req]).all)).toEqual([pp.id]);
    expect(ids(Cert.mergeP(uGc, [vcA]).all)).toEqual([]);
  });
});

describe('reference view-change functions (hand-made)', () => {
  /** A's view-changes for view 1 from replicas 1-3; replica 1's P holds a certificate for req at n = 2 (view 0). */
  function viewChanges(u: Universe) {
    const I = u.interner;
    const req = I.request('op', 1, 0);
    const d = I.digest(req);
    const P = [I.prePrepare(0, 2, req, 0), I.prepare(0, 2, d, 1), I.prepare(0, 2, d, 2)];
    const V = [I.viewChange(1, null, P, 1), I.viewChange(1, null, [], 2), I.viewChange(1, null, [], 3)];
    return { req, P, V };
  }

  it('correct-view-change (A): every primary pre-prepare of P is last-prepared in P and of an earlier view', () => {
    const u = new Universe({ variant: 'A' });
    const I = u.interner;
    const { P, V } = viewChanges(u);
    expect(Vc.correctViewChange(u, V[0]!, 1, 1)).toBe(true);
    expect(Vc.correctViewChange(u, V[0]!, 1, 2)).toBe(false); // another signer j
    // a certificate with 2f − 1 prepares is not last-prepared: the view-change is not correct
    expect(Vc.correctViewChange(u, I.viewChange(1, null, P.slice(0, 2), 1), 1, 1)).toBe(false);
    // the certificate's view must be below v
    expect(Vc.correctViewChange(u, I.viewChange(0, null, P, 1), 0, 1)).toBe(false);
    // prepares without their pre-prepare constrain nothing
    expect(Vc.correctViewChange(u, I.viewChange(1, null, P.slice(1), 1), 1, 1)).toBe(true);
    // A_gc's form is not a view-change of A
    expect(Vc.correctViewChange(u, I.viewChange(1, { n: 0, s: initialCheckpointValue(u), C: [] }, [], 1), 1, 1)).toBe(false);
  });

  it('correct-view-change (A_gc): more than f checkpoints of n and D(s) in C, of views below v, and 0 < n′ − n ≤ L', () => {
    const u = new Universe({ variant: 'Agc' });
    const I = u.interner;
    const s = initialCheckpointValue(u);
    const ds = I.valueDigest(s);
    const C2 = [I.checkpoint(0, 4, ds, 1), I.checkpoint(0, 4, ds, 2)];
    expect(Vc.correctViewChange(u, I.viewChange(1, { n: 4, s, C: C2 }, [], 1), 1, 1)).toBe(true);
    expect(Vc.correctViewChange(u, I.viewChange(1, { n: 4, s, C: C2.slice(0, 1) }, [], 1), 1, 1)).toBe(false); // f checkpoints
    expect(Vc.correctViewChange(u, I.viewChange(1, { n: 4, s, C: [C2[0]!, I.checkpoint(1, 4, ds, 2)] }, [], 1), 1, 1)).toBe(false); // v'' = v
    expect(Vc.correctViewChange(u, I.viewChange(1, { n: 4, s, C: [C2[0]!, I.checkpoint(0, 4, I.nullDigest, 2)] }, [], 1), 1, 1)).toBe(false); // another digest
    const req = I.request('op', 1, 0);
    const cert = (n: number) => [I.prePrepare(0, n, req, 0), I.prepare(0, n, I.digest(req), 1), I.prepare(0, n, I.digest(req), 2)];
    expect(Vc.correctViewChange(u, I.viewChange(1, { n: 4, s, C: C2 }, cert(5), 1), 1, 1)).toBe(true);
    expect(Vc.correctViewChange(u, I.viewChange(1, { n: 4, s, C: C2 }, cert(4), 1), 1, 1)).toBe(false); // n' − n = 0
    expect(Vc.correctViewChange(u, I.viewChange(1, { n: 4, s, C: C2 }, cert(4 + u.config.L), 1), 1, 1)).toBe(true);
    expect(Vc.correctViewChange(u, I.viewChange(1, { n: 4, s, C: C2 }, cert(5 + u.config.L), 1), 1, 1)).toBe(false); // beyond L
  });

  it('O, N and correct-new-view (A): N fills the gap below max-n(O) from n = 0 (ERRATA O1); literally (E1) N is empty', () => {
    for (const literalNullSet of [false, true]) {
      const u = new Universe({ variant: 'A', readings: { literalNullSet } });
      const I = u.interner;
      const { req, V } = viewChanges(u);
      const { O, N } = Vc.computeON(u, V);
      expect(O).toEqual([{ n: 2, m: req }]);
      expect(N).toEqual(literalNullSet ? [] : [0, 1]);
      const p = u.primary(1);
      const corrected = I.newView(1, V, [I.prePrepare(1, 2, req, p)], [I.prePrepare(1, 0, null, p), I.prePrepare(1, 1, null, p)], p);
      const literal = I.newView(1, V, [I.prePrepare(1, 2, req, p)], [], p);
      expect(Vc.correctNewView(u, corrected, 1)).toBe(!literalNullSet);
      expect(Vc.correctNewView(u, literal, 1)).toBe(literalNullSet);
      // the model reads the text the same way
      expect(Model.correctNewView(u, corrected, 1)).toBe(!literalNullSet);
      expect(Model.correctNewView(u, literal, 1)).toBe(literalNullSet);
      // wrong signer, too few view-changes, a missing or an extra member of O
      const q = (p + 1) % u.n;
      expect(Vc.correctNewView(u, I.newView(1, V, corrected.O, corrected.N, q), 1)).toBe(false);
      expect(Vc.correctNewView(u, I.newView(1, V.slice(0, 2), corrected.O, corrected.N, p), 1)).toBe(false);
      expect(Vc.correctNewView(u, I.newView(1, V, [], corrected.N, p), 1)).toBe(false);
      expect(Vc.correctNewView(u, I.newView(1, V, [...corrected.O, I.prePrepare(1, 3, req, p)], corrected.N, p), 1)).toBe(false);
      // has-new-view
      const log = MessageSet.of(I, [corrected, literal]);
      expect(Vc.hasNewView(u, 0, new MessageSet(I))).toBe(true);
      expect(Vc.hasNewView(u, 1, log)).toBe(true);
      expect(Vc.hasNewView(u, 2, log)).toBe(false);
    }
  });

  it('max-n: pre-prepares, and in A_gc also view-changes\' n; max(∅) = 0 (R1)', () => {
    const { u, I, req } = setup();
    const s = initialCheckpointValue(u);
    const M: Message[] = [I.prePrepare(0, 3, req, 0), I.viewChange(1, { n: 8, s, C: [] }, [], 1), req];
    expect(Vc.maxN('A', M)).toBe(3);
    expect(Vc.maxN('Agc', M)).toBe(8);
    expect(Vc.maxN('A', [])).toBe(0);
  });
});

describe('the judge does not follow the model\'s protocol table', () => {
  it('with a variant that prepares on 2f − 1 prepares, the model says prepared and the reference does not', () => {
    const { u, I, req } = setup();
    u.proto = { ...u.proto, quorums: { ...u.proto.quorums, prepare: 2 * u.f - 1 } };
    const M = MessageSet.of(I, [I.prePrepare(0, 1, req, 0), I.prepare(0, 1, I.digest(req), 1)]);
    expect(Model.prepared(u, req, 0, 1, M)).toBe(true);
    expect(Cert.prepared(u, req, 0, 1, M)).toBe(false);
  });

  it('with a variant that accepts every view-change, the reference still rejects an incorrect one', () => {
    const u = new Universe({ variant: 'A' });
    u.proto = { ...u.proto, correctViewChange: () => true };
    const I = u.interner;
    const req = I.request('op', 1, 0);
    const bad = I.viewChange(1, null, [I.prePrepare(0, 1, req, 0)], 1); // a pre-prepare without its prepares
    expect(Model.correctViewChange(u, bad, 1, 1)).toBe(true);
    expect(Vc.correctViewChange(u, bad, 1, 1)).toBe(false);
  });
});
