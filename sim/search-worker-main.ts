// A search worker thread: receives run indices, answers each with the run's outcome.
import { parentPort, workerData } from 'node:worker_threads';
import { runOf, type SearchMode } from './search-driver.ts';
import type { SearchSpec } from './search.ts';
import { VariantError } from '../automata/variant.ts';
import { loadMutantFiles } from './variants.ts';

const { mode, spec } = workerData as { mode: SearchMode; spec: SearchSpec };
await loadMutantFiles(spec.config); // users' variant files, as the main thread loaded them
parentPort!.on('message', (run: number) => {
  try {
    parentPort!.postMessage(runOf(mode, spec, run));
  } catch (e) {
    // A variant that throws is the user's input error (exit 2), not a crash of the search.
    if (!(e instanceof VariantError)) throw e;
    parentPort!.postMessage({ variantError: e.message });
  }
});
