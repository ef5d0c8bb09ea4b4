/**
 * The studio's session service: opens clips (bundles, media, the demo), analyses them once, plans
 * any config against the cached analysis, and builds exports. Electron's compute host and the
 * web-mode server both run one of these behind the same contract (./contract.ts); it never
 * touches the UI and knows nothing of the transport.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AnalysisEngine, AnalysisEngineInfo, ClipAnalysis } from '../analysis/types.js';
import type { FeatureBundle } from '../bundle/types.js';
import { ConfigError, resolveConfig } from '../config/validate.js';
import type { OmniZipConfig } from '../config/schema.js';
import type { PlanDocument, PlanResult } from '../planner/types.js';
import { warmPlanner } from '../planner/plan.js';
import { warmupConfigs } from './replan-warmup.js';
import { budgetOf, geometryFor } from './flops-budget.js';
import { CONTRACT_VERSION, type AnalysisProviderChoice, type BudgetReadout, type ClipSummary, type ExportKind, type HostMethod, type Params, type PlanView, type ProgressEvent, type Result } from '../protocol/contract.js';
import { buildExport } from './export.js';
import { StudioError } from './errors.js';
import { RecentFiles } from './recent.js';
import { frameImage, thumbnails, waveformEnvelope } from './media-views.js';
import { ensureSpeechActivity, speechActivityOf, type SpeechActivityRequest } from '../analysis/speech-activity.js';
import { LazySpeech } from './lazy-speech.js';
import { fileKind } from '../media/file-kind.js';
import { audioCurves } from '../planner/audio-energy.js';
import { runStudioPrefill, type RunPrefill } from './prefill-session.js';
import { analysisContentHash } from '../analysis/cache.js';
import { SessionStore } from './session-store.js';
import { decoderKey, describeFastvDecoder, needsDecoderAttention, type FastvDecoder } from '../methods/fastv-scores.js';
import type { FastvDecoderChoice } from '../protocol/prefill-contract.js';
import { bundleWithWorkerAttention } from '../methods/fastv-worker-client.js';
import { prunedAfterLayer } from '../methods/fastv.js';
import { readBundleBytes } from '../bundle/reader.js';
import { regularFileSize } from '../util/regular-file.js';
import { errorKind } from '../protocol/errors.js';
import { exportSweepTrial, loadStudioSweep, newSweepDir, startStudioSweep, sweepTrial } from './sweep-session.js';
import { ownedTempPrefix, UPLOAD_DIR_PREFIX } from '../util/owned-temp.js';

/** The timeline's audio curves in contract form (pairs flattened to a, b). */
function curvesView(bundle: FeatureBundle): Result<'clip.data'>['curves'] {
  const c = audioCurves(bundle);
  return { attention: c.attention, tokenEnergy: c.tokenEnergy, waveformRms: c.waveformRms, speechActivity: c.speechActivity, correlations: c.correlations.map(({ pair, r }) => ({ a: pair[0], b: pair[1], r })) };
}

/** What the session needs from the rest of the core; injected so tests can stand in for slow parts. */
export interface StudioDeps {
  parseBundle(bytes: Uint8Array, name: string): FeatureBundle;
  engine: AnalysisEngine;
  planClip(bundle: FeatureBundle, analysis: ClipAnalysis, config: OmniZipConfig): PlanResult;
  toPlanDocument(bundle: FeatureBundle, plan: PlanResult): PlanDocument;
  requiredFrameGeometries(bundle: FeatureBundle): number[];
  /** The demo clip: a bundle file when one ships, else a bundle built in memory. */
  loadDemo(): Promise<{ name: string; path: string | null; bundle: FeatureBundle }>;
  /** Media files (video/audio) through the encoders; absent where the encoders are not available. */
  encodeMedia?: (file: string, options: { signal: AbortSignal; onProgress: (fraction: number, stage: string) => void }) => Promise<FeatureBundle>;
  version: string;
  /** Prefill benchmark runner; default `runPrefillInWorker` (tests stand in for it). */
  runPrefill?: RunPrefill;
  /** FastV's decoder run on a clip; default the demo decoder in the compute worker's fastv.attention (tests stand in for it). */
  fastvBundle?: (bundle: FeatureBundle, layer: number, decoder: FastvDecoder, signal?: AbortSignal) => Promise<FeatureBundle>;
  /**
   * Throwaway plans run in idle time after a clip's first plan, so the first slider moves run
   * optimised planner code (replan-warmup.ts). createStudioHost sets REPLAN_WARMUP_PLANS; absent
   * or 0, none (tests that count plans).
   */
  replanWarmup?: number;
  /** How long a clip's speech reference waits for someone to ask before it starts (LazySpeech); default SPEECH_START_AFTER_MS. */
  speechStartAfterMs?: number;
  /**
   * Runs the speech reference (createDefaultDeps: in the compute worker, kept between opens beside
   * the analysis cache); absent, on this thread and not kept.
   */
  speechActivity?: (request: SpeechActivityRequest, signal?: AbortSignal) => Promise<Float32Array>;
  /**
   * Opens the analysis engine for a provider before the first clip comes (createDefaultDeps: the
   * compute worker's `analysis.warm`), unless `demoFirst` and the demo's analysis is cached; never
   * rejects. Absent: nothing to open ahead.
   */
  warmEngine?: (provider: AnalysisProviderChoice, demoFirst: boolean) => Promise<void>;
}

