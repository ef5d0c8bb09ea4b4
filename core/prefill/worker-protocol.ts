import type { PrefillJob } from './job.js';
import type { PrefillProgress, PrefillReport } from './types.js';

/** Messages between `runPrefillInWorker` and the worker thread (structured-clone safe). */
export type ToWorker = { type: 'run'; job: PrefillJob } | { type: 'cancel' };

export type FromWorker =
  | { type: 'progress'; progress: PrefillProgress }
  | { type: 'result'; report: PrefillReport }
  | { type: 'error'; name: string; message: string };
