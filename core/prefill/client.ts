import { Worker } from 'node:worker_threads';
import { ManifestError, ModelSignatureError, PrefillCancelledError, PrefillError } from './errors.js';
import { entryUrl } from '../runtime/entry-points.js';
import type { PrefillJob } from './job.js';
import type { PrefillProgress, PrefillReport } from './types.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

const ERROR_TYPES: Record<string, new (message: string) => Error> = {
  ManifestError,
  ModelSignatureError,
  PrefillError,
  PrefillCancelledError,
};

export interface WorkerRunOptions {
  signal?: AbortSignal;
  onProgress?: (progress: PrefillProgress) => void;
  /** Worker entry; default: the prefill-worker entry (core/runtime/entry-points.ts). */
  workerUrl?: URL;
}

/**
 * How long a cancelled worker may take to stop on its own (between model runs, killing its memory
 * child) before it is terminated: building a large demo graph or a long run inside onnxruntime
 * never looks at the signal, and cancel must answer within a second (issue 15 item 1).
 */
export const CANCEL_GRACE_MS = 500;

/**
 * Runs a prefill benchmark in a worker thread so the caller's thread (the studio's host, a UI)
 * stays responsive. Aborting the signal asks the job to stop (it kills its memory child at once
 * and stops between model runs) and, if it has not within CANCEL_GRACE_MS, terminates the worker;
 * either way it rejects with PrefillCancelledError.
 * Errors come back with their original class for the known prefill errors.
 */
export function runPrefillInWorker(job: PrefillJob, options: WorkerRunOptions = {}): Promise<PrefillReport> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new PrefillCancelledError());
      return;
    }
    const worker = new Worker(options.workerUrl ?? entryUrl('prefill-worker'));
    let settled = false;
    const finish = (action: () => void) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      action();
    };
    const onAbort = () => {
      worker.postMessage({ type: 'cancel' } satisfies ToWorker);
      setTimeout(() => finish(() => reject(new PrefillCancelledError())), CANCEL_GRACE_MS).unref();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'progress') options.onProgress?.(message.progress);
      else if (message.type === 'result') finish(() => resolve(message.report));
      else {
        const Type = ERROR_TYPES[message.name];
        const error = Type ? new Type(message.message) : new Error(message.message);
        if (!Type) error.name = message.name;
        finish(() => reject(error));
      }
    });
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) => finish(() => reject(new PrefillError(`prefill worker exited (code ${code}) before reporting a result`))));
    worker.postMessage({ type: 'run', job } satisfies ToWorker);
  });
}
