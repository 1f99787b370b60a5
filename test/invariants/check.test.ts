// The checker: evaluates the selected invariants after every (k-th) step and the end-to-end
// property at every step, and reports the first violation with its id, step, action and witnesses.
import { describe, expect, it } from 'vitest';
import { initialSystem, step } from '../../automata/compose.ts';
import { Universe } from '../../automata/universe.ts';
import { formatFinding, InvariantChecker, type Finding } from '../../invariants/check.ts';
import { EndToEndMonitor } from '../../invariants/end-to-end.ts';
import { systemInvariants } from '../../invariants/registry.ts';
import { runRandom } from '../../sim/scheduler.ts';
import { actionToJson } from '../../sim/trace-json.ts';

function firstFinding(every: number, incremental: boolean): { finding: Finding | null; u: Universe } {
  let checker: InvariantChecker | undefined;
  let finding: Finding | null = null;
  let universe: Universe | undefined;
  runRandom({
    config: { variant: 'A', readings: { literalSeqnoInvariant: true } },
    seed: 45,
    steps: 1000,
    weights: { 'view-change': 20 },
    onStart: (u) => {
      universe = u;
      checker = new InvariantChecker(u, { invariants: systemInvariants(u.config.readings), every, incremental });
    },
    onStep: (k, a, s) => {
      finding = checker!.afterStep(k, a, s)[0] ?? null;
      return finding === null;
    },
  });
  return { finding, u: universe! };
}

describe('InvariantChecker', () => {
  it('stops at the first violation: literal A.1.2(3) (ERRATA E2) in a run with frequent view changes', () => {
    const { finding, u } = firstFinding(1, true);
    expect(finding).not.toBeNull();
    expect(finding!.id).toBe('A.1.2(3)');
    expect(finding!.step).toBe(91);
    expect(finding!.action.kind).toBe('SEND-NEW-VIEW');
    expect(finding!.witness.replicas).toEqual([0]);
    const report = formatFinding(u, finding!, systemInvariants(u.config.readings));
    expect(report).toMatch(/^violation of A\.1\.2\(3\) \(Appendix A\.1, Invariant A\.1\.2, condition 3\)/);
    expect(report).toMatch(/at step 91: SEND-NEW-VIEW\(4, /);
    expect(report).toMatch(/replicas: r0/);
  });

  it('the plain evaluation finds the same first violation', () => {
    const inc = firstFinding(1, true).finding!;
    const plain = firstFinding(1, false).finding!;
    expect({ id: plain.id, step: plain.step, message: plain.message }).toEqual({ id: inc.id, step: inc.step, message: inc.message });
  });

  it('with every = 10 the invariants are evaluated on every 10th state only', () => {
    const { finding } = firstFinding(10, true);
    expect(finding!.id).toBe('A.1.2(3)');
    expect((finding!.step + 1) % 10).toBe(0);
    expect(finding!.step).toBeGreaterThanOrEqual(91);
  });
});

describe('checking does not change the run', () => {
  it.each(['A', 'Agc'] as const)('%s: the same seed gives the same trace with and without the checker', (variant) => {
    const run = (checked: boolean) => {
      let checker: InvariantChecker | undefined;
      const r = runRandom({
        config: { variant },
        seed: 'same-with-checker',
        steps: 1500,
        onStart: (u) => {
          if (checked) checker = new InvariantChecker(u, { invariants: systemInvariants(u.config.readings) });
        },
        onStep: (k, a, s) => {
          if (checker) expect(checker.afterStep(k, a, s)).toEqual([]);
        },
      });
      return r.trace.map((a) => JSON.stringify(actionToJson(r.universe, a)));
    };
    expect(run(true)).toEqual(run(false));
  });
});

describe('EndToEndMonitor', () => {
  it('reports a reply that S does not allow for the same external trace', () => {
    const u = new Universe({ variant: 'Agc', f: 1, clients: 2 });
    const s = initialSystem(u);
    const monitor = new EndToEndMonitor(u);
    const take = (a: Parameters<typeof step>[2]) => {
      step(u, s, a);
      return monitor.observe(a, s);
    };
    expect(take({ kind: 'REQUEST', o: 'a', c: 0 })).toEqual([]);
    // Corrupt the proxy: f + 1 replicas "reply" with a result no execution produced.
    for (const i of [0, 1]) s.proxies[0]!.in.add(u.interner.reply(0, 1, 0, i, 'forged'));
    const found = take({ kind: 'REPLY', r: 'forged', c: 0 });
    expect(found.map((v) => v.id)).toEqual(['E2E']);
    expect(found[0]!.message).toMatch(/client 0 accepted forged for its request 1; S allows no reply/);
  });

  it('accepts the replies of a correct run (25 requests or more)', () => {
    let monitor: EndToEndMonitor | undefined;
    const bad: string[] = [];
    const r = runRandom({
      config: { variant: 'Agc' },
      seed: 'e2e-monitor',
      steps: 6000,
      onStart: (u) => {
        monitor = new EndToEndMonitor(u);
      },
      onStep: (_k, a, s) => {
        bad.push(...monitor!.observe(a, s).map((v) => v.message));
      },
    });
    expect(bad).toEqual([]);
    expect(r.stats.requestsCompleted).toBeGreaterThanOrEqual(25);
  });
});
