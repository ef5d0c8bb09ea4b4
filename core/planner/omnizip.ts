import type { ClipAnalysis } from '../analysis/types.js';
import type { FeatureBundle } from '../bundle/types.js';
import type { AudioScoreSource, OmniZipConfig } from '../config/schema.js';
import { ConfigError } from '../config/config-error.js';
import { resolveAudioScore } from './audio-energy.js';
import { audioStage } from './audio-stage.js';
import { coreTimeGroups, planGroupRatios, unitsTimeGroups, type GroupPlan, type TimeGroups } from './groups.js';
import { clipLayout, type ClipLayout } from './layout.js';
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
  const { audio, audioTies } = audioStage(bundle, analysis, config, time, ranking);
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
