/**
 * Writes feature bundles. The same rules the reader enforces are checked first, so the studio
 * never produces a file it (or a Python reader) would reject.
 */
import { BundleError } from './errors.js';
import { serializeSafetensors, type SafetensorsTensorInput } from './safetensors.js';
import type { EmbeddingDType, FeatureBundle } from './types.js';
import { METADATA_ENTRY, validateFeatureBundle } from './validate.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { BF16_EXPONENT_MASK, float32ArrayToBf16Bits, float32ArrayToHalfBits, HALF_EXPONENT_MASK } from '../util/float16.js';

export interface SerializeBundleOptions {
  /** dtype of the embedding tensors in the file; default F32. Scores and waveform stay F32. */
  dtype?: EmbeddingDType;
  /** Name used in error messages (writeBundle passes the target path). */
  fileName?: string;
}

/** Validates `bundle` and encodes it as safetensors bytes. */
export function serializeBundle(bundle: FeatureBundle, opts: SerializeBundleOptions = {}): Uint8Array {
  const fileName = opts.fileName ?? '<in memory>';
  const dtype = opts.dtype ?? 'F32';
  const metadata = validateFeatureBundle(bundle, fileName);
  const { numAudio, numVideo, hiddenSize } = bundle;

  const tensors: SafetensorsTensorInput[] = [
    { name: 'audio_embeds', dtype, shape: [numAudio, hiddenSize], data: encodeEmbeddings(bundle.audioEmbeds, dtype, hiddenSize, 'audio_embeds', fileName) },
    { name: 'video_embeds', dtype, shape: [numVideo, hiddenSize], data: encodeEmbeddings(bundle.videoEmbeds, dtype, hiddenSize, 'video_embeds', fileName) },
  ];
  if (bundle.audioScores !== null) {
    tensors.push({ name: 'audio_scores', dtype: 'F32', shape: [numAudio], data: bundle.audioScores });
  }
  if (bundle.videoScores) tensors.push({ name: 'video_scores', dtype: 'F32', shape: [numVideo], data: bundle.videoScores });
  if (bundle.decoderAttention) tensors.push({ name: 'decoder_attention', dtype: 'F32', shape: [bundle.decoderAttention.length], data: bundle.decoderAttention });
  tensors.push({ name: 'token_types', dtype: 'U8', shape: [bundle.tokenTypes.length], data: bundle.tokenTypes });
  if (bundle.waveform !== null) {
    tensors.push({ name: 'waveform', dtype: 'F32', shape: [bundle.waveform.length], data: bundle.waveform });
  }
  if (bundle.frames !== null) {
    const { count, height, width, data } = bundle.frames;
    tensors.push({ name: 'frames', dtype: 'U8', shape: [count, height, width, 3], data });
  }
  const fileMetadata: Record<string, string> = { ...(bundle.extraFileMetadata ?? {}), [METADATA_ENTRY]: JSON.stringify(metadata) };
  return serializeSafetensors(tensors, fileMetadata);
}

/** Validates, encodes and atomically writes `bundle` to `file`. */
export async function writeBundle(file: string, bundle: FeatureBundle, opts: Omit<SerializeBundleOptions, 'fileName'> = {}): Promise<void> {
  const bytes = serializeBundle(bundle, { ...opts, fileName: file });
  await writeFileAtomic(file, bytes);
}

/**
 * Embeddings in the requested file dtype. Narrowing can overflow (F16 tops out at 65504): such a
 * value would come back as Infinity, which the reader rejects, so it is refused here instead.
 */
function encodeEmbeddings(values: Float32Array, dtype: EmbeddingDType, hiddenSize: number, name: string, fileName: string): ArrayBufferView {
  if (dtype === 'F32') return values;
  const bits = dtype === 'F16' ? float32ArrayToHalfBits(values) : float32ArrayToBf16Bits(values);
  // All-ones exponent = infinity or NaN in either format.
  const exponentMask = dtype === 'F16' ? HALF_EXPONENT_MASK : BF16_EXPONENT_MASK;
  for (let i = 0; i < bits.length; i++) {
    if ((bits[i] & exponentMask) === exponentMask) {
      const row = Math.floor(i / Math.max(1, hiddenSize));
      throw new BundleError(fileName, { tensor: name }, `value ${values[i]} at row ${row} (column ${i % Math.max(1, hiddenSize)}) does not fit in ${dtype}`);
    }
  }
  return bits;
}
