// External actions of S and S' (Fig 2-6: REQUEST, CLIENT-FAILURE, REPLICA-FAILURE, REPLY) as labels,
// for trace matching; everything else is internal. A' (A with the outputs outside S's signature
// hidden, proof of Theorem A.1.19) has the same external actions, labelled the same way.
import { isExternal, type Action } from '../automata/actions.ts';
import { formatExternal } from '../automata/format.ts';
import type { SpecHistAction } from '../automata/spec-hist.ts';

/** The label of an action of S or S' (FAULTY-REQUEST, EXECUTE, EXECUTE-NULL are internal: null). */
export function externalLabel(a: SpecHistAction): string | null {
  return formatExternal(a);
}

/** The label of an action of A' (SEND, RECEIVE, MISBEHAVE and the replicas' actions are hidden: null). */
export function externalLabelA(a: Action): string | null {
  return isExternal(a) ? formatExternal(a) : null;
}

/** One line for an action of S or S', in the notation of automata/format.ts (a REPLY shows its t). */
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
      return formatExternal(a)!;
  }
}
