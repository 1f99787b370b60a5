// The forward simulation H from A'_gc to A' (Definition A.2.6, Theorem A.2.5, thesis lines
// ~3199-3243). x is a state of A'_gc (the composed system with garbage collection), y a state of
// A' (the composed system of Appendix A.1). (x, y) ∈ H iff, for any replica i with
// x.faulty_i = false and any replica j:
//   1. The values of the state variables in y are equal to the corresponding values in x except
//      for y.wire, y.in_i and y.out_i.
//   2. y.in_i − {⟨PRE-PREPARE, v, n, m⟩σj, ⟨PREPARE, v, n, d, j⟩σj, ⟨COMMIT, v, n, d, j⟩σj ∈ y.in_i | n ≤ x.h_i}
//            − {m ∈ y.in_i | tag(m, VIEW-CHANGE) ∨ tag(m, NEW-VIEW)}
//      = x.in_i − {the same kinds ∈ x.in_i | n ≤ x.h_i}
//            − {m ∈ x.in_i | tag(m, CHECKPOINT) ∨ tag(m, VIEW-CHANGE) ∨ tag(m, NEW-VIEW)}
//      (the transcription repeats PREPARE in the list: READING-NOTES 12)
//   3. consistent-vc-set(x.vc_i, y.vc_i), vc_i the view-changes in in_i (each automaton's form)
//   4. consistent-nv-set(x.nv_i, y.nv_i), nv_i the new-views in in_i
//   5. consistent-all(X_i, Y_i), X_i = x.out_i ∪ {⟨m⟩σi ∈ x.Wire} − {m | tag(m, CHECKPOINT)},
//      Y_i = y.out_i ∪ {⟨m⟩σi ∈ y.Wire}
//   6. consistent-all(X_faulty, Y_faulty), X_faulty = {⟨m⟩σj | x.faulty_j ∧ ⟨m⟩σj ∈ x.Wire}, Y_faulty likewise in y
//      (E20 corrected: without checkpoints, see faultySigned)
//   7. ∀ ⟨r⟩σc ∈ x.Wire : (∃ ⟨r⟩σc ∈ y.Wire)
// "Additionally, we assume faulty automata in x are also faulty and identical in H[x]"; the
// conditions "only need to hold when n-faulty ≤ f". The predicates of clauses 3-5 are in
// h-consistency.ts.
//
// Reading: Wire is {m | ∃ X : (m, X) ∈ wire} (Def A.2.2), the messages sent; ⟨m⟩σi is a message
// whose signer (messages.ts signerOf) is i. chkpts_i has no counterpart in A (its replicas have
// none), so clause 1 does not compare it.
//
// Errata (ERRATA.md; each literal form selected by its reading, config.ts):
// - E12: clause 1 excludes in_i and out_i only for non-faulty i, so it compares the logs of a
//   faulty replica, which differ from the start (A_gc's in_i begins with checkpoints, A's is
//   empty): the proof's "Failure … it is easy to see that y' ∈ H[x']" fails at once. Corrected:
//   in and out of every replica are excluded (a faulty replica's log is never read again).
import type { SystemState } from '../automata/compose.ts';
import { formatMessage } from '../automata/format.ts';
import type { Message } from '../automata/messages.ts';
import { signerOf } from '../automata/messages.ts';
import { h } from '../automata/replica-state.ts';
import type { Universe } from '../automata/universe.ts';
import type { HConsistency } from './h-consistency.ts';
import type { Clause } from './relation.ts';

const REF = 'Definition A.2.6';

/** Pre-prepares, prepares and commits at or below a sequence number (clause 2's garbage-collected kinds). */
export function collectedBelow(m: Message, hi: number): boolean {
  return (m.tag === 'PRE-PREPARE' || m.tag === 'PREPARE' || m.tag === 'COMMIT') && m.n <= hi;
}
/** Whether m counts in clause 2's left side (y.in_i) or right side (x.in_i). */
export const countsInY = (m: Message, hi: number) => !collectedBelow(m, hi) && m.tag !== 'VIEW-CHANGE' && m.tag !== 'NEW-VIEW';
export const countsInX = (m: Message, hi: number) => countsInY(m, hi) && m.tag !== 'CHECKPOINT';

/**
 * E13 (corrected): y.in_i may hold requests that x.in_i does not. A.1's RECEIVE(PRE-PREPARE) adds
 * the request of a pre-prepare it does not accept ("else if ∃ o, t, c …"), Fig 2-12's does not;
 * and Fig 2-13's new-view actions drop executed requests, A.1's do not.
 */
export const extraRequestAllowed = (hc: HConsistency, m: Message) => !hc.literal.extraRequests && m.tag === 'REQUEST';

const signedByReplica = (m: Message, i: number) => {
  const s = signerOf(m);
  return s.kind === 'replica' && s.id === i;
};

