// validateTrace: every stored trace passes, each kind of defect gets its one-line message, and no
// mutation of a valid trace gets anything but a TraceError out of it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTION_KINDS } from '../automata/actions.ts';
import { Universe } from '../automata/universe.ts';
import { runRandom } from '../sim/scheduler.ts';
import { planFor, planRunOptions } from '../sim/strategies.ts';
import { TRACE_FORMAT, TraceError, traceJson } from '../sim/trace-file.ts';
import { ActionDecoder } from '../sim/trace-json.ts';
import { validateTrace } from '../sim/trace-validate.ts';

const TRACES = new URL('../traces/', import.meta.url).pathname;
/** The stored trace files: every .json under traces/ but the scratch folder traces/tmp/ (gitignored, so a clone's count and a working tree's agree). */
const traceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (join(dir, e.name) === join(TRACES, 'tmp') ? [] : traceFiles(join(dir, e.name))) : e.name.endsWith('.json') ? [join(dir, e.name)] : [],
  );
const read = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));
const BASE_PATH = join(TRACES, 'errata/E15-h-beta-send.json');
const base = (): any => structuredClone(read(BASE_PATH));

/** The message validateTrace throws for j, or 'ok'. */
function outcome(j: unknown, source?: string): string {
  try {
    validateTrace(j, source);
    return 'ok';
  } catch (e) {
    if (!(e instanceof TraceError)) throw e;
    return e.message;
  }
}

describe('stored traces', () => {
  const files = traceFiles(TRACES);
  it('finds the trace files', () => expect(files.length).toBeGreaterThanOrEqual(19));
  for (const path of files) {
    const rel = path.slice(TRACES.length);
    it(`${rel} validates (or, not being a ${TRACE_FORMAT}, is rejected by its format)`, () => {
      const j = read(path);
      if (j.format === TRACE_FORMAT) expect(validateTrace(j, rel)).toEqual(read(path));
      else expect(outcome(j, rel)).toBe(`${rel}: field 'format' must be "${TRACE_FORMAT}", got ${JSON.stringify(j.format)}`);
    });
  }
});

