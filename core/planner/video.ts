import { frameStatistics, framesOfGeometry } from '../analysis/frame-statistics.js';
import type { ClipAnalysis, FrameAnalysis } from '../analysis/types.js';
import type { FeatureBundle } from '../bundle/types.js';
import { argsort, truncate } from './numeric.js';
import { markCutTies } from './ties.js';
import { OwnerKeyedMemo } from '../util/owner-memo.js';
import type { FrameMode } from './types.js';

/**
 * ISTC, the per-group video compressor (omnizip_istm): even frames of a group are pruned
 * spatially by density-peak clustering, odd frames temporally by their change from the previous
 * frame. Rankings are derived from the cached analysis and memoised per frame, so a replan only
 * takes prefixes of sorted lists.
 */

export type DensityPeakKind = 'core' | 'units' | 'paper';

export interface VideoContext {
  bundle: FeatureBundle;
  analysis: ClipAnalysis;
  dpc: DensityPeakKind;
  dpcK: number;
}

interface FrameView {
  cosine: Float32Array;
  squaredDistance: Float32Array;
  temporal: Float32Array | null;
}

/** A frame's ranking: token order (kept first) and the values it sorted, for tie detection. */
interface Ranking {
  order: Int32Array;
  values: ArrayLike<number>;
}

/**
 * Rankings of analysed frames, per ranking kind, indexed by frame: a replan looks each of a
 * 5-minute clip's 300 frames up without building a key string or the frame's views.
 */
const orderMemo = new OwnerKeyedMemo<FrameAnalysis, string, (Ranking | undefined)[]>();

function memoSlots(frames: FrameAnalysis, kind: string): (Ranking | undefined)[] {
  return orderMemo.get(frames, kind, () => new Array<Ranking | undefined>(frames.frameCount));
}

function framesOfSize(ctx: VideoContext, tpf: number, start: number): FrameAnalysis | undefined {
  const analysed = ctx.analysis.frames.find((f) => f.tokensPerFrame === tpf);
  if (analysed || start % tpf !== 0) return analysed;
  return framesOfGeometry(ctx.bundle, ctx.analysis, tpf);
}

/** Frame `index` of an analysed geometry. */
function analysedFrameView(frames: FrameAnalysis, index: number, tpf: number): FrameView {
  const sq = tpf * tpf;
  return {
    cosine: frames.cosine.subarray(index * sq, (index + 1) * sq),
    squaredDistance: frames.squaredDistance.subarray(index * sq, (index + 1) * sq),
    temporal: index > 0 ? frames.temporal.subarray(index * tpf, (index + 1) * tpf) : null,
  };
}

/** A frame not aligned with any analysed geometry (odd group sizes in the units variant), computed on the fly. */
function unalignedFrameView(bundle: FeatureBundle, start: number, tpf: number): FrameView {
  if (start >= tpf) {
    const pair = frameStatistics(bundle, start - tpf, tpf, 2);
    return { cosine: pair.cosine.subarray(tpf * tpf), squaredDistance: pair.squaredDistance.subarray(tpf * tpf), temporal: pair.temporal.subarray(tpf) };
  }
  const single = frameStatistics(bundle, start, tpf, 1);
  return { cosine: single.cosine, squaredDistance: single.squaredDistance, temporal: null };
}

