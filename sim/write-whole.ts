// Writing a file whole or not at all: a temporary file beside it, renamed into place, and removed
// again when either step fails (the error is the caller's to report).
import { renameSync, rmSync, writeFileSync } from 'node:fs';

export function writeWhole(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
