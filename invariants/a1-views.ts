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
import { lastPreparedAll, preparedAt } from '../automata/aux-functions.ts';
import type { SystemState } from '../automata/compose.ts';
import { formatMessage } from '../automata/format.ts';
import { MessageSet } from '../automata/message-set.ts';
import type { PrePrepare, Request, ViewChange } from '../automata/messages.ts';
import type { Universe } from '../automata/universe.ts';
import { preparedFacts, preparedIn, tripleKey, type PreparedFact, type PreparedTriple } from './a1-prepared.ts';
import { nFaulty, violation, type SystemInvariant, type Violation } from './types.ts';

const REF = 'Appendix A.1';

/**
 * last-prepared-b(m, v, n, i, b) ≡ v < b ∧ prepared(m, v, n, in_i) ∧
 *   ∄ m', v' : ((prepared(m', v', n, in_i) ∧ v < v' < b) ∨ (prepared(m', v, n, in_i) ∧ m ≠ m'))
 * (Invariant A.1.8). `inI` is replica i's log in_i. The m', v' of the ∄ range over the prepared
 * certificates at n, all of which preparedAt enumerates.
 */
export function lastPreparedB(u: Universe, m: Request | null, v: number, n: number, inI: MessageSet, b: number): boolean {
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

/** Per universe, by view-change id: every (m, v', n) with last-prepared(m, v', n, P), by key. */
const lastPreparedPMemo = new WeakMap<Universe, Map<number, Map<string, { m: Request | null; v: number; n: number; pp: PrePrepare | undefined }>>>();

function lastPreparedInP(u: Universe, vc: ViewChange) {
  let memo = lastPreparedPMemo.get(u);
  if (memo === undefined) lastPreparedPMemo.set(u, (memo = new Map()));
  let r = memo.get(vc.id);
  if (r === undefined) {
    r = new Map();
    for (const x of lastPreparedAll(u, MessageSet.of(u.interner, vc.P))) {
      const pp = vc.P.find((p): p is PrePrepare => p.tag === 'PRE-PREPARE' && p.v === x.v && p.n === x.n && p.m === x.m && p.signer === u.primary(x.v));
      r.set(tripleKey(x.m, x.v, x.n), { ...x, pp });
    }
    memo.set(vc.id, r);
  }
  return r;
}

const showM = (u: Universe, m: Request | null) => formatMessage(u, m);
const set = (xs: readonly number[]) => `{${xs.map((k) => `r${k}`).join(', ')}}`;
const union = (...xs: (readonly number[])[]) => [...new Set(xs.flat())].sort((a, b) => a - b);
const clientsOf = (...ms: (Request | null)[]) => [...new Set(ms.filter((m): m is Request => m !== null).map((m) => m.c))].sort((a, b) => a - b);
const byNV = (a: { n: number; v: number }, b: { n: number; v: number }) => a.n - b.n || a.v - b.v;

// ---------------------------------------------------------------------------------- A.1.8

export const A_1_8: SystemInvariant[] = [
  {
    id: 'A.1.8(1)',
    family: 'A.1.8',
    subject: 'A',
    statement:
      "¬faulty_i ⇒ ∀ m, v, n, P : (⟨VIEW-CHANGE, v, P, i⟩σi ∈ in_i ⇒ ∀ v' < v : (last-prepared-b(m, v', n, i, v) ⇔ last-prepared(m, v', n, P)))",
    ref: `${REF}, Invariant A.1.8 (condition 1)`,
    check(u: Universe, s: SystemState): Violation[] {
      const out: Violation[] = [];
      for (const st of s.replicas) {
        if (st.faulty) continue;
        const own: ViewChange[] = [];
        for (const vcs of st.in.viewChangesByV.values()) for (const vc of vcs) if (vc.j === st.i) own.push(vc);
        if (own.length === 0) continue;
        own.sort((a, b) => a.v - b.v || a.id - b.id);
        const prepared = preparedIn(u, st.in);
        for (const vc of own) {
          const lhs = lastPreparedBAll(prepared, vc.v);
          const rhs = lastPreparedInP(u, vc);
          const found: { m: Request | null; v: number; n: number; pp: PrePrepare | undefined; inLog: boolean }[] = [];
          for (const [k, t] of lhs) if (!rhs.has(k)) found.push({ ...t, inLog: true });
          for (const [k, t] of rhs) if (t.v < vc.v && !lhs.has(k)) found.push({ ...t, inLog: false });
          for (const x of found.sort(byNV)) {
            const [yes, no] = x.inLog
              ? [`last-prepared-b(m, ${x.v}, ${x.n}, ${st.i}, ${vc.v})`, `last-prepared(m, ${x.v}, ${x.n}, P)`]
              : [`last-prepared(m, ${x.v}, ${x.n}, P)`, `last-prepared-b(m, ${x.v}, ${x.n}, ${st.i}, ${vc.v})`];
            out.push(
              violation('A.1.8(1)', `r${st.i}'s own view-change for view ${vc.v}: ${yes} holds but ${no} does not, for m = ${showM(u, x.m)}`, {
                replicas: [st.i],
                clients: clientsOf(x.m),
                messages: x.pp === undefined ? [vc] : [vc, x.pp],
                view: x.v,
                n: x.n,
                detail: `i = r${st.i}; ${formatMessage(u, vc)}; v' = ${x.v} < v = ${vc.v}; the certificate is ${x.inLog ? 'in in_i but not (as last-prepared) in P' : 'in P but not (as last-prepared-b) in in_i'}`,
              }),
            );
          }
        }
      }
      return out;
    },
  },
  {
    id: 'A.1.8(2)',
    family: 'A.1.8',
    subject: 'A',
    statement: '¬faulty_i ⇒ ∀ m = ⟨NEW-VIEW, v, V, O, N⟩σprimary(v) ∈ in_i : ((O ∪ N) ⊆ in_i)',
    ref: `${REF}, Invariant A.1.8 (condition 2)`,
    check(u: Universe, s: SystemState): Violation[] {
      const out: Violation[] = [];
      for (const st of s.replicas) {
        if (st.faulty) continue;
        const nvs = [...st.in.newViewsByV.values()].flatMap((x) => [...x]).sort((a, b) => a.v - b.v || a.id - b.id);
        for (const nv of nvs) {
          if (nv.signer !== u.primary(nv.v)) continue;
          const missing = [...nv.O, ...nv.N].filter((pp) => !st.in.has(pp));
          if (missing.length === 0) continue;
          out.push(
            violation('A.1.8(2)', `the NEW-VIEW for view ${nv.v} is in in_${st.i} but ${missing.length} pre-prepare(s) of its O ∪ N are not`, {
              replicas: [st.i],
              messages: [nv, ...missing],
              view: nv.v,
              detail: `i = r${st.i}; missing: ${missing.map((pp) => formatMessage(u, pp)).join(', ')}`,
            }),
          );
        }
      }
      return out;
    },
  },
];

// ---------------------------------------------------------------------------------- A.1.9

export const A_1_9: SystemInvariant[] = [
  {
    id: 'A.1.9',
    family: 'A.1.9',
    subject: 'A',
    statement:
      "∀ i ∈ R, m ∈ M, v, n ∈ ℕ : ((¬faulty_i ∧ n-faulty ≤ f ∧ ∃ R : (|R| > f ∧ ∀ k ∈ R : (¬faulty_k ∧ prepared(m, v, n, k)))) ⇒ ∀ v' > v ∈ ℕ, m' ∈ M : (⟨PRE-PREPARE, v', n, m'⟩σprimary(v') ∈ in_i ⇒ m' = m))",
    ref: `${REF}, Invariant A.1.9`,
    check(u: Universe, s: SystemState): Violation[] {
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
        for (const n of ns) {
          const later = [...st.in.prePreparesAt(n)].filter((pp) => pp.signer === u.primary(pp.v)).sort((a, b) => a.v - b.v || a.id - b.id);
          for (const x of strong.get(n)!)
            for (const pp of later) {
              if (!(pp.v > x.v) || pp.m === x.m) continue;
              out.push(
                violation(
                  'A.1.9',
                  `${showM(u, x.m)} is prepared at view ${x.v}, n = ${n} by non-faulty ${set(x.replicas)} (more than f), but in_${st.i} has ${formatMessage(u, pp)} for the later view ${pp.v} with m' ≠ m`,
                  {
                    replicas: union([st.i], x.replicas),
                    clients: clientsOf(x.m, pp.m),
                    messages: [pp, x.pp],
                    view: x.v,
                    n,
                    detail: `i = r${st.i}; R = ${set(x.replicas)}; v = ${x.v}; v' = ${pp.v}; m = ${showM(u, x.m)}; m' = ${showM(u, pp.m)}`,
                  },
                ),
              );
            }
        }
      }
      return out;
    },
  },
];

/** All conjuncts of A.1.8 and A.1.9, in order. */
export const A1_VIEWS: SystemInvariant[] = [...A_1_8, ...A_1_9];
