// End to end: f = 1, 2 clients; each client completes at least 20 requests, and every
// REPLY(r)_c is a reply S (Fig 2-6) gives for the same order of execution (S driven beside the run
// by the end-to-end monitor: requests as issued, executions in the order replicas execute them). For A and for A_gc,
// with no failures and with one replica stopped.
import { describe, expect, it } from 'vitest';
import type { ConfigInput } from '../automata/config.ts';
import { EndToEndMonitor } from '../invariants/end-to-end.ts';
import { runRandom } from '../sim/scheduler.ts';

describe.each([
  ['A', [] as number[]],
  ['Agc', [] as number[]],
  ['A', [2]],
  ['Agc', [2]],
] as const)('variant %s, stopped replicas %j', (variant, stopped) => {
  it('each client completes at least 20 requests, every reply is one S allows', () => {
    // No losses: the model has no retransmission of protocol messages, so a lost message stalls a
    // view until a view change; duplication and replay stay on. Views up to 20 leave room for those.
    const config: ConfigInput = {
      variant,
      f: 1,
      clients: 2,
      service: 'log',
      faultyReplicas: stopped,
      maxView: 20,
      network: { loss: false, duplicate: true, replay: true },
    };
    let monitor: EndToEndMonitor | undefined;
    const problems: string[] = [];
    const r = runRandom({
      config,
      seed: `e2e-${variant}-${stopped.join(',')}`,
      steps: 25_000,
      onStep: (k, a, s) => {
        problems.push(...monitor!.observe(a, s).map((v) => `step ${k}: ${v.message}`));
      },
      onStart: (u) => {
        monitor = new EndToEndMonitor(u);
      },
    });
    expect(problems).toEqual([]);
    for (const p of r.state.proxies) expect(p.lastReq - (p.out === null ? 0 : 1)).toBeGreaterThanOrEqual(20);
    // S took every reply the clients took: what S still holds is for requests still outstanding.
    for (const { c, t } of monitor!.spec.out.values()) {
      expect(r.state.proxies[c]!.out).not.toBeNull();
      expect(r.state.proxies[c]!.lastReq).toBe(t);
    }
    // Non-faulty replicas that executed the same number of requests hold the same service state.
    const correct = r.state.replicas.filter((x) => !x.faulty);
    const top = Math.max(...correct.map((x) => x.lastExec));
    const atTop = correct.filter((x) => x.lastExec === top).map((x) => r.universe.service.encode(x.val));
    expect(new Set(atTop).size).toBe(1);
  });
});
