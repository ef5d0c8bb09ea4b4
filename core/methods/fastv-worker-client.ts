import { Worker } from 'node:worker_threads';
import type { FeatureBundle } from '../bundle/types.js';
import { ManifestError, ModelSignatureError, PrefillCancelledError, PrefillError } from '../prefill/errors.js';
import type { FromFastvWorker, ToWorker } from '../prefill/worker-protocol.js';
import { entryUrl } from '../runtime/entry-points.js';
import { withDecoderAttention } from './fastv-provenance.js';
import type { FastvAttention, FastvDecoder } from './fastv-scores.js';
import { MethodUnavailableError } from './types.js';

const ERROR_TYPES: Record<string, new (message: string) => Error> = { ManifestError, ModelSignatureError, PrefillError, PrefillCancelledError };

/**
 * FastV's decoder run (fastv-scores.ts) in the prefill worker thread, so the studio's host never
 * runs K decoder layers on its own event loop. Aborting terminates the worker.
 */
export function fastvAttentionInWorker(bundle: FeatureBundle, layer: number, decoder: FastvDecoder, options: { signal?: AbortSignal; workerUrl?: URL } = {}): Promise<FastvAttention> {
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
    const onAbort = () => finish(() => reject(new PrefillCancelledError()));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: FromFastvWorker) => {
      if (message.type === 'fastv-attention') finish(() => resolve(message.attention));
      else if (message.type === 'error') {
        // The method's "cannot run on this model" keeps its class: the studio shows it as a config problem.
        const error = message.name === 'MethodUnavailableError' ? new MethodUnavailableError('fastv', message.message) : new (ERROR_TYPES[message.name] ?? Error)(message.message);
        finish(() => reject(error));
      }
    });
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) => finish(() => reject(new PrefillError(`prefill worker exited (code ${code}) before reporting FastV's attention`))));
    worker.postMessage({ type: 'fastv-attention', request: { bundle, layer, decoder } } satisfies ToWorker);
  });
}

/** The bundle carrying the worker's row, for planning FastV on the host. */
export async function bundleWithWorkerAttention(bundle: FeatureBundle, layer: number, decoder: FastvDecoder, signal?: AbortSignal): Promise<FeatureBundle> {
  const { row, source } = await fastvAttentionInWorker(bundle, layer, decoder, { signal });
  return withDecoderAttention(bundle, row, source);
}
