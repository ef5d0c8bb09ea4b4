import { AUDIO_DOMINANT, AUDIO_DROPPED, type AudioPlan } from '../planner/types.js';
import type { CompressionMethod, MethodContext, MethodDescriptor, MethodOutcome } from './types.js';

/** Helpers every baseline uses: budgets, allocation, and plans built from a keep mask. */

export function countKept(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i];
  return n;
}

/**
 * Splits `total` over bins ∝ `sizes` by the largest-remainder method; equal remainders go to the
 * earlier bin. No bin gets more than its size.
 */
export function largestRemainder(total: number, sizes: readonly number[]): number[] {
  const sum = sizes.reduce((a, b) => a + b, 0);
  const n = Math.max(0, Math.min(total, sum));
  if (sum === 0) return sizes.map(() => 0);
  const quotas = sizes.map((s) => (n * s) / sum);
  const out = quotas.map((q) => Math.floor(q));
  let left = n - out.reduce((a, b) => a + b, 0);
  const byRemainder = quotas.map((q, i) => i).sort((a, b) => quotas[b] - Math.floor(quotas[b]) - (quotas[a] - Math.floor(quotas[a])) || a - b);
  for (const i of byRemainder) {
    if (left === 0) break;
    if (out[i] < sizes[i]) {
      out[i]++;
      left--;
    }
  }
  return out;
}

/** An audio plan that keeps `mask` (no anchors, no merges), ranked by `score` when given. */
export function audioPlanFromMask(mask: Uint8Array, score?: Float32Array): AudioPlan {
  const n = mask.length;
  return {
    keep: mask,
    fate: mask.map((k) => (k ? AUDIO_DOMINANT : AUDIO_DROPPED)),
    mergedInto: new Int32Array(n).fill(-1),
    dominantCount: countKept(mask),
    anchors: [],
    merges: [],
    mergeWeights: [],
    score: score ?? new Float32Array(n),
    crossModalScore: new Float32Array(n),
  };
}

/** The counts a baseline keeps under `baseline_budget: match`: OmniZip's realised ones. */
export function matchedCounts(ctx: MethodContext): { audio: number; video: number } {
  return { audio: countKept(ctx.reference.audio.keep), video: countKept(ctx.reference.videoKeep) };
}

/** Python's int(x) of a non-negative double. */
export function pyInt(x: number): number {
  return Math.trunc(x);
}

/** What a baseline plans for: OmniZip's realised counts, and whether `baseline_budget` asks to match them. */
export interface BaselineBudget {
  match: boolean;
  audio: number;
  video: number;
}

/** A baseline's decision: audio (with its ties) defaults to OmniZip's, groups to none. */
export type BaselineOutcome = Omit<MethodOutcome, 'audio' | 'audioTies' | 'groups'> & Partial<Pick<MethodOutcome, 'audio' | 'audioTies' | 'groups'>>;

export interface BaselineSpec extends Omit<MethodDescriptor, 'matchesOmniZipCounts'> {
  plan(ctx: MethodContext, budget: BaselineBudget): BaselineOutcome;
}

/**
 * A baseline compared at OmniZip's budget: it reads OmniZip's plan (`omnizip_plan`),
 * `baseline_budget` chooses OmniZip's realised counts or the method's own, and a method that
 * prunes only video keeps OmniZip's audio.
 */
export function matchedBaseline(spec: BaselineSpec): CompressionMethod {
  return {
    ...spec,
    inputs: [...spec.inputs, 'omnizip_plan'],
    knobs: ['baseline_budget', ...spec.knobs],
    matchesOmniZipCounts: true,
    plan(ctx) {
      const out = spec.plan(ctx, { match: ctx.config.baseline_budget === 'match', ...matchedCounts(ctx) });
      const ownAudio = out.audio !== undefined;
      return {
        ...out,
        audio: out.audio ?? ctx.reference.audio,
        audioTies: out.audioTies ?? (ownAudio ? new Uint8Array(ctx.bundle.numAudio) : ctx.reference.audioTies),
        groups: out.groups ?? [],
      };
    },
  };
}
