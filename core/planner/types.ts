import type { AudioScoreSource, OmniZipConfig } from '../config/schema.js';
import type { BudgetReport } from './budget-report.js';

/** How one audio token ends up. Codes are stored in a Uint8Array (`AudioPlan.fate`). */
export const AUDIO_DROPPED = 0;
export const AUDIO_DOMINANT = 1;
export const AUDIO_ANCHOR = 2;
export const AUDIO_MERGED = 3;

export type FrameMode = 'spatial' | 'temporal';

export interface AudioPlan {
  /** 1 = kept (dominant or anchor), [numAudio]. */
  keep: Uint8Array;
  /** AUDIO_* code per token, [numAudio]. */
  fate: Uint8Array;
  /** For merged tokens, the anchor they merge into; -1 otherwise. [numAudio] */
  mergedInto: Int32Array;
  dominantCount: number;
  /** Anchor indices in ascending order. */
  anchors: number[];
  /** Per anchor (same order as `anchors`): merged tokens, highest cross-modal score first. */
  merges: number[][];
  /** Per anchor: softmax weights of its merged tokens (same order as `merges`). */
  mergeWeights: number[][];
  /** The score the audio top-k ranked by, [numAudio] (a view of the analysis or derived). */
  score: Float32Array;
  /** The per-token cross-modal score used to choose and weight merges, [numAudio]. */
  crossModalScore: Float32Array;
}

export interface PlanGroup {
  /** Half-open range within audio tokens; null where this group has no audio run. */
  audio_range: [number, number] | null;
  /** Half-open range within video tokens; null where this group has no video. */
  video_range: [number, number] | null;
  guided: boolean;
  /** Mean of the audio keep-mask over the group (float32, as the official code); null if unguided. */
  audio_retention: number | null;
  /** Ratio from audio retention, clamped (before budget normalisation); null if unguided. */
  ratio_initial: number | null;
  /** Ratio applied to the group's video; null when it is kept whole (shorter than one frame). */
  ratio_final: number | null;
  /** Kept tokens per frame of the group, in frame order. */
  frame_keep_counts: number[];
  /** Pruning mode of each frame. */
  frame_modes: FrameMode[];
  /** 'min' / 'max' when budget normalisation pinned this group at its initial ratio. */
  pinned: 'min' | 'max' | null;
  /** Video tokens kept in the group. */
  video_kept: number;
  /** Whether the whole group was kept without pruning (tail group, short run, ...). */
  kept_whole: boolean;
}

export interface NormalizationTrace {
  ran: boolean;
  /** Why it did not run or stopped early. */
  reason?: string;
  target?: number;
  base?: number;
  min_idx?: number;
  max_idx?: number;
  other_indices?: number[];
  scaling?: number;
  after_scaling?: number[];
  diff_after_scaling?: number;
  adj_per_token?: number;
  /** budget: exact — the shared shift applied to every initial ratio, and the discard it achieves. */
  shift?: number;
  achieved?: number;
}

export interface PlanCounts {
  audio: { total: number; kept: number };
  video: { total: number; kept: number };
  sequence: { total: number; kept: number };
}

/** Everything the planner decides, with masks as typed arrays for the UI and exports. */
export interface PlanResult {
  config: OmniZipConfig;
  /** What the audio top-k actually ranked by (differs from config.audio_score after a fallback). */
  audioScoreSource: AudioScoreSource;
  audio: AudioPlan;
  /** 1 = kept, [numVideo]. */
  videoKeep: Uint8Array;
  /** 1 = kept, [L] over the whole sequence (text always kept). */
  sequenceKeep: Uint8Array;
  groups: PlanGroup[];
  normalization: NormalizationTrace;
  counts: PlanCounts;
  /** The registered method that chose the tokens (core/methods/registry.ts). */
  method: string;
  /** Target vs realised discard per modality and over the sequence. */
  budget: BudgetReport;
  /** Tokens whose keep/drop an exact tie at a cut decided (lower index kept). */
  tiesDecided: number;
  /** 1 where a tie decided the token, [numAudio] / [numVideo]. */
  audioTies: Uint8Array;
  videoTies: Uint8Array;
  /** What each video token was ranked by (ISTC: density-peak score or temporal similarity); NaN where unranked. */
  videoScore: Float32Array;
  /** Video merges (VisionZip's contextual tokens): [target, merged tokens]; empty for other methods. */
  videoMerges: [number, number[]][];
  /** Plain-language notes on what could not run (no audio, no video, missing scores, ...). */
  notes: string[];
  /** Time the planning took, ms. */
  planMs: number;
}

/** The JSON document of `omnizip-studio plan` (design.md, "Contract of omnizip-studio plan"). */
export interface PlanDocument {
  format: 'omnizip-plan';
  version: 1;
  config: OmniZipConfig;
  counts: PlanCounts;
  /** Target vs realised discard (fractions) per modality and over the sequence. */
  budget: BudgetReport;
  ties_decided: number;
  audio: { kept: number[]; dominant_count: number; anchors: number[]; merges: [number, number[]][]; score_source: AudioScoreSource; ties: number[] };
  video: { kept: number[]; ties: number[]; merges?: [number, number[]][] };
  groups: Omit<PlanGroup, 'frame_modes' | 'pinned' | 'video_kept' | 'kept_whole'>[] & Partial<PlanGroup>[];
  sequence_kept: number[];
  normalization: NormalizationTrace;
  notes: string[];
}
