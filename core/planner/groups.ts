import type { OmniZipConfig } from '../config/schema.js';
import { normalizeBudget } from './budget.js';
import type { ClipLayout, Range } from './layout.js';
import { clamp, float32MaskMean } from './numeric.js';
import type { NormalizationTrace } from './types.js';

/**
 * Time groups and the video discard ratio of each, before any token is pruned.
 * official-core groups by the layout's runs (token-weighted budget); official-units slices fixed
 * 4-frame / 50-token groups (unweighted budget).
 */
export interface GroupDraft {
  audioRange: Range | null;
  videoRange: Range | null;
  guided: boolean;
  audioRetention: number | null;
  ratioInitial: number | null;
  /** Ratio the group's video is pruned at; null = kept whole. */
  ratio: number | null;
  pinned: 'min' | 'max' | null;
  /** Frame size ISTC uses for this group. */
  tokensPerFrame: number;
}

export interface GroupPlan {
  groups: GroupDraft[];
  normalization: NormalizationTrace;
}

/** r₀ = clip(ρmax + (ρmin − ρmax)·S), computed in float64 from the float32 retention as the official code does. */
export function initialRatio(retention: number, config: Pick<OmniZipConfig, 'ratio_min' | 'ratio_max'>): number {
  return clamp(config.ratio_max + (config.ratio_min - config.ratio_max) * retention, config.ratio_min, config.ratio_max);
}

function mergeRanges(ranges: (Range | null)[]): Range | null {
  const present = ranges.filter((r): r is Range => r !== null);
  if (present.length === 0) return null;
  return [present[0][0], present[present.length - 1][1]];
}

/** Merges consecutive entries into blocks of `size` (group_seconds); size 1 leaves them as they are. */
function blocks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function planCoreGroups(layout: ClipLayout, audioKeep: Uint8Array, config: OmniZipConfig, guidance: 'audio' | 'uniform'): GroupPlan {
  const { audioRuns, videoRuns, tokensPerFrame: tpf } = layout;
  const numGuided = Math.min(videoRuns.length, audioRuns.length);
  const chunkBlock = config.group_seconds === null ? 1 : Math.max(1, Math.round(config.group_seconds / layout.secondsPerChunk));

  type Pair = { audio: Range | null; video: Range | null };
  const guidedPairs: Pair[] = [];
  for (let i = 0; i < numGuided; i++) guidedPairs.push({ audio: audioRuns[i], video: videoRuns[i] });
  const tailPairs: Pair[] = [];
  for (let i = numGuided; i < Math.max(videoRuns.length, audioRuns.length); i++) {
    tailPairs.push({ audio: audioRuns[i] ?? null, video: videoRuns[i] ?? null });
  }
  const toGroup = (pairs: Pair[], guided: boolean): GroupDraft => ({
    audioRange: mergeRanges(pairs.map((p) => p.audio)),
    videoRange: mergeRanges(pairs.map((p) => p.video)),
    guided,
    audioRetention: null,
    ratioInitial: null,
    ratio: null,
    pinned: null,
    tokensPerFrame: tpf,
  });
  const guidedGroups = blocks(guidedPairs, chunkBlock).map((b) => toGroup(b, true));
  const tailGroups = blocks(tailPairs, chunkBlock).map((b) => toGroup(b, false));

  // Audio retention and the initial ratio of each guided group.
  const initial: number[] = [];
  const weights: number[] = [];
  for (const g of guidedGroups) {
    const [s, e] = g.audioRange as Range;
    g.audioRetention = float32MaskMean(audioKeep, s, e);
    g.ratioInitial = initialRatio(g.audioRetention, config);
    initial.push(g.ratioInitial);
    const [vs, ve] = g.videoRange as Range;
    weights.push(ve - vs);
  }

  let ratios = initial.slice();
  let normalization: NormalizationTrace = { ran: false, reason: 'needs more than 2 guided groups' };
  const guidedTokens = weights.reduce((a, b) => a + b, 0);
  if (guidance === 'uniform') {
    ratios = initial.map(() => config.rho_video);
    normalization = { ran: false, reason: 'uniform baseline: every group at rho_video' };
  } else if (guidedGroups.length > 2 && guidedTokens > 0) {
    const numVideoTokens = layout.temporalPatches * tpf;
    let unguidedTokens = 0;
    for (const g of tailGroups) if (g.videoRange) unguidedTokens += g.videoRange[1] - g.videoRange[0];
    const target = config.rho_video * numVideoTokens - config.rho_video * unguidedTokens;
    const result = normalizeBudget({ initial, weights, target, ratioMin: config.ratio_min, ratioMax: config.ratio_max });
    ratios = result.ratios;
    normalization = result.trace;
    result.pinned.forEach((p, i) => (guidedGroups[i].pinned = p));
  } else if (guidedTokens === 0 && guidedGroups.length > 0) {
    normalization = { ran: false, reason: 'guided groups hold no video tokens' };
  }

  guidedGroups.forEach((g, i) => (g.ratio = ratios[i]));
  for (const g of tailGroups) g.ratio = g.videoRange ? config.rho_video : null;
  const groups = [...guidedGroups, ...tailGroups];
  // A run shorter than one frame is kept whole.
  for (const g of groups) {
    if (g.videoRange && Math.floor((g.videoRange[1] - g.videoRange[0]) / Math.max(tpf, 1)) === 0) g.ratio = null;
  }
  return { groups, normalization };
}

