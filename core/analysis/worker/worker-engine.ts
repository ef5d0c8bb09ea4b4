import { Worker } from 'node:worker_threads';
import type { FeatureBundle } from '../../bundle/types.js';
import type { ProviderPreference } from '../../onnx/session.js';
import { entryUrl } from '../../runtime/entry-points.js';
import { AnalysisAbortError } from '../onnx-engine.js';
import type { AnalysisEngine, AnalyzeOptions, ClipAnalysis } from '../types.js';
import type { HostMessage, WorkerBundle, WorkerMessage } from './protocol.js';

/**
 * The onnxruntime analysis in a worker thread, so a UI event loop stays responsive while
 * onnxruntime (whose `run` is synchronous native work) crunches.
 *
 * Cancelling is cooperative: the promise rejects at once, and the worker stops at the next tile
 * boundary (well under a second) and stays alive for the next job. The worker is never terminated
 * while onnxruntime may be running: Worker.terminate() during a native run can abort the whole
 * process ("terminate called after throwing an instance of 'Napi::Error'"), observed under load.
 */

export class AnalysisWorkerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnalysisWorkerError';
  }
}

export interface WorkerEngineOptions {
  provider?: ProviderPreference;
  /** Worker entry; default: the analysis-worker entry (core/runtime/entry-points.ts). */
  workerUrl?: URL;
}

/**
 * A private copy of an array whose buffer is then moved (transferred) to the worker: the caller's
 * bundle stays intact, and onnxruntime-node gets the plain ArrayBuffer it requires (it rejects
 * SharedArrayBuffer-backed tensors), at the cost of one copy of the embeddings per analysis.
 */
function transferableCopy(a: Float32Array): Float32Array {
  return a.slice();
}

interface Job {
  resolve(a: ClipAnalysis): void;
  reject(e: Error): void;
  onProgress?: AnalyzeOptions['onProgress'];
}

export class WorkerAnalysisEngine implements AnalysisEngine {
  readonly name = 'onnxruntime';
  private worker: Worker | null = null;
  private readonly jobs = new Map<number, Job>();
  private nextId = 1;
  private readonly provider: ProviderPreference;
  private readonly workerUrl: URL;

  constructor(options: WorkerEngineOptions = {}) {
    this.provider = options.provider ?? 'auto';
    this.workerUrl = options.workerUrl ?? entryUrl('analysis-worker');
  }

  private failAll(error: Error): void {
    const jobs = [...this.jobs.values()];
    this.jobs.clear();
    for (const job of jobs) job.reject(error);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerUrl);
    worker.on('message', (message: WorkerMessage) => {
      const job = this.jobs.get(message.id);
      if (!job) return;
      if (message.type === 'progress') {
        job.onProgress?.(message.progress);
        return;
      }
      this.jobs.delete(message.id);
      if (this.jobs.size === 0) worker.unref();
      if (message.type === 'result') job.resolve(message.analysis);
      else if (message.name === 'AbortError') job.reject(new AnalysisAbortError(message.message));
      else {
        const err = new Error(message.message);
        err.name = message.name;
        job.reject(err);
      }
    });
    // A worker that was already replaced (terminated on cancel) owns no jobs any more.
    worker.on('error', (err) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.failAll(new AnalysisWorkerError(`analysis worker failed: ${err.message}`));
    });
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = null;
      if (this.jobs.size) this.failAll(new AnalysisWorkerError(`analysis worker exited (code ${code}) before finishing`));
    });
    this.worker = worker;
    return worker;
  }

  private workerBundle(bundle: FeatureBundle): { message: WorkerBundle; transfer: ArrayBuffer[] } {
    const message: WorkerBundle = {
      numAudio: bundle.numAudio,
      numVideo: bundle.numVideo,
      hiddenSize: bundle.hiddenSize,
      audioEmbeds: transferableCopy(bundle.audioEmbeds),
      videoEmbeds: transferableCopy(bundle.videoEmbeds),
      audioScores: bundle.audioScores ? transferableCopy(bundle.audioScores) : null,
      contentHash: bundle.contentHash,
    };
    const transfer = [message.audioEmbeds, message.videoEmbeds, message.audioScores]
      .filter((a): a is Float32Array => a !== null)
      .map((a) => a.buffer as ArrayBuffer);
    return { message, transfer };
  }

  analyze(bundle: FeatureBundle, options: AnalyzeOptions): Promise<ClipAnalysis> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(new AnalysisAbortError());
    const id = this.nextId++;
    const worker = this.ensureWorker();
    return new Promise<ClipAnalysis>((resolve, reject) => {
      const onAbort = () => {
        if (!this.jobs.has(id)) return;
        this.jobs.delete(id);
        if (this.jobs.size === 0) worker.unref();
        const cancel: HostMessage = { type: 'cancel', id };
        worker.postMessage(cancel);
        reject(new AnalysisAbortError());
      };
      this.jobs.set(id, {
        resolve: (a) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(a);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
        onProgress: options.onProgress,
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.ref();
      const { message: workerBundle, transfer } = this.workerBundle(bundle);
      const message: HostMessage = { type: 'analyze', id, bundle: workerBundle, frameGeometries: options.frameGeometries, provider: this.provider };
      worker.postMessage(message, transfer);
    });
  }

  /**
   * Stops the worker; pending analyses fail. The worker releases its sessions and exits by itself;
   * it is terminated only if it has not exited after `graceMs` (a hung native call).
   */
  async dispose(graceMs = 10_000): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (!worker) return;
    this.failAll(new AnalysisWorkerError('analysis worker disposed'));
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    const shutdown: HostMessage = { type: 'shutdown' };
    worker.postMessage(shutdown);
    const timer = setTimeout(() => void worker.terminate(), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
