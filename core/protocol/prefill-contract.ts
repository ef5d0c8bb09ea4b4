/**
 * The contract of the studio's inference panel: `prefill.run` measures the LLM prefill of the full
 * sequence and of one or more compressed settings of the open clip (core/prefill), and answers a
 * flat, table-ready view plus the full report for export. Part of `hostMethods` (contract.ts).
 *
 * No Node imports: the renderer bundles this file.
 */
import { anyNumber, array, boolean, nullable, number, object, oneOf, optional, record, string, tuple, type Infer } from './check.js';
import { PROVIDER_PREFERENCES } from './enums.js';

const jobId = string({ maxLength: 64, pattern: /^[A-Za-z0-9_-]+$/ });
const clipId = string({ maxLength: 64, pattern: /^[A-Za-z0-9_-]+$/ });
const count = number({ integer: true, min: 0 });

export const PREFILL_PROVIDERS = PROVIDER_PREFERENCES;
export const PREFILL_MODEL_KINDS = ['demo', 'manifest'] as const;
/** The live setting plus OmniZip and every registered baseline fit in one run. */
export const MAX_PREFILL_SETTINGS = 8;

export const prefillSettingCheck = object({
  /** Shown in the table; unique within a run. */
  label: string({ maxLength: 64 }),
  /** Config overrides, resolved and validated by the core like `plan.run`'s. */
  config: record(),
});

/** A model manifest's path (docs/prefill.md) when a decoder's kind is 'manifest'; FastV's decoder choice reuses it. */
export const manifestPathCheck = nullable(string({ maxLength: 4096 }));

/**
 * The decoder FastV ranks by (the demo decoder, or a user decoder manifest with `attention_output`).
 * Same kind and path fields as `model`, so hosts check and guard both alike.
 */
export const fastvDecoderCheck = object({
  kind: oneOf(PREFILL_MODEL_KINDS),
  manifestPath: manifestPathCheck,
});
export type FastvDecoderChoice = Infer<typeof fastvDecoderCheck>;

export const prefillRunParamsCheck = object({
  jobId,
  clipId,
  settings: array(prefillSettingCheck, { maxLength: MAX_PREFILL_SETTINGS }),
  model: object({
    kind: oneOf(PREFILL_MODEL_KINDS),
    /** Model manifest (docs/prefill.md) when kind is 'manifest'. */
    manifestPath: manifestPathCheck,
    /** Demo decoder width and depth (kind 'demo'); the width must be a multiple of 16. */
    demoHiddenSize: number({ integer: true, min: 16, max: 4096 }),
    demoLayers: number({ integer: true, min: 1, max: 64 }),
  }),
  provider: oneOf(PREFILL_PROVIDERS),
  runs: number({ integer: true, min: 1, max: 100 }),
  warmupRuns: number({ integer: true, min: 0, max: 10 }),
  /** What FastV settings rank by: absent or 'demo', the demo decoder being measured; 'manifest', that decoder's attention_output. */
  fastvDecoder: optional(fastvDecoderCheck),
});
export type PrefillRunParams = Infer<typeof prefillRunParamsCheck>;

/** One measured sequence: the full one (comparison fields null) or a compressed setting. */
export const prefillRowCheck = object({
  label: string(),
  isFull: boolean(),
  /** Tokens the decoder was given (the whole LLM sequence, text included). */
  tokens: count,
  audioVideoTokens: count,
  medianMs: anyNumber(),
  p95Ms: anyNumber(),
  minMs: anyNumber(),
  maxMs: anyNumber(),
  samplesMs: array(anyNumber()),
  /** Memory child: OS peak RSS during the run, and the increase over its RSS before the run. */
  peakMemoryBytes: anyNumber(),
  memoryIncreaseBytes: anyNumber(),
  memoryBaselineBytes: anyNumber(),
  peakCounter: string(),
  deviceBytes: nullable(anyNumber()),
  kvCacheBytes: anyNumber(),
  /** tokens / full tokens, and audio+video kept / audio+video. */
  retentionSequence: nullable(anyNumber()),
  retentionAudioVideo: nullable(anyNumber()),
  /** Measured: full latency / this latency. */
  speedupMedian: nullable(anyNumber()),
  speedupP95: nullable(anyNumber()),
  /** Why the measured speed-up is not reliable (too few runs, too wide a spread); null when it is. Absent in sessions saved before it existed. */
  timingNote: optional(nullable(string())),
  /** Predicted by the paper's prefill FLOPs term with this model's dimensions, whole sequence. */
  flopsSpeedup: nullable(anyNumber()),
  /** The same with n = audio + video tokens only (as the paper counts). */
  flopsSpeedupAudioVideo: nullable(anyNumber()),
  /** full memory increase / this memory increase. */
  memoryRatio: nullable(anyNumber()),
  klDivergence: nullable(anyNumber()),
  top1Agreement: nullable(anyNumber()),
  top5Overlap: nullable(anyNumber()),
  hiddenCosine: nullable(anyNumber()),
});
export type PrefillRow = Infer<typeof prefillRowCheck>;

/** The result's fields, shared with session autosave (which keeps all but the report). */
export const prefillResultShape = {
  clipId,
  clipName: string(),
  model: object({
    name: string(),
    source: oneOf(PREFILL_MODEL_KINDS),
    hiddenSize: count,
    numLayers: count,
    /** [bundle D, model d] when the demo decoder projected its inputs. */
    inputProjection: nullable(tuple(count, count)),
    /** What the figures mean for this model (always set for the demo decoder). */
    caveat: nullable(string()),
  }),
  provider: object({ name: string(), device: string() }),
  runs: count,
  warmupRuns: count,
  /** The settings as run (labels and the resolved configs). */
  settings: array(object({ label: string(), config: record() })),
  /** The full sequence first, then each setting in order. */
  rows: array(prefillRowCheck),
  notes: array(string()),
  wallMs: anyNumber(),
  /** The core's whole report (format "omnizip-prefill", as the CLI writes it), for the JSON export. */
  reportJson: string(),
};
export const prefillResultCheck = object(prefillResultShape);
export type PrefillResultView = Infer<typeof prefillResultCheck>;

export const prefillMethods = {
  'prefill.run': { params: prefillRunParamsCheck, result: prefillResultCheck },
} as const;
