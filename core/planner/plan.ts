import type { ClipAnalysis } from '../analysis/types.js';
import { TOKEN_AUDIO, TOKEN_VIDEO, type FeatureBundle } from '../bundle/types.js';
import type { OmniZipConfig } from '../config/schema.js';
import { methodById } from '../methods/registry.js';
import { budgetNotes, budgetReport } from './budget-report.js';
import { detectLayout } from './layout.js';
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
  const layout = detectLayout(bundle);
  if (bundle.numVideo === 0 || layout.tokensPerFrame === 0) return [];
  const unitsFrames = config?.num_input_frames ?? defaultUnitsFrames(bundle, layout);
  const unitsTpf = Math.floor(bundle.numVideo / unitsFrames);
  const out = [layout.tokensPerFrame];
  if (unitsTpf > 0 && unitsTpf !== layout.tokensPerFrame) out.push(unitsTpf);
  return out;
}

/**
 * Precomputes the per-frame orderings both official variants use at the default dpc_k, so the
 * first plan of a clip is as fast as the rest. Cheap next to the analysis; call it once per clip.
 */
export function warmPlanner(bundle: FeatureBundle, analysis: ClipAnalysis, dpcK = 5): void {
  const [primary, half] = requiredFrameGeometries(bundle);
  if (primary) warmFrameOrders({ bundle, analysis, dpc: 'core', dpcK }, primary);
  if (half) warmFrameOrders({ bundle, analysis, dpc: 'units', dpcK }, half);
}

export function planClip(bundle: FeatureBundle, analysis: ClipAnalysis, config: OmniZipConfig): PlanResult {
  const started = performance.now();
  const method = methodById(config.method);
  const reference = planOmniZip(bundle, analysis, config);
  const outcome = method.plan({ bundle, analysis, config, reference });
  const layout = reference.layout;

  const sequenceKeep = new Uint8Array(layout.sequenceLength).fill(1);
  const types = bundle.tokenTypes;
  let a = 0;
  let v = 0;
  for (let p = 0; p < types.length; p++) {
    if (types[p] === TOKEN_AUDIO) sequenceKeep[p] = outcome.audio.keep[a++];
    else if (types[p] === TOKEN_VIDEO) sequenceKeep[p] = outcome.videoKeep[v++];
  }
  const sum = (m: Uint8Array) => m.reduce((x, y) => x + y, 0);
  const counts = {
    audio: { total: bundle.numAudio, kept: sum(outcome.audio.keep) },
    video: { total: bundle.numVideo, kept: sum(outcome.videoKeep) },
    sequence: { total: layout.sequenceLength, kept: sum(sequenceKeep) },
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
