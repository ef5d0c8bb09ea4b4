import { parentPort } from 'node:worker_threads';
import type { FeatureBundle } from '../../bundle/types.js';
import { OnnxAnalysisEngine } from '../onnx-engine.js';
import type { ClipAnalysis } from '../types.js';
import type { HostMessage, WorkerBundle, WorkerMessage } from './protocol.js';

/**
 * Runs the onnxruntime analysis off the thread that serves the UI. One job at a time; sessions
 * stay open between jobs (one engine per provider preference), so only the first job pays for
 * provider probing and graph loading.
 */

if (!parentPort) throw new Error('analysis-worker.ts must run in a worker thread');
const port = parentPort;
const engines = new Map<string, OnnxAnalysisEngine>();
const running = new Map<number, AbortController>();

function post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function asFeatureBundle(b: WorkerBundle): FeatureBundle {
  return {
    audioEmbeds: b.audioEmbeds,
    videoEmbeds: b.videoEmbeds,
    numAudio: b.numAudio,
    numVideo: b.numVideo,
    hiddenSize: b.hiddenSize,
    audioScores: b.audioScores,
    tokenTypes: new Uint8Array(0),
    waveform: null,
    frames: null,
    metadata: { format: 'omnizip-feature-bundle', version: 1 },
    storedDType: { audio: 'F32', video: 'F32' },
    contentHash: b.contentHash,
  };
}

/** The result's own (non-shared) buffers move to the host without a copy. */
function transferables(a: ClipAnalysis): ArrayBuffer[] {
  const arrays = [a.audioOrder, a.audioSelfSimilarity, a.audioVideoMax, a.audioFrameMax, ...a.frames.flatMap((f) => [f.cosine, f.squaredDistance, f.temporal])];
  const buffers = new Set<ArrayBuffer>();
  for (const x of arrays) if (x.buffer instanceof ArrayBuffer && x.buffer.byteLength > 0) buffers.add(x.buffer);
  return [...buffers];
}

port.on('message', (message: HostMessage) => {
  if (message.type === 'shutdown') {
    for (const c of running.values()) c.abort();
    void Promise.all([...engines.values()].map((e) => e.dispose())).finally(() => port.close());
    return;
  }
  if (message.type === 'cancel') {
    running.get(message.id)?.abort();
    return;
  }
  const { id, bundle, frameGeometries, provider } = message;
  const controller = new AbortController();
  running.set(id, controller);
  let engine = engines.get(provider);
  if (!engine) {
    engine = new OnnxAnalysisEngine({ provider });
    engines.set(provider, engine);
  }
  engine
    .analyze(asFeatureBundle(bundle), {
      frameGeometries,
      signal: controller.signal,
      onProgress: (progress) => post({ type: 'progress', id, progress }),
    })
    .then(
      (analysis) => post({ type: 'result', id, analysis }, transferables(analysis)),
      (err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        post({ type: 'error', id, name: e.name, message: e.message });
      },
    )
    .finally(() => running.delete(id));
});
