/**
 * A prefill run in a process of its own (started by runPrefillInWorker, core/compute/client.ts).
 *
 * Why a process and not a worker thread: a cancelled run must stop within a second, but
 * onnxruntime cannot be interrupted inside session.run, and Worker.terminate() during a native
 * run aborts the whole host process on Node 24 ("terminate called after throwing an instance of
 * 'Napi::Error'"). A child process can be killed at any moment without harming its parent.
 *
 * It speaks the worker RPC's messages (core/rpc/messages.ts) over the process IPC channel
 * (advanced serialization, so typed arrays travel as they are): one 'call' of 'prefill.run',
 * an optional 'cancel', then it exits.
 */
import type { PrefillJob } from '../prefill/job.js';
import { runPrefillJob } from '../prefill/job.js';
import { errorKind } from '../protocol/errors.js';
import type { RpcReply, RpcRequest } from '../rpc/messages.js';

if (!process.send) throw new Error('prefill-child must be started with an IPC channel (child_process.fork)');

const send = (reply: RpcReply) => new Promise<void>((resolve) => process.send!(reply, undefined, {}, () => resolve()));
const controller = new AbortController();
let started = false;

process.on('message', (request: RpcRequest) => {
  if (request.type === 'cancel' || request.type === 'shutdown') {
    controller.abort();
    return;
  }
  if (started) return; // one run per process
  started = true;
  const { id } = request;
  if (request.method !== 'prefill.run') {
    void send({ type: 'error', id, error: { kind: 'bad-request', message: `the prefill process runs only prefill.run, not ${JSON.stringify(request.method)}` } }).then(() => process.exit(0));
    return;
  }
  runPrefillJob(request.params as PrefillJob, { signal: controller.signal, onProgress: (progress) => void send({ type: 'progress', id, progress }) })
    .then(
      (result) => send({ type: 'result', id, result }),
      (err: unknown) => send({ type: 'error', id, error: { kind: errorKind(err), message: err instanceof Error ? err.message : String(err) } }),
    )
    .finally(() => process.disconnect());
});
// The parent went away (or closed the channel after the reply): nothing is left to do.
process.on('disconnect', () => process.exit(0));
