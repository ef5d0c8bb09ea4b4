/**
 * The one contract between the studio's renderer and whatever computes for it: Electron's compute
 * host (over IPC) or the web-mode server (over HTTP). Every request and result is checked at
 * runtime against these schemas on the receiving side, so a malformed or hostile message is
 * refused with a ContractError instead of reaching the core.
 *
 * No Node imports: the renderer bundles this file.
 */
import {
  anyNumber,
  array,
  boolean,
  i32,
  literal,
  nullable,
  number,
  object,
  oneOf,
  optional,
  record,
  string,
  tuple,
  u8,
  f32,
  type Check,
  type Infer,
} from './check.js';
import { PROVIDER_PREFERENCES } from './enums.js';
import { fastvMethods } from './fastv-contract.js';
import { fastvDecoderCheck, prefillMethods } from './prefill-contract.js';
import { OmniZipError } from './errors.js';
import { restoredSessionCheck, sessionMethods } from './session-contract.js';
import { sweepMethods } from './sweep-contract.js';

export const CONTRACT_VERSION = 1;

/** Client-chosen id of a long job, so progress events and cancel requests can name it. */
const jobId = string({ maxLength: 64, pattern: /^[A-Za-z0-9_-]+$/ });
const clipId = string({ maxLength: 64, pattern: /^[A-Za-z0-9_-]+$/ });
const count = number({ integer: true, min: 0 });

/** Execution providers the user may force for analysis ('auto' lets the core pick the best that starts). */
export const ANALYSIS_PROVIDERS = PROVIDER_PREFERENCES;
export type AnalysisProviderChoice = (typeof ANALYSIS_PROVIDERS)[number];

