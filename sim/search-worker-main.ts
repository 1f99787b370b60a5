// A search worker thread: receives run indices, answers each with the run's outcome.
import { parentPort, workerData } from 'node:worker_threads';
import { runOf, type SearchMode } from './search-driver.ts';
import type { SearchSpec } from './search.ts';
import { loadMutantFiles } from './variants.ts';

const { mode, spec } = workerData as { mode: SearchMode; spec: SearchSpec };
await loadMutantFiles(spec.config); // users' variant files, as the main thread loaded them
parentPort!.on('message', (run: number) => parentPort!.postMessage(runOf(mode, spec, run)));
