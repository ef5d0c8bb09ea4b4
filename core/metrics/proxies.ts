/**
 * Embedding-space PROXIES of what pruning loses. They measure how well the kept tokens still
 * "cover" the pruned ones in the encoders' embedding space; they are not model accuracy and are
 * labelled as proxies wherever they appear.
 */
import type { ClipAnalysis } from '../analysis/types.js';
import type { FeatureBundle } from '../bundle/types.js';
import type { PlanResult } from '../planner/types.js';

/** Unit-norm copies of the video embeddings, computed once per clip and reused by every trial. */
const normalizedVideo = new WeakMap<FeatureBundle, Float32Array>();

function unitRows(bundle: FeatureBundle): Float32Array {
  const hit = normalizedVideo.get(bundle);
  if (hit) return hit;
  const d = bundle.hiddenSize;
  const out = new Float32Array(bundle.numVideo * d);
  for (let i = 0; i < bundle.numVideo; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += bundle.videoEmbeds[i * d + k] ** 2;
    const inv = 1 / (Math.sqrt(s) + 1e-12);
    for (let k = 0; k < d; k++) out[i * d + k] = bundle.videoEmbeds[i * d + k] * inv;
  }
  normalizedVideo.set(bundle, out);
  return out;
}

/**
 * video_coverage: for each pruned video token, its best cosine to a video token kept in its own
 * time group; averaged over pruned tokens. 1 when nothing is pruned.
 */
export function videoCoverage(bundle: FeatureBundle, plan: PlanResult): number {
  const unit = unitRows(bundle);
  const d = bundle.hiddenSize;
  let sum = 0;
  let count = 0;
  for (const g of plan.groups) {
    if (!g.video_range) continue;
    const [s, e] = g.video_range;
    const kept: number[] = [];
    const pruned: number[] = [];
    for (let i = s; i < e; i++) (plan.videoKeep[i] ? kept : pruned).push(i);
    for (const p of pruned) {
      let best = -1;
      const po = p * d;
      for (const k of kept) {
        const ko = k * d;
        let dot = 0;
        for (let j = 0; j < d; j++) dot += unit[po + j] * unit[ko + j];
        if (dot > best) best = dot;
      }
      sum += kept.length > 0 ? best : 0;
      count++;
    }
  }
  return count === 0 ? 1 : sum / count;
}

/**
 * audio_coverage: for each audio token not kept, its best cosine (the analysis's â·âᵀ) to an audio
 * token kept in its own time group; a merged token is compared with its anchor too, since its
 * content survives in the anchor's merge. Averaged over the tokens not kept; 1 when none.
 */
export function audioCoverage(analysis: ClipAnalysis, plan: PlanResult): number {
  const n = analysis.numAudio;
  const sim = analysis.audioSelfSimilarity;
  const ranges = plan.groups.map((g) => g.audio_range).filter((r): r is [number, number] => r !== null);
  if (ranges.length === 0 && n > 0) ranges.push([0, n]);
  let sum = 0;
  let count = 0;
  for (const [s, e] of ranges) {
    const kept: number[] = [];
    for (let i = s; i < e; i++) if (plan.audio.keep[i]) kept.push(i);
    for (let i = s; i < e; i++) {
      if (plan.audio.keep[i]) continue;
      let best = kept.length > 0 ? -1 : 0;
      for (const k of kept) best = Math.max(best, sim[i * n + k]);
      const anchor = plan.audio.mergedInto[i];
      if (anchor >= 0) best = Math.max(best, sim[i * n + anchor]);
      sum += best;
      count++;
    }
  }
  return count === 0 ? 1 : sum / count;
}
