// Invariants A.1.4-A.1.7 (invariants/a1-prepared.ts): they hold along random runs of A, and each
// conjunct reports exactly itself, with its witnesses, on a state built to falsify it; the
// incremental evaluation (checkDelta) reports a corruption made after the tracker has seen the
// state exactly as check does (agreement along runs and cost: a1-prepared-delta.test.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { initialSystem, step, type SystemState } from '../../automata/compose.ts';
import type { Message, Request } from '../../automata/messages.ts';
import type { Universe } from '../../automata/universe.ts';
import { A1_PREPARED, A_1_4, A_1_5, A_1_6, A_1_7, committedIn, preparedAtCorrect, preparedIn } from '../../invariants/a1-prepared.ts';
import { A1_VIEWS } from '../../invariants/a1-views.ts';
import { DeltaTracker } from '../../invariants/delta.ts';
import type { SystemInvariant, Violation } from '../../invariants/types.ts';
import { runRandom } from '../../sim/scheduler.ts';
import { cert, com, mkU, pp, prep, req, vc } from '../replica-a/helpers.ts';

const ALL: SystemInvariant[] = [...A1_PREPARED, ...A1_VIEWS];

/** Every violation any conjunct of A.1.4-A.1.9 reports on s. */
const report = (u: Universe, s: SystemState): Violation[] => ALL.flatMap((inv) => inv.check(u, s));
const idsOf = (vs: readonly Violation[]) => [...new Set(vs.map((v) => v.id))].sort();
const add = (s: SystemState, i: number, ms: readonly Message[]) => {
  for (const m of ms) s.replicas[i]!.in.add(m);
};
const fail = (u: Universe, s: SystemState, ...is: number[]) => {
  for (const i of is) step(u, s, { kind: 'REPLICA-FAILURE', i });
};

function setup() {
  const u = mkU();
  const s = initialSystem(u);
  const a: Request = req(u, 'a', 1, 0);
  const b: Request = req(u, 'b', 1, 1);
  return { u, s, a, b };
}

// ---------------------------------------------------------------- random runs of A

const SEEDS = [2, 3, 'a'] as const;
const CONFIGS = [{ faultyReplicas: [] as number[] }, { faultyReplicas: [3] }];

interface RunSummary {
  violations: Violation[];
  checks: number;
  /** Checks at which the antecedents were exercised. */
  withPrepared: number;
  withOwnCommit: number;
  withCommitted: number;
  withNewView: number;
}
const runs = new Map<string, RunSummary>();

beforeAll(() => {
  for (const seed of SEEDS)
    for (const cfg of CONFIGS) {
      let u!: Universe;
      const sum: RunSummary = { violations: [], checks: 0, withPrepared: 0, withOwnCommit: 0, withCommitted: 0, withNewView: 0 };
      runRandom({
        config: { variant: 'A', ...cfg },
        seed,
        steps: 1500,
        onStart: (uu) => {
          u = uu;
        },
        onStep: (i, _a, s) => {
          if ((i + 1) % 10 !== 0) return;
          sum.checks++;
          for (const inv of A1_PREPARED) sum.violations.push(...inv.check(u, s));
          const correct = s.replicas.filter((r) => !r.faulty);
          if ([...preparedAtCorrect(u, s).values()].some((x) => x.length > 0)) sum.withPrepared++;
          if (correct.some((r) => [...r.in.commitsByN.values()].some((cs) => [...cs].some((c) => c.j === r.i)))) sum.withOwnCommit++;
          if (correct.some((r) => committedIn(u, r.in).length > 0)) sum.withCommitted++;
          if (correct.some((r) => r.in.newViewsByV.size > 0)) sum.withNewView++;
        },
      });
      runs.set(`${seed}/${cfg.faultyReplicas.join(',')}`, sum);
    }
});

