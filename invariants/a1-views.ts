// Invariants A.1.8 and A.1.9 of Appendix A (thesis lines ~2786-2850): ordering information in
// prepared certificates is carried into later views. A.1.8 relates a non-faulty replica's own
// view-change messages to its log (condition 1, through last-prepared-b) and says the pre-prepares
// of every new-view in its log are in the log too (condition 2); A.1.9 says a request prepared at
// f+1 non-faulty replicas is the only one a later view pre-prepares at that sequence number.
// Stated for A (no garbage collection).
//
// Reduction of the quantifiers to what is in the state (nothing is lost):
// - A.1.8(1) ranges over the view-change messages of in_i signed by i (viewChangesByV, filtered on
//   the signer). For one of them, ⟨VIEW-CHANGE, v, P, i⟩σi, both sides of the equivalence imply a
//   prepared certificate: last-prepared-b(m, v', n, i, v) implies prepared(m, v', n, in_i), hence
//   a primary-signed pre-prepare for (v', n, m) in in_i; last-prepared(m, v', n, P) implies one in
//   P. For every other (m, v', n) both sides are false and the equivalence holds. So we compare
//   two finite sets of triples with v' < v: {last-prepared-b in in_i} and {last-prepared in P}.
//   A triple in one and not in the other is a violation.
// - last-prepared-b(m, v', n, i, b) holds iff, among the (m'', v'') with prepared(m'', v'', n, in_i)
//   and v'' < b, v' is the largest view and m is the only request prepared at it (the definition
//   forbids any prepared view strictly between v' and b and any other request at v'). The bulk
//   form `lastPreparedBAll` uses that; `lastPreparedB` is the definition word for word, and the
//   tests check they agree.
// - A.1.8(2) ranges over the NEW-VIEW messages of in_i signed by primary(v) (newViewsByV); O ∪ N is
//   finite and each member is looked up in in_i.
// - A.1.9: ∃ R : (|R| > f ∧ ∀ k ∈ R : (¬faulty_k ∧ prepared(m, v, n, k))) holds iff the set of all
//   non-faulty k with prepared(m, v, n, k) (the largest such R) has more than f members; those
//   (m, v, n) come from the pre-prepares of non-faulty logs (see a1-prepared.ts). The conclusion
//   ranges over v' > v and m' with ⟨PRE-PREPARE, v', n, m'⟩σprimary(v') ∈ in_i, i.e. over in_i's
//   pre-prepares at n (ppByN), filtered on the signer; m' = m is identity of interned messages.
// - The checks never build messages (the interner's ids must not depend on whether a run is
//   checked).
//
// Incremental evaluation (checkDelta; the contract is in types.ts). A.1.8 and A.1.9 read no scalar
// variable, only the logs of non-faulty replicas and the faulty flags (whose change sets
// delta.full). Given that the invariant held before a step, a violation after it involves what
// the step changed:
// - A.1.8(1): last-prepared(·, ·, n, P) is a function of the view-change; last-prepared-b(·, v', n,
//   i, v) depends on the prepared certificates of in_i at n in views < v. So: an own view-change
//   added to in_i is compared with in_i at every n (its P and in_i's certificates, kept per n in
//   a PreparedIndex); a pre-prepare or prepare at (v', n) added to or removed from in_i re-compares
//   n for i's own view-changes with v > v' (kept per replica, ordered by view).
// - A.1.8(2): a NEW-VIEW added to in_i, or a pre-prepare of its O ∪ N removed from in_i.
// - A.1.9: the antecedent (m, v, n) prepared at f+1 non-faulty replicas and the conclusion's
//   pre-prepares of in_i at n all live at one n. A violation appears only when a fact becomes
//   prepared at f+1 non-faulty replicas (re-examine every non-faulty i at its n) or a pre-prepare
//   is added to a non-faulty in_i (re-examine i at its n); removals only weaken the antecedent
//   and remove pre-prepares of the conclusion.
import type { Payload } from '../automata/messages.ts';
import { lastPreparedAll, preparedAt } from './reference/certificates.ts';
import type { SystemState } from '../automata/compose.ts';
import { formatMessage } from '../automata/format.ts';
import { MessageSet } from '../automata/message-set.ts';
import type { Message, NewView, PrePrepare, Request, ViewChange } from '../automata/messages.ts';
import type { ReplicaState } from '../automata/replica-state.ts';
import type { Universe } from '../automata/universe.ts';
import {
  addedStill,
  cachedState,
  sharedPreparedIndex,
  deltaWork,
  isNewView,
  PreparedIndex,
  preparedFacts,
  preparedIn,
  tripleKey,
  type PreparedFact,
  type PreparedTriple,
} from './a1-prepared.ts';
import type { Delta } from './delta.ts';
import { nFaulty, violation, type SystemInvariant, type Violation } from './types.ts';

