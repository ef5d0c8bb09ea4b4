/**
 * Reads feature bundles (shared/docs/feature-bundle.md) into memory, enforcing every rule of the
 * format. Float32 embeddings stay zero-copy views into the file bytes where alignment allows, so
 * loading the 130 MB reference clip costs one file read, not two.
 */
import { BundleError } from './errors.js';
import { FileReadError, readRegularFile } from '../util/regular-file.js';
import { checkSafetensorsPrefix, float32View, parseSafetensors, uint8View, widenToFloat32, type SafetensorsDType, type SafetensorsFile, type SafetensorsTensor } from './safetensors.js';
import { bf16BitsFinite, halfBitsFinite } from '../util/float16.js';
import { HOST_IS_LITTLE_ENDIAN } from '../util/endian.js';
import type { BundleFrames, BundleOutline, EmbeddingDType, FeatureBundle } from './types.js';
import { EMBEDDING_DTYPES, METADATA_ENTRY, validateBundleMetadata, validateBundleOutline, validateFeatureBundle } from './validate.js';
import { FinitePrescan } from './finite-prescan.js';

export interface ParseBundleOptions {
  /**
   * Compute `contentHash` (sha256 of the bytes). Default true; costs ~0.3 s per 100 MB, so a caller
   * that already knows the hash can skip it.
   */
  computeHash?: boolean;
  /**
   * Byte ranges of tensors already checked to hold only finite values, by name (a FinitePrescan of
   * these same bytes): the validation does not scan them again.
   */
  finiteRanges?: ReadonlyMap<string, readonly [number, number]>;
}