describe('A.1.4-A.1.7 hold along random runs of A (1500 steps, checked every 10)', () => {
  for (const inv of A1_PREPARED)
    it(`${inv.id} holds (seeds ${SEEDS.join(', ')}; with and without replica 3 stopped)`, () => {
      for (const [key, sum] of runs) {
        expect(sum.checks, key).toBe(150);
        expect(sum.violations.filter((v) => v.id === inv.id), key).toEqual([]);
      }
    });

  it('the runs exercise the antecedents (prepared, own commits, committed, new-views)', () => {
    const total = (k: keyof RunSummary) => [...runs.values()].reduce((x, r) => x + (r[k] as number), 0);
    expect(total('withPrepared')).toBeGreaterThan(100);
    expect(total('withOwnCommit')).toBeGreaterThan(100);
    expect(total('withCommitted')).toBeGreaterThan(100);
    expect(total('withNewView')).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------- helpers

describe('preparedIn', () => {
  it('lists exactly the primary-signed pre-prepares with 2f prepares from non-primaries', () => {
    const { u, a, b } = setup();
    const s = initialSystem(u);
    add(s, 1, cert(u, 0, 1, a, [1, 2])); // prepared
    add(s, 1, cert(u, 0, 2, b, [0, 1])); // a prepare from the primary does not count: 1 < 2f
    add(s, 1, [pp(u, 0, 3, a, 2), prep(u, 0, 3, a, 1), prep(u, 0, 3, a, 3)]); // not signed by primary(0)
    add(s, 1, cert(u, 1, 3, null, [0, 2])); // the null request, view 1
    expect(preparedIn(u, s.replicas[1]!.in).map((t) => [t.m, t.v, t.n])).toEqual([
      [a, 0, 1],
      [null, 1, 3],
    ]);
    fail(u, s, 1);
    expect(preparedAtCorrect(u, s).has(1)).toBe(false);
  });
});

// ---------------------------------------------------------------- A.1.4

describe('A.1.4 on built states', () => {
  it('two non-faulty replicas prepared different requests at the same (v, n)', () => {
    const { u, s, a, b } = setup();
    add(s, 1, cert(u, 0, 1, a, [1, 2]));
    add(s, 2, cert(u, 0, 1, b, [2, 3]));
    const vs = report(u, s);
    expect(idsOf(vs)).toEqual(['A.1.4']);
    expect(vs).toHaveLength(1);
    const w = vs[0]!.witness;
    expect(w).toMatchObject({ replicas: [1, 2], view: 0, n: 1, clients: [0, 1] });
    expect(new Set(w.messages)).toEqual(new Set([pp(u, 0, 1, a, 0), pp(u, 0, 1, b, 0)]));
    expect(w.detail).toContain('{r1}');
    expect(w.detail).toContain('{r2}');
  });

  it('i = j: one replica with two prepared certificates at the same (v, n)', () => {
    const { u, s, a, b } = setup();
    add(s, 2, [...cert(u, 0, 4, a, [1, 2]), ...cert(u, 0, 4, b, [2, 3])]);
    const vs = A_1_4[0]!.check(u, s);
    expect(vs).toHaveLength(1);
    expect(vs[0]!.witness).toMatchObject({ replicas: [2], view: 0, n: 4 });
  });

  it('holds for the same request, and for different views', () => {
    const { u, s, a, b } = setup();
    add(s, 1, cert(u, 0, 1, a, [1, 2]));
    add(s, 2, cert(u, 0, 1, a, [2, 3]));
    add(s, 3, cert(u, 1, 1, a, [2, 3]));
    add(s, 3, cert(u, 1, 2, b, [2, 3]));
    add(s, 0, cert(u, 0, 2, a, [1, 2])); // a at (0, 2), b at (1, 2): different views
    expect(report(u, s)).toEqual([]);
  });

  it('hypotheses: nothing with n-faulty > f, and a faulty replica’s certificate is not checked', () => {
    const { u, s, a, b } = setup();
    add(s, 1, cert(u, 0, 1, a, [1, 2]));
    add(s, 2, cert(u, 0, 1, b, [2, 3]));
    fail(u, s, 2);
    expect(A_1_4[0]!.check(u, s)).toEqual([]);
    const t = setup();
    add(t.s, 1, cert(t.u, 0, 1, t.a, [1, 2]));
    add(t.s, 2, cert(t.u, 0, 1, t.b, [2, 3]));
    fail(t.u, t.s, 0, 3);
    expect(A_1_4[0]!.check(t.u, t.s)).toEqual([]);
  });
});

// ---------------------------------------------------------------- A.1.5

describe('A.1.5 on built states', () => {
  const conflictingNewView = (u: Universe, a: Request, b: Request, signer: number) => {
    const V = [vc(u, 1, cert(u, 0, 1, a, [1, 2]), 1), vc(u, 1, cert(u, 0, 1, b, [2, 3]), 2), vc(u, 1, [], 3)];
    return u.interner.newView(1, V, [], [], signer);
  };

  it('a new-view in in_i whose merge-P(V) has certificates for two requests at (v′, n)', () => {
    const { u, s, a, b } = setup();
    const nv = conflictingNewView(u, a, b, 1);
    add(s, 0, [nv]);
    const vs = report(u, s);
    expect(idsOf(vs)).toEqual(['A.1.5']);
    expect(vs).toHaveLength(1);
    expect(vs[0]!.witness).toMatchObject({ replicas: [0], view: 0, n: 1 });
    expect(vs[0]!.witness.messages![0]).toBe(nv);
    expect(new Set(vs[0]!.witness.messages!.slice(1))).toEqual(new Set([pp(u, 0, 1, a, 0), pp(u, 0, 1, b, 0)]));
  });

  it('any signer σk, as written', () => {
    const { u, s, a, b } = setup();
    add(s, 0, [conflictingNewView(u, a, b, 3)]); // primary(1) = 1: signed by another replica
    expect(idsOf(A_1_5[0]!.check(u, s))).toEqual(['A.1.5']);
  });

  it('holds when merge-P(V) agrees', () => {
    const { u, s, a } = setup();
    const V = [vc(u, 1, cert(u, 0, 1, a, [1, 2]), 1), vc(u, 1, cert(u, 0, 1, a, [2, 3]), 2), vc(u, 1, [], 3)];
    add(s, 0, [u.interner.newView(1, V, [], [], 1)]);
    expect(report(u, s)).toEqual([]);
  });

  it('hypotheses: nothing with n-faulty > f, and a faulty replica’s log is not checked', () => {
    const { u, s, a, b } = setup();
    add(s, 0, [conflictingNewView(u, a, b, 1)]);
    fail(u, s, 0);
    expect(A_1_5[0]!.check(u, s)).toEqual([]);
    const t = setup();
    add(t.s, 0, [conflictingNewView(t.u, t.a, t.b, 1)]);
    fail(t.u, t.s, 2, 3);
    expect(A_1_5[0]!.check(t.u, t.s)).toEqual([]);
  });
});

// ---------------------------------------------------------------- A.1.6

describe('A.1.6 on built states', () => {
  it('a commit signed by i without a prepared certificate', () => {
    const { u, s, a } = setup();
    const c = com(u, 0, 1, a, 1);
    add(s, 1, [c]);
    const vs = report(u, s);
    expect(idsOf(vs)).toEqual(['A.1.6']);
    expect(vs[0]!.witness).toMatchObject({ replicas: [1], view: 0, n: 1, messages: [c] });
  });

  it('a commit signed by i with a pre-prepare but only 2f − 1 prepares', () => {
    const { u, s, a } = setup();
    const c = com(u, 0, 1, a, 1);
    add(s, 1, [pp(u, 0, 1, a, 0), prep(u, 0, 1, a, 1), c]);
    const vs = A_1_6[0]!.check(u, s);
    expect(vs).toHaveLength(1);
    expect(vs[0]!.witness).toMatchObject({ replicas: [1], view: 0, n: 1, messages: [c, pp(u, 0, 1, a, 0)] });
    expect(vs[0]!.witness.detail).toContain('{r1}');
  });

  it('holds with the certificate; commits signed by others are not its concern', () => {
    const { u, s, a, b } = setup();
    add(s, 1, [...cert(u, 0, 1, a, [1, 2]), com(u, 0, 1, a, 1), com(u, 0, 2, b, 2)]);
    expect(report(u, s)).toEqual([]);
  });

  it('hypothesis: a faulty replica’s log is not checked', () => {
    const { u, s, a } = setup();
    add(s, 1, [com(u, 0, 1, a, 1)]);
    fail(u, s, 1);
    expect(A_1_6[0]!.check(u, s)).toEqual([]);
  });
});

// ---------------------------------------------------------------- A.1.7

describe('A.1.7 on built states', () => {
  /** r0 has the certificate and 2f+1 commits for a at (0, 1); r1 has the certificate too. */
  const committedAtR0 = () => {
    const t = setup();
    const { u, s, a } = t;
    add(s, 0, [...cert(u, 0, 1, a, [1, 2]), com(u, 0, 1, a, 0), com(u, 0, 1, a, 1), com(u, 0, 1, a, 2)]);
    add(s, 1, cert(u, 0, 1, a, [1, 2]));
    return t;
  };

  it('committed at i while only 2f non-faulty replicas prepared it', () => {
    const { u, s, a } = committedAtR0();
    const vs = report(u, s);
    expect(idsOf(vs)).toEqual(['A.1.7']);
    expect(vs).toHaveLength(1);
    const w = vs[0]!.witness;
    expect(w).toMatchObject({ replicas: [0, 1], view: 0, n: 1, clients: [0] });
    expect(w.messages![0]).toBe(pp(u, 0, 1, a, 0));
    expect(w.messages!.slice(1)).toEqual([com(u, 0, 1, a, 0), com(u, 0, 1, a, 1), com(u, 0, 1, a, 2)]);
    expect(w.detail).toContain('i = r0');
    expect(w.detail).toContain('{r0, r1}');
  });

  it('the bound is 2f − n-faulty: with one faulty replica, 2 preparers suffice', () => {
    const { u, s } = committedAtR0();
    fail(u, s, 3);
    expect(A_1_7[0]!.check(u, s)).toEqual([]);
  });

  it('committed through m ∈ in_i (no pre-prepare), prepared nowhere; not conditioned on n-faulty ≤ f', () => {
    const { u, s, a, b } = setup();
    add(s, 0, [a, com(u, 2, 5, a, 1), com(u, 2, 5, a, 2), com(u, 2, 5, a, 3)]);
    add(s, 1, [b, com(u, 2, 6, a, 0), com(u, 2, 6, a, 2), com(u, 2, 6, a, 3)]); // b ≠ a: not committed
    const vs = report(u, s);
    expect(idsOf(vs)).toEqual(['A.1.7']);
    expect(vs).toHaveLength(1);
    expect(vs[0]!.witness).toMatchObject({ replicas: [0], view: 2, n: 5 });
    expect(vs[0]!.witness.messages![0]).toBe(a);
    fail(u, s, 2, 3); // n-faulty = 2 > f: the bound is 2f − 2 = 0 and R = {} is still too small
    expect(idsOf(A_1_7[0]!.check(u, s))).toEqual(['A.1.7']);
  });

  it('holds when 2f+1 non-faulty replicas prepared it; a faulty committer is not checked', () => {
    const { u, s, a } = committedAtR0();
    add(s, 2, cert(u, 0, 1, a, [2, 3]));
    expect(report(u, s)).toEqual([]);
    const t = committedAtR0();
    fail(t.u, t.s, 0);
    expect(A_1_7[0]!.check(t.u, t.s)).toEqual([]);
  });
});

// ---------------------------------------------------------------- incremental evaluation (checkDelta)

/**
 * One DeltaTracker and one cache per conjunct of A.1.4-A.1.9 on state s, fed once (the full first
 * check); `next()` then returns, per conjunct, checkDelta on the changes since and check on s.
 */
function tracked(u: Universe, s: SystemState) {
  const tracker = new DeltaTracker();
  const caches = new Map(ALL.map((inv) => [inv, new Map<string, unknown>()]));
  const feed = (plain: boolean) => {
    const d = tracker.next(s);
    return ALL.map((inv) => ({ id: inv.id, full: d.full, got: inv.checkDelta!(u, s, d, caches.get(inv)!), want: plain ? inv.check(u, s) : [] }));
  };
  return { feed, next: () => feed(true) };
}

/** A reachable state of A (seed 2, 600 steps), checked incrementally after every step. */
function trackedRun(steps = 600) {
  let t!: ReturnType<typeof tracked>;
  const r = runRandom({
    config: { variant: 'A' },
    seed: 2,
    steps,
    onStart: (u, s) => {
      t = tracked(u, s);
    },
    onStep: (k) => {
      for (const x of t.feed(false)) if (x.got.length > 0) throw new Error(`${x.id} reported at step ${k}`);
    },
  });
  return { u: r.universe, s: r.state, next: t.next };
}

/** checkDelta and check agree on every conjunct, incrementally; returns the ids that report. */
function agree(rs: ReturnType<ReturnType<typeof tracked>['next']>, full = false): string[] {
  for (const r of rs) {
    expect(r.full, r.id).toBe(full);
    expect(r.got, r.id).toEqual(r.want);
  }
  return idsOf(rs.flatMap((r) => r.want));
}

describe('incremental evaluation: a corruption after the tracker has seen the state is reported as check reports it', () => {
  it('A.1.4: a conflicting certificate added to another non-faulty log (reachable state)', () => {
    const { u, s, next } = trackedRun();
    const st = s.replicas.find((r) => preparedIn(u, r.in).length > 0)!;
    const t = preparedIn(u, st.in)[0]!;
    const z = req(u, 'z', 99, 0);
    const backups = [0, 1, 2, 3].filter((k) => k !== u.primary(t.v)).slice(0, 2);
    add(s, (st.i + 1) % 4, cert(u, t.v, t.n, z, backups));
    expect(agree(next())).toContain('A.1.4');
  });

  it('A.1.4: i = j, and nothing once n-faulty > f (built state; the faulty change is a full delta)', () => {
    const { u, s, a, b } = setup();
    const t = tracked(u, s);
    t.next();
    add(s, 2, cert(u, 0, 4, a, [1, 2]));
    expect(agree(t.next())).toEqual([]);
    add(s, 2, cert(u, 0, 4, b, [2, 3]));
    const rs = t.next();
    expect(agree(rs)).toEqual(['A.1.4']);
    expect(rs.find((r) => r.id === 'A.1.4')!.got).toHaveLength(1);
    fail(u, s, 0, 3);
    expect(agree(t.next(), true)).toEqual([]);
  });

  it('A.1.5: a new-view whose merge-P(V) conflicts (reachable state)', () => {
    const { u, s, next } = trackedRun();
    const a = req(u, 'y', 98, 0);
    const b = req(u, 'z', 99, 1);
    const V = [vc(u, 1, cert(u, 0, 1, a, [1, 2]), 1), vc(u, 1, cert(u, 0, 1, b, [2, 3]), 2), vc(u, 1, [], 3)];
    add(s, 0, [u.interner.newView(1, V, [], [], 1)]);
    expect(agree(next())).toEqual(['A.1.5']);
  });

  it('A.1.6: an own commit without a certificate is added (reachable state)', () => {
    const { u, s, next } = trackedRun();
    add(s, 1, [com(u, s.replicas[1]!.view, 999, req(u, 'z', 99, 0), 1)]);
    expect(agree(next())).toEqual(['A.1.6']);
  });

  it('A.1.6: the prepares behind an own commit are removed (the ∃’s witness; reachable state)', () => {
    const { s, next } = trackedRun();
    const st = s.replicas[2]!;
    const c = [...st.in.commitsByN.values()].flatMap((cs) => [...cs]).find((x) => x.j === st.i)!;
    for (const p of [...st.in.preparesByN.get(c.n)!]) if (p.v === c.v && p.d === c.d) st.in.delete(p);
    const ids = agree(next());
    expect(ids).toContain('A.1.6');
  });

  it('A.1.7: the set R of non-faulty preparers shrinks by removals at other replicas (reachable state)', () => {
    const { u, s, next } = trackedRun();
    const st = s.replicas[0]!;
    const x = committedIn(u, st.in)[0]!;
    // drop the pre-prepare at every other replica: R ⊆ {r0}
    for (const r of s.replicas) if (r.i !== st.i) for (const p of [...r.in.prePreparesAt(x.n)]) if (p.v === x.v) r.in.delete(p);
    const rs = next();
    expect(agree(rs)).toContain('A.1.7');
    expect(rs.find((r) => r.id === 'A.1.7')!.got.map((v) => v.witness.replicas?.[0])).toContain(0);
  });

  it('A.1.7: committed through a request added after its commits (built state)', () => {
    const { u, s, a } = setup();
    const t = tracked(u, s);
    t.next();
    add(s, 0, [com(u, 2, 5, a, 1), com(u, 2, 5, a, 2), com(u, 2, 5, a, 3)]);
    expect(agree(t.next())).toEqual([]); // neither m ∈ in_0 nor a pre-prepare: not committed
    add(s, 0, [a]);
    const rs = t.next();
    expect(agree(rs)).toEqual(['A.1.7']);
    expect(rs.find((r) => r.id === 'A.1.7')!.got[0]!.witness).toMatchObject({ replicas: [0], view: 2, n: 5 });
  });

  it('A.1.7: a faulty change rebuilds the cache (full), later removals are incremental again', () => {
    const { u, s, a } = setup();
    add(s, 0, [...cert(u, 0, 1, a, [1, 2]), com(u, 0, 1, a, 0), com(u, 0, 1, a, 1), com(u, 0, 1, a, 2)]);
    add(s, 1, cert(u, 0, 1, a, [1, 2]));
    add(s, 2, cert(u, 0, 1, a, [1, 2]));
    const t = tracked(u, s);
    expect(agree(t.next(), true)).toEqual([]); // R = {r0, r1, r2}
    s.replicas[2]!.in.delete(pp(u, 0, 1, a, 0));
    fail(u, s, 3); // bound 2f − 1 = 1 < |{r0, r1}|
    expect(agree(t.next(), true)).toEqual([]);
    s.replicas[1]!.in.delete(prep(u, 0, 1, a, 2));
    expect(agree(t.next())).toEqual(['A.1.7']);
  });

  it('a scalar change alone (view, seqno, last-exec) changes none of A.1.4-A.1.9', () => {
    const { u, s, next } = trackedRun();
    const st = s.replicas[1]!;
    st.view += 1;
    st.seqno = 0;
    st.lastExec += 3;
    const rs = next();
    expect(agree(rs)).toEqual([]);
    expect(report(u, s)).toEqual([]);
  });
});
