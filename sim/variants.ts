// Where the protocol variants come from: the catalog (variants/), registered when this module
// loads, and users' own files (`--mutant-file`), loaded before a universe that names them is built.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { registerVariants, resolveVariants, VariantError, type VariantDef } from '../automata/variant.ts';
import type { Config } from '../automata/config.ts';
import { CATALOG } from '../variants/index.ts';

registerVariants(CATALOG, 'the catalog (variants/)');

const loaded = new Map<string, VariantDef[]>();

/** The first line of an error's message, at most 200 characters (one-line errors). */
function firstLine(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e);
  const line = s.split('\n').find((l) => l.trim() !== '') ?? s;
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/**
 * Loads a variant file (TypeScript through tsx, or JavaScript): its default export or its export
 * `variants`, a list of variants (or one). Returns the file's variants; loading a file twice is a no-op.
 */
export async function loadMutantFile(path: string): Promise<VariantDef[]> {
  const abs = resolve(path);
  const had = loaded.get(abs);
  if (had !== undefined) return had;
  if (!existsSync(abs)) throw new VariantError(`--mutant-file ${path}: no such file`);
  if (!statSync(abs).isFile()) throw new VariantError(`--mutant-file ${path}: not a file`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (e) {
    throw new VariantError(`--mutant-file ${path}: cannot load it: ${firstLine(e)}`);
  }
  const found = mod.default ?? mod.variants;
  if (found === undefined) throw new VariantError(`--mutant-file ${path}: exports no variants (export default defineVariants([...]), or export const variants)`);
  const defs = registerVariants(Array.isArray(found) ? found : [found], path);
  if (defs.length === 0) throw new VariantError(`--mutant-file ${path}: defines no variant`);
  loaded.set(abs, defs);
  return defs;
}

/** Loads every file a configuration's variants come from (a trace file's, or --mutant-file's). */
export async function loadMutantFiles(config: Pick<Config, 'mutantFiles'>): Promise<void> {
  for (const f of config.mutantFiles) await loadMutantFile(f);
}

/** The --mutant-file values of a command line (`--mutant-file F` or `--mutant-file=F`, comma-separated). */
export function mutantFileArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    const v = a === '--mutant-file' ? args[k + 1] : a.startsWith('--mutant-file=') ? a.slice('--mutant-file='.length) : undefined;
    if (v !== undefined) out.push(...v.split(',').map((x) => x.trim()).filter((x) => x !== ''));
  }
  return out;
}

/**
 * --mutant NAME[,NAME…] and --mutant-file FILE[,FILE…] as configuration fields, once the files are
 * loaded (loadMutantFile): the names (with files but no names: every variant the files define) and
 * the files' absolute paths. An unknown name is a one-line error here, not later in a worker.
 */
export function mutantConfig(mutant: string | undefined, mutantFile: string | undefined): { mutants: string[]; mutantFiles: string[] } {
  const files = mutantFile === undefined ? [] : mutantFile.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (mutantFile !== undefined && files.length === 0) throw new VariantError('--mutant-file: no file given');
  const fromFiles: string[] = [];
  for (const f of files) {
    const defs = loaded.get(resolve(f));
    if (defs === undefined) throw new VariantError(`--mutant-file ${f}: not loaded (internal: the command must load it first)`);
    for (const d of defs) fromFiles.push(d.name);
  }
  const names = mutant === undefined ? fromFiles : mutant.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (mutant !== undefined && names.length === 0) throw new VariantError('--mutant: no variant named');
  resolveVariants(names);
  return { mutants: names, mutantFiles: files.map((f) => resolve(f)) };
}

/**
 * The variant files a command line needs: its --mutant-file values, and those a trace file it
 * reads records (replay FILE, explore --from FILE, repl --trace FILE); null when there are none.
 * A trace that cannot be read is left to the command to report.
 */
export function preloadMutants(argv: readonly string[]): Promise<void> | null {
  const files = mutantFileArgs(argv);
  for (const t of traceArgs(argv)) files.push(...recordedMutantFiles(t));
  if (files.length === 0) return null;
  return (async () => {
    for (const f of files) await loadMutantFile(f);
  })();
}

function traceArgs(argv: readonly string[]): string[] {
  const [command, ...rest] = argv;
  const out: string[] = [];
  if (command === 'replay' || command === 'view') {
    const first = rest.find((a) => !a.startsWith('-'));
    if (first !== undefined) out.push(first);
  }
  const flag = command === 'explore' ? '--from' : command === 'repl' ? '--trace' : null;
  for (let k = 0; k < rest.length; k++) {
    const a = rest[k]!;
    if (flag !== null && a === flag && rest[k + 1] !== undefined) out.push(rest[k + 1]!);
    else if (flag !== null && a.startsWith(`${flag}=`)) out.push(a.slice(flag.length + 1));
  }
  return out;
}

function recordedMutantFiles(tracePath: string): string[] {
  try {
    const t = JSON.parse(readFileSync(tracePath, 'utf8').replace(/^\uFEFF/, '')) as { config?: { mutantFiles?: unknown } };
    const fs = t.config?.mutantFiles;
    return Array.isArray(fs) ? fs.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