/** X_i of clause 5 (x.out_i ∪ i's messages on the wire, without checkpoints). */
export function clause5X(x: SystemState, i: number): Message[] {
  const out = new Set<Message>(x.replicas[i]!.out);
  for (const m of x.wire.messagesSince(0)) if (signedByReplica(m, i)) out.add(m);
  return [...out].filter((m) => m.tag !== 'CHECKPOINT');
}
/** Y_i of clause 5. */
export function clause5Y(y: SystemState, i: number): Message[] {
  const out = new Set<Message>(y.replicas[i]!.out);
  for (const m of y.wire.messagesSince(0)) if (signedByReplica(m, i)) out.add(m);
  return [...out];
}
/**
 * X_faulty / Y_faulty of clause 6: the wire's messages signed by replicas faulty in s. E20
 * (corrected, `withCheckpoints` false): without checkpoints, as X_i of clause 5 — a replica's
 * checkpoints sent while it was non-faulty have no counterpart in y (the correspondence sends
 * none), and once it fails they would be in X_faulty.
 */
export function faultySigned(u: Universe, s: SystemState, withCheckpoints: boolean): Message[] {
  return s.wire.messagesSince(0).filter((m) => {
    if (m.tag === 'CHECKPOINT' && !withCheckpoints) return false;
    const sg = signerOf(m);
    return sg.kind === 'replica' && sg.id < u.n && s.replicas[sg.id]!.faulty;
  });
}

/** The first m ∈ M¹ without a consistent m' ∈ M² (consistent-all), or null. */
export function inconsistentMember(hc: HConsistency, M1: readonly Message[], M2: readonly Message[]): Message | null {
  for (const m of M1) if (!M2.some((m2) => hc.consistentOne(m, m2))) return m;
  return null;
}

const nonFaulty = (x: SystemState) => x.replicas.filter((r) => !r.faulty).map((r) => r.i);

/** The clauses of H, each a named entry (ux: A_gc's universe, for formatting). */
export function hClauses(hc: HConsistency): Clause<SystemState, SystemState>[] {
  const u = hc.ux;
  const show = (m: Message) => formatMessage(u, m);
  return [
    {
      id: 'H(1)',
      statement: 'the state variables of y equal those of x except y.wire, y.in_i and y.out_i',
      ref: `${REF}, clause 1`,
      check: (x, y) => clause1(hc, x, y),
    },
    {
      id: 'H(2)',
      statement: 'y.in_i and x.in_i agree above x.h_i, leaving out checkpoints, view-changes and new-views',
      ref: `${REF}, clause 2`,
      check: (x, y) => {
        for (const i of nonFaulty(x)) {
          const hi = h(x.replicas[i]!);
          const xin = x.replicas[i]!.in;
          const yin = y.replicas[i]!.in;
          for (const m of yin.all) if (countsInY(m, hi) && !(countsInX(m, hi) && xin.has(m)) && !extraRequestAllowed(hc, m)) return `r${i}: ${show(m)} ∈ y.in_i but not in x.in_i (x.h_i = ${hi})`;
          for (const m of xin.all) if (countsInX(m, hi) && !yin.has(m)) return `r${i}: ${show(m)} ∈ x.in_i but not in y.in_i (x.h_i = ${hi})`;
        }
        return null;
      },
    },
    {
      id: 'H(3)',
      statement: 'consistent-vc-set(x.vc_i, y.vc_i)',
      ref: `${REF}, clause 3`,
      check: (x, y) => {
        for (const i of nonFaulty(x)) {
          const xs = vcsOf(x, i, true);
          const ys = vcsOf(y, i, false);
          const bad = inconsistentMember(hc, xs, ys) ?? ys.find((b) => !xs.some((a) => hc.consistentVc(a, b)));
          if (bad !== undefined && bad !== null) return `r${i}: ${show(bad)} has no consistent view-change on the other side`;
        }
        return null;
      },
    },
    {
      id: 'H(4)',
      statement: 'consistent-nv-set(x.nv_i, y.nv_i)',
      ref: `${REF}, clause 4`,
      check: (x, y) => {
        for (const i of nonFaulty(x)) {
          const xs = nvsOf(x, i);
          const ys = nvsOf(y, i);
          if (!hc.consistentNvSet(xs, ys))
            return `r${i}: x.nv_i = {${xs.map(show).join(', ')}} and y.nv_i = {${ys.map(show).join(', ')}} are not consistent`;
        }
        return null;
      },
    },
    {
      id: 'H(5)',
      statement: 'consistent-all(X_i, Y_i): what a non-faulty replica sent or will send has a consistent counterpart in y',
      ref: `${REF}, clause 5`,
      check: (x, y) => {
        for (const i of nonFaulty(x)) {
          const bad = inconsistentMember(hc, clause5X(x, i), clause5Y(y, i));
          if (bad !== null) return `r${i}: ${show(bad)} ∈ X_i has no consistent message in Y_i`;
        }
        return null;
      },
    },
    {
      id: 'H(6)',
      statement: 'consistent-all(X_faulty, Y_faulty): the wire messages of faulty replicas have consistent counterparts in y',
      ref: `${REF}, clause 6`,
      check: (x, y) => {
        const all = hc.literal.faultyCheckpoints;
        const bad = inconsistentMember(hc, faultySigned(u, x, all), faultySigned(hc.uy, y, all));
        return bad === null ? null : `${show(bad)} ∈ X_faulty has no consistent message in Y_faulty`;
      },
    },
    {
      id: 'H(7)',
      statement: '∀ ⟨r⟩σc ∈ x.Wire : (∃ ⟨r⟩σc ∈ y.Wire)',
      ref: `${REF}, clause 7`,
      check: (x, y) => {
        for (const m of x.wire.messagesSince(0)) if (signerOf(m).kind === 'client' && !y.wire.hasMessage(m)) return `${show(m)} ∈ x.Wire but not in y.Wire`;
        return null;
      },
    },
  ];
}

