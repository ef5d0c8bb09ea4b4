import type { ClipAnalysis } from '../analysis/types.js';
import type { OmniZipConfig } from '../config/schema.js';
import { argsort, roundHalfEven, truncate } from './numeric.js';
import { AUDIO_ANCHOR, AUDIO_DOMINANT, AUDIO_MERGED, type AudioPlan } from './types.js';

/**
 * OmniZip's audio stage (omnizip_audio_attn): keep the top-scoring tokens, keep a uniform stride
 * of the rest as anchors, and plan which dropped tokens each anchor absorbs.
 */
export interface AudioSelectionOptions {
  /** official-core skips anchors when g = 0; official-units keeps them. */
  anchorsNeedMerging: boolean;
}

function emptyAudioPlan(numAudio: number): AudioPlan {
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

export function selectAudio(analysis: ClipAnalysis, scores: Float32Array | null, config: OmniZipConfig, options: AudioSelectionOptions): AudioPlan {
  const na = analysis.numAudio;
  const plan = emptyAudioPlan(na);
  if (na === 0) return plan;
  if (scores) plan.score.set(scores);
  const order = scores === null ? new Int32Array(0) : analysis.audioOrder.length === na ? analysis.audioOrder : argsort(scores, true);

  // 1. Dominant tokens: the top n_dom by score.
  const counts = audioKeepCounts(na, config);
  const nDom = scores === null ? 0 : counts.dominant;
  for (let r = 0; r < nDom; r++) {
    const i = order[r];
    plan.keep[i] = 1;
    plan.fate[i] = AUDIO_DOMINANT;
  }
  plan.dominantCount = nDom;

  // 2. Anchors: a uniform stride over the remaining tokens, across the whole clip.
  const remaining: number[] = [];
  for (let i = 0; i < na; i++) if (!plan.keep[i]) remaining.push(i);
  let nCtx = counts.contextual;
  const gate = remaining.length > 0 && nCtx > 0 && (config.g > 0 || !options.anchorsNeedMerging);
  if (!gate) return finishScores(plan, analysis);
  nCtx = Math.min(nCtx, remaining.length);
  const step = Math.max(1, Math.floor(remaining.length / nCtx));
  const anchors: number[] = [];
  for (let k = 0; k < nCtx; k++) anchors.push(remaining[k * step]);
  for (const a of anchors) {
    plan.keep[a] = 1;
    plan.fate[a] = AUDIO_ANCHOR;
  }
  plan.anchors = anchors;
  plan.merges = anchors.map(() => []);
  plan.mergeWeights = anchors.map(() => []);

  // 3. Merge pool: what is left after anchors. Nothing merges when g = 0.
  const pool = remaining.filter((i) => !plan.keep[i]);
  computeCrossModalScores(plan, analysis, anchors);
  if (pool.length === 0 || config.g === 0) return plan;

  // 4. Each pool token goes to its most similar anchor (first anchor on ties).
  const sim = analysis.audioSelfSimilarity;
  const candidates: number[][] = anchors.map(() => []);
  for (const j of pool) {
    let best = -Infinity;
    let bestK = 0;
    const row = j * na;
    for (let k = 0; k < anchors.length; k++) {
      const s = sim[row + anchors[k]];
      if (s > best) {
        best = s;
        bestK = k;
      }
    }
    candidates[bestK].push(j);
  }

  // 5-6. Each anchor takes its top-g candidates by cross-modal score (lower index on ties).
  const score = plan.crossModalScore;
  for (let k = 0; k < anchors.length; k++) {
    const cand = candidates[k];
    if (cand.length === 0) continue;
    const ranked = cand
      .map((j) => ({ j, s: score[j] }))
      .sort((x, y) => (x.s !== y.s ? y.s - x.s : x.j - y.j))
      .slice(0, Math.min(config.g, cand.length));
    const chosen = ranked.map((c) => c.j);
    plan.merges[k] = chosen;
    // Softmax over the chosen tokens' scores (max-subtracted for stability; same value).
    const m = ranked[0].s;
    const exps = ranked.map((c) => Math.exp(c.s - m));
    const total = exps.reduce((a, b) => a + b, 0);
    plan.mergeWeights[k] = exps.map((e) => e / total);
    for (const j of chosen) {
      plan.fate[j] = AUDIO_MERGED;
      plan.mergedInto[j] = anchors[k];
    }
  }
  return plan;
}

/**
 * The cross-modal score of every audio token: its best cosine to any video token; without video,
 * its best cosine to any anchor (the official fallback).
 */
function computeCrossModalScores(plan: AudioPlan, analysis: ClipAnalysis, anchors: number[]): void {
  const na = analysis.numAudio;
  if (analysis.numVideo > 0 && analysis.audioVideoMax.length === na) {
    plan.crossModalScore.set(analysis.audioVideoMax);
    return;
  }
  const sim = analysis.audioSelfSimilarity;
  for (let j = 0; j < na; j++) {
    let best = -Infinity;
    for (const a of anchors) best = Math.max(best, sim[j * na + a]);
    plan.crossModalScore[j] = anchors.length > 0 ? best : 0;
  }
}

function finishScores(plan: AudioPlan, analysis: ClipAnalysis): AudioPlan {
  computeCrossModalScores(plan, analysis, plan.anchors);
  return plan;
}
