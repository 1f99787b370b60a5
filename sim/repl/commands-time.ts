// Time travel over the execution so far: back, forward, goto, and trace (the steps themselves).
import { changeLines, CommandError, count, findingLines, stepLines, type Command, type Ctx } from './context.ts';
import type { SessionFinding } from './session.ts';
import { stepLine } from './show-system.ts';

/** Where the session stands now, and the violations found up to here. */
function position(ctx: Ctx, withLast = true): string {
  const { session } = ctx;
  const k = session.cursor;
  const last = k === 0 ? '  (the initial state)' : stepLine(session.u, k - 1, session.timeline[k - 1]!.action);
  const later = session.timeline.length - k;
  const lines = [`at step ${k} of ${session.timeline.length}${later > 0 ? ` (${later} later step(s) recorded: forward, goto)` : ''}`];
  if (withLast) lines.push(last);
  const found = session.allFindings();
  if (found.length > 0) lines.push(`  violations up to here: ${summary(found)}`);
  return lines.join('\n');
}

function summary(fs: readonly SessionFinding[]): string {
  const first = new Map<string, number>();
  for (const f of fs) if (!first.has(f.id)) first.set(f.id, f.step);
  return [...first].map(([id, step]) => (step < 0 ? `${id} at the start` : `${id} at step ${step}`)).join(', ');
}

export const backCommand: Command = {
  name: 'back',
  usage: 'back [K]',
  summary: 'go back K steps (default 1); the later steps stay recorded for `forward`',
  help: `back K returns to the state K steps earlier (re-executed from the initial state, with every
check). The later steps stay recorded: \`forward\` retakes them; a new step replaces them.`,
  run(ctx, arg) {
    const k = count(arg, 'back K', 1);
    if (ctx.session.cursor === 0) throw new CommandError('already at the initial state (step 0)');
    ctx.session.goto(ctx.session.cursor - k);
    return position(ctx);
  },
};

export const forwardCommand: Command = {
  name: 'forward',
  usage: 'forward [K]',
  summary: 'retake the next K recorded steps (default 1), stopping at a violation',
  help: `forward K retakes the next K steps of the execution recorded (after \`back\`, \`goto\` or
\`load\`), printing each, and stops at a violation.`,
  run(ctx, arg) {
    const { session } = ctx;
    const k = count(arg, 'forward K', 1);
    if (session.cursor >= session.timeline.length) throw new CommandError(`no later step is recorded (at step ${session.cursor}, the end); \`run\` or \`step\` takes new ones`);
    const taken = [];
    for (let j = 0; j < k && session.cursor < session.timeline.length; j++) {
      const index = session.cursor;
      const findings = session.redo()!;
      taken.push({ index, action: session.timeline[index]!.action, findings });
      if (findings.length > 0) break;
    }
    const stopped = taken[taken.length - 1]!.findings.length > 0 ? ': stopped at a violation' : '';
    // One step: also what it changed, as `step` shows.
    const lines = taken.length === 1 ? [stepLine(session.u, taken[0]!.index, taken[0]!.action), ...changeLines(session.u, session.previous()!, session.s), ...findingLines(taken[0]!.findings)] : stepLines(session.u, taken);
    return [...lines, `forward: ${taken.length} step(s), now at step ${session.cursor} of ${session.timeline.length}${stopped}`].join('\n');
  },
};

export const gotoCommand: Command = {
  name: 'goto',
  usage: 'goto N',
  summary: 'go to the state after N steps of the execution so far',
  help: `goto N moves to the state after the first N steps of the recorded execution (0 is the initial
state), re-executing with every check, and reports the violations found up to there.`,
  run(ctx, arg) {
    if (arg.trim() === '') throw new CommandError('goto needs a step number N (0 is the initial state)');
    const n = count(arg, 'goto N', 0);
    const total = ctx.session.timeline.length;
    if (n > total) throw new CommandError(`only ${total} step(s) are recorded; goto 0..${total}`);
    ctx.session.goto(n);
    return position(ctx);
  },
};

export const traceCommand: Command = {
  name: 'trace',
  usage: 'trace [K|all]',
  summary: 'list the execution so far (the last K steps, default 20)',
  help: `trace lists the steps taken so far, numbered as \`goto\` counts them, with their violations;
the last K (default 20), or all of them.`,
  run(ctx, arg) {
    const { session } = ctx;
    const k = arg.trim() === 'all' ? Infinity : count(arg, 'trace K', 20);
    const from = Math.max(0, session.cursor - k);
    const lines: string[] = [];
    if (from > 0) lines.push(`  (${from} earlier step(s); \`trace all\` lists them)`);
    for (let j = from; j < session.cursor; j++) lines.push(stepLine(session.u, j, session.timeline[j]!.action), ...findingLines(session.findings[j] ?? []));
    lines.push(position(ctx, false));
    return lines.join('\n');
  },
};