/** sha256 (lowercase hex) of a bundle file's bytes: the clip's identity for caches. */
export function bundleContentHash(bytes: Uint8Array): string {
  // Loaded on first use: commands that skip the hash (inspect) never pay for node:crypto's start.
  const { createHash } = process.getBuiltinModule('node:crypto');
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Parses and validates a bundle held in memory. The returned arrays may be views into `bytes`:
 * do not modify `bytes` afterwards.
 */
export function parseBundle(bytes: Uint8Array, fileName: string, options: ParseBundleOptions = {}): FeatureBundle {
  const { file, audio, video, outline } = parseBundleFields(bytes, fileName);
  // Half embeddings are checked for NaN/Inf as they are widened; float32 ones by the prescan.
  const audioEmbeds = widenToFloat32(audio);
  const videoEmbeds = widenToFloat32(video);
  const bundle: FeatureBundle = { audioEmbeds: audioEmbeds.values, videoEmbeds: videoEmbeds.values, ...outline };
  const knownFinite = knownFiniteArrays(bytes, file.tensors, bundle, options.finiteRanges);
  for (const widened of [audioEmbeds, videoEmbeds]) if (widened.finite === true) knownFinite.add(widened.values);
  validateFeatureBundle(bundle, fileName, { knownFinite });
  if (options.computeHash ?? true) bundle.contentHash = bundleContentHash(bytes);
  return bundle;
}

/**
 * What `inspect` needs of a bundle file: every rule checked as readBundle checks it, but the
 * embeddings are not widened to float32. F16 and BF16 embeddings are checked for NaN/Inf on their
 * bits, F32 ones by the prescan while the file is read. Any embedding that cannot be vouched for
 * so (a non-finite value, an unaligned tensor) goes through readBundle's own path, which words the
 * error. Widening the demo's 0.9 M half values was most of an `inspect` run's own work.
 */
export async function readBundleOutline(file: string, options: { blockingUpTo?: number } = {}): Promise<BundleOutline> {
  const prescan = new FinitePrescan();
  const bytes = await readBundleBytes(file, (out, to) => prescan.take(out, to), options);
  return parseBundleOutline(bytes, file, prescan.finiteRanges());
}

/** readBundleOutline of a bundle held in memory; `finiteRanges` as ParseBundleOptions' (by default, a prescan of `bytes`). */
export function parseBundleOutline(bytes: Uint8Array, fileName: string, finiteRanges: ReadonlyMap<string, readonly [number, number]> = prescanWhole(bytes)): BundleOutline {
  const parts = parseBundleFields(bytes, fileName);
  if (![parts.audio, parts.video].every((tensor) => storedValuesFinite(bytes, tensor, finiteRanges))) {
    const { audioEmbeds: _audio, videoEmbeds: _video, ...outline } = parseBundle(bytes, fileName, { computeHash: false, finiteRanges });
    return outline;
  }
  validateBundleOutline(parts.outline, fileName, { knownFinite: knownFiniteArrays(bytes, parts.file.tensors, parts.outline, finiteRanges) });
  return parts.outline;
}

function prescanWhole(bytes: Uint8Array): Map<string, [number, number]> {
  const prescan = new FinitePrescan();
  prescan.take(bytes, bytes.length);
  return prescan.finiteRanges();
}

/**
 * Whether an embedding tensor's stored values are known to be finite without widening them (the
 * outline reader's fast path; exported for its tests). The bits are read as the host's numbers, so
 * a big-endian host always answers no and takes parseBundle's byte-swapping path.
 */
export function storedValuesFinite(bytes: Uint8Array, tensor: SafetensorsTensor, finiteRanges: ReadonlyMap<string, readonly [number, number]>): boolean {
  if (!HOST_IS_LITTLE_ENDIAN) return false;
  if (tensor.dtype === 'F32') {
    const range = finiteRanges.get(tensor.name);
    const start = tensor.bytes.byteOffset - bytes.byteOffset;
    return range !== undefined && tensor.bytes.buffer === bytes.buffer && range[0] === start && range[1] === start + tensor.bytes.length;
  }
  if ((tensor.dtype !== 'F16' && tensor.dtype !== 'BF16') || tensor.bytes.byteOffset % 2 !== 0) return false;
  const bits = new Uint16Array(tensor.bytes.buffer, tensor.bytes.byteOffset, tensor.elementCount);
  return tensor.dtype === 'F16' ? halfBitsFinite(bits) : bf16BitsFinite(bits);
}

/** The file's tensors checked for presence, dtype and shape, and the bundle's fields other than the embedding values (not yet validated). */
function parseBundleFields(bytes: Uint8Array, fileName: string): { file: SafetensorsFile; audio: SafetensorsTensor; video: SafetensorsTensor; outline: BundleOutline } {
  const file = parseSafetensors(bytes, fileName, { label: 'bundle' });
  const tensorError = (tensor: string, reason: string) => new BundleError(fileName, { tensor }, reason);

  const required = (name: string): SafetensorsTensor => {
    const tensor = file.tensors.get(name);
    if (tensor === undefined) throw tensorError(name, 'missing (required in every bundle)');
    return tensor;
  };
  const expect = (tensor: SafetensorsTensor, dtypes: readonly SafetensorsDType[], rank: number, shapeText: string) => {
    if (!dtypes.includes(tensor.dtype)) {
      throw tensorError(tensor.name, `dtype ${tensor.dtype}, expected ${dtypes.join(' or ')}`);
    }
    if (tensor.shape.length !== rank) {
      throw tensorError(tensor.name, `shape ${JSON.stringify(tensor.shape)} has rank ${tensor.shape.length}, expected ${shapeText}`);
    }
  };

  const audio = required('audio_embeds');
  expect(audio, EMBEDDING_DTYPES, 2, '[Na, D]');
  const video = required('video_embeds');
  expect(video, EMBEDDING_DTYPES, 2, '[Nv, D]');
  const tokenTypes = required('token_types');
  expect(tokenTypes, ['U8'], 1, '[L]');

  const [numAudio, audioWidth] = audio.shape;
  const [numVideo, videoWidth] = video.shape;
  const hiddenSize = sharedHiddenSize(numAudio, audioWidth, numVideo, videoWidth, tensorError);

  const scores = file.tensors.get('audio_scores');
  if (scores !== undefined) {
    expect(scores, ['F32'], 1, '[Na]');
    if (scores.shape[0] !== numAudio) {
      throw tensorError('audio_scores', `shape [${scores.shape[0]}], expected [${numAudio}] (one score per audio token)`);
    }
  }
  // A bundle without audio_scores is accepted: the planner then ranks audio by token energy and
  // says so (config key audio_score), rather than refusing features dumped without the hook.

  const videoScores = file.tensors.get('video_scores');
  if (videoScores !== undefined) {
    expect(videoScores, ['F32'], 1, '[Nv]');
    if (videoScores.shape[0] !== numVideo) throw tensorError('video_scores', `shape [${videoScores.shape[0]}], expected [${numVideo}] (one score per video token)`);
  }
  const decoderAttention = file.tensors.get('decoder_attention');
  if (decoderAttention !== undefined) expect(decoderAttention, ['F32'], 1, '[L]');

  const waveform = file.tensors.get('waveform');
  if (waveform !== undefined) expect(waveform, ['F32'], 1, '[S]');
  const frames = file.tensors.get('frames');
  if (frames !== undefined) {
    expect(frames, ['U8'], 4, '[F, H, W, 3]');
    if (frames.shape[3] !== 3) throw tensorError('frames', `shape ${JSON.stringify(frames.shape)}: last dimension must be 3 (RGB)`);
    if (frames.shape[0] > 0 && frames.elementCount === 0) {
      throw tensorError('frames', `shape ${JSON.stringify(frames.shape)} declares ${frames.shape[0]} frames of no pixels; an empty frames tensor has F = 0`);
    }
  }

  const { [METADATA_ENTRY]: metadataText, ...extraFileMetadata } = file.metadata;
  const metadata = validateBundleMetadata(parseMetadataJson(metadataText, fileName), numVideo, fileName);

  const outline: BundleOutline = {
    numAudio,
    numVideo,
    hiddenSize,
    audioScores: scores === undefined ? null : float32View(scores),
    tokenTypes: uint8View(tokenTypes),
    videoScores: videoScores === undefined ? null : float32View(videoScores),
    decoderAttention: decoderAttention === undefined ? null : float32View(decoderAttention),
    waveform: waveform === undefined ? null : float32View(waveform),
    frames: frames === undefined ? null : framesOf(frames),
    metadata,
    storedDType: { audio: audio.dtype as EmbeddingDType, video: video.dtype as EmbeddingDType },
  };
  if (Object.keys(extraFileMetadata).length > 0) outline.extraFileMetadata = extraFileMetadata;
  return { file, audio, video, outline };
}

/**
 * Reads and validates a bundle file. I/O failures are reported as BundleError too. The float32
 * tensors are checked for non-finite values chunk by chunk as the file arrives (FinitePrescan).
 */
export async function readBundle(file: string, options: ParseBundleOptions = {}): Promise<FeatureBundle> {
  const prescan = new FinitePrescan();
  const bytes = await readBundleBytes(file, (out, to) => prescan.take(out, to));
  return parseBundle(bytes, file, { finiteRanges: prescan.finiteRanges(), ...options });
}

/**
 * A bundle file's bytes: regular files only (never /dev/zero or a FIFO, even through a symlink),
 * the header length checked against the file size before the rest is read. `onChunk` sees the
 * bytes as they arrive; `blockingUpTo` as readRegularFile's.
 */
export async function readBundleBytes(file: string, onChunk?: (out: Uint8Array, to: number) => void, options: { blockingUpTo?: number } = {}): Promise<Uint8Array> {
  try {
    return await readRegularFile(file, { peek: (head, size) => checkSafetensorsPrefix(head, size, file, 'bundle'), onChunk, blockingUpTo: options.blockingUpTo });
  } catch (err) {
    if (err instanceof FileReadError) throw new BundleError(file, 'file', `cannot read: ${err.reason}`);
    throw err;
  }
}

/**
 * D of the bundle. Both tensors must agree, except that an empty modality's width is not looked
 * at when it is 0 (dumps sometimes write a [0, 0] placeholder for the missing modality).
 */
function sharedHiddenSize(
  numAudio: number,
  audioWidth: number,
  numVideo: number,
  videoWidth: number,
  tensorError: (tensor: string, reason: string) => BundleError,
): number {
  if (audioWidth === videoWidth) return audioWidth;
  if (numAudio === 0 && audioWidth === 0) return videoWidth;
  if (numVideo === 0 && videoWidth === 0) return audioWidth;
  throw tensorError('video_embeds', `hidden size D = ${videoWidth} differs from audio_embeds' D = ${audioWidth}; both modalities must share D`);
}

function parseMetadataJson(text: string | undefined, fileName: string): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BundleError(fileName, { key: METADATA_ENTRY }, `is not valid JSON (${(err as Error).message})`);
  }
}