/** Density-peak score (core variant): δ·ρ over cosine distances, higher is kept first. */
export function densityPeakScoresCore(cosine: Float32Array, n: number, k: number): Float64Array {
  const kk = Math.min(k, n - 1);
  const rho = new Float64Array(n);
  const nearest = new Float64Array(Math.max(kk, 1));
  for (let i = 0; i < n; i++) {
    // Mean of the kk smallest distances to other tokens (insertion into a small sorted buffer).
    let filled = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const d = 1 - cosine[i * n + j];
      if (filled < kk) {
        let p = filled++;
        while (p > 0 && nearest[p - 1] > d) {
          nearest[p] = nearest[p - 1];
          p--;
        }
        nearest[p] = d;
      } else if (kk > 0 && d < nearest[kk - 1]) {
        let p = kk - 1;
        while (p > 0 && nearest[p - 1] > d) {
          nearest[p] = nearest[p - 1];
          p--;
        }
        nearest[p] = d;
      }
    }
    let sum = 0;
    for (let q = 0; q < kk; q++) sum += nearest[q];
    rho[i] = kk > 0 ? Math.exp(-(sum / kk)) : 1;
  }
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let delta = Infinity;
    let farthest = 0; // max over j with the diagonal counted as 0
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const d = 1 - cosine[i * n + j];
      if (d > farthest) farthest = d;
      if (rho[j] > rho[i] && d < delta) delta = d;
    }
    if (delta === Infinity) delta = farthest;
    scores[i] = delta * rho[i];
  }
  return scores;
}

/**
 * The paper's density peaks (Eq. 7-8): ρ_i = exp(-(1/k) Σ_kNN d²_ij) over squared Euclidean
 * distances, δ_i the Euclidean distance to the nearest denser token (the farthest token for the
 * densest). Scores are returned as log ρ + log δ: the same order as ρ·δ without exp underflowing
 * for large raw embeddings.
 */
export function densityPeakScoresPaper(squaredDistance: Float32Array, n: number, k: number): Float64Array {
  const kk = Math.min(k, n - 1);
  const logRho = new Float64Array(n);
  const row: number[] = [];
  for (let i = 0; i < n; i++) {
    row.length = 0;
    for (let j = 0; j < n; j++) if (j !== i) row.push(squaredDistance[i * n + j]);
    row.sort((a, b) => a - b);
    let sum = 0;
    for (let q = 0; q < kk; q++) sum += row[q];
    logRho[i] = kk > 0 ? -(sum / kk) : 0;
  }
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let delta = Infinity;
    let farthest = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const d = Math.sqrt(squaredDistance[i * n + j]);
      if (d > farthest) farthest = d;
      if (logRho[j] > logRho[i] && d < delta) delta = d;
    }
    if (delta === Infinity) delta = farthest;
    scores[i] = logRho[i] + Math.log(delta);
  }
  return scores;
}

/** Units variant: mean of the k largest similarities to other tokens; the LOWEST are kept. */
export function knnSimilarityUnits(cosine: Float32Array, n: number, k: number): Float64Array {
  const out = new Float64Array(n);
  const row: number[] = [];
  for (let i = 0; i < n; i++) {
    row.length = 0;
    for (let j = 0; j < n; j++) row.push(j === i ? -Infinity : cosine[i * n + j]);
    row.sort((a, b) => b - a);
    // No clamp of k to n - 1, as in the official code: the diagonal's -inf can enter the mean.
    const take = Math.min(k, n);
    let sum = 0;
    for (let q = 0; q < take; q++) sum += row[q];
    out[i] = sum / take;
  }
  return out;
}

function ranked(values: Float64Array | Float32Array, descending: boolean): Ranking {
  return { order: argsort(values, descending), values };
}

function spatialOrder(ctx: VideoContext, view: FrameView, tpf: number): Ranking {
  return ctx.dpc === 'core'
    ? ranked(densityPeakScoresCore(view.cosine, tpf, ctx.dpcK), true)
    : ctx.dpc === 'paper'
      ? ranked(densityPeakScoresPaper(view.squaredDistance, tpf, ctx.dpcK), true)
      : ranked(knnSimilarityUnits(view.cosine, tpf, ctx.dpcK), false);
}

/** Lowest similarity to the same position in the previous frame = most changed = kept first. */
function temporalOrder(view: FrameView): Ranking {
  return ranked(view.temporal as Float32Array, false);
}

/**
 * The frame's ranking ISTC uses for the `t`-th frame of a group: density peaks in even frames,
 * change from the previous frame in odd ones (and in a group's first frame when it has no
 * previous frame, density peaks). Rankings of analysed frames are memoised.
 */