const REF = 'Appendix A.1';

/**
 * last-prepared-b(m, v, n, i, b) ≡ v < b ∧ prepared(m, v, n, in_i) ∧
 *   ∄ m', v' : ((prepared(m', v', n, in_i) ∧ v < v' < b) ∨ (prepared(m', v, n, in_i) ∧ m ≠ m'))
 * (Invariant A.1.8). `inI` is replica i's log in_i. The m', v' of the ∄ range over the prepared
 * certificates at n, all of which preparedAt enumerates.
 */
export function lastPreparedB(u: Universe, m: Payload, v: number, n: number, inI: MessageSet, b: number): boolean {
  if (!(v < b)) return false;
  const ps = preparedAt(u, n, inI);
  if (!ps.some((p) => p.m === m && p.v === v)) return false;
  return !ps.some((p) => (v < p.v && p.v < b) || (p.v === v && p.m !== m));
}

/** Every (m, v, n) with last-prepared-b(m, v, n, i, b), from the prepared triples of in_i (preparedIn), by key. */
export function lastPreparedBAll(prepared: readonly PreparedTriple[], b: number): Map<string, PreparedTriple> {
  const top = new Map<number, PreparedTriple[]>(); // n → the prepared triples at the largest view < b
  for (const t of prepared) {
    if (!(t.v < b)) continue;
    const cur = top.get(t.n);
    if (cur === undefined || cur[0]!.v < t.v) top.set(t.n, [t]);
    else if (cur[0]!.v === t.v) cur.push(t);
  }
  const out = new Map<string, PreparedTriple>();
  for (const ts of top.values()) if (ts.length === 1) out.set(tripleKey(ts[0]!.m, ts[0]!.v, ts[0]!.n), ts[0]!);
  return out;
}

/** A fact last-prepared(m, v', n, P), with the certificate's pre-prepare from P. */
interface LastPreparedP {
  m: Payload;
  v: number;
  n: number;
  pp: PrePrepare | undefined;
}

/** Per universe, by view-change id: every (m, v', n) with last-prepared(m, v', n, P), by key and by n (at most one per n). */
const lastPreparedPMemo = new WeakMap<Universe, Map<number, { byKey: Map<string, LastPreparedP>; byN: Map<number, LastPreparedP> }>>();

function lastPreparedP(u: Universe, vc: ViewChange) {
  let memo = lastPreparedPMemo.get(u);
  if (memo === undefined) lastPreparedPMemo.set(u, (memo = new Map()));
  let r = memo.get(vc.id);
  if (r === undefined) {
    r = { byKey: new Map(), byN: new Map() };
    // the first primary-signed pre-prepare of P for each (m, v', n), in the order of P
    const pps = new Map<string, PrePrepare>();
    for (const p of vc.P) {
      if (p.tag !== 'PRE-PREPARE' || p.signer !== u.primary(p.v)) continue;
      const k = tripleKey(p.m, p.v, p.n);
      if (!pps.has(k)) pps.set(k, p);
    }
    for (const x of lastPreparedAll(u, MessageSet.of(u.interner, vc.P))) {
      const k = tripleKey(x.m, x.v, x.n);
      const e = { ...x, pp: pps.get(k) };
      r.byKey.set(k, e);
      r.byN.set(x.n, e);
    }
    memo.set(vc.id, r);
  }
  return r;
}

function lastPreparedInP(u: Universe, vc: ViewChange): Map<string, LastPreparedP> {
  return lastPreparedP(u, vc).byKey;
}

/** Per universe, by new-view id: the pre-prepares of O ∪ N. */
const onMemo = new WeakMap<Universe, Map<number, Set<Message>>>();