/** The view-changes in in_i of each automaton's own form (x.vc_i: with a checkpoint; y.vc_i: without). */
export function vcsOf(s: SystemState, i: number, gcForm: boolean): Message[] {
  const out: Message[] = [];
  for (const [, set] of [...s.replicas[i]!.in.viewChangesByV].sort((a, b) => a[0] - b[0]))
    for (const m of set) if ((m.gc !== null) === gcForm) out.push(m);
  return out;
}
export function nvsOf(s: SystemState, i: number): Message[] {
  const out: Message[] = [];
  for (const [, set] of [...s.replicas[i]!.in.newViewsByV].sort((a, b) => a[0] - b[0])) out.push(...set);
  return out;
}

/** Clause 1: proxies, replicas' scalar variables and flags; the logs of faulty replicas only as written (E12). */
export function clause1(hc: HConsistency, x: SystemState, y: SystemState): string | null {
  const u = hc.ux;
  for (let c = 0; c < u.clients; c++) {
    const a = x.proxies[c]!;
    const b = y.proxies[c]!;
    const diff = proxyDiff(u, a, b);
    if (diff !== null) return `c${c}: ${diff}`;
  }
  for (let k = 0; k < u.n; k++) {
    const a = x.replicas[k]!;
    const b = y.replicas[k]!;
    const diff = replicaScalarDiff(u, a, b);
    if (diff !== null) return `r${k}: ${diff}`;
    if (hc.literal.faultyLogs && a.faulty) {
      const d = setDiff(a.in.all, b.in.all) ?? setDiff(a.out, b.out);
      if (d !== null) return `r${k} (faulty): ${formatMessage(u, d.m)} is in ${d.side} ${a.in.has(d.m) || b.in.has(d.m) ? 'in_k' : 'out_k'} only`;
    }
  }
  return null;
}

type ProxyLike = SystemState['proxies'][number];
type ReplicaLike = SystemState['replicas'][number];

function proxyDiff(u: Universe, a: ProxyLike, b: ProxyLike): string | null {
  if (a.faulty !== b.faulty) return `faulty_c ${a.faulty} ≠ ${b.faulty}`;
  if (a.view !== b.view) return `view_c ${a.view} ≠ ${b.view}`;
  if (a.lastReq !== b.lastReq) return `last-req_c ${a.lastReq} ≠ ${b.lastReq}`;
  if (a.retrans !== b.retrans) return `retrans_c ${a.retrans} ≠ ${b.retrans}`;
  if (a.out !== b.out) return `out_c is ${a.out === null ? '{}' : formatMessage(u, a.out)} in x, ${b.out === null ? '{}' : formatMessage(u, b.out)} in y`;
  const d = setDiff(a.in, b.in);
  if (d !== null) return `${formatMessage(u, d.m)} is in ${d.side}.in_c only`;
  return null;
}

function replicaScalarDiff(u: Universe, a: ReplicaLike, b: ReplicaLike): string | null {
  if (a.faulty !== b.faulty) return `faulty ${a.faulty} ≠ ${b.faulty}`;
  if (a.view !== b.view) return `view ${a.view} ≠ ${b.view}`;
  if (a.lastExec !== b.lastExec) return `last-exec ${a.lastExec} ≠ ${b.lastExec}`;
  if (a.seqno !== b.seqno) return `seqno ${a.seqno} ≠ ${b.seqno}`;
  if (a.val !== b.val && u.service.encode(a.val) !== u.service.encode(b.val)) return 'val differs';
  for (let c = 0; c < u.clients; c++) {
    if (a.lastRep[c] !== b.lastRep[c]) return `last-rep(c${c}) ${a.lastRep[c]} ≠ ${b.lastRep[c]}`;
    if (a.lastRepT[c] !== b.lastRepT[c]) return `last-rep-t(c${c}) ${a.lastRepT[c]} ≠ ${b.lastRepT[c]}`;
  }
  return null;
}

/** A message in one of the two sets and not the other, and the side (x or y) that has it. */
function setDiff(x: Iterable<Message>, y: Iterable<Message>): { m: Message; side: 'x' | 'y' } | null {
  const X = new Set(x);
  const Y = new Set(y);
  for (const m of X) if (!Y.has(m)) return { m, side: 'x' };
  for (const m of Y) if (!X.has(m)) return { m, side: 'y' };
  return null;
}
