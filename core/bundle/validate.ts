/**
 * The content rules of feature-bundle.md, shared by the reader (after decoding the tensors) and
 * the writer (before encoding), so that a bundle the studio writes is always one it can read.
 * Tensor-level rules (presence, dtype, rank) live in the reader: in memory they hold by type.
 */
import { EMBEDDING_DTYPES } from '../protocol/enums.js';
import { BundleError } from './errors.js';
import {
  TOKEN_AUDIO,
  TOKEN_OTHER,
  TOKEN_VIDEO,
  type BundleMetadata,
  type BundleOutline,
  type FeatureBundle,
} from './types.js';

export const BUNDLE_FORMAT = 'omnizip-feature-bundle';
export const BUNDLE_VERSION = 1;
/** The `__metadata__` key holding the bundle's JSON metadata. */
export const METADATA_ENTRY = 'omnizip';
/** Qwen2.5-Omni and Qwen3-Omni both merge 2x2 patches into one LLM token. */
export const DEFAULT_SPATIAL_MERGE_SIZE = 2;

export { EMBEDDING_DTYPES };

/** Where a non-finite value sits in a row-major [rows, rowLength] array. */
export interface NonFiniteHit {
  row: number;
  column: number;
  value: number;
}

/** First NaN or +-Infinity in `values`, or null. One pass, no allocation. */
export function findNonFinite(values: Float32Array, rowLength: number): NonFiniteHit | null {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    // v - v is 0 for every finite v and NaN for NaN and +-Infinity.
    if (v - v !== 0) {
      const width = Math.max(1, rowLength);
      return { row: Math.floor(i / width), column: i % width, value: v };
    }
  }
  return null;
}

