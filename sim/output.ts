// Every file a command writes goes through here (issue 17): the destination is checked before the
// work starts (its folder exists and is writable, the path is not a folder), the file is written
// whole or not at all (sim/write-whole.ts: no temporary file is left), and a failure at the end is
// one line for the command to report, with exit code 2, after it has printed the result it has.
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './cli-usage.ts';
import { writeWhole } from './write-whole.ts';

/** The exit code of a command whose work is done but whose file could not be written. */
export const EXIT_WRITE_FAILED = 2;

/** A command's exit code once its result is printed: `code`, or EXIT_WRITE_FAILED after the write's one-line failure. */
export function exitAfterWrite(failed: string | null, err: (s: string) => void, code: number): number {
  if (failed === null) return code;
  err(`pbft-check: ${failed}\n`);
  return EXIT_WRITE_FAILED;
}

/** Why `path` cannot be written, as the end of a sentence, or null when it can. */
export function destinationProblem(path: string): string | null {
  if (path === '') return 'is empty: give a file name';
  const dir = dirname(resolve(path));
  if (!existsSync(dir)) return `is in a folder that does not exist (${dir})`;
  if (!statSync(dir).isDirectory()) return `is in ${dir}, which is not a folder`;
  if (existsSync(path) && statSync(path).isDirectory()) return 'is a folder, not a file';
  try {
    accessSync(dir, constants.W_OK);
    if (existsSync(path)) accessSync(path, constants.W_OK);
  } catch {
    return `cannot be written here (no permission in ${dir})`;
  }
  return null;
}

/** A file a command will write, checked when the command starts. */
export class OutputFile {
  private constructor(
    readonly path: string,
    /** How the user named it: the option (e.g. '--out') or the command. */
    readonly option: string,
  ) {}

  /** Checks the destination now, before any work: a usage error (exit 2) if it cannot be written. */
  static check(path: string, option: string): OutputFile {
    const problem = destinationProblem(path);
    if (problem !== null) throw new UsageError(`${option} ${path} ${problem}`);
    return new OutputFile(path, option);
  }

  /** Writes text whole; null on success, else the one-line reason (the destination may have changed since the check). */
  write(text: string): string | null {
    try {
      writeWhole(this.path, text);
      return null;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return `could not write ${this.path} (${this.option}): ${code ?? (e as Error).message.split('\n')[0]}`;
    }
  }
}

/** Makes sure the folder `path` exists (creating it) and can be written, before any work; a usage error (exit 2) if not. */
export function prepareFolder(path: string, option: string): void {
  if (existsSync(path) && !statSync(path).isDirectory()) throw new UsageError(`${option} ${path} is a file, not a folder`);
  try {
    mkdirSync(path, { recursive: true });
    accessSync(path, constants.W_OK);
  } catch (e) {
    throw new UsageError(`${option} ${path} cannot be made a writable folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message.split('\n')[0]})`);
  }
}