/**
 * The bundle's float32 arrays that `finiteRanges` vouches for: only where the parsed tensor is F32
 * and lies exactly on the vouched range of these bytes, and the array is a view of those bytes.
 */
function knownFiniteArrays(
  bytes: Uint8Array,
  tensors: ReadonlyMap<string, SafetensorsTensor>,
  bundle: BundleOutline & Partial<Pick<FeatureBundle, 'audioEmbeds' | 'videoEmbeds'>>,
  finiteRanges: ReadonlyMap<string, readonly [number, number]> | undefined,
): Set<Float32Array> {
  const known = new Set<Float32Array>();
  if (!finiteRanges) return known;
  const arrays: Record<string, Float32Array | null | undefined> = {
    audio_embeds: bundle.audioEmbeds,
    video_embeds: bundle.videoEmbeds,
    audio_scores: bundle.audioScores,
    video_scores: bundle.videoScores,
    decoder_attention: bundle.decoderAttention,
  };
  for (const [name, [start, end]] of finiteRanges) {
    const tensor = tensors.get(name);
    const array = arrays[name];
    if (!tensor || !array || tensor.dtype !== 'F32') continue;
    const tensorStart = tensor.bytes.byteOffset - bytes.byteOffset;
    const sameBytes = tensor.bytes.buffer === bytes.buffer && tensorStart === start && tensorStart + tensor.bytes.length === end;
    const viewOfThem = array.buffer === bytes.buffer && array.byteOffset === tensor.bytes.byteOffset && array.byteLength === tensor.bytes.length;
    if (sameBytes && viewOfThem) known.add(array);
  }
  return known;
}

function framesOf(tensor: SafetensorsTensor): BundleFrames {
  const [count, height, width] = tensor.shape;
  return { data: uint8View(tensor), count, height, width };
}