/** Units variant, branch A (num_input_frames % 4 == 0) and branch B (otherwise). */
export function planUnitsGroups(numAudio: number, numVideo: number, audioKeep: Uint8Array, config: OmniZipConfig, numInputFrames: number, guidance: 'audio' | 'uniform'): GroupPlan {
  const tpf = Math.floor(numVideo / numInputFrames);
  const pairs: { audio: Range; video: Range; emptyAudioRetention: number }[] = [];
  let wholeRule: (video: Range) => boolean;
  if (numInputFrames % 4 === 0) {
    const groupCount = numInputFrames / 4;
    const videoSize = Math.max(1, Math.floor(numVideo / groupCount));
    const audioSize = Math.max(1, Math.floor(numAudio / groupCount));
    for (let i = 0; i < groupCount; i++) {
      const last = i === groupCount - 1;
      const vs = Math.min(i * videoSize, numVideo);
      const as = Math.min(i * audioSize, numAudio);
      pairs.push({
        video: [vs, last ? numVideo : Math.min(vs + videoSize, numVideo)],
        audio: [as, last ? numAudio : Math.min(as + audioSize, numAudio)],
        emptyAudioRetention: 0,
      });
    }
    wholeRule = ([s, e]) => (e - s) % 4 !== 0;
  } else {
    const videoGroup = 4 * tpf;
    const audioGroup = 50;
    let v = 0;
    let a = 0;
    while (videoGroup > 0 && v + videoGroup <= numVideo && a + audioGroup <= numAudio) {
      pairs.push({ video: [v, v + videoGroup], audio: [a, a + audioGroup], emptyAudioRetention: 1 });
      v += videoGroup;
      a += audioGroup;
    }
    if (v < numVideo || a < numAudio) pairs.push({ video: [v, numVideo], audio: [a, numAudio], emptyAudioRetention: 1 });
    wholeRule = ([s, e]) => e - s !== videoGroup;
  }

  const groups: GroupDraft[] = pairs.map((p) => {
    const retention = p.audio[1] > p.audio[0] ? float32MaskMean(audioKeep, p.audio[0], p.audio[1]) : p.emptyAudioRetention;
    return {
      audioRange: p.audio[1] > p.audio[0] ? p.audio : null,
      videoRange: p.video[1] > p.video[0] ? p.video : null,
      guided: guidance === 'audio',
      audioRetention: retention,
      ratioInitial: initialRatio(retention, config),
      ratio: null,
      pinned: null,
      tokensPerFrame: tpf,
    };
  });

  const initial = groups.map((g) => g.ratioInitial as number);
  let ratios = initial.slice();
  let normalization: NormalizationTrace = { ran: false, reason: 'needs more than 2 groups' };
  if (guidance === 'uniform') {
    ratios = initial.map(() => config.rho_video);
    normalization = { ran: false, reason: 'uniform baseline: every group at rho_video' };
  } else if (groups.length > 2) {
    const result = normalizeBudget({ initial, weights: initial.map(() => 1), target: config.rho_video * groups.length, ratioMin: config.ratio_min, ratioMax: config.ratio_max });
    ratios = result.ratios;
    normalization = result.trace;
    result.pinned.forEach((p, i) => (groups[i].pinned = p));
  }
  groups.forEach((g, i) => {
    g.ratio = g.videoRange && !wholeRule(g.videoRange) ? ratios[i] : null;
  });
  return { groups, normalization };
}