describe('bad inputs', () => {
  // [what, how to spoil E15 (or a whole value), the message]
  const cases: [string, (t: any) => unknown, string][] = [
    // Top level
    ['null', () => null, "trace: must be a JSON object, got null"],
    ['an array', () => [1, 2], 'trace: must be a JSON object, got [1,2]'],
    ['a string', () => 'pbft', 'trace: must be a JSON object, got "pbft"'],
    ['no format', (t) => (delete t.format, t), `trace: field 'format' is missing (must be "${TRACE_FORMAT}")`],
    ['another format', (t) => ((t.format = 'pbft-check-spec-trace'), t), `trace: field 'format' must be "${TRACE_FORMAT}", got "pbft-check-spec-trace"`],
    ['version 3', (t) => ((t.version = 3), t), "trace: field 'version' must be one of 0, 1, 2, got 3"],
    ['version "0"', (t) => ((t.version = '0'), t), `trace: field 'version' must be one of 0, 1, 2, got "0"`],
    ['actions an object', (t) => ((t.actions = {}), t), "trace: field 'actions' must be an array, got {}"],
    ['seed a number', (t) => ((t.seed = 7), t), "trace: field 'seed' must be a string, got 7"],
    ['description null', (t) => ((t.description = null), t), "trace: field 'description' must be a string, got null"],
    ['strategy', (t) => ((t.version = 1), (t.strategy = ['x']), t), `trace: field 'strategy' must be a string, got ["x"]`],
    ['fingerprints of the wrong length', (t) => ((t.version = 1), (t.fingerprints = ['0'.repeat(16)]), t), "trace: field 'fingerprints' must have 43 elements, got 1"],
    [
      'an upper-case fingerprint',
      (t) => ((t.version = 1), (t.fingerprints = t.actions.map(() => 'A'.repeat(16))), t),
      `trace: field 'fingerprints[0]' must be a fingerprint (16 lowercase hex digits), got "${'A'.repeat(16)}"`,
    ],
    ['violation beyond the actions', (t) => ((t.version = 1), (t.violation = { id: 'x', step: 43, message: 'm' }), t), "trace: field 'violation.step' must be a step in 0..42, got 43"],
    ['violation without id', (t) => ((t.version = 1), (t.violation = { step: 1, message: 'm' }), t), "trace: field 'violation.id' is missing (must be a string)"],
    // Recorded checks
    ['checks not an object', (t) => ((t.checks = 'chain'), t), `trace: field 'checks' must be an object, got "chain"`],
    ['checks without chain', (t) => ((t.checks = {}), t), "trace: field 'checks.chain' is missing (must be a boolean)"],
    ['checks.invariants a string', (t) => ((t.checks = { chain: true, invariants: 'A.1.2' }), t), `trace: field 'checks.invariants' must be an array, got "A.1.2"`],
    ['checks.invariants matching nothing', (t) => ((t.checks = { chain: true, invariants: ['A.1.2', 'Z.9'] }), t), `trace: field 'checks.invariants[1]' matches no invariant, got "Z.9"`],
    ['checks.invariants empty pattern', (t) => ((t.checks = { chain: true, invariants: [' '] }), t), `trace: field 'checks.invariants[0]' must be an invariant id, family or pattern, got " "`],
    ['checks.relations a clause out of range', (t) => ((t.checks = { chain: true, relations: ['G(12)'] }), t), `trace: field 'checks.relations[0]' must be a relation (F, G, H) or one of its clauses (F(1)..F(3), G(1)..G(11), H(1)..H(7)), got "G(12)"`],
    ['checks.relations H for A', (t) => ((t.config.variant = 'A'), (t.checks = { chain: true, relations: ['G', 'H(2)'] }), t), "trace: field 'checks.relations[1]' names H, which is not in the chain of variant A (G, F)"],
    ['checks.relations without the chain', (t) => ((t.checks = { chain: false, relations: ['H'] }), t), "trace: field 'checks.relations' needs the chain (checks.chain is false)"],
    // Configuration
    ['no config', (t) => (delete t.config, t), "trace: field 'config' is missing (must be an object)"],
    ['f a string', (t) => ((t.config.f = 'x'), t), `trace: field 'config.f' must be an integer >= 1, got "x"`],
    ['f zero', (t) => ((t.config.f = 0), t), "trace: field 'config.f' must be an integer >= 1, got 0"],
    ['f huge', (t) => ((t.config.f = 1e300), t), "trace: field 'config.f' must be an integer >= 1, got 1e+300"],
    ['f "NaN"', (t) => ((t.config.f = 'NaN'), t), `trace: field 'config.f' must be an integer >= 1, got "NaN"`],
    ['variant', (t) => ((t.config.variant = 'B'), t), `trace: field 'config.variant' must be one of "A", "Agc", got "B"`],
    ['a reading', (t) => ((t.config.readings.literalWire = 1), t), "trace: field 'config.readings.literalWire' must be a boolean, got 1"],
    ['network null', (t) => ((t.config.network = null), t), "trace: field 'config.network' must be an object, got null"],
    ['ops null', (t) => ((t.config.ops = null), t), "trace: field 'config.ops' must be an array, got null"],
    ['faultyReplicas a string', (t) => ((t.config.faultyReplicas = '1'), t), `trace: field 'config.faultyReplicas' must be an array, got "1"`],
    ['chkptInt >= L', (t) => ((t.config.chkptInt = 2), t), "trace: field 'config' is rejected: chkptInt (2) must be < L (2) (Fig 2-9)"],
    ['too many nodes', (t) => ((t.config.f = 10), t), "trace: field 'config' is rejected: 3f+1 + clients must be <= 30, got 33"],
    ['faulty replica out of range', (t) => ((t.config.faultyReplicas = [4]), t), "trace: field 'config' is rejected: faulty replica 4 is not in 0..3"],
    // Steps
    ['an action null', (t) => ((t.actions[3] = null), t), 'trace: step 3: must be an action object, got null'],
    ['no kind', (t) => (delete t.actions[3].kind, t), "trace: step 3: field 'kind' is missing"],
    ['an unknown kind', (t) => ((t.actions[3].kind = 'FLY'), t), 'trace: step 3: unknown action kind "FLY"'],
    ['a kind of another field set', (t) => ((t.actions[0].kind = 'REPLICA-FAILURE'), t), "trace: step 0 (REPLICA-FAILURE): field 'i' is missing (must be a replica in 0..3)"],
    ['a client out of range', (t) => ((t.actions[0].c = 2), t), "trace: step 0 (REQUEST): field 'c' must be a client in 0..1, got 2"],
    ['o a number', (t) => ((t.actions[0].o = 1), t), "trace: step 0 (REQUEST): field 'o' must be a string, got 1"],
    ['x out of range', (t) => ((t.actions[1].x = 6), t), "trace: step 1 (SEND): field 'x' must be a node in 0..5, got 6"],
    ['X beyond the nodes', (t) => ((t.actions[1].X = 512), t), "trace: step 1 (SEND): field 'X' names nodes that do not exist (bit 9 set, 6 nodes)"],
    ['X just beyond the nodes', (t) => ((t.actions[1].X = 64), t), "trace: step 1 (SEND): field 'X' names nodes that do not exist (bit 6 set, 6 nodes)"],
    ['X negative', (t) => ((t.actions[1].X = -1), t), "trace: step 1 (SEND): field 'X' must be a node mask (an integer >= 0), got -1"],
    ['X fractional', (t) => ((t.actions[1].X = 1.5), t), "trace: step 1 (SEND): field 'X' must be a node mask (an integer >= 0), got 1.5"],
    ['X unsafe', (t) => ((t.actions[1].X = 2 ** 60), t), `trace: step 1 (SEND): field 'X' must be a node mask (an integer >= 0), got ${2 ** 60}`],
    ['a message without tag', (t) => (delete t.actions[1].m.tag, t), `trace: step 1 (SEND): field 'm.tag' is missing (must be one of "REQUEST", "REPLY", "PRE-PREPARE", "PREPARE", "COMMIT", "CHECKPOINT", "VIEW-CHANGE", "NEW-VIEW")`],
    ['a message a string', (t) => ((t.actions[1].m = 'REQUEST'), t), `trace: step 1 (SEND): field 'm' must be a message, got "REQUEST"`],
    ['m.v negative', (t) => ((t.actions[5].m.v = -1), t), "trace: step 5 (RECEIVE): field 'm.v' must be an integer >= 0, got -1"],
    ['nested request field', (t) => ((t.actions[5].m.m.t = '1'), t), `trace: step 5 (RECEIVE): field 'm.m.t' must be an integer >= 0, got "1"`],
    ['nested unknown tag', (t) => ((t.actions[5].m.m.tag = 'PING'), t), `trace: step 5 (RECEIVE): field 'm.m.tag' must be one of "REQUEST", "REPLY", "PRE-PREPARE", "PREPARE", "COMMIT", "CHECKPOINT", "VIEW-CHANGE", "NEW-VIEW", got "PING"`],
    ['a payload of the wrong shape', (t) => ((t.actions[5].m.m.tag = 'PREPARE'), t), `trace: step 5 (RECEIVE): field 'm.m.v' is missing (must be an integer >= 0)`],
    ['a digest too short', (t) => ((t.actions[8].m.d = 'abc'), t), `trace: step 8 (SEND): field 'm.d' must be a digest (64 lowercase hex digits), got "abc"`],
    ['a signer out of range', (t) => ((t.actions[8].m.j = 4), t), "trace: step 8 (SEND): field 'm.j' must be a replica in 0..3, got 4"],
    ['SEND-PRE-PREPARE of a non-request', (t) => ((t.actions[3].m = { tag: 'PREPARE' }), t), `trace: step 3 (SEND-PRE-PREPARE): field 'm.tag' must be "REQUEST", got "PREPARE"`],
    ['SEND-PRE-PREPARE of null', (t) => ((t.actions[3].m = null), t), 'trace: step 3 (SEND-PRE-PREPARE): field \'m\' must be a REQUEST message, got null'],
    ['i out of range', (t) => ((t.actions[3].i = 5), t), "trace: step 3 (SEND-PRE-PREPARE): field 'i' must be a replica in 0..3, got 5"],
    ['MISBEHAVE without X2', (t) => ((t.actions[1] = { ...t.actions[1], kind: 'MISBEHAVE' }), t), "trace: step 1 (MISBEHAVE): field 'X2' is missing (must be a node mask (an integer >= 0))"],
    ['REPLY r', (t) => ((t.actions[0] = { kind: 'REPLY', r: null, c: 0 }), t), "trace: step 0 (REPLY): field 'r' must be a string, got null"],
    ['COLLECT-GARBAGE d', (t) => ((t.actions[0] = { kind: 'COLLECT-GARBAGE', i: 0, n: 2, d: 'F'.repeat(64) }), t), `trace: step 0 (COLLECT-GARBAGE): field 'd' must be a digest (64 lowercase hex digits), got "${'F'.repeat(39)}…`],
    ['SEND-NEW-VIEW V', (t) => ((t.actions[0] = { kind: 'SEND-NEW-VIEW', v: 1, V: {}, i: 1 }), t), "trace: step 0 (SEND-NEW-VIEW): field 'V' must be an array, got {}"],
  ];
  // Deeper messages of E15: a view-change with its stable checkpoint, a new-view.
  const vcStep = (t: any) => t.actions.findIndex((a: any) => a.kind === 'SEND' && a.m.tag === 'VIEW-CHANGE' && a.m.gc !== null && a.m.P.length > 0);
  const nvStep = (t: any) => t.actions.findIndex((a: any) => a.kind === 'SEND-NEW-VIEW');
  const t0 = base();
  const [vc, nv] = [vcStep(t0), nvStep(t0)];
  cases.push(
    ['gc.s.lastRep length', (t) => (t.actions[vc].m.gc.s.lastRep.pop(), t), `trace: step ${vc} (SEND): field 'm.gc.s.lastRep' must have 2 elements, got 1`],
    ['gc.s.lastRepT element', (t) => ((t.actions[vc].m.gc.s.lastRepT[1] = -2), t), `trace: step ${vc} (SEND): field 'm.gc.s.lastRepT[1]' must be an integer >= 0, got -2`],
    ['gc.s.val missing', (t) => (delete t.actions[vc].m.gc.s.val, t), `trace: step ${vc} (SEND): field 'm.gc.s.val' is missing`],
    ['gc.C of an unknown tag', (t) => ((t.actions[vc].m.gc.C[0].tag = 'PING'), t), `trace: step ${vc} (SEND): field 'm.gc.C[0].tag' must be one of "REQUEST", "REPLY", "PRE-PREPARE", "PREPARE", "COMMIT", "CHECKPOINT", "VIEW-CHANGE", "NEW-VIEW", got "PING"`],
    ['P of a malformed commit', (t) => ((t.actions[vc].m.P[0].tag = 'COMMIT'), t), `trace: step ${vc} (SEND): field 'm.P[0].d' is missing (must be a digest (64 lowercase hex digits))`],
    ['gc a number', (t) => ((t.actions[vc].m.gc = 3), t), `trace: step ${vc} (SEND): field 'm.gc' must be an object, got 3`],
    ['V[0].j of SEND-NEW-VIEW', (t) => ((t.actions[nv].V[0].j = 9), t), `trace: step ${nv} (SEND-NEW-VIEW): field 'V[0].j' must be a replica in 0..3, got 9`],
  );

  it('E15 has the messages these cases spoil', () => expect([vc, nv].every((k) => k > 0)).toBe(true));
  for (const [what, spoil, message] of cases) it(what, () => expect(outcome(spoil(base()))).toBe(message));

  it('names the source', () => expect(outcome(null, 'x/y.json')).toBe('x/y.json: must be a JSON object, got null'));
  it('ignores extra fields, and accepts version 1 fields and a partial config', () => {
    const t = base();
    Object.assign(t, { version: 1, extra: { anything: [1] }, strategy: 's', fingerprints: t.actions.map(() => 'a'.repeat(16)), violation: { id: 'I', step: 42, message: 'm' } });
    t.actions[0].extra = null;
    t.config = { f: 1, clients: 2, chkptInt: 1, L: 2 };
    expect(validateTrace(t)).toBe(t);
    // Recorded checks, in full and in part (absent invariants or relations: all of them).
    for (const checks of [{ chain: true, invariants: ['A.1.*', 'A.2.3(1)', 'E2E'], relations: ['H', 'G(8)', 'F(3)'] }, { chain: false }, { chain: false, invariants: [] }]) {
      t.checks = checks;
      expect(validateTrace(t)).toBe(t);
    }
  });
});

