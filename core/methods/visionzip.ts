import type { FeatureBundle } from '../bundle/types.js';
import type { ClipAnalysis } from '../analysis/types.js';
import { argsort, roundHalfEven } from '../planner/numeric.js';
import { markCutTies } from '../planner/ties.js';
import { largestRemainder, matchedBaseline, pyInt, type BaselineOutcome } from './shared.js';

/**
 * VisionZip (Yang et al., CVPR 2025): keep the "dominant" tokens that receive the most attention in
 * the vision encoder, and fold the rest into a few "contextual" tokens: strided targets, each
 * absorbing the remaining tokens whose keys are most similar to its own. Audio is OmniZip's (as in
 * the OmniZip paper's Table 4, "VisionZip / Ours").
 */

/** Cosine similarity of two tokens' keys. */
export type KeySimilarity = (i: number, j: number) => number;

export interface VisionZipPick {
  dominant: number[];
  targets: number[];
  /** [target, tokens merged into it] per target, in target order. */
  merges: [number, number[]][];
}

/**
 * One VisionZip selection over `indices` (token ids, in order) with `scores` indexed by token id:
 * the top `dominant` by score (ties: lower index), then `contextual` strided targets among the
 * rest, every other remaining token merged into the target with the most similar key (first on ties).
 */
export function visionZipSelect(indices: readonly number[], scores: ArrayLike<number>, dominant: number, contextual: number, keys: KeySimilarity | null, ties?: Uint8Array): VisionZipPick {
  const local = indices.map((i) => scores[i]);
  const order = argsort(local, true);
  const nDom = Math.max(0, Math.min(dominant, indices.length));
  if (ties) {
    const flags = new Uint8Array(indices.length);
    markCutTies(local, order, nDom, 0, flags);
    flags.forEach((f, k) => f && (ties[indices[k]] = 1));
  }
  const isDominant = new Uint8Array(indices.length);
  for (let r = 0; r < nDom; r++) isDominant[order[r]] = 1;
  const remaining = indices.filter((_, k) => !isDominant[k]);
  const nCtx = Math.max(0, Math.min(contextual, remaining.length));
  const targets: number[] = [];
  if (nCtx > 0) {
    const step = Math.max(1, Math.floor(remaining.length / nCtx));
    for (let k = 0; k < remaining.length && targets.length < nCtx; k += step) targets.push(remaining[k]);
  }
  const merged: number[][] = targets.map(() => []);
  const targetSet = new Set(targets);
  // Which tokens merge where changes no kept token (targets are fixed by stride), so callers may
  // skip the O(R·n_ctx·D) assignment when it would cost seconds (keys = null).
  if (targets.length > 0 && keys) {
    for (const i of remaining) {
      if (targetSet.has(i)) continue;
      let best = 0;
      let bestSim = -Infinity;
      targets.forEach((t, k) => {
        const s = keys(i, t);
        if (s > bestSim) {
          bestSim = s;
          best = k;
        }
      });
      merged[best].push(i);
    }
  }
  return {
    dominant: indices.filter((_, k) => isDominant[k]),
    targets,
    merges: targets.map((t, k) => [t, merged[k]] as [number, number[]]),
  };
}

/** Mean over each merge unit of `unit` patches: one score per LLM token (VisionZip's Qwen port). */
export function tokenScoresFromPatches(patchScores: ArrayLike<number>, unit: number): Float32Array {
  const out = new Float32Array(Math.floor(patchScores.length / unit));
  for (let t = 0; t < out.length; t++) {
    let s = 0;
    for (let u = 0; u < unit; u++) s += patchScores[t * unit + u];
    out[t] = s / unit;
  }
  return out;
}

/** Counts for one selection of `n` tokens: matched (n kept in all) or the official code's native rounding. */
export function matchedSplit(n: number, total: number, contextualRatio: number): { dominant: number; contextual: number } {
  const ctx = contextualRatio === 0 ? 0 : Math.min(n, Math.max(1, pyInt(contextualRatio * total)));
  return { dominant: n - ctx, contextual: ctx };
}

/** The Qwen2.5-VL port's clip-level counts: int(d·N) dominant, max(int(c·N), 1) contextual. */
export function nativeClipSplit(total: number, dominantRatio: number, contextualRatio: number): { dominant: number; contextual: number } {
  return { dominant: pyInt(dominantRatio * total), contextual: Math.max(pyInt(contextualRatio * total), 1) };
}

/** SEATS's per-window counts: the dominant product in float32 (a Python float times an int64 tensor). */
export function nativeWindowSplit(w: number, keepRatio: number, contextualRatio: number): { dominant: number; contextual: number } {
  const dominant = Math.min(Math.max(Math.trunc(Math.fround(Math.fround(keepRatio - contextualRatio) * w)), 1), w);
  const contextual = contextualRatio === 0 ? 0 : Math.min(Math.max(roundHalfEven(contextualRatio * w), 1), w - dominant);
  return { dominant, contextual };
}

