/**
 * The metric registry: every number a sweep can record or optimise, with its formula, its
 * direction and whether it needs a model. Sweep specs, the CLI, the Pareto front, the Optuna
 * journal and the studio all read these descriptors.
 *
 * Kinds: 'plan' metrics come from the plan and the cached analysis in microseconds to
 * milliseconds; 'proxy' metrics are embedding-space PROXIES of what pruning loses (not accuracy);
 * 'prefill' metrics run a decoder (the demo one or a user's ONNX manifest) on the full and the
 * compressed sequence; external metrics come from `eval_command` and are named `eval.<name>`.
 */
import type { ClipAnalysis } from '../analysis/types.js';
import type { FeatureBundle } from '../bundle/types.js';
import type { OmniZipConfig } from '../config/schema.js';
import { prunedAfterLayer } from '../methods/fastv.js';
import { PAPER_DECODE_STEPS, paperFlops, prefillFlops, type DecoderPruning, type FlopsDims } from '../prefill/flops.js';
import type { PlanResult } from '../planner/types.js';
import { resolveFlopsModel } from './flops-models.js';
import { audioCoverage, videoCoverage } from './proxies.js';

export type MetricDirection = 'minimize' | 'maximize';
export type MetricKind = 'plan' | 'proxy' | 'prefill';

export interface PlanMetricContext {
  bundle: FeatureBundle;
  analysis: ClipAnalysis;
  plan: PlanResult;
  config: OmniZipConfig;
  flops: FlopsDims;
}

export interface MetricDescriptor {
  id: string;
  label: string;
  /** The formula, in one line, for docs, `sweep metrics` and tooltips. */
  formula: string;
  direction: MetricDirection;
  kind: MetricKind;
  /** True when computing it runs a decoder. */
  needsModel: boolean;
  /** Plan and proxy metrics compute synchronously; prefill metrics come from core/metrics/prefill.ts. */
  compute?: (ctx: PlanMetricContext) => number;
}

const frac = (kept: number, total: number) => (total === 0 ? 1 : kept / total);

/** What rho_audio and contextual_ratio ask the audio stage to discard (anchors survive only where they can). */
export function targetAudioDiscard(config: OmniZipConfig): number {
  const anchorsKept = config.variant === 'official-units' || config.g > 0;
  return Math.min(1, Math.max(0, config.rho_audio - (anchorsKept ? config.contextual_ratio : 0)));
}

/** FastV prunes inside the decoder: its first K layers still see the whole sequence. */
function pruningOf(ctx: PlanMetricContext): DecoderPruning | null {
  const layer = prunedAfterLayer(ctx.plan);
  return layer === null ? null : { layer, fullTokens: ctx.plan.counts.sequence.total };
}

function realisedVideoDiscard(ctx: PlanMetricContext): number {
  return 1 - frac(ctx.plan.counts.video.kept, ctx.plan.counts.video.total);
}
function realisedAudioDiscard(ctx: PlanMetricContext): number {
  return 1 - frac(ctx.plan.counts.audio.kept, ctx.plan.counts.audio.total);
}

