import type { LogMel } from '../media/log-mel.js';
import { OmniZipError } from '../protocol/errors.js';

/** Progress and cancellation for encoder runs. */
export interface RunControl {
  signal?: AbortSignal;
  /** Fraction of this encoder's work done, in [0, 1]. */
  onProgress?: (fraction: number) => void;
}

/** Frames in, video tokens out: one token per 28x28 cell of each 2-frame temporal patch. */
export interface VisionEncoder {
  readonly hiddenSize: number;
  /**
   * Encodes sampled frames (RGB24, width x height, multiples of 28, an even count) into tokens in
   * Qwen's order: temporal patch, then row, then column. Returns [numTokens, hiddenSize] row-major.
   */
  encode(frames: Uint8Array[], width: number, height: number, control?: RunControl): Promise<Float32Array>;
  /**
   * Optional: the attention each token receives in the encoder's last attention block, per
   * temporal patch (the bundle's `video_scores`, VisionZip's ranking). Encoders without attention
   * leave it out; the bundle then has no video_scores.
   */
  receivedAttention?(tokens: Float32Array, tokensPerPatch: number): Float32Array;
  /** How `receivedAttention` is defined, stored in the bundle's metadata (`video_scores_source`). */
  readonly receivedAttentionSource?: string;
}

export interface AudioTokens {
  /** [numTokens, hiddenSize] row-major, 25 tokens/s. */
  embeds: Float32Array;
  /** [numTokens] OmniZip's per-token importance (mean attention received in the last layer). */
  scores: Float32Array;
  numTokens: number;
}

/** Log-mel in, audio tokens and their importance out. */
export interface AudioEncoder {
  readonly hiddenSize: number;
  encode(mel: LogMel, control?: RunControl): Promise<AudioTokens>;
}

export interface EncoderSet {
  /** Shown to the user and stored as the bundle's `model`. */
  readonly model: string;
  /** One line on what these encoders are. */
  readonly description: string;
  readonly hiddenSize: number;
  readonly vision: VisionEncoder;
  readonly audio: AudioEncoder;
  /** Pixel bounds the vision encoder wants frames resized within. */
  readonly minPixels: number;
  readonly maxPixels: number;
  dispose(): Promise<void>;
}

export class EncoderError extends OmniZipError {
  constructor(message: string, kind = 'encoder-failed') {
    super(kind, message);
  }
}

/** Number of LLM audio tokens Qwen2.5-Omni makes from L mel frames (conv stride 2, then avg-pool 2). */
export function audioTokenCount(melFrames: number): number {
  if (melFrames <= 0) return 0;
  const afterConv = Math.floor((melFrames - 1) / 2) + 1;
  return Math.floor(afterConv / 2);
}