export function frameRanking(ctx: VideoContext, frameStart: number, tpf: number, spatial: boolean): { ranking: Ranking; mode: FrameMode } {
  const frames = framesOfSize(ctx, tpf, frameStart);
  const index = frameStart / tpf;
  if (frames && Number.isInteger(index) && index < frames.frameCount) {
    const temporal = !spatial && index > 0;
    const slots = memoSlots(frames, temporal ? 'temporal' : `${ctx.dpc}:${ctx.dpcK}`);
    let ranking = slots[index];
    if (!ranking) {
      const view = analysedFrameView(frames, index, tpf);
      slots[index] = ranking = temporal ? temporalOrder(view) : spatialOrder(ctx, view, tpf);
    }
    return { ranking, mode: temporal ? 'temporal' : 'spatial' };
  }
  const view = unalignedFrameView(ctx.bundle, frameStart, tpf);
  if (spatial || !view.temporal) return { ranking: spatialOrder(ctx, view, tpf), mode: 'spatial' };
  return { ranking: temporalOrder(view), mode: 'temporal' };
}

/** Where the "why was this token kept" trace goes: tie flags and each token's ranking value. */
export interface FrameTrace {
  ties: Uint8Array;
  /** The value the token's frame ranked it by (density-peak score or similarity to the previous frame); NaN if unranked. */
  score: Float32Array;
}

/** Keeps the first `count` tokens of a frame's ranking; records ties at the cut and the ranking values. */
export function keepTopOfFrame(ranking: Ranking, keep: Uint8Array, frameStart: number, count: number, trace?: FrameTrace): void {
  const { order, values } = ranking;
  for (let r = 0; r < count; r++) keep[frameStart + order[r]] = 1;
  if (!trace) return;
  markCutTies(values, order, count, frameStart, trace.ties);
  // The same float32 rounding as assigning each value, in one native copy.
  trace.score.set(values, frameStart);
}

export interface GroupVideoResult {
  frameKeepCounts: number[];
  frameModes: FrameMode[];
  kept: number;
}

/**
 * Prunes the video tokens [start, start + length) at discard `ratio` into `keep`. Frames are
 * `tpf` tokens; tokens past the last whole frame are dropped, as in the official code.
 */
export function pruneGroupVideo(ctx: VideoContext, keep: Uint8Array, start: number, length: number, tpf: number, ratio: number, trace?: FrameTrace): GroupVideoResult {
  const frameCount = Math.floor(length / tpf);
  const kKeep = truncate(tpf * (1 - ratio));
  const result: GroupVideoResult = { frameKeepCounts: [], frameModes: [], kept: 0 };
  for (let t = 0; t < frameCount; t++) {
    const frameStart = start + t * tpf;
    const spatial = t % 2 === 0;
    result.frameModes.push(spatial ? 'spatial' : 'temporal');
    let count: number;
    if (kKeep >= tpf) {
      for (let i = 0; i < tpf; i++) keep[frameStart + i] = 1;
      count = tpf;
    } else if (kKeep <= 0) {
      count = 0;
    } else {
      keepTopOfFrame(frameRanking(ctx, frameStart, tpf, spatial).ranking, keep, frameStart, kKeep, trace);
      count = kKeep;
    }
    result.frameKeepCounts.push(count);
    result.kept += count;
  }
  return result;
}

/** Keeps every token of a range (groups the official code leaves whole). */
export function keepWhole(keep: Uint8Array, start: number, length: number): void {
  keep.fill(1, start, start + length);
}

/**
 * Computes and memoises every frame's spatial and temporal ordering for one frame geometry, so the
 * first replan after opening a clip costs what every later one does (the studio calls this right
 * after the analysis arrives, off the slider path).
 */
export function warmFrameOrders(ctx: VideoContext, tpf: number): void {
  const frames = ctx.analysis.frames.find((f) => f.tokensPerFrame === tpf);
  if (!frames) return;
  for (let f = 0; f < frames.frameCount; f++) {
    frameRanking(ctx, f * tpf, tpf, true);
    if (f > 0) frameRanking(ctx, f * tpf, tpf, false);
  }
}
