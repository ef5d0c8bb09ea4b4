import type { FeatureBundle } from '../bundle/types.js';
import type { ComputeApi } from '../compute/api.js';
import { DEFAULT_COMPUTE_ENTRY } from '../compute/client.js';
import { ModelManifestError, ModelSignatureError, PrefillError } from '../prefill/errors.js';
import { OmniZipError } from '../protocol/errors.js';
import { RpcClient } from '../rpc/client.js';
import { withDecoderAttention } from './fastv-provenance.js';
import type { FastvAttention, FastvDecoder } from './fastv-scores.js';
import { MethodUnavailableError } from './types.js';

/**
 * Errors that cross the worker boundary as a kind, rebuilt as the core's own classes so callers
 * keep branching on them (the studio shows "FastV cannot run on this model" as a config problem).
 */
const ERRORS_BY_KIND: Record<string, (message: string) => Error> = {
  'method-unavailable': (message) => new MethodUnavailableError('fastv', message),
  'bad-manifest': (message) => new ModelManifestError(message),
  'model-mismatch': (message) => new ModelSignatureError(message),
  'prefill-failed': (message) => new PrefillError(message),
};

function rebuilt(err: unknown): unknown {
  if (!(err instanceof OmniZipError)) return err;
  const make = Object.hasOwn(ERRORS_BY_KIND, err.kind) ? ERRORS_BY_KIND[err.kind] : undefined;
  return make ? make(err.message) : err;
}

/**
 * FastV's decoder run (fastv-scores.ts) as the compute worker's `fastv.attention`, in a worker of
 * its own ended with the run (the K decoder layers' memory goes back to the OS), so the studio's
 * host never runs them on its event loop. Aborting rejects at once with CancelledError.
 */
export async function fastvAttentionInWorker(bundle: FeatureBundle, layer: number, decoder: FastvDecoder, options: { signal?: AbortSignal; entry?: URL | string } = {}): Promise<FastvAttention> {
  const rpc = new RpcClient<ComputeApi>({ entry: options.entry ?? DEFAULT_COMPUTE_ENTRY, name: 'FastV decoder' });
  try {
    // No transfer list: the bundle is copied, so the caller's clip keeps its buffers.
    return await rpc.call('fastv.attention', { bundle, layer, decoder }, { signal: options.signal });
  } catch (err) {
    throw rebuilt(err);
  } finally {
    void rpc.dispose();
  }
}

/** The bundle carrying the worker's row, for planning FastV on the host. */
export async function bundleWithWorkerAttention(bundle: FeatureBundle, layer: number, decoder: FastvDecoder, signal?: AbortSignal): Promise<FeatureBundle> {
  const { row, source } = await fastvAttentionInWorker(bundle, layer, decoder, { signal });
  return withDecoderAttention(bundle, row, source);
}
