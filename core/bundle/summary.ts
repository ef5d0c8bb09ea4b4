/**
 * A small, display-oriented description of a bundle (inspect command, clip header in the UI).
 * The planner detects its own layout; nothing here feeds the algorithm.
 */
import { TOKEN_AUDIO, TOKEN_VIDEO, type FeatureBundle } from './types.js';
import { DEFAULT_SPATIAL_MERGE_SIZE, tokensPerTemporalPatch } from './validate.js';

/** Half-open [start, end) range of token indices within one modality. */
export type TokenRun = [number, number];

export interface BundleSummary {
  numAudio: number;
  numVideo: number;
  hiddenSize: number;
  /** Stored embedding dtype, e.g. 'F32', or 'audio F16 / video F32' when they differ. */
  dtype: string;
  sequenceLength: number;
  /** LLM tokens per temporal patch from grid_thw; null without a grid. */
  tokensPerFrame: number | null;
  /** grid_thw[0]; null without a grid. */
  temporalPatches: number | null;
  /** Clip length: source.duration_s, else from the video grid and fps, else from the audio rate; null if unknown. */
  durationSeconds: number | null;
  /** Maximal runs of consecutive audio positions, as index ranges within the audio tokens. */
  audioRuns: TokenRun[];
  videoRuns: TokenRun[];
  hasWaveform: boolean;
  hasFrames: boolean;
  model: string | null;
  sampleRate: number | null;
}

export function summarizeBundle(bundle: FeatureBundle): BundleSummary {
  const meta = bundle.metadata;
  const grid = meta.grid_thw ?? null;
  const mergeSize = meta.spatial_merge_size ?? DEFAULT_SPATIAL_MERGE_SIZE;
  return {
    numAudio: bundle.numAudio,
    numVideo: bundle.numVideo,
    hiddenSize: bundle.hiddenSize,
    dtype: describeDType(bundle),
    sequenceLength: bundle.tokenTypes.length,
    tokensPerFrame: grid === null ? null : tokensPerTemporalPatch(grid, mergeSize),
    temporalPatches: grid === null ? null : grid[0],
    durationSeconds: clipDuration(bundle),
    audioRuns: modalityRuns(bundle.tokenTypes, TOKEN_AUDIO),
    videoRuns: modalityRuns(bundle.tokenTypes, TOKEN_VIDEO),
    hasWaveform: bundle.waveform !== null,
    hasFrames: bundle.frames !== null,
    model: typeof meta.model === 'string' ? meta.model : null,
    sampleRate: typeof meta.sample_rate === 'number' ? meta.sample_rate : null,
  };
}

function describeDType(bundle: FeatureBundle): string {
  const { audio, video } = bundle.storedDType;
  // An empty tensor's dtype says nothing about the features, so only present modalities count.
  if (bundle.numAudio === 0 && bundle.numVideo > 0) return video;
  if (bundle.numVideo === 0) return audio;
  return audio === video ? audio : `audio ${audio} / video ${video}`;
}

function clipDuration(bundle: FeatureBundle): number | null {
  const meta = bundle.metadata;
  const declared = meta.source?.duration_s;
  if (typeof declared === 'number' && Number.isFinite(declared)) return declared;
  const grid = meta.grid_thw;
  if (grid !== undefined && bundle.numVideo > 0 && meta.frames_per_temporal_patch !== undefined && meta.video_fps !== undefined) {
    return (grid[0] * meta.frames_per_temporal_patch) / meta.video_fps;
  }
  if (bundle.numAudio > 0 && meta.audio_tokens_per_second !== undefined) {
    return bundle.numAudio / meta.audio_tokens_per_second;
  }
  return null;
}

/** Runs of consecutive `kind` positions, numbered by that modality's own token index. */
export function modalityRuns(tokenTypes: Uint8Array, kind: number): TokenRun[] {
  const runs: TokenRun[] = [];
  let index = 0;
  let runStart = -1;
  for (let position = 0; position < tokenTypes.length; position++) {
    if (tokenTypes[position] === kind) {
      if (runStart < 0) runStart = index;
      index++;
    } else if (runStart >= 0) {
      runs.push([runStart, index]);
      runStart = -1;
    }
  }
  if (runStart >= 0) runs.push([runStart, index]);
  return runs;
}
