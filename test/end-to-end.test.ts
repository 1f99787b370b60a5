// End to end: f = 1, 2 clients; each client completes at least 20 requests, and every
// REPLY(r)_c is a reply S (Fig 2-6) gives for the same order of execution. For A and for A_gc,
// with no failures and with one replica stopped.
import { describe, expect, it } from 'vitest';
import type { Action } from '../automata/actions.ts';
import type { SystemState } from '../automata/compose.ts';
import type { Config } from '../automata/config.ts';
import { initialSpec, specPre, specStep, type SpecAction, type SpecState } from '../automata/spec.ts';
import type { Universe } from '../automata/universe.ts';
import { runRandom } from '../sim/scheduler.ts';

/**
 * Drives S beside a run of A: REQUEST and failures as they happen; EXECUTE(o, t, c) when the
 * first non-faulty replica executes a sequence number; REPLY(r)_c when the proxy replies. Every
 * S step must be enabled, which is what makes the replies S's.
 */
class SpecOracle {
  readonly s: SpecState;
  private executedUpTo = 0;
  readonly problems: string[] = [];
  replies = 0;

  constructor(private readonly u: Universe) {
    this.s = initialSpec(u);
  }

  private take(a: SpecAction, at: number): void {
    if (!specPre(this.u, this.s, a)) this.problems.push(`step ${at}: S cannot take ${JSON.stringify(a)}`);
    else specStep(this.u, this.s, a);
  }

  observe(at: number, a: Action, sys: SystemState): void {
    switch (a.kind) {
      case 'REQUEST':
        if (!sys.proxies[a.c]!.faulty) this.take({ kind: 'REQUEST', o: a.o, c: a.c }, at);
        break;
      case 'REPLICA-FAILURE':
        this.take({ kind: 'REPLICA-FAILURE', i: a.i }, at);
        break;
      case 'EXECUTE':
        if (sys.replicas[a.i]!.faulty || a.n <= this.executedUpTo) break;
        this.executedUpTo = a.n;
        if (a.m === null) break;
        {
          const { o, t, c } = a.m;
          // A request already executed is a no-op in A (t ≤ last-rep-t); S has nothing to do.
          if (t <= this.s.lastRepT[c]!) break;
          this.take({ kind: 'EXECUTE', o, t, c }, at);
        }
        break;
      case 'REPLY':
        this.replies++;
        this.take({ kind: 'REPLY', r: a.r, c: a.c, t: sys.proxies[a.c]!.lastReq }, at);
        break;
      default:
        break;
    }
  }
}

describe.each([
  ['A', [] as number[]],
  ['Agc', [] as number[]],
  ['A', [2]],
  ['Agc', [2]],
] as const)('variant %s, stopped replicas %j', (variant, stopped) => {
  it('each client completes at least 20 requests, every reply is one S allows', () => {
    // No losses: the model has no retransmission of protocol messages, so a lost message stalls a
    // view until a view change; duplication and replay stay on. Views up to 20 leave room for those.
    const config: Partial<Config> = {
      variant,
      f: 1,
      clients: 2,
      service: 'log',
      faultyReplicas: stopped,
      maxView: 20,
      network: { loss: false, duplicate: true, replay: true },
    };
    let oracle: SpecOracle | undefined;
    const r = runRandom({
      config,
      seed: `e2e-${variant}-${stopped.join(',')}`,
      steps: 25_000,
      onStep: (k, a, s) => {
        oracle!.observe(k, a, s);
      },
      onStart: (u) => {
        oracle = new SpecOracle(u);
      },
    });
    expect(oracle!.problems).toEqual([]);
    for (const p of r.state.proxies) expect(p.lastReq - (p.out === null ? 0 : 1)).toBeGreaterThanOrEqual(20);
    expect(oracle!.replies).toBe(r.stats.requestsCompleted);
    // Non-faulty replicas that executed the same number of requests hold the same service state.
    const correct = r.state.replicas.filter((x) => !x.faulty);
    const top = Math.max(...correct.map((x) => x.lastExec));
    const atTop = correct.filter((x) => x.lastExec === top).map((x) => r.universe.service.encode(x.val));
    expect(new Set(atTop).size).toBe(1);
  });
});
