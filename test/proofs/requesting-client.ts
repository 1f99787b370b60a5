// For tests: stand-ins under which a faulty client keeps sending requests it signs itself, with
// timestamps 0..3 (so that S' follows with FAULTY-REQUEST and EXECUTE, and E9's t = 0 comes up);
// faulty replicas stop.
import type { Action } from '../../automata/actions.ts';
import { SilentStandIn, type StandIn } from '../../automata/byzantine.ts';
import type { Universe } from '../../automata/universe.ts';

export class RequestingClient implements StandIn {
  readonly name = 'requesting-client';
  constructor(private readonly node: number) {}
  receive(): void {}
  proposals(u: Universe): Action[] {
    const c = this.node - u.n;
    const out: Action[] = [];
    for (const o of u.ops) for (let t = 0; t <= 3; t++) out.push({ kind: 'SEND', x: this.node, m: u.interner.request(o, t, c), X: u.allReplicas });
    return out;
  }
  clone(): StandIn {
    return this;
  }
}

export const standIns = (u: Universe, node: number): StandIn => (node >= u.n ? new RequestingClient(node) : new SilentStandIn());
