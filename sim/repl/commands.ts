// The command table and the dispatcher: one line in, what to print out. Every failure of a
// command becomes a one-line message; nothing a user types gets a stack trace out.
import { byzCommand, doCommand, enabledCommand, failCommand, runCommand, stepCommand, untilCommand } from './commands-step.ts';
import { backCommand, forwardCommand, gotoCommand, traceCommand } from './commands-time.ts';
import { checkCommand, configCommand, coverageCommand, showCommand } from './commands-show.ts';
import { loadCommand, saveCommand, viewCommand } from './commands-file.ts';
import { livenessCommand, stabilizeCommand } from './commands-liveness.ts';
import { CommandError, type Command, type Ctx } from './context.ts';

const helpCommand: Command = {
  name: 'help',
  usage: 'help [COMMAND]',
  summary: 'list the commands, or explain one',
  help: 'help lists the commands; help COMMAND explains one.',
  run(_ctx, arg) {
    const name = arg.trim().replace(/^\./, '');
    if (name === '') return overview();
    const c = lookup(name);
    if (c === undefined) throw new CommandError(`no command '${name}'; \`help\` lists them`);
    return `usage: ${c.usage}\n${c.help}`;
  },
};

const historyCommand: Command = {
  name: 'history',
  usage: 'history',
  summary: 'the commands entered in this session',
  help: 'history lists the commands entered so far (in a terminal, the up arrow recalls them).',
  run: (ctx) => ctx.history.map((l, k) => `${String(k + 1).padStart(4)}  ${l}`).join('\n'),
};

const exitCommand: Command = {
  name: 'exit',
  usage: 'exit',
  summary: 'leave the REPL (also quit, .exit, or the end of input)',
  help: 'exit leaves the REPL with exit code 0; so do quit, .exit and the end of the input.',
  run(ctx) {
    ctx.exit = true;
    return '';
  },
};

export const COMMANDS: readonly Command[] = [
  helpCommand,
  enabledCommand,
  stepCommand,
  doCommand,
  runCommand,
  untilCommand,
  showCommand,
  checkCommand,
  stabilizeCommand,
  livenessCommand,
  coverageCommand,
  backCommand,
  forwardCommand,
  gotoCommand,
  traceCommand,
  loadCommand,
  saveCommand,
  viewCommand,
  failCommand,
  byzCommand,
  configCommand,
  historyCommand,
  exitCommand,
];

const ALIASES: Record<string, string> = { quit: 'exit', '?': 'help', ls: 'enabled' };

function lookup(name: string): Command | undefined {
  const n = name.toLowerCase();
  return COMMANDS.find((c) => c.name === (ALIASES[n] ?? n));
}

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.usage.length > 34 ? 0 : c.usage.length));
  const lines = ['commands (help COMMAND for more):'];
  for (const c of COMMANDS) {
    if (c.usage.length > width) lines.push(`  ${c.usage}`, `  ${''.padEnd(width)}  ${c.summary}`);
    else lines.push(`  ${c.usage.padEnd(width)}  ${c.summary}`);
  }
  lines.push('Actions are written as `enabled` prints them; tab completes commands, action kinds and nodes.');
  return lines.join('\n');
}

/** The closest command names, for "did you mean". */
function suggest(name: string): string[] {
  const n = name.toLowerCase();
  return COMMANDS.map((c) => c.name).filter((c) => c.startsWith(n.slice(0, 2)) || n.startsWith(c));
}

/** Runs one line (already echoed); returns the text to print (possibly empty). */
export function execute(ctx: Ctx, line: string): string {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return '';
  ctx.history.push(trimmed);
  const m = /^(\S+)\s*([\s\S]*)$/.exec(trimmed)!;
  const word = m[1]!;
  const name = word.startsWith('.') && word.length > 1 ? word.slice(1) : word;
  const c = lookup(name);
  if (c === undefined) {
    const near = suggest(name);
    return `error: unknown command '${word}'${near.length > 0 ? ` (did you mean ${near.join(', ')}?)` : ''}; \`help\` lists the commands`;
  }
  try {
    return c.run(ctx, m[2]!);
  } catch (e) {
    if (e instanceof CommandError) return `error: ${e.message}`;
    // A bug of ours: say so in one line rather than end the session.
    return `internal error in '${c.name}': ${e instanceof Error ? e.message : String(e)}`;
  }
}