function membersON(u: Universe, nv: NewView): Set<Message> {
  let memo = onMemo.get(u);
  if (memo === undefined) onMemo.set(u, (memo = new Map()));
  let r = memo.get(nv.id);
  if (r === undefined) memo.set(nv.id, (r = new Set([...nv.O, ...nv.N])));
  return r;
}

const showM = (u: Universe, m: Payload) => formatMessage(u, m);
const set = (xs: readonly number[]) => `{${xs.map((k) => `r${k}`).join(', ')}}`;
const union = (...xs: (readonly number[])[]) => [...new Set(xs.flat())].sort((a, b) => a - b);
const clientsOf = (...ms: (Payload)[]) => [...new Set(ms.filter((m): m is Request => m !== null).map((m) => m.c))].sort((a, b) => a - b);
const byNV = (a: { n: number; v: number }, b: { n: number; v: number }) => a.n - b.n || a.v - b.v;

// ---------------------------------------------------------------------------------- A.1.8

/** A triple on one side only of A.1.8(1)'s equivalence: inLog, last-prepared-b in in_i and not last-prepared in P; otherwise the converse. */
interface OneSided {
  m: Payload;
  v: number;
  n: number;
  pp: PrePrepare | undefined;
  inLog: boolean;
}

function a181Violation(u: Universe, st: ReplicaState, vc: ViewChange, x: OneSided): Violation {
  const [yes, no] = x.inLog
    ? [`last-prepared-b(m, ${x.v}, ${x.n}, ${st.i}, ${vc.v})`, `last-prepared(m, ${x.v}, ${x.n}, P)`]
    : [`last-prepared(m, ${x.v}, ${x.n}, P)`, `last-prepared-b(m, ${x.v}, ${x.n}, ${st.i}, ${vc.v})`];
  return violation('A.1.8(1)', `r${st.i}'s own view-change for view ${vc.v}: ${yes} holds but ${no} does not, for m = ${showM(u, x.m)}`, {
    replicas: [st.i],
    clients: clientsOf(x.m),
    messages: x.pp === undefined ? [vc] : [vc, x.pp],
    view: x.v,
    n: x.n,
    detail: `i = r${st.i}; ${formatMessage(u, vc)}; v' = ${x.v} < v = ${vc.v}; the certificate is ${x.inLog ? 'in in_i but not (as last-prepared) in P' : 'in P but not (as last-prepared-b) in in_i'}`,
  });
}

function checkA181(u: Universe, s: SystemState): Violation[] {
  const out: Violation[] = [];
  for (const st of s.replicas) {
    if (st.faulty) continue;
    const own: ViewChange[] = [];
    for (const vcs of st.in.viewChangesByV.values()) for (const vc of vcs) if (vc.j === st.i) own.push(vc);
    if (own.length === 0) continue;
    own.sort(byVId);
    const prepared = preparedIn(u, st.in);
    for (const vc of own) {
      const lhs = lastPreparedBAll(prepared, vc.v);
      const rhs = lastPreparedInP(u, vc);
      const found: OneSided[] = [];
      for (const [k, t] of lhs) if (!rhs.has(k)) found.push({ ...t, inLog: true });
      for (const [k, t] of rhs) if (t.v < vc.v && !lhs.has(k)) found.push({ ...t, inLog: false });
      for (const x of found.sort(byNV)) out.push(a181Violation(u, st, vc, x));
    }
  }
  return out;
}

const byVId = (a: { v: number; id: number }, b: { v: number; id: number }) => a.v - b.v || a.id - b.id;

/**
 * The one-sided triples of A.1.8(1) at one n for i's own view-change vc, from `atN`, the prepared
 * triples of in_i at n: last-prepared-b(·, ·, n, i, vc.v) is the unique triple at the largest view
 * below vc.v, and last-prepared(·, ·, n, P) is at most one triple too. In check's order: the one
 * of in_i first.
 */