interface OpenClip {
  summary: ClipSummary;
  bundle: FeatureBundle;
  analysis: ClipAnalysis;
  /** Identifies the clip's content across opens and restarts (the key of its saved session). */
  contentHash: string;
  lastPlan?: { key: string; plan: PlanResult };
  /** The clip with FastV's layer-K attention attached, per K and decoder (computed once, in the worker). */
  fastvBundles?: Map<string, FeatureBundle>;
  /** Decoder runs in flight, so concurrent plans share one run. */
  fastvPending?: Map<string, Promise<FeatureBundle>>;
  /** The replan warm-up has started (once per clip, after its first plan). */
  warmupStarted?: boolean;
  /**
   * The speech reference, not yet done when the open answered (answerBeforeSpeech): started when
   * asked for, it settles with the clip's note about it (null: none). Absent once settled, or when
   * there was nothing to run.
   */
  speech?: LazySpeech;
}

export type EmitEvent = (event: ProgressEvent) => void;

const BUNDLE_EXTENSIONS = new Set(['.safetensors', '.omnizip']);
/** Clips held in memory at once; the oldest is dropped first (a 60 s 7B clip holds ~150 MB). */
const MAX_OPEN_CLIPS = 3;
/**
 * A speech reference nobody has asked for starts this long after its clip opened. The page asks
 * (clip.speechReference) once it has drawn the clip's first plan: ~1.5 s after the open answers in
 * a cold start on the 2-core machines.
 */
const SPEECH_START_AFTER_MS = 3000;

const DEFAULT_FASTV_DECODER: FastvDecoder = { kind: 'demo' };
const fastvKey = (layer: number, decoder: FastvDecoder) => `${layer}|${decoderKey(decoder)}`;

/**
 * The contract's FastV decoder choice as the core's: the studio's demo decoder (`demo`: the
 * default, or the size the inference panel measures) or a user manifest, checked like prefill's.
 */
function fastvDecoderOf(choice: FastvDecoderChoice | undefined, demo: FastvDecoder = DEFAULT_FASTV_DECODER): FastvDecoder {
  if (!choice || choice.kind === 'demo') return demo;
  if (!choice.manifestPath) throw new StudioError('bad-request', 'a manifest decoder for FastV needs manifestPath (the model manifest JSON, see docs/prefill.md)');
  return { kind: 'manifest', path: choice.manifestPath };
}

/** The demo opened ahead of the page's request (StudioSession.prepareDemo). */
interface DemoAhead {
  provider: AnalysisProviderChoice;
  /** The demo's name once loaded, for the cancel message. */
  name: () => string | null;
  ready: Promise<{ demo: Awaited<ReturnType<StudioDeps['loadDemo']>>; analysis: ClipAnalysis; speech: LazySpeech | null }>;
}

const waitForLoop = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const yieldToLoop = () => waitForLoop(0);

export function summarize(clipId: string, name: string, file: string | null, bundle: FeatureBundle, engine: AnalysisEngineInfo, notes: string[]): ClipSummary {
  const meta = bundle.metadata;
  const sms = meta.spatial_merge_size ?? 2;
  const grid = meta.grid_thw ?? null;
  const gridRows = grid ? Math.floor(grid[1] / sms) : 0;
  const gridCols = grid ? Math.floor(grid[2] / sms) : 0;
  const temporalPatches = grid ? grid[0] : 0;
  const tokensPerFrame = gridRows * gridCols;
  const audioTokensPerSecond = meta.audio_tokens_per_second ?? 25;
  const perPatch = meta.frames_per_temporal_patch ?? 2;
  const fps = meta.video_fps ?? 2;
  const secondsPerPatch = fps > 0 ? perPatch / fps : 1;
  const durationS = Math.max(
    audioTokensPerSecond > 0 ? bundle.numAudio / audioTokensPerSecond : 0,
    temporalPatches * secondsPerPatch,
    typeof meta.source?.duration_s === 'number' ? meta.source.duration_s : 0,
  );
  const frames = bundle.frames;
  return {
    clipId,
    name,
    path: file,
    model: meta.model ?? null,
    numAudio: bundle.numAudio,
    numVideo: bundle.numVideo,
    hiddenSize: bundle.hiddenSize,
    sequenceLength: bundle.tokenTypes.length,
    tokensPerFrame,
    temporalPatches,
    gridRows,
    gridCols,
    audioTokensPerSecond,
    secondsPerPatch,
    durationS,
    hasWaveform: bundle.waveform !== null && bundle.waveform.length > 0,
    images: frames && frames.count > 0 ? { count: frames.count, width: frames.width, height: frames.height, perPatch: temporalPatches > 0 ? Math.max(1, Math.round(frames.count / temporalPatches)) : perPatch } : null,
    engine,
    notes,
  };
}

export class StudioSession {
  private readonly clips = new Map<string, OpenClip>();
  private readonly jobs = new Map<string, AbortController>();
  private readonly uploads = new Map<string, { file: string; name: string; release: () => Promise<void> }>();
  /** Clips registered by an open that has not answered yet. */
  private readonly opening = new Set<string>();
  /** Jobs in flight per clip (prefill runs, re-analyses). */
  private readonly busyClips = new Map<string, number>();
  private lastEngine: AnalysisEngineInfo | null = null;
  /** The demo being opened ahead of the page's request (prepareDemo), until a request takes it. */
  private demoAhead: DemoAhead | null = null;
  /** The provider the user chose in the studio; every later analysis runs on it. */
  private provider: AnalysisProviderChoice = 'auto';
  /** Requests being answered; the replan warm-up runs only while there are none. */
  private handling = 0;

