import type { ClipAnalysis } from '../analysis/types.js';
import type { FeatureBundle } from '../bundle/types.js';
import type { ConfigKey, OmniZipConfig } from '../config/schema.js';
import type { OmniZipPlan } from '../planner/omnizip.js';
import type { AudioPlan, PlanGroup } from '../planner/types.js';
import { OmniZipError } from '../protocol/errors.js';

/**
 * One compression method: what it is, what it needs and which config keys steer it, plus the
 * function that chooses the kept tokens. The registry (./registry.ts) lists every method; the
 * config schema, the planner, the compare view, the prefill panel and the exports read it.
 */

/** What a method reads besides the config. */
export type MethodInput =
  | 'audio_scores' /* the audio encoder's received attention (bundle) */
  | 'embeddings' /* the LLM-input audio / video embeddings (bundle) */
  | 'video_scores' /* the vision encoder's received attention per video token (optional bundle tensor) */
  | 'decoder_attention' /* layer-K decoder attention from the last prompt position (bundle or a decoder) */
  | 'omnizip_plan'; /* OmniZip's plan for the same config (the counts to match, its groups) */

export interface MethodDescriptor {
  id: string;
  label: string;
  /** Where the method comes from, citable. */
  paper: string;
  /** One sentence for menus and `--help`. */
  summary: string;
  inputs: readonly MethodInput[];
  /** Config keys that change what this method keeps (besides rho_audio / rho_video). */
  knobs: readonly ConfigKey[];
  /** True for baselines that, by default, keep exactly OmniZip's realised counts (`baseline_budget: match`). */
  matchesOmniZipCounts: boolean;
}

export interface MethodContext {
  bundle: FeatureBundle;
  analysis: ClipAnalysis;
  config: OmniZipConfig;
  /** OmniZip's plan for this config: a matched baseline keeps its realised counts. */
  reference: OmniZipPlan;
}

/** What a method decides; the planner adds the sequence mask, counts and budget report. */
export interface MethodOutcome {
  audio: AudioPlan;
  videoKeep: Uint8Array;
  groups: PlanGroup[];
  notes: string[];
  /** 1 where the lower-index tie rule decided a token's fate. */
  audioTies: Uint8Array;
  videoTies: Uint8Array;
  /** The value each video token was ranked by in its selection (method-specific); NaN where unranked. */
  videoScore?: Float32Array;
  /** Merges of video tokens (VisionZip's contextual tokens): [target, merged tokens]. */
  videoMerges?: [number, number[]][];
}

export interface CompressionMethod extends MethodDescriptor {
  plan(ctx: MethodContext): MethodOutcome;
}

/** Thrown when a method cannot run on this clip (a missing input it has no honest stand-in for). */
export class MethodUnavailableError extends OmniZipError {
  constructor(
    readonly method: string,
    message: string,
  ) {
    super('method-unavailable', message);
  }
}
