// Bootstrap of the compute thread (compute-thread.ts): plain JavaScript that registers the tsx
// TypeScript loader in this thread, then imports the TypeScript entry. (On Node 20, a Worker
// given execArgv ['--import', 'tsx'] still refuses .ts files, and the parent's loader hooks do
// not reach worker threads.)
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