export const EXPORT_KINDS = ['config-yaml', 'config-json', 'flags', 'plan-json', 'masks'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

const engineInfo = object({ engine: string(), provider: string(), device: string(), wallMs: anyNumber() });

export const clipSummaryCheck = object({
  clipId,
  name: string(),
  /** File the clip came from; null for uploads and the built-in synthetic demo. */
  path: nullable(string()),
  model: nullable(string()),
  numAudio: count,
  numVideo: count,
  hiddenSize: count,
  sequenceLength: count,
  tokensPerFrame: count,
  /** Temporal patches ("frames" of the video stage). */
  temporalPatches: count,
  /** Token grid of one temporal patch: rows x columns (raster order). */
  gridRows: count,
  gridCols: count,
  audioTokensPerSecond: number({ min: 0 }),
  secondsPerPatch: number({ min: 0 }),
  durationS: number({ min: 0 }),
  hasWaveform: boolean(),
  /** Sampled RGB frames in the bundle, or null. */
  images: nullable(object({ count, width: count, height: count, perPatch: count })),
  engine: engineInfo,
  notes: array(string()),
  /** Set by an open when this clip (same content hash) has a saved session (session-contract.ts). */
  restored: optional(restoredSessionCheck),
  /** Set by an open when the clip's saved session file was unusable and ignored (it is replaced on the next save). */
  sessionNote: optional(string()),
  /**
   * True when the open answered before the clip's Silero VAD speech reference was done: `clip.data`
   * has no speech curve yet; `clip.speechReference` answers once it has one (or a note saying why not).
   */
  speechPending: optional(boolean()),
});
export type ClipSummary = Infer<typeof clipSummaryCheck>;

const countsCheck = object({
  audio: object({ total: count, kept: count }),
  video: object({ total: count, kept: count }),
  sequence: object({ total: count, kept: count }),
});

const rangeCheck = nullable(tuple(count, count));

export const planGroupCheck = object({
  audio_range: rangeCheck,
  video_range: rangeCheck,
  guided: boolean(),
  audio_retention: nullable(anyNumber()),
  ratio_initial: nullable(anyNumber()),
  ratio_final: nullable(anyNumber()),
  frame_keep_counts: array(count),
  frame_modes: array(oneOf(['spatial', 'temporal'] as const)),
  pinned: nullable(oneOf(['min', 'max'] as const)),
  video_kept: count,
  kept_whole: boolean(),
});
export type PlanGroupView = Infer<typeof planGroupCheck>;

const discardCheck = object({ target: anyNumber(), realised: anyNumber() });

export const budgetCheck = object({
  audioKept: count,
  audioTotal: count,
  videoKept: count,
  videoTotal: count,
  kept: count,
  total: count,
  /** kept / total over audio + video tokens (text is never pruned and not counted). */
  retained: anyNumber(),
  /** 1 - FLOPs(kept) / FLOPs(total), paper formula (algorithm doc section 5). */
  flopsSaved: anyNumber(),
  flopsModel: string(),
});
export type BudgetReadout = Infer<typeof budgetCheck>;

export const planViewCheck = object({
  /** Identifies (clip, config); the renderer's data cache is keyed by it. */
  planKey: string(),
  clipId,
  config: record(),
  counts: countsCheck,
  groups: array(planGroupCheck),
  normalization: record(),
  notes: array(string()),
  planMs: anyNumber(),
  dominantCount: count,
  anchors: array(count),
  /** AUDIO_* fate code per audio token. */
  audioFate: u8(),
  /** Anchor each merged audio token merges into; -1 otherwise. */
  audioMergedInto: i32(),
  videoKeep: u8(),
  budget: budgetCheck,
  /** What the audio top-k actually ranked by (config.audio_score, or token_energy after a fallback). */
  audioScoreSource: oneOf(['attention', 'token_energy', 'waveform_rms', 'speech_activity'] as const),
  /** The registered method that chose the tokens (core/methods/registry.ts). */
  method: optional(string()),
  /** Target vs realised discard (fractions) per modality and over the sequence. */
  discard: optional(object({ audio: discardCheck, video: discardCheck, sequence: discardCheck })),
  /** Tokens an exact tie at a keep/drop cut decided, and which ones. */
  tiesDecided: optional(count),
  audioTies: optional(u8()),
  videoTies: optional(u8()),
  /** Why-kept trace: each audio token's ranking score, each video token's ranking value (NaN where unranked). */
  audioScore: optional(f32()),
  videoScore: optional(f32()),
});
export type PlanView = Infer<typeof planViewCheck>;

const recentCheck = object({ path: string(), name: string(), openedAt: string() });
export type RecentFile = Infer<typeof recentCheck>;

/** Methods the compute side (Electron compute host or web server) answers. */
export const hostMethods = {
  'app.info': {
    params: object({}),
    result: object({
      version: string(),
      contractVersion: number(),
      engine: nullable(engineInfo),
      demoName: string(),
      recent: array(recentCheck),
      mediaSupported: boolean(),
    }),
  },
  'clip.openDemo': { params: object({ jobId }), result: clipSummaryCheck },
  'clip.openPath': { params: object({ jobId, path: string({ maxLength: 4096 }) }), result: clipSummaryCheck },
  'clip.openBytes': { params: object({ jobId, name: string({ maxLength: 512 }), bytes: u8() }), result: clipSummaryCheck },
  /** Web mode: opens a file streamed to the server's /api/upload (never held in memory whole); the upload is deleted after. */
  'clip.openUpload': { params: object({ jobId, uploadId: string({ maxLength: 64, pattern: /^[A-Za-z0-9_-]+$/ }) }), result: clipSummaryCheck },
  /**
   * Analyses an open clip again on the given provider, which also becomes the provider for clips
   * opened later. Answers the clip under a new clipId (the old one is closed), so every cache keyed
   * by clip redraws; if the provider cannot start, the error says so and the clip stays as it was.
   */
  'clip.reanalyze': { params: object({ jobId, clipId, provider: oneOf(ANALYSIS_PROVIDERS) }), result: clipSummaryCheck },
  'job.cancel': { params: object({ jobId }), result: object({ cancelled: boolean() }) },
  'clip.data': {
    params: object({ clipId }),
    result: object({
      audioScores: f32(),
      /** Waveform envelope: per bin min and max, bins spread evenly over `waveformSeconds`. */
      waveformMin: f32(),
      waveformMax: f32(),
      waveformSeconds: number({ min: 0 }),
      /** Per-audio-token loudness curves the timeline draws beside attention, and how they correlate. */
      curves: object({
        attention: nullable(f32()),
        tokenEnergy: f32(),
        waveformRms: nullable(f32()),
        /** Silero VAD speech probability per audio token (clips with a waveform; null without). */
        speechActivity: nullable(f32()),
        /** Pearson r of each pair that exists; NaN when a series is constant. */
        correlations: array(object({ a: string(), b: string(), r: anyNumber() })),
      }),
    }),
  },
  /**
   * Answers once the clip's speech reference is done (at once when it was): the clip's notes then,
   * with "No speech reference: …" when Silero VAD could not run. `clip.data` then has the curve.
   */
  'clip.speechReference': { params: object({ clipId }), result: object({ notes: array(string()) }) },
  'clip.frame': {
    params: object({ clipId, index: count }),
    result: object({ index: count, width: count, height: count, rgb: u8() }),
  },
  'clip.thumbnails': {
    params: object({ clipId, maxWidth: number({ integer: true, min: 8, max: 512 }) }),
    result: object({ count, width: count, height: count, rgb: u8() }),
  },
  /** `fastvDecoder`: the decoder a FastV config ranks by (default the demo decoder); ignored by other methods. */
  'plan.run': { params: object({ clipId, config: record(), fastvDecoder: optional(fastvDecoderCheck) }), result: planViewCheck },
  /**
   * Each config's budget readout on the clip (the parameter panel's preset retention): a few
   * hundred bytes instead of a whole plan view per config, planned without displacing the clip's
   * current plan. A config that does not fit the clip gets its message instead of a readout.
   */
  'plan.budgets': {
    params: object({ clipId, configs: array(record(), { maxLength: 32 }), fastvDecoder: optional(fastvDecoderCheck) }),
    result: object({ budgets: array(object({ budget: nullable(budgetCheck), error: nullable(string()) })) }),
  },
  'export.build': {
    params: object({ clipId, config: record(), kind: oneOf(EXPORT_KINDS), fastvDecoder: optional(fastvDecoderCheck) }),
    result: object({ fileName: string(), mime: string(), bytes: u8() }),
  },
  /** Prefill latency, memory and fidelity of a decoder LLM, full vs compressed (prefill-contract.ts). */
  ...prefillMethods,
  /** FastV's decoder: what a choice can give, and its layer-K scores as a cancellable job (fastv-contract.ts). */
  ...fastvMethods,
  /** Per-clip autosave of the config, pinned A and kept prefill rows (session-contract.ts). */
  ...sessionMethods,
  /** Sweeps over configs and clips: start, load a sweep directory, export a trial (sweep-contract.ts). */
  ...sweepMethods,
} as const;

/** Methods only Electron's main process answers (native dialogs, atomic saves). */
export const shellMethods = {
  'shell.openDialog': { params: object({}), result: object({ path: nullable(string()) }) },
  'shell.saveFile': {
    params: object({ suggestedName: string({ maxLength: 256 }), bytes: u8() }),
    result: object({ path: nullable(string()) }),
  },
} as const;

export const studioMethods = { ...hostMethods, ...shellMethods } as const;

export type HostMethod = keyof typeof hostMethods;
export type ShellMethod = keyof typeof shellMethods;
export type StudioMethod = keyof typeof studioMethods;
export type Params<M extends StudioMethod> = Infer<(typeof studioMethods)[M]['params']>;
export type Result<M extends StudioMethod> = Infer<(typeof studioMethods)[M]['result']>;

export const progressEventCheck = object({
  type: literal('job.progress'),
  jobId,
  fraction: number({ min: 0, max: 1 }),
  stage: string(),
});
export type ProgressEvent = Infer<typeof progressEventCheck>;
export type StudioEvent = ProgressEvent;
export const studioEventCheck: Check<StudioEvent> = progressEventCheck;

export function isHostMethod(name: unknown): name is HostMethod {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(hostMethods, name);
}
export function isShellMethod(name: unknown): name is ShellMethod {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(shellMethods, name);
}

/** The error shape every transport returns: one clear sentence plus a machine-readable kind. */
export interface StudioErrorPayload {
  kind: string;
  message: string;
}

/** An error reported by the other side of the transport, re-raised on this side. */
export class StudioRemoteError extends OmniZipError {}
