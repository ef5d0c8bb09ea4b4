import type { OmniZipConfig } from '../config/schema.js';
import { exactBudget, normalizeBudget, type BudgetInput, type BudgetResult } from './budget.js';
import type { ClipLayout, Range } from './layout.js';
import { clamp, float32MaskMean } from './numeric.js';
import type { NormalizationTrace } from './types.js';

/**
 * Time groups and the video discard ratio of each, before any token is pruned.
 * official-core groups by the layout's runs (token-weighted budget); official-units slices fixed
 * 4-frame / 50-token groups (unweighted budget). Ranges come first (they do not depend on which
 * audio survives), ratios second.
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

export interface GroupRange {
  audio: Range | null;
  video: Range | null;
  /** Whether audio guides this group's ratio (core: the first min(#video runs, #audio runs)). */
  guided: boolean;
  /** Retention assumed when the group has no audio (units branch B: 1.0; otherwise 0). */
  emptyAudioRetention: number;
  /** Units variant: the official code keeps this group's video whole. */
  keptWhole: boolean;
}

export interface TimeGroups {
  variant: 'core' | 'units';
  tokensPerFrame: number;
  ranges: GroupRange[];
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

/** Core variant: the i-th video run pairs with the i-th audio run; group_seconds merges runs. */
export function coreTimeGroups(layout: ClipLayout, config: Pick<OmniZipConfig, 'group_seconds'>): TimeGroups {
  const { audioRuns, videoRuns } = layout;
  const numGuided = Math.min(videoRuns.length, audioRuns.length);
  const chunkBlock = config.group_seconds === null ? 1 : Math.max(1, Math.round(config.group_seconds / layout.secondsPerChunk));
  type Pair = { audio: Range | null; video: Range | null };
  const guided: Pair[] = [];
  for (let i = 0; i < numGuided; i++) guided.push({ audio: audioRuns[i], video: videoRuns[i] });
  const tail: Pair[] = [];
  for (let i = numGuided; i < Math.max(videoRuns.length, audioRuns.length); i++) tail.push({ audio: audioRuns[i] ?? null, video: videoRuns[i] ?? null });
  const toRange = (pairs: Pair[], isGuided: boolean): GroupRange => ({
    audio: mergeRanges(pairs.map((p) => p.audio)),
    video: mergeRanges(pairs.map((p) => p.video)),
    guided: isGuided,
    emptyAudioRetention: 0,
    keptWhole: false,
  });
  return {
    variant: 'core',
    tokensPerFrame: layout.tokensPerFrame,
    ranges: [...blocks(guided, chunkBlock).map((b) => toRange(b, true)), ...blocks(tail, chunkBlock).map((b) => toRange(b, false))],
  };
}

/** Units variant, branch A (num_input_frames % 4 == 0) and branch B (otherwise). */
export function unitsTimeGroups(numAudio: number, numVideo: number, numInputFrames: number): TimeGroups {
  const tpf = Math.floor(numVideo / numInputFrames);
  const ranges: GroupRange[] = [];
  const add = (video: Range, audio: Range, emptyAudioRetention: number, keptWhole: boolean) =>
    ranges.push({ video: video[1] > video[0] ? video : null, audio: audio[1] > audio[0] ? audio : null, guided: true, emptyAudioRetention, keptWhole });
  if (numInputFrames % 4 === 0) {
    const groupCount = numInputFrames / 4;
    const videoSize = Math.max(1, Math.floor(numVideo / groupCount));
    const audioSize = Math.max(1, Math.floor(numAudio / groupCount));
    for (let i = 0; i < groupCount; i++) {
      const last = i === groupCount - 1;
      const vs = Math.min(i * videoSize, numVideo);
      const as = Math.min(i * audioSize, numAudio);
      const video: Range = [vs, last ? numVideo : Math.min(vs + videoSize, numVideo)];
      add(video, [as, last ? numAudio : Math.min(as + audioSize, numAudio)], 0, (video[1] - video[0]) % 4 !== 0);
    }
  } else {
    const videoGroup = 4 * tpf;
    const audioGroup = 50;
    let v = 0;
    let a = 0;
    while (videoGroup > 0 && v + videoGroup <= numVideo && a + audioGroup <= numAudio) {
      add([v, v + videoGroup], [a, a + audioGroup], 1, false);
      v += videoGroup;
      a += audioGroup;
    }
    // Tails: one pair of whatever is left; a tail shorter than a full group is kept whole.
    if (v < numVideo || a < numAudio) add([v, numVideo], [a, numAudio], 1, numVideo - v !== videoGroup);
  }
  return { variant: 'units', tokensPerFrame: tpf, ranges };
}

function balance(input: BudgetInput, mode: OmniZipConfig['budget']): BudgetResult {
  return mode === 'exact' ? exactBudget(input) : normalizeBudget(input);
}

/**
 * Ratios per group from audio retention. `retentionMask` is the audio keep-mask (official: dominant
 * plus anchors; with `anchors_count_in_retention: false`, dominant only).
 */
export function planGroupRatios(time: TimeGroups, retentionMask: Uint8Array, numVideo: number, config: OmniZipConfig, guidance: 'audio' | 'uniform'): GroupPlan {
  const tpf = time.tokensPerFrame;
  const groups: GroupDraft[] = time.ranges.map((r) => {
    const guided = r.guided && guidance === 'audio';
    const retention = !r.guided ? null : r.audio ? float32MaskMean(retentionMask, r.audio[0], r.audio[1]) : r.emptyAudioRetention;
    return {
      audioRange: r.audio,
      videoRange: r.video,
      guided: time.variant === 'units' ? guided : r.guided,
      audioRetention: retention,
      ratioInitial: retention === null ? null : initialRatio(retention, config),
      ratio: null,
      pinned: null,
      tokensPerFrame: tpf,
    };
  });
  const guidedIdx = groups.map((g, i) => (time.ranges[i].guided ? i : -1)).filter((i) => i >= 0);
  const initial = guidedIdx.map((i) => groups[i].ratioInitial as number);
  const videoLength = (i: number) => (groups[i].videoRange ? (groups[i].videoRange as Range)[1] - (groups[i].videoRange as Range)[0] : 0);
  let ratios = initial.slice();
  let normalization: NormalizationTrace = { ran: false, reason: `needs more than 2 ${time.variant === 'core' ? 'guided ' : ''}groups` };

  if (guidance === 'uniform') {
    ratios = initial.map(() => config.rho_video);
    normalization = { ran: false, reason: 'no audio guidance: every group at rho_video' };
  } else if (config.budget === 'exact') {
    // Token-weighted over the groups that are actually pruned, against the whole clip's budget.
    const pruned = guidedIdx.map((i) => (time.ranges[i].keptWhole ? 0 : videoLength(i)));
    let unguided = 0;
    groups.forEach((g, i) => {
      if (!time.ranges[i].guided) unguided += videoLength(i);
    });
    const target = config.rho_video * numVideo - config.rho_video * unguided;
    const result = exactBudget({ initial, weights: pruned, target, ratioMin: config.ratio_min, ratioMax: config.ratio_max });
    ratios = result.ratios;
    normalization = result.trace;
  } else if (time.variant === 'core') {
    const weights = guidedIdx.map(videoLength);
    const guidedTokens = weights.reduce((a, b) => a + b, 0);
    if (guidedIdx.length > 2 && guidedTokens > 0) {
      let unguided = 0;
      groups.forEach((g, i) => {
        if (!time.ranges[i].guided) unguided += videoLength(i);
      });
      // The official budget counts video tokens as grid_t * tpf.
      const target = config.rho_video * numVideo - config.rho_video * unguided;
      const result = balance({ initial, weights, target, ratioMin: config.ratio_min, ratioMax: config.ratio_max }, config.budget);
      ratios = result.ratios;
      normalization = result.trace;
      result.pinned.forEach((p, k) => (groups[guidedIdx[k]].pinned = p));
    } else if (guidedIdx.length > 0 && guidedTokens === 0) {
      normalization = { ran: false, reason: 'guided groups hold no video tokens' };
    }
  } else if (groups.length > 2) {
    const result = normalizeBudget({ initial, weights: initial.map(() => 1), target: config.rho_video * groups.length, ratioMin: config.ratio_min, ratioMax: config.ratio_max });
    ratios = result.ratios;
    normalization = result.trace;
    result.pinned.forEach((p, k) => (groups[guidedIdx[k]].pinned = p));
  }

  guidedIdx.forEach((i, k) => (groups[i].ratio = ratios[k]));
  groups.forEach((g, i) => {
    if (!time.ranges[i].guided) g.ratio = g.videoRange ? config.rho_video : null;
    if (time.ranges[i].keptWhole || !g.videoRange) g.ratio = null;
    // A run shorter than one frame is kept whole.
    else if (Math.floor(videoLength(i) / Math.max(tpf, 1)) === 0) g.ratio = null;
  });
  return { groups, normalization };
}