function describeNonFinite(hit: NonFiniteHit, rowLength: number): string {
  const what = Number.isNaN(hit.value) ? 'NaN' : hit.value > 0 ? 'Infinity' : '-Infinity';
  return rowLength > 1 ? `contains ${what} at row ${hit.row} (column ${hit.column})` : `contains ${what} at row ${hit.row}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** LLM tokens per temporal patch of a grid: (h / merge) * (w / merge). */
export function tokensPerTemporalPatch(
  grid: readonly [number, number, number],
  spatialMergeSize: number,
): number {
  return (grid[1] / spatialMergeSize) * (grid[2] / spatialMergeSize);
}

/**
 * Checks the JSON metadata against the rules and returns it typed. `value` undefined means the
 * `omnizip` entry is absent, which is allowed only without video (a minimal record is returned).
 */
export function validateBundleMetadata(value: unknown, numVideo: number, file: string): BundleMetadata {
  const keyError = (key: string, reason: string) => new BundleError(file, { key }, reason);
  if (value === undefined) {
    if (numVideo > 0) {
      throw keyError(METADATA_ENTRY, `missing; the metadata (format, version, grid_thw) is required when the bundle has video tokens (Nv = ${numVideo})`);
    }
    return { format: BUNDLE_FORMAT, version: BUNDLE_VERSION };
  }
  if (!isPlainObject(value)) throw keyError(METADATA_ENTRY, 'is not a JSON object');
  const meta = value;
  const videoNeeds = (key: string) =>
    keyError(key, `missing; required when the bundle has video tokens (Nv = ${numVideo})`);

  if (meta.format === undefined) {
    if (numVideo > 0) throw videoNeeds('format');
  } else if (meta.format !== BUNDLE_FORMAT) {
    throw keyError('format', `is ${JSON.stringify(meta.format)}, expected "${BUNDLE_FORMAT}"`);
  }
  if (meta.version === undefined) {
    if (numVideo > 0) throw videoNeeds('version');
  } else if (meta.version !== BUNDLE_VERSION) {
    throw keyError('version', `unsupported version ${JSON.stringify(meta.version)} (this reader knows version ${BUNDLE_VERSION})`);
  }

  checkOptionalPositive(meta, 'spatial_merge_size', true, keyError);
  checkOptionalPositive(meta, 'frames_per_temporal_patch', true, keyError);
  checkOptionalPositive(meta, 'video_fps', false, keyError);
  checkOptionalPositive(meta, 'audio_tokens_per_second', false, keyError);
  checkOptionalPositive(meta, 'seconds_per_chunk', false, keyError);
  checkOptionalPositive(meta, 'sample_rate', false, keyError);
  for (const key of ['model', 'created_by'] as const) {
    if (meta[key] !== undefined && meta[key] !== null && typeof meta[key] !== 'string') {
      throw keyError(key, `is ${JSON.stringify(meta[key])}, expected a string`);
    }
  }
  checkSource(meta.source, keyError);

  const spatialMergeSize = typeof meta.spatial_merge_size === 'number' ? meta.spatial_merge_size : DEFAULT_SPATIAL_MERGE_SIZE;
  const grid = meta.grid_thw;
  if (grid === undefined || grid === null) {
    if (numVideo > 0) throw videoNeeds('grid_thw');
  } else {
    checkGrid(grid, spatialMergeSize, numVideo, keyError);
  }

  return { ...meta, format: BUNDLE_FORMAT, version: BUNDLE_VERSION } as BundleMetadata;
}

type KeyError = (key: string, reason: string) => BundleError;

function checkOptionalPositive(meta: Record<string, unknown>, key: string, integer: boolean, keyError: KeyError): void {
  const value = meta[key];
  if (value === undefined || value === null) return;
  const ok = typeof value === 'number' && Number.isFinite(value) && value > 0 && (!integer || Number.isInteger(value));
  if (!ok) throw keyError(key, `is ${JSON.stringify(value)}, expected a positive ${integer ? 'integer' : 'number'}`);
}

function checkSource(source: unknown, keyError: KeyError): void {
  if (source === undefined || source === null) return;
  if (!isPlainObject(source)) throw keyError('source', 'is not an object');
  for (const key of ['name', 'sha256'] as const) {
    const value = source[key];
    if (value !== undefined && value !== null && typeof value !== 'string') {
      throw keyError(`source.${key}`, `is ${JSON.stringify(value)}, expected a string`);
    }
  }
  const duration = source.duration_s;
  if (duration !== undefined && duration !== null && !(typeof duration === 'number' && Number.isFinite(duration) && duration >= 0)) {
    throw keyError('source.duration_s', `is ${JSON.stringify(duration)}, expected a non-negative number or null`);
  }
}

function checkGrid(grid: unknown, spatialMergeSize: number, numVideo: number, keyError: KeyError): void {
  if (!Array.isArray(grid) || grid.length !== 3 || !grid.every(isNonNegativeInteger)) {
    throw keyError('grid_thw', `is ${JSON.stringify(grid)}, expected [t, h, w] non-negative integers`);
  }
  const [t, h, w] = grid as [number, number, number];
  if (h === 0 || w === 0) throw keyError('grid_thw', `[${t}, ${h}, ${w}] has a zero spatial size`);
  if (h % spatialMergeSize !== 0 || w % spatialMergeSize !== 0) {
    throw keyError('grid_thw', `[${t}, ${h}, ${w}]: h and w must be divisible by spatial_merge_size ${spatialMergeSize}`);
  }
  const implied = t * tokensPerTemporalPatch([t, h, w], spatialMergeSize);
  if (implied !== numVideo) {
    throw keyError(
      'grid_thw',
      `[${t}, ${h}, ${w}] implies ${t} x (${h}/${spatialMergeSize}) x (${w}/${spatialMergeSize}) = ${implied} video tokens, but video_embeds has ${numVideo} rows`,
    );
  }
}

/**
 * Every content rule of feature-bundle.md on an in-memory bundle: sizes agree, token_types holds
 * exactly Na ones and Nv twos and nothing but 0/1/2, scores present when there is audio, metadata
 * valid and consistent with Nv, no NaN/Inf in embeddings or scores. Returns the typed metadata.
 * `knownFinite`: arrays already checked for NaN/Inf (the reader's FinitePrescan), not scanned again.
 */
export function validateFeatureBundle(bundle: FeatureBundle, file: string, options: { knownFinite?: ReadonlySet<Float32Array> } = {}): BundleMetadata {
  return validateBundle(bundle, { audio: bundle.audioEmbeds, video: bundle.videoEmbeds }, file, options);
}

/**
 * validateFeatureBundle for a bundle read without its embedding values (reader.ts
 * `readBundleOutline`): the reader has checked those itself (their sizes follow from the tensor
 * shapes, their values were found finite); every other rule is checked here, in the same order.
 */
export function validateBundleOutline(outline: BundleOutline, file: string, options: { knownFinite?: ReadonlySet<Float32Array> } = {}): BundleMetadata {
  return validateBundle(outline, null, file, options);
}

/** `embeddings` null: checked by the caller (validateBundleOutline). */
function validateBundle(
  bundle: BundleOutline,
  embeddings: { audio: Float32Array; video: Float32Array } | null,
  file: string,
  options: { knownFinite?: ReadonlySet<Float32Array> },
): BundleMetadata {
  const tensorError = (tensor: string, reason: string) => new BundleError(file, { tensor }, reason);
  const { numAudio, numVideo, hiddenSize } = bundle;

  if (!isNonNegativeInteger(numAudio)) throw tensorError('audio_embeds', `row count ${numAudio} is not a non-negative integer`);
  if (!isNonNegativeInteger(numVideo)) throw tensorError('video_embeds', `row count ${numVideo} is not a non-negative integer`);
  if (!isNonNegativeInteger(hiddenSize)) throw tensorError('audio_embeds', `hidden size ${hiddenSize} is not a non-negative integer`);
  if (hiddenSize === 0 && numAudio + numVideo > 0) {
    throw tensorError(numAudio > 0 ? 'audio_embeds' : 'video_embeds', 'hidden size D is 0 but the tensor has rows');
  }
  if (!EMBEDDING_DTYPES.includes(bundle.storedDType.audio)) throw tensorError('audio_embeds', `dtype ${bundle.storedDType.audio} is not F32, F16 or BF16`);
  if (!EMBEDDING_DTYPES.includes(bundle.storedDType.video)) throw tensorError('video_embeds', `dtype ${bundle.storedDType.video} is not F32, F16 or BF16`);
  if (embeddings && embeddings.audio.length !== numAudio * hiddenSize) {
    throw tensorError('audio_embeds', `holds ${embeddings.audio.length} values, expected Na x D = ${numAudio} x ${hiddenSize}`);
  }
  if (embeddings && embeddings.video.length !== numVideo * hiddenSize) {
    throw tensorError('video_embeds', `holds ${embeddings.video.length} values, expected Nv x D = ${numVideo} x ${hiddenSize}`);
  }
  if (bundle.audioScores !== null && bundle.audioScores.length !== numAudio) {
    throw tensorError('audio_scores', `has ${bundle.audioScores.length} entries, expected one per audio token (Na = ${numAudio})`);
  }

  const videoScores = bundle.videoScores ?? null;
  if (videoScores !== null && videoScores.length !== numVideo) {
    throw tensorError('video_scores', `has ${videoScores.length} entries, expected one per video token (Nv = ${numVideo})`);
  }
  const decoderAttention = bundle.decoderAttention ?? null;
  if (decoderAttention !== null) {
    if (decoderAttention.length !== bundle.tokenTypes.length) {
      throw tensorError('decoder_attention', `has ${decoderAttention.length} entries, expected one per sequence position (L = ${bundle.tokenTypes.length})`);
    }
    const layer = bundle.metadata.decoder_attention_layer;
    if (typeof layer !== 'number' || !Number.isInteger(layer) || layer < 1) {
      throw tensorError('decoder_attention', 'needs metadata decoder_attention_layer, the 1-based decoder layer it was taken at');
    }
  }

  checkTokenTypes(bundle.tokenTypes, numAudio, numVideo, tensorError);
  const metadata = validateBundleMetadata(bundle.metadata, numVideo, file);

  const finiteChecks: [string, Float32Array | null, number][] = [
    ['audio_embeds', embeddings?.audio ?? null, hiddenSize],
    ['video_embeds', embeddings?.video ?? null, hiddenSize],
    ['audio_scores', bundle.audioScores, 1],
    ['video_scores', videoScores, 1],
    ['decoder_attention', decoderAttention, 1],
  ];
  for (const [name, values, rowLength] of finiteChecks) {
    if (values === null || options.knownFinite?.has(values)) continue;
    const hit = findNonFinite(values, rowLength);
    if (hit !== null) throw tensorError(name, describeNonFinite(hit, rowLength));
  }

  if (bundle.frames !== null) {
    const { count, height, width, data } = bundle.frames;
    if (![count, height, width].every(isNonNegativeInteger)) {
      throw tensorError('frames', `size [${count}, ${height}, ${width}, 3] is not made of non-negative integers`);
    }
    if (data.length !== count * height * width * 3) {
      throw tensorError('frames', `holds ${data.length} bytes, expected F x H x W x 3 = ${count} x ${height} x ${width} x 3`);
    }
  }
  return metadata;
}

function checkTokenTypes(
  tokenTypes: Uint8Array,
  numAudio: number,
  numVideo: number,
  tensorError: (tensor: string, reason: string) => BundleError,
): void {
  let audioCount = 0;
  let videoCount = 0;
  for (let i = 0; i < tokenTypes.length; i++) {
    const kind = tokenTypes[i];
    if (kind === TOKEN_AUDIO) audioCount++;
    else if (kind === TOKEN_VIDEO) videoCount++;
    else if (kind !== TOKEN_OTHER) {
      throw tensorError('token_types', `value ${kind} at position ${i} (allowed: 0 other, 1 audio, 2 video)`);
    }
  }
  if (audioCount !== numAudio) {
    throw tensorError('token_types', `marks ${audioCount} audio positions (value 1) but audio_embeds has ${numAudio} rows`);
  }
  if (videoCount !== numVideo) {
    throw tensorError('token_types', `marks ${videoCount} video positions (value 2) but video_embeds has ${numVideo} rows`);
  }
}
