import { Worker } from 'node:worker_threads';
import { OperationCancelledError } from '../media/errors.js';
import { entryUrl } from '../runtime/entry-points.js';
import type { EncodeProgress } from './encode-media.js';
import type { EncodeJobRequest, EncodeJobSummary } from './encode-job.js';

export type WorkerRequest = { type: 'start'; request: EncodeJobRequest } | { type: 'cancel' };
export type WorkerReply =
  | { type: 'progress'; progress: EncodeProgress }
  | { type: 'done'; summary: EncodeJobSummary }
  | { type: 'error'; name: string; message: string };

/** An error raised inside the encode worker, re-raised here with its original name and message. */
export class EncodeWorkerError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/**
 * Runs an encode job on a worker thread so the caller's event loop (the UI host) stays responsive.
 * Aborting `signal` asks the worker to stop (ffmpeg is killed, encoders stop between batches); if
 * it has not stopped within `graceMs` the thread is terminated.
 */
export function encodeInWorker(
  request: EncodeJobRequest,
  control: { signal?: AbortSignal; onProgress?: (progress: EncodeProgress) => void; graceMs?: number } = {},
): Promise<EncodeJobSummary> {
  return new Promise((resolve, reject) => {
    if (control.signal?.aborted) {
      reject(new OperationCancelledError('encoding'));
      return;
    }
    const worker = new Worker(entryUrl('encode-worker'));
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const finish = (action: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(killTimer);
      control.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      action();
    };
    const onAbort = () => {
      worker.postMessage({ type: 'cancel' } satisfies WorkerRequest);
      killTimer = setTimeout(() => finish(() => reject(new OperationCancelledError('encoding'))), control.graceMs ?? 1000);
    };
    control.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'progress') control.onProgress?.(reply.progress);
      else if (reply.type === 'done') finish(() => resolve(reply.summary));
      else if (reply.name === 'OperationCancelledError') finish(() => reject(new OperationCancelledError('encoding')));
      else finish(() => reject(new EncodeWorkerError(reply.name, reply.message)));
    });
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) => finish(() => reject(new EncodeWorkerError('EncodeWorkerExit', `encode worker exited (code ${code}) before finishing`))));
    worker.postMessage({ type: 'start', request } satisfies WorkerRequest);
  });
}
