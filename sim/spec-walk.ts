// A seeded random walk of S' (Def A.1.13) on its own: inputs (requests, failures within the
// bound), faulty clients' requests, executions, null executions and replies.
import { specHistEnabled, specHistPre, specHistStep, initialSpecHist, type SpecHistAction, type SpecHistState } from '../automata/spec-hist.ts';
import type { Universe } from '../automata/universe.ts';
import { SeededRng } from './rng.ts';

export interface SpecWalk {
  state: SpecHistState;
  actions: SpecHistAction[];
}

function drawInput(u: Universe, s: SpecHistState, rng: SeededRng): SpecHistAction {
  const roll = rng.float();
  const c = rng.int(u.clients);
  if (roll < 0.02) return { kind: 'CLIENT-FAILURE', c };
  const failed = s.faultyReplica.filter(Boolean).length;
  if (roll < 0.04 && failed < u.f) return { kind: 'REPLICA-FAILURE', i: rng.int(u.n) };
  if (s.faultyClient[c] && roll < 0.3) return { kind: 'FAULTY-REQUEST', o: u.ops[rng.int(u.ops.length)]!, t: rng.int(s.lastReq[c]! + 3), c };
  return { kind: 'REQUEST', o: u.ops[rng.int(u.ops.length)]!, c };
}

/** `steps` actions of S', each enabled when taken; `onStep` sees each one after it is taken. */
export function walkSpecHist(u: Universe, seed: string, steps: number, onStep?: (k: number, a: SpecHistAction, s: SpecHistState) => void): SpecWalk {
  const rng = new SeededRng(seed);
  const s = initialSpecHist(u);
  const actions: SpecHistAction[] = [];
  for (let k = 0; k < steps; k++) {
    const local = specHistEnabled(u, s, u.ops);
    let a: SpecHistAction;
    if (local.length === 0 || rng.float() < 0.35) a = drawInput(u, s, rng);
    else a = local[rng.int(local.length)]!;
    if (!specHistPre(u, s, a)) continue;
    specHistStep(u, s, a);
    actions.push(a);
    onStep?.(actions.length - 1, a, s);
  }
  return { state: s, actions };
}
