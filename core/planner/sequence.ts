import type { FeatureBundle } from '../bundle/types.js';
import { TOKEN_AUDIO, TOKEN_VIDEO } from '../bundle/types.js';
import type { PlanResult } from './types.js';

/**
 * Anchor merge (omnizip-algorithm.md §2.2): new_α = (a_α + Σ w_j a_j) / (1 + Σ w_j), with the
 * softmax weights of the merged tokens' cross-modal scores; merges read the original features.
 * Returns the merged rows [anchors, D] in the order of plan.audio.anchors.
 */
export function mergedAnchorRows(bundle: FeatureBundle, plan: PlanResult): Float32Array {
  const dim = bundle.hiddenSize;
  const { anchors, merges, mergeWeights } = plan.audio;
  const out = new Float32Array(anchors.length * dim);
  const acc = new Float64Array(dim);
  anchors.forEach((anchor, k) => {
    const weights = mergeWeights[k] ?? [];
    for (let d = 0; d < dim; d++) acc[d] = bundle.audioEmbeds[anchor * dim + d];
    let wsum = 0;
    (merges[k] ?? []).forEach((j, q) => {
      const w = weights[q];
      wsum += w;
      for (let d = 0; d < dim; d++) acc[d] += w * bundle.audioEmbeds[j * dim + d];
    });
    for (let d = 0; d < dim; d++) out[k * dim + d] = acc[d] / (1 + wsum);
  });
  return out;
}

export interface CompressedSequence {
  /** Kept audio/video embeddings in sequence order (merged anchors in place), [count, D]. */
  embeds: Float32Array;
  /** Original sequence position of each kept audio/video token (pruned tokens leave gaps). */
  positions: Int32Array;
  /** Token type of each kept row (1 audio, 2 video). */
  types: Uint8Array;
  /** Every kept position of the whole sequence, text included, ascending. */
  keptSequencePositions: Int32Array;
  hiddenSize: number;
}

/**
 * The sequence the LLM sees after OmniZip: kept multimodal rows in order with their original
 * positions, so a model can keep its M-RoPE positions as the official thinker does.
 */
export function compressSequence(bundle: FeatureBundle, plan: PlanResult): CompressedSequence {
  const dim = bundle.hiddenSize;
  const merged = mergedAnchorRows(bundle, plan);
  const anchorRow = new Map<number, number>();
  plan.audio.anchors.forEach((a, k) => anchorRow.set(a, k));
  const count = plan.counts.audio.kept + plan.counts.video.kept;
  const embeds = new Float32Array(count * dim);
  const positions = new Int32Array(count);
  const types = new Uint8Array(count);
  const kept: number[] = [];
  let row = 0;
  let a = 0;
  let v = 0;
  const tt = bundle.tokenTypes;
  for (let p = 0; p < tt.length; p++) {
    if (tt[p] === TOKEN_AUDIO) {
      const i = a++;
      if (!plan.audio.keep[i]) continue;
      const k = anchorRow.get(i);
      embeds.set(k === undefined ? bundle.audioEmbeds.subarray(i * dim, (i + 1) * dim) : merged.subarray(k * dim, (k + 1) * dim), row * dim);
      positions[row] = p;
      types[row++] = TOKEN_AUDIO;
      kept.push(p);
    } else if (tt[p] === TOKEN_VIDEO) {
      const i = v++;
      if (!plan.videoKeep[i]) continue;
      embeds.set(bundle.videoEmbeds.subarray(i * dim, (i + 1) * dim), row * dim);
      positions[row] = p;
      types[row++] = TOKEN_VIDEO;
      kept.push(p);
    } else {
      kept.push(p);
    }
  }
  return { embeds, positions, types, keptSequencePositions: Int32Array.from(kept), hiddenSize: dim };
}
