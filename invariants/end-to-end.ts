// The end-to-end safety property: every REPLY(r)_c delivered to a non-faulty client is a reply
// that S (Fig 2-6) allows for the same external trace.
//
// S is driven beside the run as a witness: the external actions (REQUEST, failures, REPLY) as they
// happen, and EXECUTE(o, t, c) in the order in which sequence numbers are first executed by a
// non-faulty replica (preceded by FAULTY-REQUEST for a faulty client's request, as in the proof
// of Theorem A.1.19). While n-faulty ≤ f all non-faulty replicas execute the same requests in the
// same order, so this witness is S's execution; beyond f the behaviour of S is unspecified and the
// monitor stops judging.
import type { Action } from '../automata/actions.ts';
import type { SystemState } from '../automata/compose.ts';
import { initialSpec, specDefined, specPre, specStep, type SpecAction, type SpecState } from '../automata/spec.ts';
import type { Universe } from '../automata/universe.ts';
import { violation, type Violation } from './types.ts';

export const END_TO_END_ID = 'E2E';
export const END_TO_END_INFO = {
  id: END_TO_END_ID,
  family: 'E2E',
  statement: 'every REPLY(r)_c to a non-faulty client is one S allows for the same external trace',
  ref: 'Section 2.4.3 (S, Fig 2-6) and Theorem A.2.5',
} as const;

export class EndToEndMonitor {
  readonly spec: SpecState;
  private executedUpTo = 0;

  constructor(private readonly u: Universe) {
    this.spec = initialSpec(u);
  }

  /** Observes step (a, s'), where s' is the state after a; returns the violations it shows. */
  observe(a: Action, s: SystemState): Violation[] {
    const wasDefined = specDefined(this.u, this.spec);
    switch (a.kind) {
      case 'REQUEST':
        if (!this.spec.faultyClient[a.c]) this.take({ kind: 'REQUEST', o: a.o, c: a.c });
        return [];
      case 'CLIENT-FAILURE':
        this.take({ kind: 'CLIENT-FAILURE', c: a.c });
        return [];
      case 'REPLICA-FAILURE':
        this.take({ kind: 'REPLICA-FAILURE', i: a.i });
        return [];
      case 'EXECUTE':
        return wasDefined ? this.execute(a, s) : [];
      case 'REPLY':
        return wasDefined ? this.reply(a, s) : [];
      default:
        return [];
    }
  }

  private take(a: SpecAction): boolean {
    if (!specPre(this.u, this.spec, a)) return false;
    specStep(this.u, this.spec, a);
    return true;
  }

  private execute(a: Extract<Action, { kind: 'EXECUTE' }>, s: SystemState): Violation[] {
    if (s.replicas[a.i]!.faulty || a.n <= this.executedUpTo) return [];
    this.executedUpTo = a.n;
    if (a.m === null || a.m.tag !== 'REQUEST') return []; // no request, nothing executed (ERRATA R14)
    const { o, t, c } = a.m;
    if (t <= this.spec.lastRepT[c]!) return []; // re-execution of an old request: a no-op in A and in S
    if (this.spec.faultyClient[c]) this.take({ kind: 'FAULTY-REQUEST', o, t, c });
    if (this.take({ kind: 'EXECUTE', o, t, c })) return [];
    return [
      violation(END_TO_END_ID, `replica ${a.i} executed ⟨${o}, ${t}, c${c}⟩ at n = ${a.n}, which S has no request for`, {
        replicas: [a.i],
        clients: [c],
        messages: [a.m],
        n: a.n,
      }),
    ];
  }

  private reply(a: Extract<Action, { kind: 'REPLY' }>, s: SystemState): Violation[] {
    const t = s.proxies[a.c]!.lastReq;
    if (this.spec.faultyClient[a.c]) return [];
    if (this.take({ kind: 'REPLY', r: a.r, c: a.c, t })) return [];
    const allowed = [...this.spec.out.values()].filter((x) => x.c === a.c).map((x) => `⟨${x.r}, ${x.t}⟩`);
    return [
      violation(END_TO_END_ID, `client ${a.c} accepted ${a.r} for its request ${t}; S allows ${allowed.length ? allowed.join(', ') : 'no reply'}`, {
        clients: [a.c],
        detail: `S has executed ${this.executedUpTo} sequence numbers`,
      }),
    ];
  }
}
