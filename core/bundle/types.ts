/**
 * In-memory form of an OmniZip feature bundle (shared/docs/feature-bundle.md).
 * Embeddings are always float32 here: half-precision files are widened on load.
 */

import type { EmbeddingDType } from '../protocol/enums.js';

export type { EmbeddingDType };

/** Token kinds as stored in `token_types`. */
export const TOKEN_OTHER = 0;
export const TOKEN_AUDIO = 1;
export const TOKEN_VIDEO = 2;

export interface BundleSource {
  name?: string;
  sha256?: string;
  duration_s?: number | null;
  [key: string]: unknown;
}

/** The JSON object stored under `__metadata__.omnizip`. Unknown keys are kept. */
export interface BundleMetadata {
  format: 'omnizip-feature-bundle';
  version: 1;
  model?: string;
  grid_thw?: [number, number, number];
  spatial_merge_size?: number;
  frames_per_temporal_patch?: number;
  video_fps?: number;
  audio_tokens_per_second?: number;
  seconds_per_chunk?: number;
  sample_rate?: number;
  source?: BundleSource;
  created_by?: string;
  /** 1-based decoder layer `decoder_attention` was taken at. */
  decoder_attention_layer?: number;
  [key: string]: unknown;
}

export interface BundleFrames {
  /** RGB bytes, [count, height, width, 3] row-major. */
  data: Uint8Array;
  count: number;
  height: number;
  width: number;
}

export interface FeatureBundle {
  /** Row-major [numAudio, hiddenSize]. */
  audioEmbeds: Float32Array;
  /** Row-major [numVideo, hiddenSize]. */
  videoEmbeds: Float32Array;
  numAudio: number;
  numVideo: number;
  /** D, shared by both modalities. */
  hiddenSize: number;
  /** [numAudio] importance (`attn_logits`); null when absent (allowed only when numAudio is 0 for format v1). */
  audioScores: Float32Array | null;
  /**
   * [numVideo] optional: attention each video token receives in the vision encoder's last block
   * (VisionZip's ranking score), averaged over the patches of its merge unit. Absent in older bundles.
   */
  videoScores?: Float32Array | null;
  /**
   * [L] optional: the head-mean attention row of the last prompt position at decoder layer
   * `metadata.decoder_attention_layer` (FastV's ranking score). Absent unless dumped.
   */
  decoderAttention?: Float32Array | null;
  /** [L] 0 = other, 1 = audio, 2 = video. */
  tokenTypes: Uint8Array;
  waveform: Float32Array | null;
  frames: BundleFrames | null;
  metadata: BundleMetadata;
  /** dtype each embedding tensor had in the file (informative). */
  storedDType: { audio: EmbeddingDType; video: EmbeddingDType };
  /** sha256 (hex) of the bundle file's bytes, set by the reader; identifies the clip in caches. */
  contentHash?: string;
  /** `__metadata__` entries other than `omnizip`, kept so a rewrite does not lose them. */
  extraFileMetadata?: Record<string, string>;
}

/** A bundle without its embedding values: what `inspect` reads (every rule checked, nothing widened to float32). */
export type BundleOutline = Omit<FeatureBundle, 'audioEmbeds' | 'videoEmbeds'>;

/** A bundle's embedding fields from its two row-major [tokens, hiddenSize] matrices: the token counts follow from their lengths. */
export function embeddingMatrices(audioEmbeds: Float32Array, videoEmbeds: Float32Array, hiddenSize: number): Pick<FeatureBundle, 'audioEmbeds' | 'videoEmbeds' | 'numAudio' | 'numVideo' | 'hiddenSize'> {
  const rows = (embeds: Float32Array) => (hiddenSize > 0 ? embeds.length / hiddenSize : 0);
  return { audioEmbeds, videoEmbeds, numAudio: rows(audioEmbeds), numVideo: rows(videoEmbeds), hiddenSize };
}
