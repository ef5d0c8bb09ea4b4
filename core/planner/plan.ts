import type { ClipAnalysis } from '../analysis/types.js';
import { TOKEN_AUDIO, TOKEN_VIDEO, type FeatureBundle } from '../bundle/types.js';
import type { OmniZipConfig } from '../config/schema.js';
import { ConfigError } from '../config/validate.js';
import { selectAudio } from './audio.js';
import { resolveAudioScore } from './audio-energy.js';
import { coreTimeGroups, planGroupRatios, unitsTimeGroups, type GroupPlan, type TimeGroups } from './groups.js';
import { detectLayout, type ClipLayout, type Range } from './layout.js';
import { mulberry32 } from './numeric.js';
import { AUDIO_DOMINANT, AUDIO_DROPPED, type AudioPlan, type PlanGroup, type PlanResult } from './types.js';
import { keepWhole, pruneGroupVideo, warmFrameOrders, type VideoContext } from './video.js';

/** The planner: (bundle, analysis, config) -> which tokens survive. Pure and synchronous. */

/** Frames per temporal patch the units variant's caller counts (the raw sampled frames). */
function defaultUnitsFrames(bundle: FeatureBundle, layout: ClipLayout): number {
  const perPatch = bundle.metadata.frames_per_temporal_patch ?? 2;
  return Math.max(1, layout.temporalPatches * perPatch);
}

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

function checkAnalysisMatches(bundle: FeatureBundle, analysis: ClipAnalysis): void {
  if (analysis.numAudio !== bundle.numAudio || analysis.numVideo !== bundle.numVideo || analysis.hiddenSize !== bundle.hiddenSize) {
    throw new Error(
      `analysis does not belong to this bundle (analysis has ${analysis.numAudio} audio / ${analysis.numVideo} video tokens of width ${analysis.hiddenSize}, the bundle ${bundle.numAudio} / ${bundle.numVideo} of width ${bundle.hiddenSize})`,
    );
  }
}

function planVideo(ctx: VideoContext, groupPlan: GroupPlan, numVideo: number): { keep: Uint8Array; groups: PlanGroup[] } {
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
    const r = pruneGroupVideo(ctx, keep, s, e - s, g.tokensPerFrame, g.ratio);
    out.frame_keep_counts = r.frameKeepCounts;
    out.frame_modes = r.frameModes;
    out.video_kept = r.kept;
    return out;
  });
  return { keep, groups };
}

/** Random baseline: the same kept counts per modality as OmniZip, chosen uniformly at random. */
function randomize(audio: AudioPlan, videoKeep: Uint8Array, seed: number): { audio: AudioPlan; videoKeep: Uint8Array } {
  const rand = mulberry32(seed);
  const pick = (n: number, k: number): Uint8Array => {
    const idx = Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(rand() * (n - i));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    const mask = new Uint8Array(n);
    for (let i = 0; i < k; i++) mask[idx[i]] = 1;
    return mask;
  };
  const audioKept = audio.keep.reduce((a, b) => a + b, 0);
  const videoKept = videoKeep.reduce((a, b) => a + b, 0);
  const audioMask = pick(audio.keep.length, audioKept);
  const fate = audioMask.map((k) => (k ? AUDIO_DOMINANT : AUDIO_DROPPED));
  return {
    audio: { ...audio, keep: audioMask, fate, mergedInto: new Int32Array(audio.keep.length).fill(-1), dominantCount: audioKept, anchors: [], merges: [], mergeWeights: [] },
    videoKeep: pick(videoKeep.length, videoKept),
  };
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
  checkAnalysisMatches(bundle, analysis);
  const layout = detectLayout(bundle);
  const notes: string[] = [];
  const units = config.variant === 'official-units' && bundle.numVideo > 0;

  let time: TimeGroups;
  if (units) {
    const frames = config.num_input_frames ?? defaultUnitsFrames(bundle, layout);
    if (Math.floor(bundle.numVideo / frames) === 0) {
      throw new ConfigError(`num_input_frames (${frames}) exceeds the number of video tokens (${bundle.numVideo}): the units variant would have empty frames`);
    }
    time = unitsTimeGroups(bundle.numAudio, bundle.numVideo, frames);
  } else {
    time = coreTimeGroups(layout, config);
  }

  const ranking = resolveAudioScore(bundle, config.audio_score, analysis.audioOrder);
  if (ranking.note) notes.push(ranking.note);
  const segments: Range[] =
    config.audio_selection === 'per_group'
      ? time.ranges.map((g) => g.audio).filter((r): r is Range => r !== null)
      : bundle.numAudio > 0
        ? [[0, bundle.numAudio]]
        : [];
  let audio = selectAudio(analysis, ranking.scores, config, {
    anchorsNeedMerging: config.variant !== 'official-units',
    order: ranking.order,
    segments,
    crossModal: crossModalScores(analysis, time, config.cross_modal_scope),
  });
  if (bundle.numAudio === 0 && bundle.numVideo > 0) {
    notes.push('No audio tokens: audio guidance is unavailable, so every video group is pruned at the uniform rho_video.');
  }
  if (bundle.numVideo === 0 && bundle.numAudio > 0) {
    notes.push('No video tokens: only the audio stage runs; merge scores fall back to audio-anchor similarity.');
  }

  const guidance = config.method === 'uniform' || bundle.numAudio === 0 ? 'uniform' : 'audio';
  let retentionMask = audio.keep;
  if (!config.anchors_count_in_retention) {
    retentionMask = audio.fate.map((f) => (f === AUDIO_DOMINANT ? 1 : 0));
  }
  const groupPlan: GroupPlan = planGroupRatios(time, retentionMask, units ? bundle.numVideo : layout.temporalPatches * layout.tokensPerFrame, config, guidance);
  const dpc: VideoContext['dpc'] = config.dpc === 'paper' ? 'paper' : units ? 'units' : 'core';
  const ctx: VideoContext = { bundle, analysis, dpc, dpcK: config.dpc_k };
  const video = planVideo(ctx, groupPlan, bundle.numVideo);
  let videoKeep = video.keep;

  if (config.method === 'random') {
    const r = randomize(audio, videoKeep, config.seed);
    audio = r.audio;
    videoKeep = r.videoKeep;
    notes.push(`Random baseline (seed ${config.seed}): the same kept counts as OmniZip, tokens chosen uniformly at random.`);
  } else if (config.method === 'uniform') {
    notes.push('Uniform baseline: every video group pruned at rho_video, no audio guidance; audio as OmniZip.');
  }

  const sequenceKeep = new Uint8Array(layout.sequenceLength).fill(1);
  const types = bundle.tokenTypes;
  let a = 0;
  let v = 0;
  for (let p = 0; p < types.length; p++) {
    if (types[p] === TOKEN_AUDIO) sequenceKeep[p] = audio.keep[a++];
    else if (types[p] === TOKEN_VIDEO) sequenceKeep[p] = videoKeep[v++];
  }
  const sum = (m: Uint8Array) => m.reduce((x, y) => x + y, 0);
  return {
    config,
    audioScoreSource: ranking.source,
    audio,
    videoKeep,
    sequenceKeep,
    groups: video.groups,
    normalization: groupPlan.normalization,
    counts: {
      audio: { total: bundle.numAudio, kept: sum(audio.keep) },
      video: { total: bundle.numVideo, kept: sum(videoKeep) },
      sequence: { total: layout.sequenceLength, kept: sum(sequenceKeep) },
    },
    notes,
    planMs: performance.now() - started,
  };
}
