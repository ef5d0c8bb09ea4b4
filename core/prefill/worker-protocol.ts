import type { FastvAttention, FastvAttentionRequest } from '../methods/fastv-scores.js';
import type { PrefillJob } from './job.js';
import type { PrefillProgress, PrefillReport } from './types.js';

/** Messages between `runPrefillInWorker` and the worker thread (structured-clone safe). */
export type ToWorker = { type: 'run'; job: PrefillJob } | { type: 'fastv-attention'; request: FastvAttentionRequest } | { type: 'cancel' };

export type FromWorker =
  | { type: 'progress'; progress: PrefillProgress }
  | { type: 'result'; report: PrefillReport }
  | { type: 'error'; name: string; message: string };

/** Answers to a 'fastv-attention' request (core/methods/fastv-worker-client.ts). */
export type FromFastvWorker = { type: 'fastv-attention'; attention: FastvAttention } | Extract<FromWorker, { type: 'error' }>;