// The JSON nodes of a value, by path.
function paths(j: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (typeof j === 'object' && j !== null) for (const [k, v] of Object.entries(j)) paths(v, [...at, Array.isArray(j) ? Number(k) : k], out);
  return out;
}
const parentOf = (j: any, p: (string | number)[]) => p.slice(0, -1).reduce((o, k) => o?.[k], j);

type Mutation =
  | { op: 'delete' | 'replace'; at: number; value: unknown }
  | { op: 'truncate-actions'; at: number }
  | { op: 'kind'; at: number; kind: string }
  | { op: 'truncate-text'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constantFrom('delete' as const, 'replace' as const), at: fc.nat(), value: fc.jsonValue({ maxDepth: 3 }) }),
  fc.record({ op: fc.constant('truncate-actions' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('kind' as const), at: fc.nat(), kind: fc.constantFrom(...ACTION_KINDS, 'FLY', 'request') }),
  fc.record({ op: fc.constant('truncate-text' as const), at: fc.nat() }),
);

/** Applies m to j (in place when it can); undefined when the result is no JSON value at all. */
function mutate(j: any, m: Mutation): unknown {
  switch (m.op) {
    case 'delete':
    case 'replace': {
      const all = paths(j);
      const p = all[m.at % all.length]!;
      if (p.length === 0) return m.op === 'delete' ? undefined : m.value;
      const parent = parentOf(j, p);
      const k = p[p.length - 1]!;
      if (m.op === 'replace') parent[k] = m.value;
      else if (Array.isArray(parent)) parent.splice(k as number, 1);
      else delete parent[k];
      return j;
    }
    case 'truncate-actions':
      if (Array.isArray(j?.actions)) j.actions.length = m.at % (j.actions.length + 1);
      return j;
    case 'kind':
      if (Array.isArray(j?.actions) && j.actions.length > 0) {
        const a = j.actions[m.at % j.actions.length];
        if (typeof a === 'object' && a !== null) a.kind = m.kind;
      }
      return j;
    case 'truncate-text': {
      const text = JSON.stringify(j) ?? '';
      try {
        return JSON.parse(text.slice(0, m.at % (text.length + 1)));
      } catch {
        return undefined; // not JSON: the caller's business, never validateTrace's
      }
    }
  }
}