function a181At(u: Universe, vc: ViewChange, n: number, atN: readonly PreparedTriple[]): OneSided[] {
  deltaWork.keys += 1 + atN.length;
  let top: PreparedTriple[] = [];
  for (const t of atN) {
    if (!(t.v < vc.v)) continue;
    if (top.length === 0 || top[0]!.v < t.v) top = [t];
    else if (top[0]!.v === t.v) top.push(t);
  }
  const lhs = top.length === 1 ? top[0]! : undefined;
  const r = lastPreparedP(u, vc).byN.get(n);
  const rhs = r !== undefined && r.v < vc.v ? r : undefined;
  const same = lhs !== undefined && rhs !== undefined && lhs.m === rhs.m && lhs.v === rhs.v;
  const out: OneSided[] = [];
  if (lhs !== undefined && !same) out.push({ ...lhs, inLog: true });
  if (rhs !== undefined && !same) out.push({ ...rhs, inLog: false });
  return out;
}

/** The incremental state of A.1.8(1). */
interface A181State {
  index: PreparedIndex;
  /** Per non-faulty i: its own view-changes in in_i, by view, then id. */
  own: Map<number, ViewChange[]>;
}

const isViewChange = (m: Message): m is ViewChange => m.tag === 'VIEW-CHANGE';

function buildA181(u: Universe, s: SystemState, delta: Delta): A181State {
  const x: A181State = { index: sharedPreparedIndex(u, s, delta).value, own: new Map() };
  for (const st of s.replicas) {
    if (st.faulty) continue;
    const own: ViewChange[] = [];
    for (const vcs of st.in.viewChangesByV.values()) for (const vc of vcs) if (vc.j === st.i) own.push(vc);
    x.own.set(st.i, own.sort(byVId));
  }
  return x;
}

function checkDeltaA181(u: Universe, s: SystemState, delta: Delta, cache: Map<string, unknown>): Violation[] {
  if (delta.full) {
    cache.set('state', buildA181(u, s, delta));
    return checkA181(u, s);
  }
  const c = cachedState<A181State>(cache);
  const { touched } = sharedPreparedIndex(u, s, delta).changes!;
  const found: { vc: ViewChange; x: OneSided; st: ReplicaState }[] = [];
  for (const st of s.replicas) {
    if (st.faulty) continue;
    let own = c.own.get(st.i)!;
    if ((delta.inRemoved.get(st.i) ?? []).some((m) => m.tag === 'VIEW-CHANGE' && m.j === st.i)) {
      own = own.filter((vc) => st.in.has(vc));
      c.own.set(st.i, own);
    }
    const fresh = addedStill(delta, st, isViewChange).filter((vc) => vc.j === st.i);
    if (fresh.length > 0) {
      const known = new Set(own);
      own = [...own, ...fresh.filter((vc) => !known.has(vc))].sort(byVId);
      c.own.set(st.i, own);
    }
    // a new own view-change: every n of in_i's certificates and of its P
    const table = c.index.byReplica.get(st.i)!;
    for (const vc of fresh) {
      const ns = new Set([...table.keys(), ...lastPreparedP(u, vc).byN.keys()]);
      for (const n of ns) {
        for (const x of a181At(u, vc, n, c.index.at(st.i, n))) found.push({ vc, x, st });
      }
    }
    // certificates of in_i changed at (≥ v', n): the own view-changes for views above v'
    const freshSet = new Set(fresh);
    for (const [n, minV] of touched.get(st.i) ?? []) {
      for (let k = own.length - 1; k >= 0 && own[k]!.v > minV; k--) {
        const vc = own[k]!;
        if (freshSet.has(vc)) continue;
        for (const x of a181At(u, vc, n, c.index.at(st.i, n))) found.push({ vc, x, st });
      }
    }
  }
  return found
    .sort((a, b) => a.st.i - b.st.i || byVId(a.vc, b.vc) || byNV(a.x, b.x) || Number(b.x.inLog) - Number(a.x.inLog))
    .map(({ st, vc, x }) => a181Violation(u, st, vc, x));
}

/** The violation of A.1.8(2) by a new-view nv from primary(v) in in_i, if some of O ∪ N is missing. */
function a182Violation(u: Universe, st: ReplicaState, nv: NewView): Violation | null {
  const missing = [...nv.O, ...nv.N].filter((pp) => !st.in.has(pp));
  if (missing.length === 0) return null;
  return violation('A.1.8(2)', `the NEW-VIEW for view ${nv.v} is in in_${st.i} but ${missing.length} pre-prepare(s) of its O ∪ N are not`, {
    replicas: [st.i],
    messages: [nv, ...missing],
    view: nv.v,
    detail: `i = r${st.i}; missing: ${missing.map((pp) => formatMessage(u, pp)).join(', ')}`,
  });
}

