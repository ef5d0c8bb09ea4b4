/**
 * The per-frame statistics of the video tokens (cosine and squared-distance matrices within each
 * frame, cosine to the same token of the previous frame), in float64 over the float32 embeddings.
 * The analysis owns them: the reference analysis computes them through here, and the planner reads
 * them from the clip's analysis, asking here (framesOfGeometry, frameStatistics) only for a frame
 * size or an unaligned frame the analysis did not cover.
 */
import type { FeatureBundle } from '../bundle/types.js';
import { OwnerKeyedMemo } from '../util/owner-memo.js';
import type { ClipAnalysis, FrameAnalysis } from './types.js';

/** F.normalize's epsilon, used by the density-peak clustering. */
const NORMALIZE_EPS = 1e-12;
/** F.cosine_similarity's epsilon, used by the temporal branch. */
const COSINE_EPS = 1e-8;

export function rowNorms(data: Float32Array, rows: number, dim: number): Float64Array {
  const norms = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const base = r * dim;
    for (let k = 0; k < dim; k++) {
      const x = data[base + k];
      s += x * x;
    }
    norms[r] = Math.sqrt(s);
  }
  return norms;
}

export function dot(a: Float32Array, aBase: number, b: Float32Array, bBase: number, dim: number): number {
  let s = 0;
  for (let k = 0; k < dim; k++) s += a[aBase + k] * b[bBase + k];
  return s;
}

/** The frame statistics of `count` frames of `tpf` tokens starting at video token `start`. */
export function analyzeFrames(videoEmbeds: Float32Array, dim: number, start: number, tpf: number, count: number): FrameAnalysis {
  const cosine = new Float32Array(count * tpf * tpf);
  const squaredDistance = new Float32Array(count * tpf * tpf);
  const temporal = new Float32Array(count * tpf);
  const norms = rowNorms(videoEmbeds.subarray(start * dim, (start + count * tpf) * dim), count * tpf, dim);
  for (let f = 0; f < count; f++) {
    const frameBase = f * tpf * tpf;
    for (let i = 0; i < tpf; i++) {
      const ti = f * tpf + i;
      const ni = norms[ti];
      for (let j = i; j < tpf; j++) {
        const tj = f * tpf + j;
        const nj = norms[tj];
        const g = dot(videoEmbeds, (start + ti) * dim, videoEmbeds, (start + tj) * dim, dim);
        const c = g / (Math.max(ni, NORMALIZE_EPS) * Math.max(nj, NORMALIZE_EPS));
        const d = Math.max(0, ni * ni + nj * nj - 2 * g);
        cosine[frameBase + i * tpf + j] = c;
        cosine[frameBase + j * tpf + i] = c;
        squaredDistance[frameBase + i * tpf + j] = i === j ? 0 : d;
        squaredDistance[frameBase + j * tpf + i] = i === j ? 0 : d;
      }
      if (f === 0) {
        temporal[i] = Number.NaN;
      } else {
        const tp = (f - 1) * tpf + i;
        const g = dot(videoEmbeds, (start + ti) * dim, videoEmbeds, (start + tp) * dim, dim);
        temporal[f * tpf + i] = g / Math.max(ni * norms[tp], COSINE_EPS);
      }
    }
  }
  return { tokensPerFrame: tpf, frameCount: count, cosine, squaredDistance, temporal };
}

/** Frame geometries the analysis did not cover (a user-set num_input_frames), computed once per clip. */
const extraGeometries = new OwnerKeyedMemo<ClipAnalysis, number, FrameAnalysis>();

/** The clip's frames of `tpf` tokens: the analysis's own when it has them, else computed once and kept. */
export function framesOfGeometry(bundle: FeatureBundle, analysis: ClipAnalysis, tpf: number): FrameAnalysis {
  const analysed = analysis.frames.find((f) => f.tokensPerFrame === tpf);
  if (analysed) return analysed;
  return extraGeometries.get(analysis, tpf, () => analyzeFrames(bundle.videoEmbeds, bundle.hiddenSize, 0, tpf, Math.floor(bundle.numVideo / tpf)));
}

/** The statistics of `count` frames of `tpf` tokens starting at any video token (not memoised). */
export function frameStatistics(bundle: FeatureBundle, start: number, tpf: number, count: number): FrameAnalysis {
  return analyzeFrames(bundle.videoEmbeds, bundle.hiddenSize, start, tpf, count);
}
