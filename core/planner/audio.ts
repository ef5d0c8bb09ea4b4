import type { ClipAnalysis } from '../analysis/types.js';
import type { OmniZipConfig } from '../config/schema.js';
import { audioNeighbourLists, extendBudget, nearestAnchor } from './audio-neighbours.js';
import type { Range } from './layout.js';
import { roundHalfEven, truncate } from './numeric.js';
import { AUDIO_ANCHOR, AUDIO_DOMINANT, AUDIO_MERGED, type AudioPlan } from './types.js';

/**
 * OmniZip's audio stage (omnizip_audio_attn): keep the top-scoring tokens, keep a uniform stride
 * of the rest as anchors, and plan which dropped tokens each anchor absorbs.
 */
export interface AudioSelectionOptions {
  /** official-core skips anchors when g = 0; official-units keeps them. */
  anchorsNeedMerging: boolean;
  /** Tokens by descending ranking score, ties by the lower index. */
  order: Int32Array;
  /**
   * Ranges the top-k and the anchors are chosen within: one range over the whole clip (official),
   * or one per time group (`audio_selection: per_group`).
   */
  segments: Range[];
  /** Per-token cross-modal score; null without video (then: best similarity to an anchor). */
  crossModal: Float32Array | null;
}

/** A plan of `numAudio` tokens where nothing is chosen yet. */
export function emptyAudioPlan(numAudio: number): AudioPlan {
  return {
    keep: new Uint8Array(numAudio),
    fate: new Uint8Array(numAudio),
    mergedInto: new Int32Array(numAudio).fill(-1),
    dominantCount: 0,
    anchors: [],
    merges: [],
    mergeWeights: [],
    score: new Float32Array(numAudio),
    crossModalScore: new Float32Array(numAudio),
  };
}

/** Keep counts the official code derives (Python round-half-to-even, then int()). */
export function audioKeepCounts(numAudio: number, config: Pick<OmniZipConfig, 'rho_audio' | 'contextual_ratio'>): { dominant: number; contextual: number } {
  const dominant = truncate(Math.max(0, Math.min(numAudio, roundHalfEven((1 - config.rho_audio) * numAudio))));
  const contextual = truncate(Math.max(0, roundHalfEven(config.contextual_ratio * numAudio)));
  return { dominant, contextual };
}

/** Merges each anchor takes at most for the insertion selection below; larger g sorts. */
const SELECT_BY_INSERTION_MAX_G = 32;

/**
 * Written with typed arrays and without per-token objects: the studio replans on every slider move,
 * and on a 5-minute clip (7,500 audio tokens) the array-of-arrays version of these steps was half of
 * a replan. Every step keeps the official order and tie rules; `reference-audio-selection.ts` in
 * test-support is the plain version a property test compares it with.
 */
