/**
 * The host side of the compute worker: an AnalysisEngine and a media encoder that run in it, for
 * the studio session; and the one-shot prefill run, in a child process that cancel can kill.
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { AnalysisEngine, ClipAnalysis } from '../analysis/types.js';
import type { FeatureBundle } from '../bundle/types.js';
import type { EncodeProgress } from '../encoders/encode-media.js';
import type { EncodeJobRequest, EncodeJobSummary } from '../encoders/encode-job.js';
import { parseProviderPreference } from '../onnx/session.js';
import { adoptAudioNeighbourLists } from '../planner/audio-neighbours.js';
import type { PrefillJob } from '../prefill/job.js';
import type { PrefillProgress, PrefillReport } from '../prefill/types.js';
import { CancelledError } from '../protocol/errors.js';
import { RpcClient, RpcError } from '../rpc/client.js';
import type { RpcReply, RpcRequest } from '../rpc/messages.js';
import { entryUrl } from '../runtime/entry-points.js';
import type { SpeechActivityRequest } from '../analysis/speech-activity.js';
import type { AnalysisProviderChoice } from '../protocol/contract.js';
import type { AnalysisInput, ComputeApi } from './api.js';
import { ownedTempPrefix, PREFILL_DIR_PREFIX } from '../util/owned-temp.js';

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
      if (reply.audioNeighbours) adoptAudioNeighbourLists(reply.analysis, reply.audioNeighbours);
      return reply.analysis;
    },
  };

  /**
   * Starts the worker and opens the analysis sessions of `provider` before the first clip, unless
   * `firstClip` (a bundle file) has its analysis cached: a host calls it as it starts. Never
   * rejects; what failed is met, and reported, by the first analysis.
   */
  warm(provider: AnalysisProviderChoice, firstClip?: string): Promise<void> {
    return this.rpc.call('analysis.warm', { provider: parseProviderPreference(provider), firstClip }).then(
      () => undefined,
      () => undefined,
    );
  }

  /** The speech reference in the worker (the waveform is copied there; the caller keeps its own). */
  speechActivity(request: SpeechActivityRequest, options: { signal?: AbortSignal } = {}): Promise<Float32Array> {
    return this.rpc.call('speech.activity', request, options);
  }

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
  /** The prefill process's entry module; default the prefill-child entry (core/runtime/entry-points.ts). */
  entry?: URL | string;
}

/** The prefill child: dist/prefill-child.mjs when built, the tsx loader from a checkout (core/runtime). */
export const DEFAULT_PREFILL_ENTRY = entryUrl('prefill-child');

/**
 * How long a cancelled prefill process may take to stop by itself (it checks its signal between
 * stages and model runs) before it is killed: a run inside onnxruntime cannot check anything.
 */
export const PREFILL_CANCEL_GRACE_MS = 300;
const STDERR_TAIL = 2000;

/**
 * After a SIGKILL the kernel still has to tear the process down (seconds for a large one on a
 * busy machine); it runs no more code, so the call settles after this at the latest.
 */
const KILLED_SETTLE_MS = 150;

/**
 * A prefill benchmark in a process of its own (core/compute/prefill-child.ts), ended when the run
 * ends, so the memory it grew goes back to the OS.
 *
 * Cancel stops it: aborting the signal asks the process to stop, and kills it (with the memory
 * child it may have started) if it is still running after PREFILL_CANCEL_GRACE_MS; the call
 * rejects with CancelledError once the process has exited or been killed, so a cancelled run
 * computes nothing after it settles. A worker thread could not be stopped this way:
 * Worker.terminate() during an onnxruntime run aborts the host process. The process gets a
 * private temp directory, removed once it has exited, so a killed run leaves no temp files.
 */