/** The studio's stand-in score when the bundle has no `video_scores`: mean cosine to the frame's other tokens. */
export function embeddingProxyScores(analysis: ClipAnalysis): Float32Array {
  const out = new Float32Array(analysis.numVideo);
  const frames = analysis.frames.find((f) => f.tokensPerFrame === analysis.primaryTokensPerFrame);
  if (!frames) return out;
  const tpf = frames.tokensPerFrame;
  for (let f = 0; f < frames.frameCount; f++) {
    const base = f * tpf * tpf;
    for (let i = 0; i < tpf; i++) {
      let s = 0;
      for (let j = 0; j < tpf; j++) if (j !== i) s += frames.cosine[base + i * tpf + j];
      out[f * tpf + i] = tpf > 1 ? s / (tpf - 1) : 0;
    }
  }
  return out;
}

/** Cosine of two video tokens' embeddings (the keys' stand-in: bundles carry no ViT keys), rows normalised once. */
function embeddingKeys(bundle: FeatureBundle): KeySimilarity {
  const d = bundle.hiddenSize;
  const unit = new Float32Array(bundle.videoEmbeds.length);
  for (let i = 0; i < bundle.numVideo; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += bundle.videoEmbeds[i * d + k] ** 2;
    const inv = 1 / (Math.sqrt(s) + 1e-12);
    for (let k = 0; k < d; k++) unit[i * d + k] = bundle.videoEmbeds[i * d + k] * inv;
  }
  return (i, j) => {
    let dot = 0;
    const a = i * d;
    const b = j * d;
    for (let k = 0; k < d; k++) dot += unit[a + k] * unit[b + k];
    return dot;
  };
}

/** Above this many multiply-adds the merge assignment (display only) is skipped: seconds on a laptop. */
const MAX_MERGE_COST = 3e8;

/** 10-decimal rounding: (1 - 0.3) - 0.05 is 0.6499999999999999 in double, the port's literal is 0.65. */
function round10(x: number): number {
  return Math.round(x * 1e10) / 1e10;
}

export const visionzipMethod = matchedBaseline({
  id: 'visionzip',
  label: 'VisionZip',
  paper: 'VisionZip: Longer is Better but Not Necessary in Vision Language Models (Yang et al., CVPR 2025)',
  summary: 'visionzip: dominant tokens by vision-encoder attention plus merged contextual tokens; audio as OmniZip.',
  inputs: ['video_scores', 'embeddings'],
  knobs: ['visionzip_contextual_ratio', 'visionzip_scope', 'visionzip_dominant_ratio', 'visionzip_scores'],
  plan({ bundle, analysis, config, reference }, budget): BaselineOutcome {
    const notes: string[] = [];
    const useEncoder = config.visionzip_scores === 'encoder' && bundle.videoScores !== null && bundle.videoScores !== undefined;
    if (config.visionzip_scores === 'encoder' && !useEncoder) {
      notes.push('VisionZip: the bundle has no video_scores (vision-encoder attention), so tokens are ranked by the embedding proxy (mean cosine to the other tokens of the frame), a studio stand-in, not VisionZip\'s score.');
    } else if (!useEncoder) {
      notes.push('VisionZip: ranked by the embedding proxy (mean cosine to the other tokens of the frame), a studio stand-in, not VisionZip\'s score.');
    }
    const scores = useEncoder ? (bundle.videoScores as Float32Array) : embeddingProxyScores(analysis);
    const c = config.visionzip_contextual_ratio;
    const { match } = budget;
    const nv = bundle.numVideo;
    const keep = new Uint8Array(nv);
    const ties = new Uint8Array(nv);
    const merges: [number, number[]][] = [];
    const windows: number[][] = [];
    const tpf = reference.layout.tokensPerFrame;
    if (config.visionzip_scope === 'window' && tpf > 0) {
      for (let s = 0; s < nv; s += tpf) windows.push(Array.from({ length: Math.min(tpf, nv - s) }, (_, k) => s + k));
    } else {
      windows.push(Array.from({ length: nv }, (_, k) => k));
    }
    const keepRatio = 1 - config.rho_video;
    const perWindow = match ? largestRemainder(budget.video, windows.map((w) => w.length)) : [];
    const splits = windows.map((w, k) =>
      match
        ? matchedSplit(perWindow[k], w.length, c)
        : config.visionzip_scope === 'window'
          ? nativeWindowSplit(w.length, keepRatio, c)
          : nativeClipSplit(w.length, config.visionzip_dominant_ratio ?? round10(keepRatio - c), c),
    );
    const mergeCost = windows.reduce((a, w, k) => a + Math.max(0, w.length - splits[k].dominant) * splits[k].contextual, 0) * bundle.hiddenSize;
    const keys = mergeCost <= MAX_MERGE_COST ? embeddingKeys(bundle) : null;
    if (!keys) notes.push(`VisionZip: the merge assignments are not listed (${(mergeCost / 1e9).toFixed(1)} G multiply-adds); the kept tokens do not depend on them.`);
    windows.forEach((w, k) => {
      const split = splits[k];
      const pick = visionZipSelect(w, scores, split.dominant, split.contextual, keys, ties);
      for (const i of pick.dominant) keep[i] = 1;
      for (const t of pick.targets) keep[t] = 1;
      merges.push(...pick.merges);
    });
    notes.push(`VisionZip (${config.visionzip_scope} scope, ${match ? 'OmniZip\'s realised video count' : 'native counts'}): ${merges.length} contextual tokens; keys are the LLM-input embeddings (bundles carry no ViT keys); audio as OmniZip.`);
    return { videoKeep: keep, notes, videoTies: ties, videoScore: Float32Array.from(scores), videoMerges: merges };
  },
});