describe('fuzz', () => {
  it('a mutated trace either validates and decodes, or gets a one-line TraceError naming the source', () => {
    const source = 'fuzz.json';
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (ms) => {
        let j: unknown = base();
        for (const m of ms) if (j !== undefined) j = mutate(j, m);
        if (j === undefined) return;
        let t;
        try {
          t = validateTrace(j, source);
        } catch (e) {
          expect(e).toBeInstanceOf(TraceError);
          expect((e as Error).message.startsWith(`${source}: `)).toBe(true);
          expect((e as Error).message).not.toContain('\n');
          return;
        }
        // Accepted: then the decoder gets through every action (only a service state may be refused).
        const dec = new ActionDecoder(new Universe(t.config));
        for (const a of t.actions) {
          try {
            dec.action(a);
          } catch (e) {
            expect(e).not.toBeInstanceOf(TypeError);
            expect(String(e)).toMatch(/log state|counter/);
          }
        }
      }),
      { numRuns: 300, seed: 20240611 },
    );
  });

  it('a trace of a random run (Byzantine nodes included) validates to itself', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.constantFrom('A' as const, 'Agc' as const), (k, variant) => {
        const seed = `validate-${k}`;
        const plan = planFor('swarm', seed, { f: 1, n: 4, clients: 2 });
        const r = runRandom({ seed, steps: 400, ...planRunOptions(plan, { variant }) });
        const j = JSON.parse(JSON.stringify(traceJson(r.universe, r.trace, { seed })));
        expect(validateTrace(j)).toEqual(JSON.parse(JSON.stringify(j)));
      }),
      { numRuns: 12, seed: 7 },
    );
  });
});
