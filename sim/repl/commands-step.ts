// The commands that take steps: enabled, step, do, run, until, fail, byz.
import { ACTION_KINDS, type Action } from '../../automata/actions.ts';
import { ActionNotEnabled } from '../../automata/compose.ts';
import { formatAction } from '../../automata/format.ts';
import { changeLines, CommandError, count, findingLines, stepLines, type Command, type Ctx } from './context.ts';
import { parseFilter } from './filter.ts';
import { parseAction } from './parse-action.ts';
import type { FailureMode } from './session.ts';
import { stepLine } from './show-system.ts';
import { walk, type WalkResult } from './walk.ts';

/** Takes one step and reports it with what it changed. */
function takeOne(ctx: Ctx, a: Action, mode: FailureMode, note = ''): string {
  const { session } = ctx;
  const index = session.cursor;
  let r;
  try {
    r = session.take(a, mode, true);
  } catch (e) {
    if (e instanceof ActionNotEnabled) throw new CommandError(`not enabled: ${formatAction(session.u, a)}: ${e.message}`);
    throw e;
  }
  const lines = [stepLine(session.u, index, a) + note, ...changeLines(session.u, session.previous()!, session.s), ...findingLines(r.findings)];
  if (r.dropped > 0) lines.push(`  (the ${r.dropped} later recorded step(s) were dropped: the execution now goes this way)`);
  return lines.join('\n');
}