export function selectAudio(analysis: ClipAnalysis, scores: Float32Array | null, config: OmniZipConfig, options: AudioSelectionOptions): AudioPlan {
  const na = analysis.numAudio;
  const plan = emptyAudioPlan(na);
  if (na === 0) return plan;
  if (scores) plan.score.set(scores);
  const { segments, order } = options;
  const segmentOf = new Int32Array(na).fill(-1);
  segments.forEach(([s, e], k) => segmentOf.fill(k, s, e));
  const counts = segments.map(([s, e]) => audioKeepCounts(e - s, config));

  // 1. Dominant tokens: the top n_dom of each segment, walking the ranking order once.
  if (scores) {
    const left = Int32Array.from(counts, (c) => c.dominant);
    let todo = left.reduce((a, b) => a + b, 0);
    for (let r = 0; r < order.length && todo > 0; r++) {
      const i = order[r];
      const k = segmentOf[i];
      if (k < 0 || left[k] === 0) continue;
      left[k]--;
      todo--;
      plan.keep[i] = 1;
      plan.fate[i] = AUDIO_DOMINANT;
    }
    for (const c of counts) plan.dominantCount += c.dominant;
  }

  // 2. Anchors: a uniform stride over the tokens the top-k left. 3. The merge pool: the rest.
  const segmentAnchors: number[][] = [];
  const pool = new Int32Array(na);
  const poolStart = new Int32Array(segments.length + 1);
  let poolSize = 0;
  segments.forEach(([s, e], k) => {
    poolStart[k] = poolSize;
    let remaining = 0;
    for (let i = s; i < e; i++) if (!plan.keep[i]) remaining++;
    let nCtx = counts[k].contextual;
    const anchors: number[] = [];
    if (remaining > 0 && nCtx > 0 && (config.g > 0 || !options.anchorsNeedMerging)) {
      nCtx = Math.min(nCtx, remaining);
      const step = Math.max(1, Math.floor(remaining / nCtx));
      for (let i = s, q = 0; i < e; i++) {
        if (plan.keep[i]) continue;
        if (q % step === 0 && q / step < nCtx) anchors.push(i);
        else pool[poolSize++] = i;
        q++;
      }
      for (const a of anchors) {
        plan.keep[a] = 1;
        plan.fate[a] = AUDIO_ANCHOR;
      }
    } else {
      for (let i = s; i < e; i++) if (!plan.keep[i]) pool[poolSize++] = i;
    }
    segmentAnchors.push(anchors);
  });
  poolStart[segments.length] = poolSize;
  plan.anchors = segmentAnchors.flat().sort((x, y) => x - y);
  plan.merges = plan.anchors.map(() => []);
  plan.mergeWeights = plan.anchors.map(() => []);
  const anchorSlot = new Int32Array(na).fill(-1);
  plan.anchors.forEach((a, k) => (anchorSlot[a] = k));
  computeCrossModalScores(plan, analysis, options.crossModal, segmentAnchors, segmentOf);
  if (config.g === 0) return plan;

  const sim = analysis.audioSelfSimilarity;
  const score = plan.crossModalScore;
  const neighbours = poolSize > 0 ? audioNeighbourLists(analysis) : null;
  const slotInSegment = new Int32Array(na).fill(-1);
  const nearest = new Int32Array(na);
  const budget = extendBudget();
  segmentAnchors.forEach((anchors, k) => {
    const from = poolStart[k];
    const to = poolStart[k + 1];
    if (from === to || anchors.length === 0) return;
    // 4. Each pool token goes to its most similar anchor (first anchor on ties).
    anchors.forEach((a, q) => (slotInSegment[a] = q));
    const perAnchor = new Int32Array(anchors.length + 1);
    for (let p = from; p < to; p++) {
      const q = nearestAnchor(sim, na, pool[p], anchors, slotInSegment, neighbours, budget);
      nearest[p - from] = q;
      perAnchor[q + 1]++;
    }
    for (const a of anchors) slotInSegment[a] = -1;
    // The pool grouped by anchor, each group in ascending token order (a stable counting sort).
    for (let q = 0; q < anchors.length; q++) perAnchor[q + 1] += perAnchor[q];
    const grouped = new Int32Array(to - from);
    const fill = perAnchor.slice(0, anchors.length);
    for (let p = from; p < to; p++) grouped[fill[nearest[p - from]]++] = pool[p];
    // 5-6. Each anchor takes its top-g candidates by cross-modal score (lower index on ties).
    anchors.forEach((anchor, q) => {
      const cand = grouped.subarray(perAnchor[q], perAnchor[q + 1]);
      if (cand.length === 0) return;
      const ranked = topByScore(cand, score, Math.min(config.g, cand.length));
      const slot = anchorSlot[anchor];
      plan.merges[slot] = ranked;
      // Softmax over the chosen tokens' scores (max-subtracted for stability; same value).
      const m = score[ranked[0]];
      const exps = ranked.map((j) => Math.exp(score[j] - m));
      const total = exps.reduce((a, b) => a + b, 0);
      plan.mergeWeights[slot] = exps.map((x) => x / total);
      for (const j of ranked) {
        plan.fate[j] = AUDIO_MERGED;
        plan.mergedInto[j] = anchor;
      }
    });
  });
  return plan;
}

/**
 * The `take` tokens of `cand` (ascending token order) with the highest `score`, highest first and
 * the lower token first on equal scores: what sorting by (score desc, token asc) and slicing gives.
 * Small `take` inserts into a short list; a NaN score (whose sort order is the sort's own) or a
 * large `take` sorts exactly as the plain version does.
 */
function topByScore(cand: Int32Array, score: Float32Array, take: number): number[] {
  let sortInstead = take > SELECT_BY_INSERTION_MAX_G;
  for (let c = 0; c < cand.length && !sortInstead; c++) sortInstead = Number.isNaN(score[cand[c]]);
  if (sortInstead) {
    return Array.from(cand, (j) => ({ j, s: score[j] }))
      .sort((x, y) => (x.s !== y.s ? y.s - x.s : x.j - y.j))
      .slice(0, take)
      .map((c) => c.j);
  }
  const top: number[] = [];
  for (let c = 0; c < cand.length; c++) {
    const j = cand[c];
    const s = score[j];
    // Candidates arrive in ascending token order, so an equal score never goes before one already in.
    let at = top.length;
    while (at > 0 && score[top[at - 1]] < s) at--;
    if (at >= take) continue;
    top.splice(at, 0, j);
    if (top.length > take) top.pop();
  }
  return top;
}

/**
 * The cross-modal score of every audio token: its best cosine to the video (clip- or group-scoped,
 * given by the caller); without video, its best cosine to an anchor of its segment (the official
 * fallback).
 */
export function computeCrossModalScores(plan: AudioPlan, analysis: ClipAnalysis, crossModal: Float32Array | null, segmentAnchors: number[][], segmentOf: Int32Array): void {
  const na = analysis.numAudio;
  if (crossModal) {
    plan.crossModalScore.set(crossModal);
    return;
  }
  const sim = analysis.audioSelfSimilarity;
  for (let j = 0; j < na; j++) {
    const anchors = segmentOf[j] >= 0 ? segmentAnchors[segmentOf[j]] : [];
    let best = -Infinity;
    for (const a of anchors) best = Math.max(best, sim[j * na + a]);
    plan.crossModalScore[j] = anchors.length > 0 ? best : 0;
  }
}