  constructor(
    private readonly deps: StudioDeps,
    private readonly recent: RecentFiles,
    /** Per-clip autosave; in memory only unless the host gives it a directory. */
    private readonly sessions: SessionStore = new SessionStore(null),
  ) {}

  /**
   * Opens the analysis engine on the session's provider before any clip is asked for: web mode
   * calls it once its page and the assets it names have gone out, so the compute worker's start, onnxruntime's import and
   * the sessions (~0.3-0.9 s of a cold start on the 2-core machines, issue 16 goal 5) run while
   * the page's scripts compile, not after the first clip arrives. `demoFirst`: the demo
   * opens first, and no session is opened when its analysis is cached (the worker's start and
   * onnxruntime's import still happen). Changes no result; resolves once done or failed (never
   * rejects).
   */
  warmEngine(options: { demoFirst: boolean }): Promise<void> {
    return this.deps.warmEngine?.(this.provider, options.demoFirst) ?? Promise.resolve();
  }

  /**
   * Starts opening the demo before the page asks for it (web mode calls this as its server starts):
   * the page's first clip.openDemo comes only once its script has loaded and run (~1.5 s on the
   * 2-core machines), and then finds the load, analysis and speech reference done or under way
   * (issue 16 goal 5's cold start). Nothing is registered until that request takes it; a failure
   * is left for the request to meet again, on the ordinary path with its ordinary message.
   * Resolves once the demo is ready or has failed (never rejects); `mark` hears each stage as it
   * ends (the start-up marks of `npm run bench:ui`).
   */
  prepareDemo(mark: (stage: string) => void = () => undefined): Promise<void> {
    if (this.demoAhead) return this.demoAhead.ready.then(() => undefined, () => undefined);
    const provider = this.provider;
    const quiet = new AbortController().signal;
    let name: string | null = null;
    const ready = (async () => {
      const demo = await this.deps.loadDemo();
      name = demo.name;
      mark('demo loaded');
      const analysis = await this.runAnalysis(demo.name, demo.bundle, provider, quiet, (_, stage) => mark(`analysis: ${stage}`));
      mark('demo analysed');
      // The open answers without waiting for the speech reference (answerBeforeSpeech): it runs
      // once the page asks for it, after its first draw.
      const speech = this.answerBeforeSpeech(demo.bundle);
      void speech?.settled.then(() => mark('speech reference'));
      // A clip's first plan also builds what every later plan reuses (the frame rankings, memoised
      // on this analysis; the audio neighbour lists come built with it from the compute worker):
      // tens of ms on the demo against ~2 ms for the next plan. Built now, so the page's first
      // plan is a replan.
      await yieldToLoop();
      warmPlanner(demo.bundle, analysis);
      mark('planner warmed');
      return { demo, analysis, speech };
    })();
    ready.catch(() => undefined);
    this.demoAhead = { provider, ready, name: () => name };
    return ready.then(() => undefined, () => undefined);
  }

