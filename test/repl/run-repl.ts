// Drives replCommand through streams, as a piped session: the whole input is written and
// ended, and the output is collected until the REPL exits.
import { PassThrough } from 'node:stream';
import { replCommand } from '../../sim/repl/command.ts';

export interface ReplRun {
  code: number;
  out: string;
  err: string;
}

export async function runRepl(args: string[], input: string): Promise<ReplRun> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  stdin.end(input);
  const code = await replCommand(args, { input: stdin, output: stdout, err: (s) => (err += s) });
  return { code, out, err };
}

/** A transcript's input: its first line `#! ARGS` gives the command-line arguments. */
export function splitTranscript(text: string): { args: string[]; input: string } {
  const [first, ...rest] = text.split('\n');
  const m = /^#!(.*)$/.exec(first ?? '');
  if (m === null) return { args: [], input: text };
  return { args: m[1]!.trim().split(/\s+/).filter((a) => a !== ''), input: rest.join('\n') };
}
