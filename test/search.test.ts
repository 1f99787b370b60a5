// pbft-check search: fast-check schedules, shrinking, workers, shards and merge, the default job.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeConfig } from '../automata/config.ts';
import { main } from '../sim/cli.ts';
import { ProgressReporter } from '../sim/progress.ts';
import { ScheduleRng } from '../sim/schedule-rng.ts';
import { DEFAULT_SHRINK_BUDGET, executeSchedule, searchRun, type SearchSpec } from '../sim/search.ts';
import { runOf } from '../sim/search-driver.ts';
import { addReach, formatReach, isReachTotals, medianView, mergeReach, noReach } from '../sim/search-reach.ts';
import { loadTrace } from '../sim/trace-file.ts';
import { merge } from '../sim/cli-merge.ts';
import { formatResult } from '../sim/cli-search.ts';
import { RESULT_FORMAT, RESULT_VERSION, type SearchResult } from '../sim/search-result.ts';

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}
const tmp = mkdtempSync(join(tmpdir(), 'pbft-search-'));

const F_PLUS_1: SearchSpec = {
  config: makeConfig({ variant: 'Agc' }),
  strategy: 'equivocating-primary',
  faults: 2,
  steps: 2000,
  seed: 'b',
  checks: { invariants: [], chain: false },
  shrinkBudget: 200,
};

describe('schedules', () => {
  it("a step's draws depend on its own choice only: changing choice k leaves the steps before k alone", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 2, maxLength: 300 }), fc.nat(), fc.nat(), (choices, at, other) => {
        const k = at % choices.length;
        const spec = { ...F_PLUS_1, strategy: 'swarm', faults: 1 };
        const a = executeSchedule(spec, 0, choices).trace().actions;
        const changed = [...choices];
        changed[k] = other;
        const b = executeSchedule(spec, 0, changed).trace().actions;
        expect(b.slice(0, k)).toEqual(a.slice(0, k));
      }),
      { numRuns: 30, seed: 5 },
    );
  });

  it('the schedule generator draws in [0, 1) and each step restarts from its choice', () => {
    const r = new ScheduleRng([7, 7]);
    const first = [r.float(), r.float(), r.int(10)];
    r.nextStep();
    expect([r.float(), r.float(), r.int(10)]).toEqual(first);
    expect(first.slice(0, 2).every((x) => x >= 0 && x < 1)).toBe(true);
    expect(r.exhausted).toBe(false);
    r.nextStep();
    expect(r.exhausted).toBe(true);
  });
});

describe('a search run', () => {
  it('is deterministic: the same spec and run index give the same outcome', () => {
    const spec = { ...F_PLUS_1, steps: 300 };
    const a = searchRun(spec, 3);
    const b = searchRun(spec, 3);
    expect(a.steps).toBe(b.steps);
    expect(JSON.stringify(a.finding?.trace ?? null)).toBe(JSON.stringify(b.finding?.trace ?? null));
  });

  it('with f + 1 faulty replicas finds AGREEMENT, and shrinking never makes the run longer', () => {
    let found = null;
    for (let k = 0; k < 100 && found === null; k++) found = searchRun(F_PLUS_1, k).finding;
    expect(found).not.toBeNull();
    expect(found!.id).toBe('AGREEMENT');
    expect(found!.shrunkLength).toBeLessThanOrEqual(found!.generatedLength);
    expect(found!.trace.violation).toMatchObject({ id: 'AGREEMENT', step: found!.shrunkLength - 1 });
    expect(found!.trace.actions.length).toBe(found!.shrunkLength);
  }, 60_000);

  it('an exception in the model is raised, not taken for a counterexample', () => {
    const broken = { ...F_PLUS_1, checks: { invariants: ['NO-SUCH-INVARIANT'], chain: false } };
    expect(() => searchRun(broken, 0)).toThrow(/no invariant matches/);
  });
});

