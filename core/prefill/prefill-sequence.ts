import { TOKEN_OTHER, type FeatureBundle } from '../bundle/types.js';
import type { CompressedSequence } from '../planner/sequence.js';
import { PrefillError } from './errors.js';
import { deriveSeed, fillNormal } from './prng.js';

/**
 * One LLM input sequence for the prefill benchmark: every row the decoder sees, in order, with
 * the original sequence position of each row (text included).
 */
export interface PrefillSequence {
  label: string;
  /** [tokens, hiddenSize] row-major. */
  embeds: Float32Array;
  hiddenSize: number;
  /** Original sequence index of each row; pruned tokens leave gaps. */
  sequencePositions: Int32Array;
  tokens: number;
  /** Rows that are audio or video tokens (the paper's FLOPs count only these). */
  audioVideoTokens: number;
  /** FastV plans: the 1-based layer after which only these rows go on (earlier layers see the full sequence). */
  fastvLayer?: number;
}

export const TEXT_EMBEDDING_SEED = 0x7e47;

/**
 * A bundle holds no text embeddings (only the multimodal rows), so text and special positions get
 * a fixed stand-in: a Gaussian vector seeded by the sequence position, with the same RMS as the
 * bundle's audio/video rows so the norms look like the neighbours'. The same position gets the
 * same vector in the full and the compressed sequence (text is never pruned).
 */
export class TextEmbeddings {
  readonly scale: number;

  constructor(
    readonly hiddenSize: number,
    rms: number,
    readonly seed = TEXT_EMBEDDING_SEED,
  ) {
    this.scale = rms > 0 && Number.isFinite(rms) ? rms : 1;
  }

  static forBundle(bundle: FeatureBundle, seed = TEXT_EMBEDDING_SEED): TextEmbeddings {
    return new TextEmbeddings(bundle.hiddenSize, multimodalRms(bundle), seed);
  }

  write(out: Float32Array, row: number, sequencePosition: number): void {
    fillNormal(out.subarray(row * this.hiddenSize, (row + 1) * this.hiddenSize), deriveSeed(this.seed, sequencePosition), this.scale);
  }
}

/** Root mean square of all audio and video embedding elements. */
export function multimodalRms(bundle: FeatureBundle): number {
  let sum = 0;
  for (const x of bundle.audioEmbeds) sum += x * x;
  for (const x of bundle.videoEmbeds) sum += x * x;
  const count = bundle.audioEmbeds.length + bundle.videoEmbeds.length;
  return count > 0 ? Math.sqrt(sum / count) : 1;
}

/** The whole uncompressed sequence: audio and video rows from the bundle, text from `text`. */
export function fullSequence(bundle: FeatureBundle, text: TextEmbeddings): PrefillSequence {
  const D = bundle.hiddenSize;
  const L = bundle.tokenTypes.length;
  const embeds = new Float32Array(L * D);
  let a = 0;
  let v = 0;
  for (let p = 0; p < L; p++) {
    const type = bundle.tokenTypes[p];
    if (type === 1) embeds.set(bundle.audioEmbeds.subarray(a * D, ++a * D), p * D);
    else if (type === 2) embeds.set(bundle.videoEmbeds.subarray(v * D, ++v * D), p * D);
    else text.write(embeds, p, p);
  }
  return {
    label: 'full',
    embeds,
    hiddenSize: D,
    sequencePositions: Int32Array.from({ length: L }, (_, i) => i),
    tokens: L,
    audioVideoTokens: bundle.numAudio + bundle.numVideo,
  };
}

/**
 * The compressed sequence from `compressSequence`: its kept (merged) multimodal rows, with text
 * rows from `text` at the kept text positions.
 */
export function compressedSequence(bundle: FeatureBundle, compressed: CompressedSequence, text: TextEmbeddings, label: string): PrefillSequence {
  const D = bundle.hiddenSize;
  if (compressed.hiddenSize !== D) throw new PrefillError(`compressed sequence has hidden size ${compressed.hiddenSize}, bundle has ${D}`);
  const kept = compressed.keptSequencePositions;
  const embeds = new Float32Array(kept.length * D);
  let row = 0;
  for (let i = 0; i < kept.length; i++) {
    const p = kept[i];
    if (bundle.tokenTypes[p] === TOKEN_OTHER) {
      text.write(embeds, i, p);
      continue;
    }
    if (compressed.positions[row] !== p) {
      throw new PrefillError(`compressed sequence is inconsistent: multimodal row ${row} sits at position ${compressed.positions[row]}, expected ${p}`);
    }
    embeds.set(compressed.embeds.subarray(row * D, (row + 1) * D), i * D);
    row++;
  }
  if (row !== compressed.positions.length) throw new PrefillError(`compressed sequence has ${compressed.positions.length} multimodal rows but only ${row} kept audio/video positions`);
  return { label, embeds, hiddenSize: D, sequencePositions: Int32Array.from(kept), tokens: kept.length, audioVideoTokens: row };
}
