// Explicit, self-contained JSON for actions and messages: what a trace records, so that a run is
// reproduced from its actions (not from its seed) in a fresh universe.
import type { Action } from '../automata/actions.ts';
import type { CheckpointValue, Message, Request, ViewChange } from '../automata/messages.ts';
import type { Universe } from '../automata/universe.ts';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function messageToJson(u: Universe, m: Message | null): Json {
  if (m === null) return null;
  switch (m.tag) {
    case 'REQUEST':
      return { tag: m.tag, o: m.o, t: m.t, c: m.c };
    case 'REPLY':
      return { tag: m.tag, v: m.v, t: m.t, c: m.c, i: m.i, r: m.r };
    case 'PRE-PREPARE':
      return { tag: m.tag, v: m.v, n: m.n, m: messageToJson(u, m.m), signer: m.signer };
    case 'PREPARE':
    case 'COMMIT':
    case 'CHECKPOINT':
      return { tag: m.tag, v: m.v, n: m.n, d: m.d, j: m.j };
    case 'VIEW-CHANGE':
      return {
        tag: m.tag,
        v: m.v,
        gc: m.gc === null ? null : { n: m.gc.n, s: valueToJson(u, m.gc.s), C: m.gc.C.map((c) => messageToJson(u, c)) },
        P: m.P.map((p) => messageToJson(u, p)),
        j: m.j,
      };
    case 'NEW-VIEW':
      return {
        tag: m.tag,
        v: m.v,
        V: m.V.map((x) => messageToJson(u, x)),
        O: m.O.map((x) => messageToJson(u, x)),
        N: m.N.map((x) => messageToJson(u, x)),
        signer: m.signer,
      };
  }
}

function valueToJson(u: Universe, s: CheckpointValue): Json {
  return { val: u.service.serialize(s.val) as Json, lastRep: [...s.lastRep], lastRepT: [...s.lastRepT] };
}

export function actionToJson(u: Universe, a: Action): Json {
  switch (a.kind) {
    case 'SEND':
    case 'RECEIVE':
      return { kind: a.kind, x: a.x, m: messageToJson(u, a.m), X: a.X };
    case 'MISBEHAVE':
      return { kind: a.kind, m: messageToJson(u, a.m), X: a.X, X2: a.X2 };
    case 'SEND-PRE-PREPARE':
    case 'SEND-COMMIT':
    case 'EXECUTE':
      return { kind: a.kind, m: messageToJson(u, a.m), v: a.v, n: a.n, i: a.i };
    case 'SEND-NEW-VIEW':
      return { kind: a.kind, v: a.v, V: a.V.map((x) => messageToJson(u, x)), i: a.i };
    default:
      return { ...a } as Json;
  }
}

/** Decodes actions recorded by actionToJson into universe u, interning their messages there. */
export class ActionDecoder {
  constructor(private readonly u: Universe) {}

  action(j: any): Action {
    switch (j.kind) {
      case 'SEND':
      case 'RECEIVE':
        return { kind: j.kind, x: j.x, m: this.message(j.m), X: j.X };
      case 'MISBEHAVE':
        return { kind: j.kind, m: this.message(j.m), X: j.X, X2: j.X2 };
      case 'SEND-PRE-PREPARE':
        return { kind: j.kind, m: this.message(j.m) as Request, v: j.v, n: j.n, i: j.i };
      case 'SEND-COMMIT':
      case 'EXECUTE':
        return { kind: j.kind, m: j.m === null ? null : this.message(j.m), v: j.v, n: j.n, i: j.i };
      case 'SEND-NEW-VIEW':
        return { kind: j.kind, v: j.v, V: j.V.map((x: any) => this.message(x) as ViewChange), i: j.i };
      default:
        return { ...j } as Action;
    }
  }

  message(j: any): Message {
    const I = this.u.interner;
    switch (j.tag) {
      case 'REQUEST':
        return I.request(j.o, j.t, j.c);
      case 'REPLY':
        return I.reply(j.v, j.t, j.c, j.i, j.r);
      case 'PRE-PREPARE':
        return I.prePrepare(j.v, j.n, j.m === null ? null : this.message(j.m), j.signer);
      case 'PREPARE':
        return I.prepare(j.v, j.n, j.d, j.j);
      case 'COMMIT':
        return I.commit(j.v, j.n, j.d, j.j);
      case 'CHECKPOINT':
        return I.checkpoint(j.v, j.n, j.d, j.j);
      case 'VIEW-CHANGE': {
        const gc =
          j.gc === null
            ? null
            : { n: j.gc.n, s: this.value(j.gc.s), C: j.gc.C.map((c: any) => this.message(c)) };
        return I.viewChange(j.v, gc, j.P.map((p: any) => this.message(p)), j.j);
      }
      case 'NEW-VIEW':
        return I.newView(
          j.v,
          j.V.map((x: any) => this.message(x)),
          j.O.map((x: any) => this.message(x)),
          j.N.map((x: any) => this.message(x)),
          j.signer,
        );
      default:
        throw new Error(`unknown message tag ${JSON.stringify(j.tag)}`);
    }
  }

  private value(j: any): CheckpointValue {
    return this.u.interner.checkpointValue(this.u.service.deserialize(j.val), j.lastRep, j.lastRepT);
  }
}
