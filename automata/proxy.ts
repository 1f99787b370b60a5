// The proxy automaton P_c (Fig 2-7, the last action's header restored as in READING-NOTES 3).
import type { Reply, Request } from './messages.ts';
import type { Result } from './services.ts';
import type { Universe } from './universe.ts';

export interface ProxyState {
  readonly c: number;
  /** view_c ∈ ℕ, initially 0 */
  view: number;
  /** in_c ⊆ M, initially {}: replies matching the outstanding request */
  in: Set<Reply>;
  /** out_c ⊆ M, initially {}: holds at most one request, so it is kept as that request or null */
  out: Request | null;
  /** last-req_c ∈ ℕ, initially 0 */
  lastReq: number;
  /** retrans_c ∈ Bool, initially false */
  retrans: boolean;
  /** faulty_c ∈ Bool, initially false */
  faulty: boolean;
}

export function initialProxy(c: number): ProxyState {
  return { c, view: 0, in: new Set(), out: null, lastReq: 0, retrans: false, faulty: false };
}

export function cloneProxy(p: ProxyState): ProxyState {
  return { ...p, in: new Set(p.in) };
}

/**
 * REQUEST(o)_c
 *   Eff: last-req_c := last-req_c + 1; out_c := {⟨REQUEST, o, last-req_c, c⟩σc}; in_c := {}; retrans_c := false
 */
export function request(u: Universe, p: ProxyState, o: string): void {
  p.lastReq = p.lastReq + 1;
  p.out = u.interner.request(o, p.lastReq, p.c);
  p.in = new Set();
  p.retrans = false;
}

/** CLIENT-FAILURE_c   Eff: faulty_c := true */
export function clientFailure(p: ProxyState): void {
  p.faulty = true;
}

/**
 * The destination of the one SEND the proxy may take now:
 *   SEND(m, {view_c mod |R|})_c   Pre: m ∈ out_c ∧ ¬retrans_c;  Eff: retrans_c := true
 *   SEND(m, R)_c                  Pre: m ∈ out_c ∧ retrans_c;   Eff: none
 */
export function sendDestination(u: Universe, p: ProxyState): number | null {
  if (p.out === null) return null;
  return p.retrans ? u.allReplicas : u.replicaBit(u.primary(p.view));
}
export function sendPre(u: Universe, p: ProxyState, m: Request, X: number): boolean {
  return p.out === m && sendDestination(u, p) === X;
}
export function sendEff(p: ProxyState): void {
  if (!p.retrans) p.retrans = true;
}

/**
 * RECEIVE(⟨REPLY, v, t, c, i, r⟩σi)_c
 *   Eff: if (out_c ≠ {} ∧ last-req_c = t) then in_c := in_c ∪ {⟨REPLY, v, t, c, i, r⟩σi}
 */
export function receive(p: ProxyState, m: Reply): void {
  if (m.c !== p.c) return; // a reply for another client is not an input of P_c
  if (p.out !== null && p.lastReq === m.t) p.in.add(m);
}

/** The results r with a reply certificate: more than f replies from distinct replicas (Section 2.3.2). */
export function certifiedResults(u: Universe, p: ProxyState): Result[] {
  return u.proto.certifiedResults(u, p);
}
export function thesisCertifiedResults(u: Universe, p: ProxyState): Result[] {
  if (p.out === null) return [];
  const signers = new Map<Result, Set<number>>();
  for (const m of p.in) {
    if (m.t !== p.lastReq || m.c !== p.c) continue;
    let s = signers.get(m.r);
    if (s === undefined) signers.set(m.r, (s = new Set()));
    s.add(m.i);
  }
  return [...signers].filter(([, s]) => s.size >= u.proto.quorums.reply).map(([r]) => r).sort();
}

/**
 * REPLY(r)_c
 *   Pre: out_c ≠ {} ∧ ∃ R : (|R| > f ∧ ∀ i ∈ R : (∃ v : (⟨REPLY, v, last-req_c, c, i, r⟩σi ∈ in_c)))
 */
export function replyPre(u: Universe, p: ProxyState, r: Result): boolean {
  return certifiedResults(u, p).includes(r);
}
/**
 *   Eff: view_c := max({v | ⟨REPLY, v, last-req_c, c, i, r⟩σi ∈ in_c}); out_c := {}
 */
export function reply(p: ProxyState, r: Result): void {
  let v = -1;
  for (const m of p.in) if (m.t === p.lastReq && m.c === p.c && m.r === r) v = Math.max(v, m.v);
  p.view = v;
  p.out = null;
}
