// The read-eval-print loop on node's `repl` module. In a terminal: line editing, history and tab
// completion. With piped input (not a terminal) each command is echoed after the prompt, so that
// a scripted session's output reads as a transcript. Dot commands (.exit, .help, .anything) go to
// the same dispatcher as the others; JavaScript is never evaluated.
import repl from 'node:repl';
import { Writable } from 'node:stream';
import { execute } from './commands.ts';
import { complete } from './completer.ts';
import type { Ctx } from './context.ts';

export interface LoopIo {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}

export const PROMPT = 'pbft> ';

/**
 * Runs the loop until `exit` or the end of input; resolves with the exit code. In a terminal it is
 * 0. With piped input a failed command (its answer begins with `error: `) stops the script, exit
 * code 2; with keepGoing the rest still runs, and the code is 2 at the end.
 */
export function startLoop(ctx: Ctx, io: LoopIo, banner: string, keepGoing = false): Promise<number> {
  const terminal = (io.input as { isTTY?: boolean }).isTTY === true && (io.output as { isTTY?: boolean }).isTTY === true;
  let closed = false;
  // Lines already read when `exit` comes are not run, and nothing more is printed.
  const output = terminal
    ? io.output
    : new Writable({
        write(chunk, _enc, done) {
          if (!closed) io.output.write(chunk);
          done();
        },
      });
  output.write(banner);
  let failed = false;
  return new Promise((resolve) => {
    let server: repl.REPLServer;
    const handle = (line: string) => {
      if (closed) return;
      if (!terminal) output.write(`${line}\n`);
      const text = execute(ctx, line);
      if (text !== '') output.write(text.endsWith('\n') ? text : `${text}\n`);
      if (!terminal && text.startsWith('error: ')) {
        failed = true;
        if (!keepGoing) {
          output.write('(the script stops at a failed command: exit code 2; --keep-going runs the rest)\n');
          ctx.exit = true;
        }
      }
      if (ctx.exit) {
        closed = true;
        server.close();
      }
    };
    server = repl.start({
      input: io.input,
      output,
      prompt: PROMPT,
      terminal,
      ignoreUndefined: true,
      eval: (cmd, _context, _file, done) => {
        handle(cmd.replace(/\r?\n$/, ''));
        done(null, undefined);
      },
      completer: (line: string) => complete(ctx.session, line),
    });
    // Every dot command (the built-in .load, .save, .editor and unknown ones too) is ours.
    (server as { commands: unknown }).commands = new Proxy(Object.create(null) as object, {
      get: (_t, keyword) =>
        typeof keyword !== 'string'
          ? undefined
          : {
              help: '',
              action(this: repl.REPLServer, rest: string | null) {
                handle(keyword === 'null' ? '.' : `.${keyword}${rest ? ` ${rest}` : ''}`);
                if (!closed) this.displayPrompt();
              },
            },
    });
    server.on('exit', () => {
      if (!closed) io.output.write('\n');
      closed = true;
      resolve(failed ? 2 : 0);
    });
  });
}