export async function runPrefillInWorker(job: PrefillJob, options: PrefillRunOptions = {}): Promise<PrefillReport> {
  if (options.signal?.aborted) throw new CancelledError('prefill.run cancelled');
  // Named with this process's pid: a host start removes it if this host was killed (core/server/state-hygiene.ts).
  const tmp = await mkdtemp(ownedTempPrefix(PREFILL_DIR_PREFIX));
  const removeTmp = () => rm(tmp, { recursive: true, force: true });
  let run: PrefillProcess;
  try {
    run = startPrefillProcess(job, options, tmp);
  } catch (err) {
    await removeTmp();
    throw err;
  }
  void run.closed.then(removeTmp);
  return run.outcome;
}

interface PrefillProcess {
  outcome: Promise<PrefillReport>;
  /** The process has exited and its pipes are closed. */
  closed: Promise<void>;
}

function startPrefillProcess(job: PrefillJob, options: PrefillRunOptions, tmp: string): PrefillProcess {
  const { signal, onProgress } = options;
  const entry = options.entry ?? DEFAULT_PREFILL_ENTRY;
  // Inside Electron (the compute host) execPath is the Electron binary: run it as plain Node.
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp, ...(process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}) };
  // Its own process group (POSIX), so a kill also reaches the memory child it may be waiting on.
  const ownGroup = process.platform !== 'win32';
  const child = fork(typeof entry === 'string' ? entry : fileURLToPath(entry), [], {
    execArgv: [],
    env,
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    detached: ownGroup,
    windowsHide: true,
  });
  const id = 1;
  let markClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const outcome = new Promise<PrefillReport>((resolve, reject) => {
    let outcome: { ok: true; report: PrefillReport } | { ok: false; error: Error } | null = null;
    let stderr = '';
    let killTimer: NodeJS.Timeout | undefined;
    let settled = false;
    const kill = () => {
      try {
        if (ownGroup && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        child.kill('SIGKILL'); // the group is gone already; the child itself may not be
      }
      killTimer = setTimeout(finish, KILLED_SETTLE_MS);
    };
    const onAbort = () => {
      outcome ??= { ok: false, error: new CancelledError('prefill.run cancelled') };
      if (child.connected) child.send({ type: 'cancel', id } satisfies RpcRequest, () => undefined);
      killTimer = setTimeout(kill, PREFILL_CANCEL_GRACE_MS);
    };
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(killTimer);
      signal?.removeEventListener('abort', onAbort);
      if (outcome?.ok) resolve(outcome.report);
      else reject(outcome?.error ?? new Error('unreachable'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      process.stderr.write(text);
      stderr = (stderr + text).slice(-STDERR_TAIL);
    });
    child.on('message', (reply: RpcReply) => {
      if (reply.id !== id || outcome) return; // after a cancel only the exit matters
      if (reply.type === 'progress') onProgress?.(reply.progress as PrefillProgress);
      else if (reply.type === 'result') outcome = { ok: true, report: reply.result as PrefillReport };
      else if (reply.error.kind === 'cancelled') outcome = { ok: false, error: new CancelledError(reply.error.message) };
      else outcome = { ok: false, error: new RpcError(reply.error.kind, reply.error.message) };
    });
    child.on('error', (err) => {
      outcome ??= { ok: false, error: new RpcError('worker-failed', `the prefill process failed: ${err.message}`) };
      if (child.pid === undefined) {
        finish(); // never started: no 'close' follows
        markClosed();
      }
    });
    // Settles here (or KILLED_SETTLE_MS after a kill): the process is gone and its last messages were read.
    child.on('close', (code, sig) => {
      markClosed();
      const how = sig ? `was killed by ${sig}${sig === 'SIGKILL' ? ' (out of memory?)' : ''}` : `exited with code ${code}`;
      outcome ??= { ok: false, error: new RpcError('worker-failed', `the prefill process ${how} before finishing${stderr.trim() ? `; stderr: ${stderr.trim()}` : ''}`) };
      finish();
    });
    child.send({ type: 'call', id, method: 'prefill.run', params: job } satisfies RpcRequest);
  });
  return { outcome, closed };
}
