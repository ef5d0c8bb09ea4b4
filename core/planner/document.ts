import type { FeatureBundle } from '../bundle/types.js';
import type { PlanDocument, PlanResult } from './types.js';

function indicesOf(mask: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i]) out.push(i);
  return out;
}

/** The JSON document of `omnizip-studio plan` (design.md): indices within each modality, half-open ranges. */
export function toPlanDocument(_bundle: FeatureBundle, plan: PlanResult): PlanDocument {
  return {
    format: 'omnizip-plan',
    version: 1,
    config: plan.config,
    counts: plan.counts,
    budget: plan.budget,
    ties_decided: plan.tiesDecided,
    audio: {
      kept: indicesOf(plan.audio.keep),
      dominant_count: plan.audio.dominantCount,
      anchors: plan.audio.anchors,
      merges: plan.audio.anchors.map((a, k) => [a, plan.audio.merges[k] ?? []] as [number, number[]]),
      score_source: plan.audioScoreSource,
      ties: indicesOf(plan.audioTies),
    },
    video: { kept: indicesOf(plan.videoKeep), ties: indicesOf(plan.videoTies), ...(plan.videoMerges.length > 0 ? { merges: plan.videoMerges } : {}) },
    groups: plan.groups.map((g) => ({ ...g })),
    sequence_kept: indicesOf(plan.sequenceKeep),
    normalization: plan.normalization,
    notes: plan.notes,
  };
}
