// Entry point of a search worker thread: plain JavaScript, so it loads without a TypeScript
// loader, then registers tsx (a dependency) and runs the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./search-worker-main.ts');
