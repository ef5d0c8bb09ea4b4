/**
 * The budget readout of the parameter panel: tokens kept per modality and overall, and the FLOPs
 * the compression saves by the paper's formula (Appendix C, algorithm doc section 5), which counts
 * only audio and video tokens:
 *
 *   FLOPs(n) = T (4 n d^2 + 2 n^2 d + 2 n d m) + T R ((4 d^2 + 2 d m) + 2 (d n + d (R + 1) / 2))
 *
 * with T layers, d hidden size, m FFN size and R = 100 decoded tokens.
 */
import type { PlanCounts } from '../planner/types.js';
import { paperFlops as modelFlops } from '../prefill/flops.js';

export interface LlmGeometry {
  name: string;
  layers: number;
  hidden: number;
  ffn: number;
}

/** Qwen2.5-Omni thinkers (the paper's models). */
export const QWEN25_OMNI_7B: LlmGeometry = { name: 'Qwen2.5-Omni-7B', layers: 28, hidden: 3584, ffn: 18944 };
export const QWEN25_OMNI_3B: LlmGeometry = { name: 'Qwen2.5-Omni-3B', layers: 36, hidden: 2048, ffn: 11008 };

export const DECODE_STEPS = 100;

/**
 * The LLM whose FLOPs the readout estimates: named by the bundle's model when it says 3B or 7B,
 * else chosen by hidden size; a clip of any other size is costed as the 7B model (the paper's
 * main one), and the readout names the model it used.
 */
export function geometryFor(model: string | null | undefined, hiddenSize: number): LlmGeometry {
  if (model && /3b/i.test(model)) return QWEN25_OMNI_3B;
  if (model && /7b/i.test(model)) return QWEN25_OMNI_7B;
  if (hiddenSize === QWEN25_OMNI_3B.hidden) return QWEN25_OMNI_3B;
  return QWEN25_OMNI_7B;
}

/**
 * `prunedAfterLayer`: FastV's K when the plan prunes inside the decoder; its first K layers then
 * run over all `fullTokens` (core/prefill/flops.ts holds the one formula).
 */
export function paperFlops(tokens: number, g: LlmGeometry, decodeSteps = DECODE_STEPS, prunedAfterLayer: number | null = null, fullTokens = tokens): number {
  const dims = { layers: g.layers, hiddenSize: g.hidden, intermediateSize: g.ffn };
  return modelFlops(dims, tokens, decodeSteps, prunedAfterLayer === null ? null : { layer: prunedAfterLayer, fullTokens });
}

export interface Budget {
  audioKept: number;
  audioTotal: number;
  videoKept: number;
  videoTotal: number;
  kept: number;
  total: number;
  retained: number;
  flopsSaved: number;
  flopsModel: string;
}

/** `prunedAfterLayer`: FastV's K for a FastV plan (its first K layers see every token), else null. */
export function budgetOf(counts: PlanCounts, geometry: LlmGeometry, prunedAfterLayer: number | null = null): Budget {
  const kept = counts.audio.kept + counts.video.kept;
  const total = counts.audio.total + counts.video.total;
  const full = paperFlops(total, geometry);
  return {
    audioKept: counts.audio.kept,
    audioTotal: counts.audio.total,
    videoKept: counts.video.kept,
    videoTotal: counts.video.total,
    kept,
    total,
    retained: total > 0 ? kept / total : 1,
    flopsSaved: full > 0 ? 1 - paperFlops(kept, geometry, DECODE_STEPS, prunedAfterLayer, total) / full : 0,
    flopsModel: geometry.name,
  };
}
