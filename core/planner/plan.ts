import type { ClipAnalysis } from '../analysis/types.js';
import type { FeatureBundle } from '../bundle/types.js';
import type { OmniZipConfig } from '../config/schema.js';
import { methodById } from '../methods/registry.js';
import { audioNeighbourLists } from './audio-neighbours.js';
import { budgetNotes, budgetReport } from './budget-report.js';
import { clipLayout, type Range } from './layout.js';
import { defaultUnitsFrames, planOmniZip } from './omnizip.js';
import { countFlags } from './ties.js';
import type { PlanResult } from './types.js';
import { warmFrameOrders } from './video.js';

/**
 * The planner: (bundle, analysis, config) -> which tokens survive. Pure and synchronous.
 * OmniZip is planned first for every method: a baseline keeps its realised counts
 * (`baseline_budget: match`), and every plan reports its budget against the same targets.
 */

/** Frame sizes an analysis must cover so every variant plans from cache: core's patch, units' half patch. */
export function requiredFrameGeometries(bundle: FeatureBundle, config?: Pick<OmniZipConfig, 'num_input_frames'>): number[] {
  const layout = clipLayout(bundle);
  if (bundle.numVideo === 0 || layout.tokensPerFrame === 0) return [];
  const unitsFrames = config?.num_input_frames ?? defaultUnitsFrames(bundle, layout);
  const unitsTpf = Math.floor(bundle.numVideo / unitsFrames);
  const out = [layout.tokensPerFrame];
  if (unitsTpf > 0 && unitsTpf !== layout.tokensPerFrame) out.push(unitsTpf);
  return out;
}

/**
 * Precomputes the per-frame orderings both official variants use at the default dpc_k and the
 * audio neighbour lists of the merge stage, so the
 * first plan of a clip is as fast as the rest. Cheap next to the analysis; call it once per clip.
 */
export function warmPlanner(bundle: FeatureBundle, analysis: ClipAnalysis, dpcK = 5): void {
  const [primary, half] = requiredFrameGeometries(bundle);
  if (primary) warmFrameOrders({ bundle, analysis, dpc: 'core', dpcK }, primary);
  if (half) warmFrameOrders({ bundle, analysis, dpc: 'units', dpcK }, half);
  if (bundle.numAudio > 0) audioNeighbourLists(analysis);
}

/**
 * Writes `keep` at `positions` of the sequence mask, one copy per run of consecutive positions
 * (a 5-minute clip has ~150 runs per modality against 46,000 tokens); answers how many were kept.
 */
function scatterKeep(sequenceKeep: Uint8Array, positions: Int32Array, runs: readonly Range[], keep: Uint8Array): number {
  for (const [s, e] of runs) sequenceKeep.set(keep.subarray(s, e), positions[s]);
  return countFlags(keep);
}

export function planClip(bundle: FeatureBundle, analysis: ClipAnalysis, config: OmniZipConfig): PlanResult {
  const started = performance.now();
  const method = methodById(config.method);
  const reference = planOmniZip(bundle, analysis, config);
  const outcome = method.plan({ bundle, analysis, config, reference });
  const layout = reference.layout;

  // Text tokens are always kept; each media token takes its modality's decision.
  const sequenceKeep = new Uint8Array(layout.sequenceLength).fill(1);
  const audioKept = scatterKeep(sequenceKeep, layout.audioPositions, layout.audioRuns, outcome.audio.keep);
  const videoKept = scatterKeep(sequenceKeep, layout.videoPositions, layout.videoRuns, outcome.videoKeep);
  const textTokens = layout.sequenceLength - layout.audioPositions.length - layout.videoPositions.length;
  const counts = {
    audio: { total: bundle.numAudio, kept: audioKept },
    video: { total: bundle.numVideo, kept: videoKept },
    sequence: { total: layout.sequenceLength, kept: textTokens + audioKept + videoKept },
  };
  const budget = budgetReport(config, counts);
  const basis = method.id === 'omnizip' ? 'omnizip' : config.baseline_budget === 'match' ? 'matched' : 'native';
  const tiesDecided = countFlags(outcome.audioTies) + countFlags(outcome.videoTies);
  const notes = [...reference.notes, ...outcome.notes, ...budgetNotes(config, budget, reference.groups, counts, basis)];
  if (tiesDecided > 0) notes.push(`${tiesDecided} token${tiesDecided === 1 ? '' : 's'} sat in exact ties at a keep/drop cut; the lower index was kept (ties_decided).`);
  return {
    config,
    method: method.id,
    audioScoreSource: reference.audioScoreSource,
    audio: outcome.audio,
    videoKeep: outcome.videoKeep,
    sequenceKeep,
    groups: outcome.groups,
    normalization: reference.normalization,
    counts,
    budget,
    tiesDecided,
    audioTies: outcome.audioTies,
    videoTies: outcome.videoTies,
    videoScore: outcome.videoScore ?? new Float32Array(bundle.numVideo).fill(NaN),
    videoMerges: outcome.videoMerges ?? [],
    notes,
    planMs: performance.now() - started,
  };
}
