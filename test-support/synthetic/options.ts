/** What a synthetic bundle looks like (options, the reference clip) and the constants its parts share. */
import { type EmbeddingDType } from '../../core/bundle/types.js';

export interface SyntheticBundleOptions {
  /** Clip length in seconds (both modalities unless overridden below). */
  seconds: number;
  /** Audio length in seconds; 0 makes a video-only bundle. Default `seconds`. */
  audioSeconds?: number;
  /** Video length in seconds; 0 makes an audio-only bundle. Default `seconds`. */
  videoSeconds?: number;
  /** D. */
  hiddenSize: number;
  /** LLM tokens per temporal patch; the grid is chosen so (h/2)*(w/2) equals it. Default 128. */
  tokensPerFrame?: number;
  /** Default 25 (Qwen2.5-Omni). */
  audioTokensPerSecond?: number;
  /** Default 2 (Qwen2.5-Omni's processor interleaves 2-s chunks). */
  secondsPerChunk?: number;
  /** Temporal patches per chunk; default 2, i.e. one temporal patch per second. */
  framesPerChunk?: number;
  /** Default 1. */
  seed?: number;
  /** Embeddings are rounded to this precision and recorded as stored in it. Default F32. */
  dtype?: EmbeddingDType;
  /** Add a mono waveform (speech-like tones in the bursts) at `sampleRate`. */
  withWaveform?: boolean;
  /** Add RGB frames (2 per temporal patch) that match the video tokens' clusters and object. */
  withFrames?: boolean;
  /** Waveform sample rate; default 16000. */
  sampleRate?: number;
  /** Frame pixels per merged token side; default 28 (14-px patches merged 2x2). */
  framePixelsPerToken?: number;
  /** Text/special tokens before the media and after it; defaults 5 and 7. */
  leadingTextTokens?: number;
  trailingTextTokens?: number;
  /** source.name in the metadata; default `synthetic-seed<seed>`. */
  name?: string;
}

/** The design's reference clip: Qwen2.5-Omni-7B sized, 60 s, 1500 audio + 60 x 128 video tokens, D 3584. */
export const REFERENCE_CLIP: Readonly<SyntheticBundleOptions> = Object.freeze({
  seconds: 60,
  hiddenSize: 3584,
  tokensPerFrame: 128,
  seed: 2511,
  name: 'reference-clip-60s',
});

export const SYNTHETIC_MODEL = 'synthetic (Qwen2.5-Omni-7B layout)';
export const SPATIAL_MERGE_SIZE = 2;
export const FRAMES_PER_TEMPORAL_PATCH = 2;
/** Element standard deviation of the basis directions; keeps values in the range real LLM inputs have. */
export const EMBED_SCALE = 0.05;
/** xorshift output is a uniform int32; this maps it to [-1, 1) scaled to unit variance. */
export const NOISE_UNIT = Math.sqrt(3) / 2 ** 31;
/** Independent per-patch noise on every video token: consecutive patches are close, never identical. */
export const FRAME_NOISE = 0.12 * EMBED_SCALE;
