/**
 * The compute worker: serves ComputeApi (./api.ts) on a worker thread. onnxruntime sessions stay
 * open between calls (one analysis engine per provider preference), so only the first analysis
 * pays for provider probing and graph loading.
 */
import type { Transferable } from 'node:worker_threads';
import { AnalysisCache, analysisContentHash, analyzeWithCache } from '../analysis/cache.js';
import { OnnxAnalysisEngine } from '../analysis/onnx-engine.js';
import { speechActivityFor } from '../analysis/speech-activity.js';
import type { ClipAnalysis } from '../analysis/types.js';
import type { FeatureBundle } from '../bundle/types.js';
import { openEncoders, runEncodeJob } from '../encoders/encode-job.js';
import { encodeMedia } from '../encoders/encode-media.js';
import { fastvAttentionJob } from '../methods/fastv-scores.js';
import { buildNeighbourLists, NEIGHBOUR_LIST_LENGTH } from '../planner/audio-neighbours.js';
import type { ProviderPreference } from '../onnx/session.js';
import { runPrefillJob } from '../prefill/job.js';
import { serveRpc } from '../rpc/serve.js';
import { evaluateTrials, releaseTrialEngines } from '../sweeps/evaluate.js';
import { loadSweepView } from '../sweeps/view.js';
import type { AnalysisInput, ComputeApi } from './api.js';
import { cachedAnalysisExists } from './warm.js';

const engines = new Map<ProviderPreference, OnnxAnalysisEngine>();

/**
 * Analysis cache entries still being written after their answer went out (analyzeWithCache's
 * deferWrite: the write and its fsync are off the first open's path); shutdown waits for them.
 */
const cacheWrites = new Set<Promise<unknown>>();

function engineFor(provider: ProviderPreference): OnnxAnalysisEngine {
  let engine = engines.get(provider);
  if (!engine) {
    engine = new OnnxAnalysisEngine({ provider });
    engines.set(provider, engine);
  }
  return engine;
}

function asFeatureBundle(b: AnalysisInput): FeatureBundle {
  return {
    ...b,
    tokenTypes: new Uint8Array(0),
    waveform: null,
    frames: null,
    metadata: { format: 'omnizip-feature-bundle', version: 1 },
    storedDType: { audio: 'F32', video: 'F32' },
  };
}

/** The distinct non-empty buffers behind some arrays (each can be transferred once). */
function buffersOf(arrays: Array<ArrayBufferView | null>): Transferable[] {
  const buffers = new Set<ArrayBuffer>();
  for (const a of arrays) if (a && a.buffer instanceof ArrayBuffer && a.buffer.byteLength > 0) buffers.add(a.buffer);
  return [...buffers];
}

function analysisArrays(a: ClipAnalysis): ArrayBufferView[] {
  return [a.audioOrder, a.audioSelfSimilarity, a.audioVideoMax, a.audioFrameMax, ...a.frames.flatMap((f) => [f.cosine, f.squaredDistance, f.temporal])];
}

serveRpc<ComputeApi>(
  {
    async 'analysis.run'(request, { signal, progress, transfer }) {
      const bundle = asFeatureBundle(request.bundle);
      const outcome = await analyzeWithCache(bundle, engineFor(request.provider), {
        frameGeometries: request.frameGeometries,
        cache: request.cache ? new AnalysisCache() : null,
        requireProvider: request.provider === 'auto' ? undefined : request.provider,
        deferWrite: (written) => {
          cacheWrites.add(written);
          void written.then(() => cacheWrites.delete(written));
        },
        signal,
        onProgress: progress,
      });
      const a = outcome.analysis;
      const audioNeighbours = a.numAudio > 0 ? buildNeighbourLists(a.audioSelfSimilarity, a.numAudio, NEIGHBOUR_LIST_LENGTH, signal) : null;
      transfer(buffersOf([...analysisArrays(a), audioNeighbours?.lists ?? null, audioNeighbours?.usable ?? null]));
      return { analysis: a, contentHash: analysisContentHash(bundle), cache: outcome.cache, cacheProblem: outcome.cacheProblem, audioNeighbours };
    },
    async 'analysis.warm'({ provider, firstClip }) {
      // An entry computed on any provider serves 'auto'; a forced provider may recompute it.
      if (firstClip && provider === 'auto' && (await cachedAnalysisExists(firstClip))) return null;
      // Sessions that fail to open are not kept: the engine opens them again on use. Silero's
      // session is left to the speech reference, which an open no longer waits for: opened here
      // too, it held the first analysis back by 0.1-0.6 s on the 2-core machine (start-up marks).
      await engineFor(provider).providerInfo().catch(() => undefined);
      return null;
    },
    async 'speech.activity'(request, { signal, transfer }) {
      const activity = await speechActivityFor(request, signal);
      transfer(buffersOf([activity]));
      return activity;
    },
    async 'media.encode'(request, { signal, progress, transfer }) {
      const encoders = await openEncoders(request.encoders);
      try {
        const { bundle } = await encodeMedia(request.file, { encoders, signal, onProgress: progress });
        transfer(buffersOf([bundle.audioEmbeds, bundle.videoEmbeds, bundle.audioScores, bundle.tokenTypes, bundle.waveform, bundle.frames?.data ?? null]));
        return bundle;
      } finally {
        await encoders.dispose();
      }
    },
    'encode.job': (request, { signal, progress }) => runEncodeJob(request, { signal, onProgress: progress }),
    'prefill.run': (job, { signal, progress }) => runPrefillJob(job, { signal, onProgress: progress }),
    async 'fastv.attention'(request, { signal, transfer }) {
      const attention = await fastvAttentionJob(request, signal);
      // A copy moves: the worker's cache keeps its own row for the next call with this K.
      const row = attention.row.slice();
      transfer([row.buffer]);
      return { row, source: attention.source };
    },
    'sweep.evaluate': (jobs, { signal, progress }) => evaluateTrials(jobs, signal, progress),
    'sweep.view': ({ dir }) => loadSweepView(dir),
  },
  {
    onShutdown: async () => {
      await Promise.all(cacheWrites);
      await Promise.all([...[...engines.values()].map((e) => e.dispose()), releaseTrialEngines()]);
    },
  },
);
