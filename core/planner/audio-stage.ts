import type { ClipAnalysis } from '../analysis/types.js';
import type { FeatureBundle } from '../bundle/types.js';
import type { OmniZipConfig } from '../config/schema.js';
import { selectAudio } from './audio.js';
import type { ResolvedAudioScore } from './audio-energy.js';
import type { TimeGroups } from './groups.js';
import type { Range } from './layout.js';
import { markAudioTies } from './ties.js';
import type { AudioPlan } from './types.js';

/**
 * OmniZip's audio stage as the planner runs it: the segments the top-k works in, the cross-modal
 * scores, the selection and its ties. It reads only the config keys in AUDIO_STAGE_KEYS, so a
 * replan that moves anything else (rho_video, the ratio bounds, dpc, a baseline) reuses the last
 * result for that setting: on a 5-minute clip the stage is 1-2 ms of a 3-4 ms replan, and two of
 * three slider moves in a tuning session leave it unchanged.
 */
export interface AudioStage {
  segments: Range[];
  audio: AudioPlan;
  audioTies: Uint8Array;
}

/**
 * Every config key the stage depends on, directly or through the time groups (variant,
 * group_seconds, num_input_frames decide them). A key missing here would let a stale selection
 * through; `audio-stage.test.ts` moves every other key and checks the stage is unchanged.
 */
export const AUDIO_STAGE_KEYS = [
  'variant',
  'group_seconds',
  'num_input_frames',
  'audio_score',
  'audio_selection',
  'cross_modal_scope',
  'rho_audio',
  'contextual_ratio',
  'g',
] as const satisfies readonly (keyof OmniZipConfig)[];

/** Results kept per analysis: enough for a drag back and forth, bounded whatever the session does. */
const KEPT_PER_ANALYSIS = 8;

interface Entry {
  stage: AudioStage;
  bundle: FeatureBundle;
  ranking: ResolvedAudioScore;
}

const memo = new WeakMap<ClipAnalysis, Map<string, Entry>>();

/**
 * The audio stage for this setting, reused when the same analysis, bundle and ranking (the same
 * score arrays: a speech reference computed later changes them) were planned with the same
 * AUDIO_STAGE_KEYS. The returned plan is shared between plans: callers read it, never write it.
 */
export function audioStage(bundle: FeatureBundle, analysis: ClipAnalysis, config: OmniZipConfig, time: TimeGroups, ranking: ResolvedAudioScore): AudioStage {
  const key = JSON.stringify(AUDIO_STAGE_KEYS.map((k) => config[k]));
  let entries = memo.get(analysis);
  if (!entries) memo.set(analysis, (entries = new Map()));
  const hit = entries.get(key);
  if (hit && hit.bundle === bundle && hit.ranking.order === ranking.order && hit.ranking.scores === ranking.scores) {
    // Most recently used last, so the oldest is the one dropped.
    entries.delete(key);
    entries.set(key, hit);
    return hit.stage;
  }
  const stage = computeAudioStage(bundle, analysis, config, time, ranking);
  entries.delete(key);
  entries.set(key, { stage, bundle, ranking });
  if (entries.size > KEPT_PER_ANALYSIS) entries.delete(entries.keys().next().value as string);
  return stage;
}

function computeAudioStage(bundle: FeatureBundle, analysis: ClipAnalysis, config: OmniZipConfig, time: TimeGroups, ranking: ResolvedAudioScore): AudioStage {
  const segments: Range[] =
    config.audio_selection === 'per_group'
      ? time.ranges.map((g) => g.audio).filter((r): r is Range => r !== null)
      : bundle.numAudio > 0
        ? [[0, bundle.numAudio]]
        : [];
  const audio = selectAudio(analysis, ranking.scores, config, {
    anchorsNeedMerging: config.variant !== 'official-units',
    order: ranking.order,
    segments,
    crossModal: crossModalScores(analysis, time, config.cross_modal_scope),
  });
  const audioTies = new Uint8Array(bundle.numAudio);
  if (ranking.scores) markAudioTies(audio.score, audio.fate, segments, audioTies);
  return { segments, audio, audioTies };
}

/**
 * Each audio token's cross-modal score: its best cosine to any video token of the clip (official),
 * or only to its own group's video (`cross_modal_scope: group`, from the per-frame maxima; a group
 * whose video does not cover whole frames counts every frame it touches).
 */
function crossModalScores(analysis: ClipAnalysis, time: TimeGroups, scope: OmniZipConfig['cross_modal_scope']): Float32Array | null {
  if (analysis.numVideo === 0 || analysis.audioVideoMax.length !== analysis.numAudio) return null;
  if (scope === 'clip') return analysis.audioVideoMax;
  const tpf = analysis.primaryTokensPerFrame;
  const frames = tpf > 0 ? Math.floor(analysis.numVideo / tpf) : 0;
  const out = Float32Array.from(analysis.audioVideoMax);
  for (const g of time.ranges) {
    if (!g.audio || !g.video || frames === 0) continue;
    const f0 = Math.min(frames - 1, Math.floor(g.video[0] / tpf));
    const f1 = Math.min(frames, Math.max(f0 + 1, Math.ceil(g.video[1] / tpf)));
    for (let i = g.audio[0]; i < g.audio[1]; i++) {
      let best = -Infinity;
      for (let f = f0; f < f1; f++) best = Math.max(best, analysis.audioFrameMax[i * frames + f]);
      out[i] = best;
    }
  }
  return out;
}