describe('pbft-check search', () => {
  it('finds, shrinks, minimizes and saves a counterexample with f + 1 faulty replicas, which replays (exit 1)', async () => {
    const p = join(tmp, 'cx.json');
    const r = await cli('search', '--strategy', 'equivocating-primary', '--faults', '2', '--seed', 'b', '--no-chain', '--workers', '1', '--out', p, '--json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ format: 'pbft-check-search-result', mode: 'search', violations: 1, violation: { id: 'AGREEMENT', trace: p } });
    const v = j.violation;
    expect(v.shrunkLength).toBeLessThanOrEqual(v.foundLength);
    expect(v.minimizedLength).toBeLessThanOrEqual(40);
    const t = loadTrace(p);
    expect(t.actions.length).toBe(v.minimizedLength);
    const rep = await cli('replay', p, '--quiet');
    expect(rep.code).toBe(1);
    expect(rep.out).toMatch(/AGREEMENT at step \d+: reproduced/);
  }, 60_000);

  it('--workers 2 reports the same violation, with the same trace, as one thread', async () => {
    const run = async (w: string) => {
      const p = join(tmp, `w${w}.json`);
      const r = await cli('search', '--strategy', 'equivocating-primary', '--faults', '2', '--seed', 'b', '--no-chain', '--workers', w, '--out', p, '--json');
      return { v: JSON.parse(r.out).violation, trace: readFileSync(p, 'utf8') };
    };
    const one = await run('1');
    const two = await run('2');
    // The times are the machine's (and the workers'), not the search's: equal apart from them.
    const untimed = ({ foundAfterMs: _f, shrinkMs: _s, minimizeMs: _m, ...v }: Record<string, unknown>) => v;
    expect(untimed(two.v)).toEqual({ ...untimed(one.v), trace: two.v.trace });
    expect(two.trace).toBe(one.trace);
  }, 60_000);

  it('reports when the violation was found apart from the time spent shrinking and minimizing', async () => {
    const p = join(tmp, 'timed.json');
    const r = await cli('search', '--strategy', 'equivocating-primary', '--faults', '2', '--seed', 'b', '--no-chain', '--workers', '1', '--out', p);
    expect(r.code).toBe(1);
    const m = /\n {2}found after (\d+\.\d) s; shrinking (\d+\.\d) s, minimizing (\d+\.\d) s\n {2}fast-check shrank it/.exec(r.out);
    expect(m, r.out).not.toBeNull();
    const j = JSON.parse((await cli('search', '--strategy', 'equivocating-primary', '--faults', '2', '--seed', 'b', '--no-chain', '--workers', '1', '--out', p, '--json')).out);
    const v = j.violation;
    for (const k of ['foundAfterMs', 'shrinkMs', 'minimizeMs']) expect(Number.isInteger(v[k]) && v[k] >= 0, k).toBe(true);
    // Run 3 is found after runs 0-2 and before its shrinking (16 shrinks) ends; the search's time holds both.
    expect(v.shrinks).toBeGreaterThan(0);
    expect(v.foundAfterMs + v.shrinkMs).toBeLessThanOrEqual(j.seconds * 1000 + 10);
    expect(v.shrinkMs).toBeGreaterThan(0);
  }, 60_000);

  it('a trace records the checks it was found with (chain, relations, the literal errata in its configuration) and replays with them', async () => {
    const p = join(tmp, 'e13.json');
    // E13 as written: H(2) fails within a few steps; a small shrink budget keeps the test quick.
    const r = await cli('search', '--literal-errata', 'E13', '--relations', 'H', '--runs', '1', '--workers', '1', '--shrink-budget', '5', '--out', p, '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).violation.id).toBe('H(2)');
    const t = loadTrace(p);
    expect([t.checks, t.config.readings.literalExtraRequests]).toEqual([{ chain: true, relations: ['H'] }, true]);
    const rep = await cli('replay', p, '--json');
    expect(rep.code).toBe(1);
    const j = JSON.parse(rep.out);
    expect([j.reproduced, j.violation.id, j.checks.relations, j.checks.asRecorded]).toEqual([true, 'H(2)', ['H'], true]);
    // Reporting G alone (what another search would have selected), H(2) is not reported.
    const g = await cli('replay', p, '--json', '--relations', 'G');
    expect([g.code, JSON.parse(g.out).reproduced]).toEqual([3, false]);
  }, 60_000);

  it('exit 0 and a three-line result when nothing is violated: the head, no violation, the reach', async () => {
    const r = await cli('search', '--runs', '4', '--steps', '200', '--workers', '1', '--seed', 'quiet');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^search: 4 runs, [\d,]+ steps in [\d.]+ s \([\d,]+ steps\/s\); A_gc, f = 1, 2 clients, swarm \(1 faulty\), chain on\n {2}no violation\n {2}reach: \d of 4 runs progress in their second half; state adopted in \d; views reached median \d+\n$/,
    );
    expect(r.err).toBe('');
  });

  it('the reach counts the runs without a violation and agrees with each run (search and simulate)', async () => {
    for (const mode of ['search', 'simulate'] as const) {
      const j = JSON.parse((await cli(mode, '--runs', '5', '--steps', '400', '--workers', '1', '--seed', 'reach', '--json')).out);
      expect(j.reach.runs).toBe(5);
      const spec = { config: makeConfig({ variant: 'Agc' }), strategy: 'swarm', steps: 400, seed: 'reach', checks: { invariants: [], chain: true }, shrinkBudget: DEFAULT_SHRINK_BUDGET };
      const each = [0, 1, 2, 3, 4].map((k) => runOf(mode, spec, k).reach!);
      expect(j.reach.alive).toBe(each.filter((r) => r.alive).length);
      expect(j.reach.adopted).toBe(each.filter((r) => r.adopted).length);
      const views: Record<string, number> = {};
      for (const r of each) views[r.view] = (views[r.view] ?? 0) + 1;
      expect(j.reach.views).toEqual(views);
    }
    // A run that finds a violation has no reach.
    const bad = JSON.parse((await cli('search', '--strategy', 'equivocating-primary', '--faults', '2', '--seed', 'b', '--runs', '10', '--workers', '1', '--json', '--out', join(tmp, 'reach-cex.json'))).out);
    expect(bad.violation).not.toBeNull();
    expect(bad.reach.runs).toBe(bad.runs - bad.violations);
  }, 60_000);

  it('shards split the runs, and merge gives the whole search', async () => {
    const whole = JSON.parse((await cli('search', '--runs', '6', '--steps', '150', '--workers', '1', '--json')).out);
    const paths = [1, 2, 3].map((i) => join(tmp, `shard-${i}.json`));
    for (const [i, p] of paths.entries()) writeFileSync(p, (await cli('search', '--runs', '6', '--steps', '150', '--workers', '1', '--json', '--shard', `${i + 1}/3`)).out);
    expect(paths.map((p) => JSON.parse(readFileSync(p, 'utf8')).runs)).toEqual([2, 2, 2]);
    const merged = await cli('merge', '--json', ...paths);
    expect(merged.code).toBe(0);
    const m = JSON.parse(merged.out);
    expect([m.runs, m.steps, m.violation, m.shards]).toEqual([6, whole.steps, null, { count: 3, indices: [1, 2, 3] }]);
    expect(m.reach).toEqual(whole.reach);
    // An incomplete set of shards: the merged result of those given, and exit 2 unless --allow-missing.
    const two = await cli('merge', paths[0]!, paths[1]!);
    expect(two.out).toMatch(/search: 4 runs[^]*shards 3 of 3 are not in these files/);
    expect([two.code, two.err]).toEqual([2, 'pbft-check: shards 3 of 3 are missing, so this is not the whole search (--allow-missing merges the shards there are)\n']);
    expect((await cli('merge', '--allow-missing', paths[0]!, paths[1]!)).code).toBe(0);
    // Every field is validated: structural mutations are one-line errors naming the field.
    const r1 = JSON.parse(readFileSync(paths[0]!, 'utf8'));
    for (const [mutation, message] of [
      [{ search: {} }, /field 'search.seed' is missing/],
      [{ search: { ...r1.search, config: null } }, /field 'search.config' must be an object, got null/],
      [{ shards: { count: 3, indices: 5 } }, /field 'shards.indices' must be an array, got 5/],
      [{ shards: { count: 3, indices: [4] } }, /field 'shards.indices' names shard 4 of 3/],
      [{ mode: 'explore' }, /field 'mode' must be one of "search", "simulate", got "explore"/],
      [{ runs: -1 }, /field 'runs' must be an integer >= 0, got -1/],
      [{ search: { ...r1.search, config: { ...r1.search.config, chkptInt: 8, L: 8 } } }, /field 'search.config' is rejected: chkptInt \(8\) must be < L \(8\)/],
    ] as const) {
      const p = join(tmp, 'mutated.json');
      writeFileSync(p, JSON.stringify({ ...r1, ...mutation }));
      const r = await cli('merge', p);
      expect(r.code, JSON.stringify(mutation)).toBe(2);
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(message);
    }
  });

  it('merge keeps the times of the lowest run\'s violation, checks them, and prints results without them', () => {
    const shard = (index: number, run: number | null, ms: number): SearchResult => ({
      format: RESULT_FORMAT, version: RESULT_VERSION, mode: 'search',
      search: { seed: 's', strategy: 'swarm', faults: null, faultyReplicas: null, faultyClients: null, stepsPerRun: 10, checks: { invariants: [], chain: true }, shrinkBudget: 200, config: makeConfig({}) },
      runsRequested: 10, shards: { count: 2, indices: [index] }, runs: 5, steps: 50, seconds: 1, stepsPerSecond: 50, violations: run === null ? 0 : 1,
      violation: run === null ? null : { run, id: 'X', step: 1, message: 'm', plan: 'p', foundLength: 2, shrunkLength: 2, shrinks: 0, minimizedLength: 2, trace: `t${index}`, foundAfterMs: ms, shrinkMs: ms + 1, minimizeMs: ms + 2 },
    });
    const m = merge([{ path: 'a', r: shard(1, 7, 900) }, { path: 'b', r: shard(2, 4, 300) }]);
    expect(m.violation).toMatchObject({ run: 4, foundAfterMs: 300, shrinkMs: 301, minimizeMs: 302, trace: 't2' });
    expect(formatResult(m)).toMatch(/\n {2}found after 0\.3 s; shrinking 0\.3 s, minimizing 0\.3 s\n/);
    // A result written before the times were reported: no times line.
    const old = shard(1, 7, 0);
    for (const k of ['foundAfterMs', 'shrinkMs', 'minimizeMs'] as const) delete old.violation![k];
    expect(formatResult(old)).not.toMatch(/found after/);
    expect(formatResult({ ...old, mode: 'simulate', violation: { ...old.violation!, foundAfterMs: 1500, shrinkMs: 0, minimizeMs: 12_000 } })).toMatch(/\n {2}found after 1\.5 s; minimizing 12\.0 s\n/);
    const bad = join(tmp, 'bad-times.json');
    writeFileSync(bad, JSON.stringify({ ...old, violation: { ...old.violation, shrinkMs: -1 } }));
    return cli('merge', bad).then((r) => expect([r.code, r.err]).toEqual([2, expect.stringMatching(/field 'violation.shrinkMs' must be a number >= 0/)]));
  });

  it('merge refuses results of another search, a shard given twice and files that are not results', async () => {
    const a = join(tmp, 'a.json');
    const b = join(tmp, 'b.json');
    writeFileSync(a, (await cli('search', '--runs', '2', '--steps', '50', '--workers', '1', '--json', '--shard', '1/2')).out);
    writeFileSync(b, (await cli('search', '--runs', '2', '--steps', '50', '--workers', '1', '--json', '--shard', '2/2', '--seed', 'other')).out);
    expect((await cli('merge', a, b)).err).toMatch(/not a shard of the same search/);
    expect((await cli('merge', a, a)).err).toMatch(/shard 1 is in both/);
    const junk = join(tmp, 'junk.json');
    writeFileSync(junk, '{"format":"pbft-check-trace"}');
    const r = await cli('merge', junk);
    expect([r.code, r.err]).toEqual([2, expect.stringMatching(/field 'format' must be "pbft-check-search-result", got "pbft-check-trace"/)]);
    expect((await cli('merge', join(tmp, 'missing.json'))).code).toBe(2);
    expect((await cli('merge')).err).toMatch(/merge needs result files/);
  });

  it.each([
    [['--shard', '3/2'], /--shard must be i\/N with 1 <= i <= N/],
    [['--steps', '1000000000'], /--steps must be at most 2,000,000, got '1000000000'/],
    [['--workers', '1000'], /--workers 1000 is more than this machine's \d+ cores: .* give --force to run them anyway/],
    [['--faults', '2', '--faulty', '1,2'], /--faults and --faulty both say/],
    [['--relations', 'H', '--no-chain'], /--relations needs the chain/],
    [['--invariants', 'A.9.9'], /--invariants: no invariant matches 'A.9.9'/],
    [['--variant', 'a', '--relations', 'H'], /relation H is not in the chain of variant a/],
    [['--service', 'kv'], /--service must be 'log' or 'counter'/],
    [['--out', '/no/such/dir/x.json'], /--out \/no\/such\/dir\/x.json is in a folder that does not exist \(\/no\/such\/dir\)/],
    [['--workers', '0'], /--workers must be an integer >= 1/],
    [['--chain', '--no-chain'], /contradict/],
    [['extra'], /Unexpected argument 'extra'/],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const r = await cli('search', ...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('--help describes the shared options and the defaults', async () => {
    const r = await cli('search', '--help');
    expect(r.code).toBe(0);
    for (const o of ['--seed', '--runs', '--steps', '--variant', '--chain', '--f', '--clients', '--service', '--faulty', '--faulty-clients', '--strategy', '--invariants', '--relations', '--time-limit', '--workers', '--shard', '--out', '--json'])
      expect(r.out).toMatch(new RegExp(`\\n {2}(--\\S+, )?${o}[ ,]`));
    expect(r.out).toMatch(/A_gc, f = 1,\n2 clients, under the swarm of strategies, with the chain on, for 30 seconds/);
  });

  it('with no command: the help naming search first, then the default search (30 s), exit 0', async () => {
    const r = await cli();
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^pbft-check: [^]*Commands:\n {2}search /);
    expect(r.out).toMatch(/No command given: running the default search[^]*\nsearch: \d+ runs, [\d,]+ steps in 3\d\.\d s [^]*A_gc, f = 1, 2 clients, swarm \(1 faulty\), chain on\n {2}no violation\n {2}reach: \d+ of \d+ runs progress in their second half; state adopted in \d+; views reached median \d+\n$/);
  }, 90_000);
});

describe('the progress line', () => {
  it('is redrawn in place on a terminal, then cleared; plain lines every 10 s otherwise', () => {
    let tty = '';
    const t = new ProgressReporter('search', (s) => (tty += s), true);
    for (const seconds of [0.1, 0.3, 0.35, 0.6]) t.update({ runs: 3, steps: 3000, seconds, violations: 0 });
    t.done();
    expect(tty).toBe('\r\x1b[Ksearch: 3 runs, 10,000 steps/s, 0 s, 0 violations\r\x1b[Ksearch: 3 runs, 5,000 steps/s, 1 s, 0 violations\r\x1b[K');
    let plain = '';
    const p = new ProgressReporter('simulate', (s) => (plain += s), false);
    for (const seconds of [1, 9, 10, 15, 21]) p.update({ runs: 1, steps: 100, seconds, violations: 1 });
    p.done();
    expect(plain).toBe('simulate: 1 runs, 10 steps/s, 10 s, 1 violation\nsimulate: 1 runs, 5 steps/s, 21 s, 1 violation\n');
  });
});

describe('reach totals', () => {
  it('add, merge (views as a histogram), the median view, the line, and the shape check of result files', () => {
    const a = noReach();
    for (const [alive, adopted, view] of [[true, false, 3], [true, true, 1], [false, false, 3]] as const) addReach(a, { alive, adopted, view });
    expect(a).toEqual({ runs: 3, alive: 2, adopted: 1, views: { 1: 1, 3: 2 } });
    expect(medianView(a)).toBe(3);
    const b = noReach();
    addReach(b, { alive: true, adopted: false, view: 10 });
    addReach(b, { alive: true, adopted: false, view: 0 });
    const m = mergeReach(a, b);
    expect(m).toEqual({ runs: 5, alive: 4, adopted: 1, views: { 0: 1, 1: 1, 3: 2, 10: 1 } });
    expect(Object.keys(m.views)).toEqual(['0', '1', '3', '10']);
    expect(medianView(m)).toBe(3);
    expect(medianView(noReach())).toBeNull();
    expect(formatReach(m)).toBe('reach: 4 of 5 runs progress in their second half; state adopted in 1; views reached median 3');
    expect(formatReach(noReach())).toBe('reach: no run ended without a violation');
    expect(isReachTotals(m)).toBe(true);
    for (const bad of [null, [], { ...m, runs: -1 }, { ...m, alive: 1.5 }, { ...m, views: [] }, { ...m, views: { x: 1 } }, { ...m, views: { 2: -1 } }]) expect(isReachTotals(bad)).toBe(false);
  });
});