export const enabledCommand: Command = {
  name: 'enabled',
  usage: 'enabled [all] [r1|c0 ...] [KIND ...] [family ...] [TAG ...] [text|/regex/ ...]',
  summary: 'list the enabled actions, numbered for `step N`',
  help: `Lists the enabled actions of the current state (automata/enabled.ts, a stable order), each
with its number for \`step N\`. MISBEHAVE actions of the channel are counted but listed only with
\`all\`, \`MISBEHAVE\` or \`misbehave\`. Filters: a node (r1, c0: actions of that node), an action
kind (RECEIVE, SEND-COMMIT, ...), a family (request, reply, send, receive, protocol, view-change,
garbage, misbehave, byzantine, failure), a message tag (PREPARE, NEW-VIEW: sends and deliveries of
such messages), or any other text or /regex/ the printed action must contain. Examples:
  enabled r1            enabled RECEIVE r2 COMMIT            enabled /n=1/`,
  run(ctx, arg) {
    const { session } = ctx;
    const u = session.u;
    const filter = parseFilter(u, session.s, arg.split(/\s+/).filter((w) => w !== ''));
    const list = session.enabled();
    const shown = list.map((a, k) => ({ a, k })).filter(({ a }) => filter.test(a));
    const hidden = filter.misbehave ? 0 : list.filter((a) => a.kind === 'MISBEHAVE').length;
    const width = String(Math.max(0, list.length - 1)).length;
    const head = arg.trim() === '' ? `${list.length} enabled actions` : `${shown.length} of ${list.length} enabled actions match`;
    const lines = [`${head}${hidden > 0 ? ` (${hidden} MISBEHAVE not listed: \`enabled misbehave\`)` : ''}`];
    for (const { a, k } of shown) lines.push(`  [${String(k).padStart(width)}] ${formatAction(u, a)}`);
    if (list.length === 0) lines.push('  nothing is enabled (quiescent under the bounds)');
    return lines.join('\n');
  },
};

export const stepCommand: Command = {
  name: 'step',
  usage: 'step [N]',
  summary: 'take enabled action number N (without N: one step drawn by the strategy)',
  help: `step N takes the action numbered N by \`enabled\` and prints it with what it changed.
Without N, one step is drawn at random with the current strategy, as \`run 1\`.`,
  run(ctx, arg) {
    if (arg.trim() === '') return runSteps(ctx, 1, undefined);
    const n = count(arg, 'step N', 0);
    const list = ctx.session.enabled();
    const a = list[n];
    if (a === undefined) throw new CommandError(`no enabled action numbered ${n} (there are ${list.length}${list.length > 0 ? `: 0..${list.length - 1}` : ''}; \`enabled\` lists them)`);
    return takeOne(ctx, a, 'silent');
  },
};

export const doCommand: Command = {
  name: 'do',
  usage: 'do <action>',
  summary: 'take an action given by number, as printed by `enabled`, or as JSON',
  help: `do takes one action, written
  - as \`enabled\` prints it (copy a line; < > may stand for ⟨ ⟩), e.g.
      do REQUEST(a)_c0
      do SEND(⟨REQUEST,a,1,c0⟩σc0, {r0})_c0
      do RECEIVE(<REQUEST,a,1,c0>σc0)_r0            (without "from (m, X)": the first such element)
  - as JSON, the form trace files use, e.g. do {"kind":"SEND-VIEW-CHANGE","v":1,"i":2}
  - or by its number in \`enabled\`.
Any action the composition allows may be taken, also one \`enabled\` does not list (an input, a
MISBEHAVE); an action that is not enabled is refused with the reason (its precondition).`,
  run(ctx, arg) {
    const { session } = ctx;
    const p = parseAction(session.u, session.s, session.enabled(), arg);
    if (!p.ok) throw new CommandError(p.error);
    const failure = p.action.kind === 'REPLICA-FAILURE' || p.action.kind === 'CLIENT-FAILURE';
    return takeOne(ctx, p.action, failure ? session.configuredMode : 'silent', p.listed === null ? '   (not in the enabled list)' : '');
  },
};

function walkReport(ctx: Ctx, r: WalkResult, what: string): string {
  const { session } = ctx;
  const lines = stepLines(session.u, r.taken);
  if (r.ended !== undefined) lines.push(...findingLines([r.ended]));
  const stop = { done: '', violation: ': stopped at a violation', match: ': stopped at a matching action', quiescent: ': stopped, nothing is enabled' }[r.stop];
  lines.push(`${what}: ${r.taken.length} step(s), now at step ${session.cursor}${stop}`);
  if (r.dropped > 0) lines.push(`  (${r.dropped} later recorded step(s) were dropped: the execution now goes this way)`);
  return lines.join('\n');
}

function runSteps(ctx: Ctx, k: number, match: ((a: Action) => boolean) | undefined): string {
  return walkReport(ctx, walk(ctx.session, k, match), k === 1 && match === undefined ? 'step' : match === undefined ? `run ${k}` : 'until');
}

export const runCommand: Command = {
  name: 'run',
  usage: 'run [K]',
  summary: 'take K random steps with the current strategy (default 100), stopping at a violation',
  help: `run K draws K steps as \`pbft-check run\` does (the scheduler's weights and the strategy's
bias, the configured failures at their step), checking after each, and stops early at a violation
or when nothing is enabled. The draw is seeded by --seed and the current step, so the same command
from the same state takes the same steps. Later recorded steps (after \`back\`) are dropped. From a
stabilized session's GST on (\`stabilize\`), the steps are the stabilized scheduler's, and the walk
stops when it has nothing left to do (an open liveness obligation then fails).`,
  run: (ctx, arg) => runSteps(ctx, count(arg, 'run K', 100), undefined),
};

export const untilCommand: Command = {
  name: 'until',
  usage: 'until <invariant|violation|action pattern> [max K]',
  summary: 'take random steps until a violation or an action matching the pattern',
  help: `until takes random steps (as \`run\`) until a violation of any invariant or relation, or an
action of that kind (REPLY, SEND-NEW-VIEW) or whose printed form contains the pattern (text,
case-insensitive, or /regex/), at most K
steps (default 10000). With an invariant or relation id (A.1.2(7), AGREEMENT, E2E, H(2)) or the
word violation, only a violation stops it, and the report says whether it is the one named.
Examples:  until REPLY      until SEND-NEW-VIEW max 5000      until AGREEMENT`,
  run(ctx, arg) {
    const m = /^(.*?)(?:\s+max\s+(\S+))?$/.exec(arg.trim())!;
    const pattern = m[1]!.trim();
    if (pattern === '') throw new CommandError('until needs a pattern: an action text, /regex/, an invariant id or violation');
    const k = count(m[2] ?? '', 'max K', 10_000);
    const invariant = /^(violation|A\.[0-9.]+(\(\d+\))?|[FGH](\(\d+\))?|L[123]|AGREEMENT|E2E|enabled|trace)$/i.test(pattern);
    let match: ((a: Action) => boolean) | undefined;
    const kind = (ACTION_KINDS as readonly string[]).find((k) => k === pattern.toUpperCase());
    if (kind !== undefined) match = (a) => a.kind === kind;
    else if (!invariant) {
      const u = ctx.session.u;
      let re: RegExp | null = null;
      if (/^\/.+\/$/.test(pattern))
        try {
          re = new RegExp(pattern.slice(1, -1), 'i');
        } catch (e) {
          throw new CommandError(`bad pattern ${pattern}: ${(e as Error).message}`);
        }
      match = (a) => (re !== null ? re.test(formatAction(u, a)) : formatAction(u, a).toLowerCase().includes(pattern.toLowerCase()));
    }
    const r = walk(ctx.session, k, match);
    let text = walkReport(ctx, r, 'until');
    if (invariant && r.stop === 'violation' && pattern.toLowerCase() !== 'violation') {
      const ids = (r.ended !== undefined ? [r.ended] : r.taken[r.taken.length - 1]!.findings).map((f) => f.id);
      const named = ids.some((id) => id.toLowerCase() === pattern.toLowerCase() || id.toLowerCase().startsWith(`${pattern.toLowerCase()}(`));
      text += named ? `\n  it is a violation of ${pattern}` : `\n  it is not a violation of ${pattern} but of ${ids.join(', ')}`;
    }
    if (r.stop === 'done') text += `\n  no violation${match === undefined ? '' : ' and no matching action'} within ${k} steps`;
    return text;
  },
};

function failure(ctx: Ctx, arg: string, mode: FailureMode, name: string): string {
  const { session } = ctx;
  const u = session.u;
  const m = /^(replica|client|r|c)\s*(\d+)$/i.exec(arg.trim().replace(/^([rc])(\d)/i, '$1 $2'));
  if (m === null) throw new CommandError(`usage: ${name} replica I  or  ${name} client C`);
  const isReplica = m[1]!.toLowerCase().startsWith('r');
  const k = Number(m[2]);
  if (isReplica ? k >= u.n : k >= u.clients) throw new CommandError(`there is no ${isReplica ? `replica ${k} (replicas 0..${u.n - 1})` : `client ${k} (clients 0..${u.clients - 1})`}`);
  const faulty = isReplica ? session.s.replicas[k]!.faulty : session.s.proxies[k]!.faulty;
  if (faulty) throw new CommandError(`${isReplica ? 'replica' : 'client'} ${k} is already faulty`);
  const a: Action = isReplica ? { kind: 'REPLICA-FAILURE', i: k } : { kind: 'CLIENT-FAILURE', c: k };
  return takeOne(ctx, a, mode, mode === 'byzantine' ? '   (Byzantine from now on)' : '   (stops from now on)');
}

export const failCommand: Command = {
  name: 'fail',
  usage: 'fail replica I | fail client C',
  summary: 'inject a failure: the node stops (a crash)',
  help: `fail replica I takes the input REPLICA-FAILURE_rI (CLIENT-FAILURE_cC for a client): the
node is replaced by a stand-in that takes its inputs and sends nothing.`,
  run: (ctx, arg) => failure(ctx, arg, 'silent', 'fail'),
};

export const byzCommand: Command = {
  name: 'byz',
  usage: 'byz replica I | byz client C',
  summary: 'inject a Byzantine failure: the node may send anything it can sign or has seen',
  help: `byz replica I takes REPLICA-FAILURE_rI and replaces the replica by a Byzantine stand-in
(automata/byzantine-replica.ts): \`enabled\` lists a few of its sends (relays of recent messages),
\`run\` draws from all its tactics, and \`do SEND(...)_rI\` sends any message it may (unforgeability
is checked). byz client C does the same for a client.`,
  run: (ctx, arg) => failure(ctx, arg, 'byzantine', 'byz'),
};
