import type { ClipAnalysis } from '../analysis/types.js';
import type { FeatureBundle } from '../bundle/types.js';
import type { AudioScoreSource, OmniZipConfig } from '../config/schema.js';
import { ConfigError } from '../config/config-error.js';
import { selectAudio } from './audio.js';
import { resolveAudioScore } from './audio-energy.js';
import { coreTimeGroups, planGroupRatios, unitsTimeGroups, type GroupPlan, type TimeGroups } from './groups.js';
import { clipLayout, type ClipLayout, type Range } from './layout.js';
import { markAudioTies } from './ties.js';
import { AUDIO_DOMINANT, type AudioPlan, type NormalizationTrace, type PlanGroup } from './types.js';
import { keepWhole, pruneGroupVideo, type FrameTrace, type VideoContext } from './video.js';

/**
 * OmniZip itself (both official variants): audio top-k with anchors and merges, audio-guided
 * group ratios, ISTC per group. Every baseline is planned against this plan's realised counts.
 */

export interface OmniZipPlan {
  audioScoreSource: AudioScoreSource;
  audio: AudioPlan;
  videoKeep: Uint8Array;
  groups: PlanGroup[];
  normalization: NormalizationTrace;
  notes: string[];
  /** 1 where a token's keep/drop was decided by the lower-index tie rule. */
  audioTies: Uint8Array;
  videoTies: Uint8Array;
  /** Each video token's ISTC ranking value (density-peak score or similarity to the previous frame); NaN where unranked. */
  videoScore: Float32Array;
  /** The time groups the variant used (uniform reuses them). */
  time: TimeGroups;
  layout: ClipLayout;
}

/** Frames per temporal patch the units variant's caller counts (the raw sampled frames). */
export function defaultUnitsFrames(bundle: FeatureBundle, layout: ClipLayout): number {
  const perPatch = bundle.metadata.frames_per_temporal_patch ?? 2;
  return Math.max(1, layout.temporalPatches * perPatch);
}

export function checkAnalysisMatches(bundle: FeatureBundle, analysis: ClipAnalysis): void {
  if (analysis.numAudio !== bundle.numAudio || analysis.numVideo !== bundle.numVideo || analysis.hiddenSize !== bundle.hiddenSize) {
    throw new Error(
      `analysis does not belong to this bundle (analysis has ${analysis.numAudio} audio / ${analysis.numVideo} video tokens of width ${analysis.hiddenSize}, the bundle ${bundle.numAudio} / ${bundle.numVideo} of width ${bundle.hiddenSize})`,
    );
  }
}

export function planVideoGroups(ctx: VideoContext, groupPlan: GroupPlan, numVideo: number, trace?: FrameTrace): { keep: Uint8Array; groups: PlanGroup[] } {
  const keep = new Uint8Array(numVideo);
  const groups: PlanGroup[] = groupPlan.groups.map((g) => {
    const out: PlanGroup = {
      audio_range: g.audioRange,
      video_range: g.videoRange,
      guided: g.guided,
      audio_retention: g.audioRetention,
      ratio_initial: g.ratioInitial,
      ratio_final: g.ratio,
      frame_keep_counts: [],
      frame_modes: [],
      pinned: g.pinned,
      video_kept: 0,
      kept_whole: false,
    };
    if (!g.videoRange) return out;
    const [s, e] = g.videoRange;
    if (g.ratio === null) {
      keepWhole(keep, s, e - s);
      out.kept_whole = true;
      out.video_kept = e - s;
      return out;
    }
    const r = pruneGroupVideo(ctx, keep, s, e - s, g.tokensPerFrame, g.ratio, trace);
    out.frame_keep_counts = r.frameKeepCounts;
    out.frame_modes = r.frameModes;
    out.video_kept = r.kept;
    return out;
  });
  return { keep, groups };
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

/** The time groups of the configured variant (official-core: layout runs; official-units: fixed slices). */
export function timeGroupsFor(bundle: FeatureBundle, layout: ClipLayout, config: OmniZipConfig): { time: TimeGroups; units: boolean } {
  const units = config.variant === 'official-units' && bundle.numVideo > 0;
  if (!units) return { time: coreTimeGroups(layout, config), units };
  const frames = config.num_input_frames ?? defaultUnitsFrames(bundle, layout);
  if (Math.floor(bundle.numVideo / frames) === 0) {
    throw new ConfigError(`num_input_frames (${frames}) exceeds the number of video tokens (${bundle.numVideo}): the units variant would have empty frames`);
  }
  return { time: unitsTimeGroups(bundle.numAudio, bundle.numVideo, frames), units };
}

/** The ISTC context (density-peak flavour) the variant uses. */
export function videoContextFor(bundle: FeatureBundle, analysis: ClipAnalysis, config: OmniZipConfig, units: boolean): VideoContext {
  const dpc: VideoContext['dpc'] = config.dpc === 'paper' ? 'paper' : units ? 'units' : 'core';
  return { bundle, analysis, dpc, dpcK: config.dpc_k };
}

export function planOmniZip(bundle: FeatureBundle, analysis: ClipAnalysis, config: OmniZipConfig): OmniZipPlan {
  checkAnalysisMatches(bundle, analysis);
  const layout = clipLayout(bundle);
  const notes: string[] = [];
  const { time, units } = timeGroupsFor(bundle, layout, config);

  const ranking = resolveAudioScore(bundle, config.audio_score, analysis.audioOrder);
  if (ranking.note) notes.push(ranking.note);
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
  if (bundle.numAudio === 0 && bundle.numVideo > 0) {
    notes.push('No audio tokens: audio guidance is unavailable, so every video group is pruned at the uniform rho_video.');
  }
  if (bundle.numVideo === 0 && bundle.numAudio > 0) {
    notes.push('No video tokens: only the audio stage runs; merge scores fall back to audio-anchor similarity.');
  }

  const guidance = bundle.numAudio === 0 ? 'uniform' : 'audio';
  let retentionMask = audio.keep;
  if (!config.anchors_count_in_retention) {
    retentionMask = audio.fate.map((f) => (f === AUDIO_DOMINANT ? 1 : 0));
  }
  const groupPlan: GroupPlan = planGroupRatios(time, retentionMask, units ? bundle.numVideo : layout.temporalPatches * layout.tokensPerFrame, config, guidance);
  const trace: FrameTrace = { ties: new Uint8Array(bundle.numVideo), score: new Float32Array(bundle.numVideo).fill(NaN) };
  const video = planVideoGroups(videoContextFor(bundle, analysis, config, units), groupPlan, bundle.numVideo, trace);
  return {
    audioScoreSource: ranking.source,
    audio,
    videoKeep: video.keep,
    groups: video.groups,
    normalization: groupPlan.normalization,
    notes,
    audioTies,
    videoTies: trace.ties,
    videoScore: trace.score,
    time,
    layout,
  };
}