  /**
   * The demo prepared ahead, registered as an open clip (once: a later openDemo runs in full), or
   * null when there is none, it was prepared for another provider, or it failed.
   */
  private async takeDemoAhead(signal: AbortSignal, progress: (f: number, s: string) => void): Promise<ClipSummary | null> {
    const ahead = this.demoAhead;
    this.demoAhead = null;
    if (!ahead || ahead.provider !== this.provider) return null;
    progress(0.1, 'analysing');
    let cancel = () => {};
    const cancelled = new Promise<never>((_, reject) => {
      // Worded as the ordinary path's cancel (runAnalysis).
      cancel = () => reject(new StudioError('cancelled', `opening ${ahead.name() ?? 'the demo clip'} was cancelled`));
      signal.addEventListener('abort', cancel, { once: true });
    });
    try {
      const { demo, analysis, speech } = await Promise.race([ahead.ready, cancelled]);
      const summary = this.register(demo.name, demo.path, demo.bundle, analysis, speech);
      progress(1, 'ready');
      return summary;
    } catch (err) {
      if (err instanceof StudioError && err.kind === 'cancelled') throw err;
      return null;
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  }

  /** Answers one already-validated request. */
  async handle<M extends HostMethod>(method: M, params: Params<M>, emit: EmitEvent): Promise<Result<M>> {
    const handlers: { [K in HostMethod]: (p: Params<K>) => Promise<Result<K>> } = {
      'app.info': async () => ({
        version: this.deps.version,
        contractVersion: CONTRACT_VERSION,
        engine: this.lastEngine,
        demoName: 'demo',
        recent: await this.recent.list(),
        mediaSupported: this.deps.encodeMedia !== undefined,
      }),
      'clip.openDemo': (p) => this.runJob(p.jobId, emit, async (signal, progress) => {
        const ahead = await this.takeDemoAhead(signal, progress);
        if (ahead) return this.withRestored(ahead);
        progress(0.02, 'loading the demo clip');
        const demo = await this.deps.loadDemo();
        return this.withRestored(await this.analyze(demo.name, demo.path, demo.bundle, signal, progress));
      }),
      'clip.openPath': (p) => this.runJob(p.jobId, emit, async (signal, progress) => {
        const summary = await this.openFile(p.path, signal, progress);
        try {
          await this.recent.add(p.path, summary.name);
        } catch (err) {
          this.opening.delete(summary.clipId);
          throw err;
        }
        return this.withRestored(summary);
      }),
      'clip.openBytes': (p) => this.runJob(p.jobId, emit, async (signal, progress) => {
        const ext = path.extname(p.name).toLowerCase();
        if (BUNDLE_EXTENSIONS.has(ext)) {
          progress(0.05, 'reading the bundle');
          return this.withRestored(await this.analyze(p.name, null, this.parse(p.bytes, p.name), signal, progress));
        }
        // Media goes through ffmpeg, which reads files: park the upload in a private temp dir.
        const dir = await mkdtemp(ownedTempPrefix(UPLOAD_DIR_PREFIX));
        try {
          const file = path.join(dir, path.basename(p.name).replace(/[^A-Za-z0-9._-]+/g, '_') || 'upload');
          await writeFile(file, p.bytes);
          return this.withRestored(await this.openFile(file, signal, progress, { name: p.name, path: null }));
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }),
      'clip.openUpload': (p) => this.runJob(p.jobId, emit, async (signal, progress) => {
        const upload = this.uploads.get(p.uploadId);
        if (!upload) throw new StudioError('bad-request', `upload ${p.uploadId} is unknown or was already opened`);
        this.uploads.delete(p.uploadId);
        try {
          return this.withRestored(await this.openFile(upload.file, signal, progress, { name: upload.name, path: null }));
        } finally {
          await upload.release();
        }
      }),
      'clip.reanalyze': (p) => this.holding(p.clipId, () => this.runJob(p.jobId, emit, (signal, progress) => this.reanalyze(p.clipId, p.provider, signal, progress))),
      'job.cancel': async (p) => {
        const job = this.jobs.get(p.jobId);
        job?.abort();
        return { cancelled: job !== undefined };
      },
      'clip.data': async (p) => {
        const clip = this.clip(p.clipId);
        const env = waveformEnvelope(clip.bundle, 2000);
        return {
          audioScores: clip.bundle.audioScores ?? new Float32Array(clip.bundle.numAudio),
          waveformMin: env.min,
          waveformMax: env.max,
          waveformSeconds: env.seconds,
          curves: curvesView(clip.bundle),
        };
      },
      'clip.speechReference': async (p) => {
        const clip = this.clip(p.clipId);
        await clip.speech?.wait();
        return { notes: clip.summary.notes };
      },
      'clip.frame': async (p) => frameImage(this.clip(p.clipId).bundle, p.index),
      'clip.thumbnails': async (p) => thumbnails(this.clip(p.clipId).bundle, p.maxWidth),
      'plan.run': async (p) => {
        const decoder = fastvDecoderOf(p.fastvDecoder);
        const clip = this.clip(p.clipId);
        await this.speechSettled(clip, [p.config]);
        await this.prepareFastv(clip, [p.config], decoder);
        const view = this.planView(p.clipId, p.config, decoder);
        this.warmReplans(clip, p.config, decoder);
        return view;
      },
      'plan.budgets': async (p) => {
        const clip = this.clip(p.clipId);
        const decoder = fastvDecoderOf(p.fastvDecoder);
        await this.speechSettled(clip, p.configs);
        await this.prepareFastv(clip, p.configs, decoder);
        const budgets: { budget: BudgetReadout | null; error: string | null }[] = [];
        for (const config of p.configs) {
          // Between plans the loop answers what arrived meanwhile (the slider's next plan.run)
          // instead of making it wait behind the whole list.
          await yieldToLoop();
          try {
            budgets.push({ budget: this.budgetReadout(clip, this.plan(clip, config, decoder, { remember: false })), error: null });
          } catch (err) {
            if (!(err instanceof StudioError && err.kind === 'bad-config')) throw err;
            budgets.push({ budget: null, error: err.message });
          }
        }
        return { budgets };
      },
      'export.build': async (p) => {
        const clip = this.clip(p.clipId);
        const decoder = fastvDecoderOf(p.fastvDecoder);
        await this.speechSettled(clip, [p.config]);
        await this.prepareFastv(clip, [p.config], decoder);
        const plan = this.plan(clip, p.config, decoder);
        return buildExport(p.kind as ExportKind, clip.summary.name, plan, () => this.deps.toPlanDocument(clip.bundle, plan));
      },
      'prefill.run': async (p) => {
        const clip = this.clip(p.clipId);
        // FastV settings rank by the same demo decoder the panel measures (its width and depth), or by a chosen manifest's attention_output.
        const measured: FastvDecoder = p.model.kind === 'demo' ? { kind: 'demo', config: { hiddenSize: p.model.demoHiddenSize, numLayers: p.model.demoLayers } } : DEFAULT_FASTV_DECODER;
        const decoder = fastvDecoderOf(p.fastvDecoder, measured);
        await this.speechSettled(clip, p.settings.map((s) => s.config));
        await this.prepareFastv(clip, p.settings.map((s) => s.config), decoder);
        const target = { clipId: p.clipId, name: clip.summary.name, bundle: clip.bundle, plan: (config: Record<string, unknown>) => this.plan(clip, config, decoder) };
        return this.holding(p.clipId, () => this.runJob(p.jobId, emit, (signal, progress) => runStudioPrefill(this, target, p, this.deps.runPrefill, signal, progress)));
      },
      'fastv.decoder': async (p) => describeFastvDecoder(fastvDecoderOf(p.decoder, p.demo ? { kind: 'demo', config: { hiddenSize: p.demo.hiddenSize, numLayers: p.demo.numLayers } } : DEFAULT_FASTV_DECODER), p.layer),
      'fastv.scores': (p) => this.runJob(p.jobId, emit, (signal, progress) => this.fastvScores(p.clipId, fastvDecoderOf(p.decoder), p.layer, signal, progress)),
      'session.save': async (p) => {
        // A state the core would refuse on restore is refused now, not silently ignored later.
        this.checkConfig(p.state.config, 'config');
        if (p.state.pinnedConfig) this.checkConfig(p.state.pinnedConfig, 'pinnedConfig');
        // Acknowledged only once it is on disk: a crash right after the answer loses nothing.
        try {
          await this.sessions.saveDurable(this.clip(p.clipId).contentHash, p.state);
        } catch (err) {
          throw new StudioError('save-failed', (err as Error).message);
        }
        return { saved: true };
      },
      'session.reset': async (p) => ({ cleared: await this.sessions.clear(this.clip(p.clipId).contentHash) }),
      'sweep.start': (p) =>
        this.runJob(p.jobId, emit, (signal, progress) =>
          startStudioSweep(
            p,
            (id) => {
              const clip = this.clip(id);
              const file = clip.summary.path;
              return { name: clip.summary.name, bundle: clip.bundle, bundlePath: file && BUNDLE_EXTENSIONS.has(path.extname(file).toLowerCase()) ? file : null };
            },
            signal,
            progress,
          ),
        ),
      'sweep.newDir': async (p) => newSweepDir(p.name),
      'sweep.load': (p) => loadStudioSweep(p.dir),
      'sweep.trial': (p) => sweepTrial(p.dir, p.trial),
      'sweep.exportTrial': (p) => exportSweepTrial(p),
    };
    // Waiting for a speech reference is no work on this loop: the replan warm-up goes on meanwhile.
    const busy = method === 'clip.speechReference' ? 0 : 1;
    this.handling += busy;
    try {
      return await (handlers[method] as (p: Params<M>) => Promise<Result<M>>)(params);
    } finally {
      this.handling -= busy;
    }
  }

  /**
   * After a clip's first plan: `deps.replanWarmup` throwaway plans around that setting, one per
   * turn of the loop and only while no request is being answered (a slider move, an open, a
   * prefill measurement go first), so the user's next moves run optimised planner code. Stops
   * when the clip closes or a setting fails to plan.
   */
  private warmReplans(clip: OpenClip, overrides: Record<string, unknown>, decoder: FastvDecoder): void {
    const count = this.deps.replanWarmup ?? 0;
    if (clip.warmupStarted || count <= 0) return;
    clip.warmupStarted = true;
    const configs = warmupConfigs(overrides, count);
    void (async () => {
      for (const config of configs) {
        do await waitForLoop(this.handling > 0 ? 25 : 0);
        while (this.handling > 0);
        if (this.clips.get(clip.summary.clipId) !== clip) return;
        try {
          this.plan(clip, config, decoder, { remember: false });
        } catch {
          return;
        }
      }
    })();
  }

  /**
   * Takes a file the web server streamed to disk; `clip.openUpload` with the returned id opens it
   * once and then calls `release` (which deletes it).
   */
  adoptUpload(file: string, name: string, release: () => Promise<void>): string {
    const id = randomUUID().replace(/-/g, '');
    this.uploads.set(id, { file, name, release });
    return id;
  }

  /** Writes pending session saves now (hosts call it when shutting down). */
  flushSessions(): Promise<void> {
    return this.sessions.flush();
  }

  /**
   * The open's answer plus the clip's saved session, if any. A damaged session file never fails
   * the open: it becomes the summary's sessionNote and is replaced on the next save.
   */
  private async withRestored(summary: ClipSummary): Promise<ClipSummary> {
    try {
      const clip = this.clip(summary.clipId);
      const loaded = await this.sessions.load(clip.contentHash);
      if (loaded.problem) return { ...summary, sessionNote: loaded.problem };
      if (!loaded.state || !loaded.savedAt) return summary;
      return { ...summary, restored: { state: loaded.state, savedAt: loaded.savedAt } };
    } finally {
      // The open has answered: from now on the clip may be evicted like any other.
      this.opening.delete(summary.clipId);
      this.evict();
    }
  }

  private clip(clipId: string): OpenClip {
    const clip = this.clips.get(clipId);
    if (!clip) throw new StudioError('unknown-clip', `clip ${clipId} is not open (it may have been closed to free memory); open it again`);
    // Map order is recency order: the least recently used clip is evicted first.
    this.clips.delete(clipId);
    this.clips.set(clipId, clip);
    return clip;
  }

  /**
   * Drops least recently used clips beyond MAX_OPEN_CLIPS, never one whose open has not answered
   * yet (four concurrent opens each get their clip) nor one a job is using (a prefill run).
   */
  private evict(): void {
    for (const clipId of [...this.clips.keys()]) {
      if (this.clips.size <= MAX_OPEN_CLIPS) return;
      if (this.opening.has(clipId) || (this.busyClips.get(clipId) ?? 0) > 0) continue;
      this.clips.delete(clipId);
    }
  }

  /** Keeps a clip from eviction while `work` runs. */
  private async holding<T>(clipId: string, work: () => Promise<T>): Promise<T> {
    this.busyClips.set(clipId, (this.busyClips.get(clipId) ?? 0) + 1);
    try {
      return await work();
    } finally {
      const n = (this.busyClips.get(clipId) ?? 1) - 1;
      if (n > 0) this.busyClips.set(clipId, n);
      else this.busyClips.delete(clipId);
      this.evict();
    }
  }

  private parse(bytes: Uint8Array, name: string): FeatureBundle {
    try {
      return this.deps.parseBundle(bytes, name);
    } catch (err) {
      throw new StudioError('bad-file', `cannot open ${name}: ${(err as Error).message}`);
    }
  }

  private async openFile(file: string, signal: AbortSignal, progress: (f: number, s: string) => void, shown: { name: string; path: string | null } = { name: path.basename(file), path: file }): Promise<ClipSummary> {
    const name = shown.name;
    const ext = path.extname(file).toLowerCase();
    if (BUNDLE_EXTENSIONS.has(ext)) {
      progress(0.02, 'reading the bundle');
      let bytes: Uint8Array;
      try {
        bytes = await readBundleBytes(file);
      } catch (err) {
        // An upload sits in a private temp file; the user knows it by its own name, not that path.
        const reason = shown.path === null ? (err as Error).message.split(file).join(name) : (err as Error).message;
        throw new StudioError('bad-file', `cannot open ${name}: ${reason}`);
      }
      return this.analyze(name, shown.path, this.parse(bytes, name), signal, progress);
    }
    if (fileKind(file) === 'unsupported' && fileKind(name) === 'unsupported') {
      throw new StudioError('unsupported', `cannot open ${name}: unsupported file type ${path.extname(name).toLowerCase() || '(no extension)'}; open a feature bundle (.safetensors) or a video or audio file`);
    }
    if (!this.deps.encodeMedia) {
      throw new StudioError('unsupported', `cannot open ${name}: media files need the ONNX encoders, which are not available in this build; open a feature bundle (.safetensors) instead`);
    }
    try {
      await regularFileSize(file); // ffmpeg on a FIFO or a device would wait or read forever
    } catch (err) {
      throw new StudioError('bad-file', (err as Error).message);
    }
    progress(0.02, 'encoding the media file');
    let bundle: FeatureBundle;
    try {
      bundle = await this.deps.encodeMedia(file, { signal, onProgress: (f, s) => progress(0.02 + 0.48 * f, s) });
    } catch (err) {
      if (signal.aborted) throw new StudioError('cancelled', `opening ${name} was cancelled`);
      // An upload sits in a private temp file; the user knows it by its own name, not that path.
      const reason = shown.path === null ? (err as Error).message.split(file).join(name) : (err as Error).message;
      throw new StudioError('bad-file', `cannot open ${name}: ${reason}`);
    }
    return this.analyze(name, shown.path, bundle, signal, (f, s) => progress(0.5 + 0.5 * f, s));
  }

  private async analyze(name: string, file: string | null, bundle: FeatureBundle, signal: AbortSignal, progress: (f: number, s: string) => void): Promise<ClipSummary> {
    let analysis: ClipAnalysis;
    try {
      analysis = await this.runAnalysis(name, bundle, this.provider, signal, progress);
    } catch (err) {
      if (err instanceof StudioError) throw err;
      throw new StudioError('analysis-failed', `analysis of ${name} failed: ${(err as Error).message}`);
    }
    const summary = this.register(name, file, bundle, analysis, this.answerBeforeSpeech(bundle));
    progress(1, 'ready');
    return summary;
  }

  /**
   * The speech reference of a clip just analysed, for its open to answer without waiting (issue 16
   * goal 5: Silero VAD took ~0.2 s after the demo's analysis, more on longer clips), started only
   * when asked for (LazySpeech: the page asks once it has drawn; until then it would share the
   * cores with the page's own start). The clip is registered with it pending: its summary says
   * `speechPending`, `clip.data` has no speech curve until it settles, `clip.speechReference`
   * starts it and answers once it has settled (with the note of a VAD that failed), and plans
   * ranking audio by speech_activity start it and wait for it (speechSettled). Null when there is
   * nothing to run (no waveform, no audio tokens, or already known for this bundle). Not cancelled
   * with the open, which has answered by then; it never rejects.
   */
  private answerBeforeSpeech(bundle: FeatureBundle): LazySpeech | null {
    if (!bundle.waveform || bundle.numAudio === 0 || speechActivityOf(bundle)) return null;
    // A missing model is a note on the clip, not a failed open.
    const run = () => ensureSpeechActivity(bundle, undefined, { run: this.deps.speechActivity }).then(
      () => null,
      (err: unknown) => `No speech reference: ${(err as Error).message}.`,
    );
    return new LazySpeech(run, this.deps.speechStartAfterMs ?? SPEECH_START_AFTER_MS);
  }

  /**
   * Plans that rank audio by speech_activity wait for a speech reference still running after the
   * open answered: without it the planner falls back to token energy, another plan.
   */
  private async speechSettled(clip: OpenClip, overrides: Record<string, unknown>[]): Promise<void> {
    if (clip.speech && overrides.some((o) => o.audio_score === 'speech_activity')) await clip.speech.wait();
  }

  /**
   * Analyses an open clip again on `provider`. Success re-registers it under a new id (dropping the
   * old) and makes the provider the session's choice; failure leaves the clip and the choice as they were.
   */
  private async reanalyze(clipId: string, provider: AnalysisProviderChoice, signal: AbortSignal, progress: (f: number, s: string) => void): Promise<ClipSummary> {
    const clip = this.clip(clipId);
    const { name, path: file } = clip.summary;
    let analysis: ClipAnalysis;
    try {
      analysis = await this.runAnalysis(name, clip.bundle, provider, signal, progress, 'analysing');
    } catch (err) {
      if (err instanceof StudioError) throw err;
      const previous = clip.summary.engine;
      const kind = errorKind(err) === 'provider-unavailable' ? 'provider-unavailable' : 'analysis-failed';
      throw new StudioError(kind, `cannot analyse ${name} on provider ${provider}: ${(err as Error).message}; the previous analysis (provider ${previous.provider} · ${previous.device}) stays in use`);
    }
    this.provider = provider;
    this.clips.delete(clipId);
    const summary = this.register(name, file, clip.bundle, analysis, clip.speech ?? null, false);
    progress(1, 'ready');
    return summary;
  }

  private async runAnalysis(name: string, bundle: FeatureBundle, provider: AnalysisProviderChoice, signal: AbortSignal, progress: (f: number, s: string) => void, action: 'opening' | 'analysing' = 'opening'): Promise<ClipAnalysis> {
    progress(0.1, provider === 'auto' ? 'analysing' : `analysing on ${provider}`);
    await yieldToLoop();
    if (signal.aborted) throw new StudioError('cancelled', `${action} ${name} was cancelled`);
    let analysis: ClipAnalysis;
    try {
      analysis = await this.deps.engine.analyze(bundle, {
        frameGeometries: this.deps.requiredFrameGeometries(bundle),
        signal,
        onProgress: (p) => progress(0.1 + 0.85 * p.fraction, p.stage),
        provider,
      });
    } catch (err) {
      if (signal.aborted) throw new StudioError('cancelled', `${action} ${name} was cancelled`);
      throw err;
    }
    if (signal.aborted) throw new StudioError('cancelled', `${action} ${name} was cancelled`);
    return analysis;
  }

  /** `speech`: the clip's speech reference, not yet done (see answerBeforeSpeech); its note joins the notes once it settles. */
  private register(name: string, file: string | null, bundle: FeatureBundle, analysis: ClipAnalysis, speech: LazySpeech | null = null, pin = true): ClipSummary {
    this.lastEngine = analysis.engine;
    const notes: string[] = [];
    if (bundle.numAudio === 0) notes.push('No audio tokens: audio selection and audio guidance cannot run; every video group uses rho_video.');
    if (bundle.numVideo === 0) notes.push('No video tokens: only the audio stage runs.');
    const clipId = randomUUID().replace(/-/g, '').slice(0, 16);
    const summary = summarize(clipId, name, file, bundle, analysis.engine, notes);
    const clip: OpenClip = { summary, bundle, analysis, contentHash: analysisContentHash(bundle) };
    if (speech) {
      summary.speechPending = true;
      clip.speech = speech;
      void speech.settled.then((note) => {
        delete clip.speech;
        // The note goes first, where an open that waited for the VAD put it.
        clip.summary = { ...clip.summary, notes: note ? [note, ...clip.summary.notes] : clip.summary.notes, speechPending: false };
      });
    }
    this.clips.set(clipId, clip);
    if (pin) this.opening.add(clipId);
    this.evict();
    return summary;
  }

  private async runJob<T>(jobId: string, emit: EmitEvent, work: (signal: AbortSignal, progress: (fraction: number, stage: string) => void) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    this.jobs.set(jobId, controller);
    const progress = (fraction: number, stage: string) => emit({ type: 'job.progress', jobId, fraction: Math.min(1, Math.max(0, fraction)), stage });
    try {
      return await work(controller.signal, progress);
    } finally {
      this.jobs.delete(jobId);
    }
  }

  /**
   * The plan of `overrides` on the clip. The last one is kept (`remember`) so the views and exports
   * of one setting share it; side requests (preset budgets) pass `remember: false` so they do not
   * displace it.
   */
  private plan(clip: OpenClip, overrides: Record<string, unknown>, decoder: FastvDecoder = DEFAULT_FASTV_DECODER, options: { remember?: boolean } = {}): PlanResult {
    let config: OmniZipConfig;
    try {
      config = resolveConfig(overrides);
    } catch (err) {
      throw new StudioError('bad-config', (err as Error).message);
    }
    const key = JSON.stringify(config) + (config.method === 'fastv' ? `|${decoderKey(decoder)}` : '');
    if (clip.lastPlan?.key === key) return clip.lastPlan.plan;
    let plan: PlanResult;
    const bundle = config.method === 'fastv' ? (clip.fastvBundles?.get(fastvKey(config.fastv_layer, decoder)) ?? clip.bundle) : clip.bundle;
    try {
      plan = this.deps.planClip(bundle, clip.analysis, config);
    } catch (err) {
      // Settings valid on their own may not fit this clip (num_input_frames beyond its video tokens).
      if (err instanceof ConfigError) throw new StudioError('bad-config', err.message);
      throw err;
    }
    if (options.remember !== false) clip.lastPlan = { key, plan };
    return plan;
  }

  /**
   * FastV plans need the decoder's layer-K attention: run it once per clip and K in the compute
   * worker (never on this loop) and keep the result, so replans stay instant. Invalid configs are
   * left for plan() to refuse with its usual message.
   */
  private async prepareFastv(clip: OpenClip, overrides: Record<string, unknown>[], decoder: FastvDecoder = DEFAULT_FASTV_DECODER, signal?: AbortSignal): Promise<void> {
    for (const o of overrides) {
      // Only FastV needs a decoder run: other plans skip the config parse (plan() parses them).
      if (o.method !== 'fastv') continue;
      let config: OmniZipConfig;
      try {
        config = resolveConfig(o);
      } catch {
        continue;
      }
      const key = fastvKey(config.fastv_layer, decoder);
      if (!needsDecoderAttention(clip.bundle, config) || clip.fastvBundles?.has(key)) continue;
      const compute = this.deps.fastvBundle ?? ((b: FeatureBundle, layer: number, d: FastvDecoder, s?: AbortSignal) => bundleWithWorkerAttention(b, layer, d, s));
      const pending = (clip.fastvPending ??= new Map());
      let run = pending.get(key);
      if (!run) {
        run = compute(clip.bundle, config.fastv_layer, decoder, signal);
        pending.set(key, run);
      }
      try {
        (clip.fastvBundles ??= new Map()).set(key, await run);
      } finally {
        pending.delete(key);
      }
    }
  }

  /**
   * `fastv.scores`: the decoder's layer-K attention on the clip as a job (progress by stage,
   * cancellable: the worker run is abandoned at once), kept on the clip so FastV plans are instant.
   * A decoder that cannot expose layer-K attention fails with the reason, before any run.
   */
  private async fastvScores(clipId: string, decoder: FastvDecoder, layer: number, signal: AbortSignal, progress: (f: number, s: string) => void): Promise<Result<'fastv.scores'>> {
    const clip = this.clip(clipId);
    progress(0.02, decoder.kind === 'manifest' ? 'reading the decoder manifest' : 'preparing the demo decoder');
    const info = await describeFastvDecoder(decoder, layer);
    if (info.unavailable) throw new StudioError('bad-config', info.unavailable);
    const config = { method: 'fastv', fastv_layer: layer };
    const cached = !needsDecoderAttention(clip.bundle, resolveConfig(config)) || clip.fastvBundles?.has(fastvKey(layer, decoder)) === true;
    if (!cached) {
      progress(0.1, `computing layer-${info.layer} attention: layers 1..${info.layer} of the ${info.name} over ${clip.bundle.tokenTypes.length} tokens`);
      try {
        await this.holding(clipId, () => this.prepareFastv(clip, [config], decoder, signal));
      } catch (err) {
        if (signal.aborted || errorKind(err) === 'cancelled') throw new StudioError('cancelled', 'computing FastV\'s layer-K attention was cancelled');
        const kind = errorKind(err);
        if (kind === 'bad-manifest' || kind === 'model-mismatch') throw new StudioError('bad-file', (err as Error).message);
        throw err;
      }
    }
    progress(1, 'ready');
    return { info, cached, notes: info.clampNote ? [info.clampNote] : [] };
  }

  private checkConfig(overrides: Record<string, unknown>, field: string): void {
    try {
      resolveConfig(overrides);
    } catch (err) {
      throw new StudioError('bad-config', `session not saved: ${field}: ${(err as Error).message}`);
    }
  }

  private budgetReadout(clip: OpenClip, plan: PlanResult): BudgetReadout {
    return budgetOf(plan.counts, geometryFor(clip.summary.model, clip.bundle.hiddenSize), prunedAfterLayer(plan));
  }

  private planView(clipId: string, overrides: Record<string, unknown>, decoder: FastvDecoder = DEFAULT_FASTV_DECODER): PlanView {
    const clip = this.clip(clipId);
    const plan = this.plan(clip, overrides, decoder);
    return {
      planKey: `${clipId}:${clip.lastPlan?.key ?? ''}`,
      clipId,
      config: { ...plan.config },
      counts: plan.counts,
      groups: plan.groups.map((g) => ({
        audio_range: g.audio_range,
        video_range: g.video_range,
        guided: g.guided,
        audio_retention: g.audio_retention,
        ratio_initial: g.ratio_initial,
        ratio_final: g.ratio_final,
        frame_keep_counts: g.frame_keep_counts,
        frame_modes: g.frame_modes,
        pinned: g.pinned,
        video_kept: g.video_kept,
        kept_whole: g.kept_whole,
      })),
      normalization: { ...plan.normalization },
      notes: plan.notes,
      planMs: plan.planMs,
      dominantCount: plan.audio.dominantCount,
      anchors: plan.audio.anchors,
      audioFate: plan.audio.fate,
      audioMergedInto: plan.audio.mergedInto,
      videoKeep: plan.videoKeep,
      budget: this.budgetReadout(clip, plan),
      audioScoreSource: plan.audioScoreSource,
      method: plan.method,
      discard: plan.budget,
      tiesDecided: plan.tiesDecided,
      audioTies: plan.audioTies,
      videoTies: plan.videoTies,
      audioScore: plan.audio.score,
      videoScore: plan.videoScore,
    };
  }
}