function checkA182(u: Universe, s: SystemState): Violation[] {
  const out: Violation[] = [];
  for (const st of s.replicas) {
    if (st.faulty) continue;
    const nvs = [...st.in.newViewsByV.values()].flatMap((x) => [...x]).sort(byVId);
    for (const nv of nvs) {
      if (nv.signer !== u.primary(nv.v)) continue;
      const x = a182Violation(u, st, nv);
      if (x !== null) out.push(x);
    }
  }
  return out;
}

function checkDeltaA182(u: Universe, s: SystemState, delta: Delta): Violation[] {
  if (delta.full) return checkA182(u, s);
  const out: Violation[] = [];
  for (const st of s.replicas) {
    if (st.faulty) continue;
    const cands = new Set(addedStill(delta, st, isNewView).filter((nv) => nv.signer === u.primary(nv.v)));
    // a removed pre-prepare (never in A): the new-views of in_i whose O ∪ N holds it
    const gone = (delta.inRemoved.get(st.i) ?? []).filter((m): m is PrePrepare => m.tag === 'PRE-PREPARE' && !st.in.has(m));
    if (gone.length > 0)
      for (const nvs of st.in.newViewsByV.values())
        for (const nv of nvs) {
          deltaWork.keys++;
          if (nv.signer === u.primary(nv.v) && gone.some((pp) => membersON(u, nv).has(pp))) cands.add(nv);
        }
    for (const nv of [...cands].sort(byVId)) {
      deltaWork.keys += 1 + nv.O.length + nv.N.length;
      const x = a182Violation(u, st, nv);
      if (x !== null) out.push(x);
    }
  }
  return out;
}

export const A_1_8: SystemInvariant[] = [
  {
    id: 'A.1.8(1)',
    family: 'A.1.8',
    subject: 'A',
    statement:
      "¬faulty_i ⇒ ∀ m, v, n, P : (⟨VIEW-CHANGE, v, P, i⟩σi ∈ in_i ⇒ ∀ v' < v : (last-prepared-b(m, v', n, i, v) ⇔ last-prepared(m, v', n, P)))",
    ref: `${REF}, Invariant A.1.8 (condition 1)`,
    check: checkA181,
    checkDelta: checkDeltaA181,
  },
  {
    id: 'A.1.8(2)',
    family: 'A.1.8',
    subject: 'A',
    statement: '¬faulty_i ⇒ ∀ m = ⟨NEW-VIEW, v, V, O, N⟩σprimary(v) ∈ in_i : ((O ∪ N) ⊆ in_i)',
    ref: `${REF}, Invariant A.1.8 (condition 2)`,
    check: checkA182,
    checkDelta: checkDeltaA182,
  },
];

// ---------------------------------------------------------------------------------- A.1.9

function a19Violation(u: Universe, st: ReplicaState, x: PreparedFact, pp: PrePrepare): Violation {
  return violation(
    'A.1.9',
    `${showM(u, x.m)} is prepared at view ${x.v}, n = ${x.n} by non-faulty ${set(x.replicas)} (more than f), but in_${st.i} has ${formatMessage(u, pp)} for the later view ${pp.v} with m' ≠ m`,
    {
      replicas: union([st.i], x.replicas),
      clients: clientsOf(x.m, pp.m),
      messages: [pp, x.pp],
      view: x.v,
      n: x.n,
      detail: `i = r${st.i}; R = ${set(x.replicas)}; v = ${x.v}; v' = ${pp.v}; m = ${showM(u, x.m)}; m' = ${showM(u, pp.m)}`,
    },
  );
}

