import { parentPort } from 'node:worker_threads';
import { fastvAttentionJob } from '../methods/fastv-scores.js';
import { runPrefillJob } from './job.js';
import type { FromFastvWorker, FromWorker, ToWorker } from './worker-protocol.js';

/** Worker-thread side of `runPrefillInWorker`: runs one job, reports progress, honours cancel. */
if (!parentPort) throw new Error('core/prefill/worker.ts must run in a worker thread');
const port = parentPort;
const controller = new AbortController();
const send = (message: FromWorker | FromFastvWorker) => port.postMessage(message);

port.on('message', (message: ToWorker) => {
  if (message.type === 'cancel') {
    controller.abort();
    return;
  }
  if (message.type === 'fastv-attention') {
    fastvAttentionJob(message.request, controller.signal)
      .then((attention) => send({ type: 'fastv-attention', attention }))
      .catch((err: unknown) => {
        const error = err instanceof Error ? err : new Error(String(err));
        send({ type: 'error', name: error.name, message: error.message });
      });
    return;
  }
  runPrefillJob(message.job, { signal: controller.signal, onProgress: (progress) => send({ type: 'progress', progress }) })
    .then((report) => send({ type: 'result', report }))
    .catch((err: unknown) => {
      const error = err instanceof Error ? err : new Error(String(err));
      send({ type: 'error', name: error.name, message: error.message });
    });
});
