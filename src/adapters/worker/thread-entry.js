// Entry of the project's worker threads. A thread does not inherit the TypeScript loader its
// parent registered, so this registers it, then runs the module named in `workerData.module`.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
