// External actions of S and S' (Fig 2-6: REQUEST, CLIENT-FAILURE, REPLICA-FAILURE, REPLY) as labels,
// for trace matching; everything else is internal. A' (A with the outputs outside S's signature
// hidden, proof of Theorem A.1.19) has the same external actions, labelled the same way.
import { isExternal, type Action } from '../automata/actions.ts';
import type { SpecHistAction } from '../automata/spec-hist.ts';

/** The fields the external actions share in S, S' and A (Fig 2-4 and Fig 2-6 name them alike). */
interface ExternalFields {
  readonly kind: string;
  readonly o?: string;
  readonly c?: number;
  readonly i?: number;
  readonly r?: string;
}

function label(a: ExternalFields): string | null {
  switch (a.kind) {
    case 'REQUEST':
      return `REQUEST(${a.o})_c${a.c}`;
    case 'CLIENT-FAILURE':
      return `CLIENT-FAILURE_c${a.c}`;
    case 'REPLICA-FAILURE':
      return `REPLICA-FAILURE_r${a.i}`;
    case 'REPLY':
      return `REPLY(${a.r})_c${a.c}`;
    default:
      return null;
  }
}

/** The label of an action of S or S' (FAULTY-REQUEST, EXECUTE, EXECUTE-NULL are internal: null). */
export function externalLabel(a: SpecHistAction): string | null {
  return label(a);
}

export function showAbstract(a: SpecHistAction): string {
  switch (a.kind) {
    case 'FAULTY-REQUEST':
    case 'EXECUTE':
      return `${a.kind}(${a.o}, ${a.t}, c${a.c})`;
    case 'EXECUTE-NULL':
      return 'EXECUTE-NULL';
    case 'REPLY':
      return `REPLY(${a.r})_c${a.c}${a.t === null ? '' : ` [t = ${a.t}]`}`;
    default:
      return externalLabel(a)!;
  }
}

/** The label of an action of A' (SEND, RECEIVE, MISBEHAVE and the replicas' actions are hidden: null). */
export function externalLabelA(a: Action): string | null {
  return isExternal(a) ? label(a) : null;
}