export const METRICS: readonly MetricDescriptor[] = [
  {
    id: 'kept_fraction',
    label: 'kept fraction (sequence)',
    formula: 'kept tokens / all tokens of the LLM sequence (text included)',
    direction: 'minimize',
    kind: 'plan',
    needsModel: false,
    compute: (c) => frac(c.plan.counts.sequence.kept, c.plan.counts.sequence.total),
  },
  {
    id: 'audio_video_kept_fraction',
    label: 'kept fraction (audio + video)',
    formula: "(kept audio + kept video) / (audio + video tokens): the paper's 'retained' ratio",
    direction: 'minimize',
    kind: 'plan',
    needsModel: false,
    compute: (c) => frac(c.plan.counts.audio.kept + c.plan.counts.video.kept, c.plan.counts.audio.total + c.plan.counts.video.total),
  },
  {
    id: 'audio_kept_fraction',
    label: 'kept fraction (audio)',
    formula: 'kept audio tokens (dominant + anchors) / audio tokens',
    direction: 'minimize',
    kind: 'plan',
    needsModel: false,
    compute: (c) => frac(c.plan.counts.audio.kept, c.plan.counts.audio.total),
  },
  {
    id: 'video_kept_fraction',
    label: 'kept fraction (video)',
    formula: 'kept video tokens / video tokens',
    direction: 'minimize',
    kind: 'plan',
    needsModel: false,
    compute: (c) => frac(c.plan.counts.video.kept, c.plan.counts.video.total),
  },
  {
    id: 'video_discard',
    label: 'realised video discard',
    formula: '1 - kept video / video tokens',
    direction: 'maximize',
    kind: 'plan',
    needsModel: false,
    compute: realisedVideoDiscard,
  },
  {
    id: 'video_discard_error',
    label: 'video discard error |realised - target|',
    formula: '|realised video discard - rho_video|',
    direction: 'minimize',
    kind: 'plan',
    needsModel: false,
    compute: (c) => Math.abs(realisedVideoDiscard(c) - c.config.rho_video),
  },
  {
    id: 'audio_discard',
    label: 'realised audio discard',
    formula: '1 - kept audio / audio tokens',
    direction: 'maximize',
    kind: 'plan',
    needsModel: false,
    compute: realisedAudioDiscard,
  },
  {
    id: 'audio_discard_error',
    label: 'audio discard error |realised - target|',
    formula: '|realised audio discard - (rho_audio - contextual_ratio where anchors survive)|',
    direction: 'minimize',
    kind: 'plan',
    needsModel: false,
    compute: (c) => Math.abs(realisedAudioDiscard(c) - targetAudioDiscard(c.config)),
  },
  {
    id: 'flops_ratio',
    label: 'FLOPs ratio (prefill + 100 decode steps)',
    formula: "paper Appendix C: T(4nd²+2n²d+2ndm) + T·R((4d²+2dm)+2(dn+d(R+1)/2)), R=100, n = sequence tokens; compressed / full, for flops_model; FastV: its first K layers over the full sequence",
    direction: 'minimize',
    kind: 'plan',
    needsModel: false,
    compute: (c) => paperFlops(c.flops, c.plan.counts.sequence.kept, PAPER_DECODE_STEPS, pruningOf(c)) / paperFlops(c.flops, c.plan.counts.sequence.total),
  },
  {
    id: 'prefill_flops_ratio',
    label: 'prefill FLOPs ratio',
    formula: 'T(4nd²+2n²d+2ndm) compressed / full, n = sequence tokens, for flops_model; FastV: its first K layers over the full sequence',
    direction: 'minimize',
    kind: 'plan',
    needsModel: false,
    compute: (c) => prefillFlops(c.flops, c.plan.counts.sequence.kept, pruningOf(c)) / prefillFlops(c.flops, c.plan.counts.sequence.total),
  },
  {
    id: 'video_coverage',
    label: 'video coverage (proxy)',
    formula: 'PROXY: mean over pruned video tokens of the best cosine to a kept video token of the same time group (1 if none pruned)',
    direction: 'maximize',
    kind: 'proxy',
    needsModel: false,
    compute: (c) => videoCoverage(c.bundle, c.plan),
  },
  {
    id: 'audio_coverage',
    label: 'audio coverage (proxy)',
    formula: 'PROXY: mean over audio tokens not kept of the best cosine to a kept audio token of the same group, or to the anchor it merges into',
    direction: 'maximize',
    kind: 'proxy',
    needsModel: false,
    compute: (c) => audioCoverage(c.analysis, c.plan),
  },
  {
    id: 'prefill_kl',
    label: 'prefill KL(full || compressed)',
    formula: 'KL divergence (nats) of the next-token distributions after prefilling the full and the compressed sequence',
    direction: 'minimize',
    kind: 'prefill',
    needsModel: true,
  },
  {
    id: 'prefill_top5_overlap',
    label: 'prefill top-5 overlap',
    formula: '|top5(full) ∩ top5(compressed)| / 5 of the next-token logits',
    direction: 'maximize',
    kind: 'prefill',
    needsModel: true,
  },
  {
    id: 'prefill_speedup',
    label: 'prefill speed-up (measured)',
    formula: 'median full prefill latency / median compressed prefill latency',
    direction: 'maximize',
    kind: 'prefill',
    needsModel: true,
  },
];

const BY_ID = new Map(METRICS.map((m) => [m.id, m]));

export function metricById(id: string): MetricDescriptor | undefined {
  return BY_ID.get(id);
}

/**
 * Direction of any recorded metric. External `eval.<name>` metrics are maximised unless their
 * name ends in a loss-like suffix (docs/sweeps.md says so).
 */
export function metricDirection(id: string): MetricDirection {
  const known = BY_ID.get(id);
  if (known) return known.direction;
  const name = id.startsWith('eval.') ? id.slice(5) : id;
  return /(loss|error|_err|kl|latency|_ms|time)$/i.test(name) ? 'minimize' : 'maximize';
}

export function metricLabel(id: string): string {
  return BY_ID.get(id)?.label ?? (id.startsWith('eval.') ? `${id.slice(5)} (eval_command)` : id);
}

/** Validates a FLOPs model choice early; returns its display name. */
export function resolveFlopsModelName(nameOrPath: string): string {
  return resolveFlopsModel(nameOrPath).name;
}
