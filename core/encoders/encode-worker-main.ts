import { parentPort } from 'node:worker_threads';
import { runEncodeJob, type EncodeJobRequest } from './encode-job.js';
import type { WorkerReply, WorkerRequest } from './encode-in-worker.js';

/** Body of the encode worker: one job at a time, cancellable by message. */
if (!parentPort) throw new Error('encode-worker-main must run inside a worker thread');
const port = parentPort;
let controller: AbortController | null = null;

const send = (reply: WorkerReply): void => port.postMessage(reply);

port.on('message', (message: WorkerRequest) => {
  if (message.type === 'cancel') {
    controller?.abort();
    return;
  }
  if (controller) {
    send({ type: 'error', name: 'EncoderBusyError', message: 'this encode worker is already running a job' });
    return;
  }
  controller = new AbortController();
  const request: EncodeJobRequest = message.request;
  runEncodeJob(request, { signal: controller.signal, onProgress: (progress) => send({ type: 'progress', progress }) })
    .then((summary) => send({ type: 'done', summary }))
    .catch((err: unknown) => {
      const error = err instanceof Error ? err : new Error(String(err));
      send({ type: 'error', name: error.name, message: error.message });
    })
    .finally(() => {
      controller = null;
    });
});
