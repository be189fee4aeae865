// Starts the TypeScript worker entry when running from source (tsx scripts, vitest): worker
// threads do not inherit the main thread's TypeScript loader, and Node 20 ignores `--import`
// in a worker's execArgv, so the worker registers tsx itself before importing the entry.
// Built/bundled code starts the compiled .js entry directly and never loads this file.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.rollcallWorkerEntry);
