/**
 * The host side of the compute worker: an AnalysisEngine and a media encoder that run in it, for
 * the studio session; and the one-shot prefill run.
 */
import type { AnalysisEngine, ClipAnalysis } from '../analysis/types.js';
import type { FeatureBundle } from '../bundle/types.js';
import type { EncodeProgress } from '../encoders/encode-media.js';
import type { EncodeJobRequest, EncodeJobSummary } from '../encoders/encode-job.js';
import { parseProviderPreference } from '../onnx/session.js';
import type { PrefillJob } from '../prefill/job.js';
import type { PrefillProgress, PrefillReport } from '../prefill/types.js';
import { RpcClient } from '../rpc/client.js';
import { entryUrl } from '../runtime/entry-points.js';
import type { AnalysisInput, ComputeApi } from './api.js';

/** The compute worker: dist/compute-worker.mjs when built, the tsx loader from a checkout (core/runtime). */
export const DEFAULT_COMPUTE_ENTRY = entryUrl('compute-worker');

export interface ComputeClientOptions {
  entry?: URL | string;
  /** Use the on-disk analysis cache (default true). */
  cache?: boolean;
}

/**
 * A private copy of the analysis inputs whose buffers then move to the worker: the caller's bundle
 * stays intact, and onnxruntime-node gets the plain ArrayBuffers it requires.
 */
function analysisInput(bundle: FeatureBundle): AnalysisInput {
  return {
    numAudio: bundle.numAudio,
    numVideo: bundle.numVideo,
    hiddenSize: bundle.hiddenSize,
    audioEmbeds: bundle.audioEmbeds.slice(),
    videoEmbeds: bundle.videoEmbeds.slice(),
    audioScores: bundle.audioScores ? bundle.audioScores.slice() : null,
    contentHash: bundle.contentHash,
  };
}

export class ComputeClient {
  private readonly rpc: RpcClient<ComputeApi>;
  private readonly cache: boolean;

  constructor(options: ComputeClientOptions = {}) {
    this.rpc = new RpcClient<ComputeApi>({ entry: options.entry ?? DEFAULT_COMPUTE_ENTRY, name: 'compute' });
    this.cache = options.cache ?? true;
  }

  /** Analysis in the worker (onnxruntime on the chosen provider, cached on disk by content hash). */
  readonly analysisEngine: AnalysisEngine = {
    name: 'onnxruntime',
    analyze: async (bundle, options): Promise<ClipAnalysis> => {
      const input = analysisInput(bundle);
      const transfer = [input.audioEmbeds.buffer, input.videoEmbeds.buffer, ...(input.audioScores ? [input.audioScores.buffer] : [])] as ArrayBuffer[];
      const reply = await this.rpc.call(
        'analysis.run',
        { bundle: input, frameGeometries: options.frameGeometries, provider: parseProviderPreference(options.provider ?? 'auto'), cache: this.cache },
        { signal: options.signal, onProgress: options.onProgress, transfer },
      );
      // The hash identifies the clip's saved session; the worker computed it off this thread.
      bundle.contentHash ??= reply.contentHash;
      return reply.analysis;
    },
  };

  encodeMedia(file: string, options: { signal?: AbortSignal; onProgress?: (p: EncodeProgress) => void; encoders?: string } = {}): Promise<FeatureBundle> {
    return this.rpc.call('media.encode', { file, encoders: options.encoders ?? 'demo' }, options);
  }

  encodeJob(request: EncodeJobRequest, options: { signal?: AbortSignal; onProgress?: (p: EncodeProgress) => void } = {}): Promise<EncodeJobSummary> {
    return this.rpc.call('encode.job', request, options);
  }

  dispose(): Promise<void> {
    return this.rpc.dispose();
  }
}

export interface PrefillRunOptions {
  signal?: AbortSignal;
  onProgress?: (progress: PrefillProgress) => void;
  entry?: URL | string;
}

/**
 * A prefill benchmark in a worker of its own, ended when the run ends (so the memory it grew goes
 * back to the OS). Aborting the signal rejects at once with CancelledError; the worker stops
 * between model runs (a run already inside onnxruntime finishes first) and then exits.
 */
export async function runPrefillInWorker(job: PrefillJob, options: PrefillRunOptions = {}): Promise<PrefillReport> {
  const rpc = new RpcClient<ComputeApi>({ entry: options.entry ?? DEFAULT_COMPUTE_ENTRY, name: 'prefill' });
  try {
    return await rpc.call('prefill.run', job, options);
  } finally {
    void rpc.dispose();
  }
}
