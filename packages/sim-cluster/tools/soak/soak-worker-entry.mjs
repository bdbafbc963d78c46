// The entry of a soak worker thread. Node 20 does not run `--import tsx` in worker threads, so the thread
// registers tsx's loader itself, then loads the TypeScript worker (soak-worker.ts).
import { register } from 'tsx/esm/api';

register();
await import('./soak-worker.ts');
