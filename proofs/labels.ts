// External actions of S and S' (Fig 2-6: REQUEST, CLIENT-FAILURE, REPLICA-FAILURE, REPLY) as labels,
// for trace matching; everything else is internal.
import type { SpecHistAction } from '../automata/spec-hist.ts';

export function externalLabel(a: SpecHistAction): string | null {
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