/** The violations of A.1.9 at i and n, given the facts prepared at more than f non-faulty replicas at n, in check's order. */
function a19At(u: Universe, st: ReplicaState, n: number, strong: readonly PreparedFact[]): Violation[] {
  const out: Violation[] = [];
  const later = [...st.in.prePreparesAt(n)].filter((pp) => pp.signer === u.primary(pp.v)).sort(byVId);
  for (const x of strong)
    for (const pp of later) {
      if (!(pp.v > x.v) || pp.m === x.m) continue;
      out.push(a19Violation(u, st, x, pp));
    }
  return out;
}

function checkA19(u: Universe, s: SystemState): Violation[] {
  if (nFaulty(s) > u.f) return [];
  const strong = new Map<number, PreparedFact[]>(); // n → (m, v, n) prepared at more than f non-faulty replicas
  for (const x of preparedFacts(u, s).values()) {
    if (x.replicas.length <= u.f) continue;
    const l = strong.get(x.n);
    if (l === undefined) strong.set(x.n, [x]);
    else l.push(x);
  }
  if (strong.size === 0) return [];
  for (const l of strong.values()) l.sort(byNV);
  const ns = [...strong.keys()].sort((a, b) => a - b);
  const out: Violation[] = [];
  for (const st of s.replicas) {
    if (st.faulty) continue;
    for (const n of ns) out.push(...a19At(u, st, n, strong.get(n)!));
  }
  return out;
}

/**
 * The facts at n prepared at more than f non-faulty replicas, in the order checkA19 visits them:
 * by view, then (as preparedFacts inserts them, replica by replica) by the smallest preparer,
 * then by pre-prepare.
 */
function strongAt(u: Universe, idx: PreparedIndex, n: number): PreparedFact[] {
  return [...(idx.factsByN.get(n)?.values() ?? [])]
    .filter((x) => x.replicas.length > u.f)
    .sort((a, b) => a.v - b.v || a.replicas[0]! - b.replicas[0]! || a.pp.id - b.pp.id);
}

export const A_1_9: SystemInvariant[] = [
  {
    id: 'A.1.9',
    family: 'A.1.9',
    subject: 'A',
    statement:
      "∀ i ∈ R, m ∈ M, v, n ∈ ℕ : ((¬faulty_i ∧ n-faulty ≤ f ∧ ∃ R : (|R| > f ∧ ∀ k ∈ R : (¬faulty_k ∧ prepared(m, v, n, k)))) ⇒ ∀ v' > v ∈ ℕ, m' ∈ M : (⟨PRE-PREPARE, v', n, m'⟩σprimary(v') ∈ in_i ⇒ m' = m))",
    ref: `${REF}, Invariant A.1.9`,
    check: checkA19,
    checkDelta(u: Universe, s: SystemState, delta: Delta, _cache: Map<string, unknown>): Violation[] {
      const { value: idx, changes } = sharedPreparedIndex(u, s, delta);
      if (delta.full) return checkA19(u, s);
      const { changed } = changes!;
      if (nFaulty(s) > u.f) return [];
      // a fact (m, v, n) that is now prepared at more than f non-faulty replicas and whose set of
      // preparers changed: its n, at every non-faulty i
      const everywhere = new Set<number>();
      for (const [k, t] of changed) if ((idx.facts.get(k)?.replicas.length ?? 0) > u.f) everywhere.add(t.n);
      const strong = new Map<number, PreparedFact[]>();
      const strongOf = (n: number) => {
        let l = strong.get(n);
        if (l === undefined) {
          deltaWork.keys += 1 + (idx.factsByN.get(n)?.size ?? 0);
          strong.set(n, (l = strongAt(u, idx, n)));
        }
        return l;
      };
      const out: Violation[] = [];
      for (const st of s.replicas) {
        if (st.faulty) continue;
        // a pre-prepare added to in_i: i at its n
        const ns = new Set(everywhere);
        for (const m of delta.inAdded.get(st.i) ?? []) if (m.tag === 'PRE-PREPARE') ns.add(m.n);
        for (const n of [...ns].sort((a, b) => a - b)) {
          const l = strongOf(n);
          if (l.length === 0) continue;
          deltaWork.keys += 1 + st.in.prePreparesAt(n).size;
          out.push(...a19At(u, st, n, l));
        }
      }
      return out;
    },
  },
];

/** All conjuncts of A.1.8 and A.1.9, in order. */
export const A1_VIEWS: SystemInvariant[] = [...A_1_8, ...A_1_9];
