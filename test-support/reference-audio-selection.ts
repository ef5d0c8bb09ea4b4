/**
 * The audio stage's selection (core/planner/audio.ts selectAudio) written plainly, with arrays of
 * arrays, per-candidate objects and a full sort, as it was before the typed-array rewrite (the
 * cross-modal scores and the empty plan, which the rewrite left unchanged, are the planner's own): the
 * property test in core/planner/audio-selection.test.ts checks that both choose the same tokens,
 * anchors, merges and weights on awkward inputs (ties, signed zeros, infinities, NaN).
 */
import type { ClipAnalysis } from '../core/analysis/types.js';
import type { OmniZipConfig } from '../core/config/schema.js';
import { audioKeepCounts, computeCrossModalScores, emptyAudioPlan, type AudioSelectionOptions } from '../core/planner/audio.js';
import { audioNeighbourLists, nearestAnchor } from '../core/planner/audio-neighbours.js';
import { AUDIO_ANCHOR, AUDIO_DOMINANT, AUDIO_MERGED, type AudioPlan } from '../core/planner/types.js';

export function referenceSelectAudio(analysis: ClipAnalysis, scores: Float32Array | null, config: OmniZipConfig, options: AudioSelectionOptions): AudioPlan {
  const na = analysis.numAudio;
  const plan = emptyAudioPlan(na);
  if (na === 0) return plan;
  if (scores) plan.score.set(scores);
  const segmentOf = new Int32Array(na).fill(-1);
  options.segments.forEach(([s, e], k) => segmentOf.fill(k, s, e));
  const ordered: number[][] = options.segments.map(() => []);
  if (scores) for (const i of options.order) if (segmentOf[i] >= 0) ordered[segmentOf[i]].push(i);

  const segmentAnchors: number[][] = [];
  const pools: number[][] = [];
  options.segments.forEach(([s, e], k) => {
    // 1. Dominant tokens: the top n_dom by score.
    const counts = audioKeepCounts(e - s, config);
    const nDom = scores === null ? 0 : counts.dominant;
    for (let r = 0; r < nDom; r++) {
      const i = ordered[k][r];
      plan.keep[i] = 1;
      plan.fate[i] = AUDIO_DOMINANT;
    }
    plan.dominantCount += nDom;

    // 2. Anchors: a uniform stride over the tokens the top-k left.
    const remaining: number[] = [];
    for (let i = s; i < e; i++) if (!plan.keep[i]) remaining.push(i);
    let nCtx = counts.contextual;
    const anchors: number[] = [];
    if (remaining.length > 0 && nCtx > 0 && (config.g > 0 || !options.anchorsNeedMerging)) {
      nCtx = Math.min(nCtx, remaining.length);
      const step = Math.max(1, Math.floor(remaining.length / nCtx));
      for (let q = 0; q < nCtx; q++) anchors.push(remaining[q * step]);
      for (const a of anchors) {
        plan.keep[a] = 1;
        plan.fate[a] = AUDIO_ANCHOR;
      }
    }
    segmentAnchors.push(anchors);
    // 3. Merge pool: what is left after the anchors.
    pools.push(remaining.filter((i) => !plan.keep[i]));
  });
  plan.anchors = segmentAnchors.flat().sort((x, y) => x - y);
  plan.merges = plan.anchors.map(() => []);
  plan.mergeWeights = plan.anchors.map(() => []);
  const anchorSlot = new Map<number, number>();
  plan.anchors.forEach((a, k) => anchorSlot.set(a, k));
  computeCrossModalScores(plan, analysis, options.crossModal, segmentAnchors, segmentOf);
  if (config.g === 0) return plan;

  const sim = analysis.audioSelfSimilarity;
  const score = plan.crossModalScore;
  const neighbours = pools.some((p) => p.length > 0) ? audioNeighbourLists(analysis) : null;
  const slotInSegment = new Int32Array(na).fill(-1);
  segmentAnchors.forEach((anchors, k) => {
    const pool = pools[k];
    if (pool.length === 0 || anchors.length === 0) return;
    // 4. Each pool token goes to its most similar anchor (first anchor on ties).
    anchors.forEach((a, q) => (slotInSegment[a] = q));
    const candidates: number[][] = anchors.map(() => []);
    for (const j of pool) candidates[nearestAnchor(sim, na, j, anchors, slotInSegment, neighbours)].push(j);
    for (const a of anchors) slotInSegment[a] = -1;
    // 5-6. Each anchor takes its top-g candidates by cross-modal score (lower index on ties).
    anchors.forEach((anchor, q) => {
      const cand = candidates[q];
      if (cand.length === 0) return;
      const ranked = cand
        .map((j) => ({ j, s: score[j] }))
        .sort((x, y) => (x.s !== y.s ? y.s - x.s : x.j - y.j))
        .slice(0, Math.min(config.g, cand.length));
      const slot = anchorSlot.get(anchor) as number;
      plan.merges[slot] = ranked.map((c) => c.j);
      // Softmax over the chosen tokens' scores (max-subtracted for stability; same value).
      const m = ranked[0].s;
      const exps = ranked.map((c) => Math.exp(c.s - m));
      const total = exps.reduce((a, b) => a + b, 0);
      plan.mergeWeights[slot] = exps.map((x) => x / total);
      for (const c of ranked) {
        plan.fate[c.j] = AUDIO_MERGED;
        plan.mergedInto[c.j] = anchor;
      }
    });
  });
  return plan;
}
