// For tests: building states of A by explicit steps.
import { nodeBit, step, type SystemState } from '../../automata/compose.ts';
import { sendDestination } from '../../automata/replica-state.ts';
import type { Universe } from '../../automata/universe.ts';

/** Takes every SEND that node x's out enables (replicas: each m ∈ out_x; clients: out_c). */
export function flush(u: Universe, s: SystemState, x: number): void {
  if (x < u.n) {
    const st = s.replicas[x]!;
    for (const m of [...st.out]) step(u, s, { kind: 'SEND', x, m, X: sendDestination(u, st, m)! });
  } else {
    const p = s.proxies[x - u.n]!;
    if (p.out !== null) step(u, s, { kind: 'SEND', x, m: p.out, X: p.retrans ? u.allReplicas : u.replicaBit(u.primary(p.view)) });
  }
}

/** Sends everything every replica has to send, then delivers pending copies to replicas, until quiet. */
export function settle(u: Universe, s: SystemState): void {
  for (;;) {
    for (let i = 0; i < u.n; i++) flush(u, s, i);
    const e = s.wire.pending().find(({ X }) => (X & u.allReplicas) !== 0);
    if (e === undefined) return;
    let x = 0;
    while ((e.X & nodeBit(x)) === 0) x++;
    step(u, s, { kind: 'RECEIVE', x, m: e.m, X: e.X });
  }
}
