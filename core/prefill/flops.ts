/**
 * The paper's FLOPs estimate (OmniZip, Appendix C), per decoder:
 *   T·(4nd² + 2n²d + 2ndm) + T·R·((4d² + 2dm) + 2(dn + d(R+1)/2))
 * T = layers, n = tokens, d = hidden size, m = MLP intermediate size, R = decode steps (100).
 * The first term is the prefill; the second is R decode steps attending to the n prompt tokens
 * plus the tokens generated so far. The paper counts only audio + video tokens as n; the
 * studio also reports the whole sequence, because text tokens cost the same in a real prefill.
 *
 * FastV prunes inside the decoder, so one n per model does not fit it: its first K layers run over
 * the full sequence (and keep it in their KV cache), the remaining T − K over the kept tokens.
 * Every function here takes that split (`DecoderPruning`) and sums the per-layer terms:
 *   K·(4Nd² + 2N²d + 2Ndm) + (T−K)·(4nd² + 2n²d + 2ndm), K clamped to [0, T].
 */

export const PAPER_DECODE_STEPS = 100;

export interface FlopsDims {
  layers: number;
  hiddenSize: number;
  intermediateSize: number;
}

/** Dimensions of the paper's models (Qwen2.5-Omni thinker configs), for side-by-side figures. */
export const PAPER_MODEL_DIMS: Readonly<Record<string, FlopsDims>> = Object.freeze({
  'Qwen2.5-Omni-7B': { layers: 28, hiddenSize: 3584, intermediateSize: 18944 },
  'Qwen2.5-Omni-3B': { layers: 36, hiddenSize: 2048, intermediateSize: 11008 },
});

/** Pruning inside the decoder (FastV): layers 1..`layer` see all `fullTokens`, the rest the kept ones. */
export interface DecoderPruning {
  layer: number;
  fullTokens: number;
}

/** The decoder's layers in runs of equal token count: [layers, tokens]. */
function layerRuns(layers: number, tokens: number, pruning?: DecoderPruning | null): [number, number][] {
  if (!pruning) return [[layers, tokens]];
  const k = Math.min(Math.max(0, pruning.layer), layers);
  return [
    [k, pruning.fullTokens],
    [layers - k, tokens],
  ];
}

export function prefillFlops(dims: FlopsDims, tokens: number, pruning?: DecoderPruning | null): number {
  const { hiddenSize: d, intermediateSize: m } = dims;
  return layerRuns(dims.layers, tokens, pruning).reduce((sum, [T, n]) => sum + T * (4 * n * d * d + 2 * n * n * d + 2 * n * d * m), 0);
}

export function decodeFlops(dims: FlopsDims, tokens: number, decodeSteps: number, pruning?: DecoderPruning | null): number {
  const { hiddenSize: d, intermediateSize: m } = dims;
  const R = decodeSteps;
  return layerRuns(dims.layers, tokens, pruning).reduce((sum, [T, n]) => sum + T * R * (4 * d * d + 2 * d * m + 2 * (d * n + (d * (R + 1)) / 2)), 0);
}

/** The paper's total: prefill plus R decode steps. */
export function paperFlops(dims: FlopsDims, tokens: number, decodeSteps = PAPER_DECODE_STEPS, pruning?: DecoderPruning | null): number {
  return prefillFlops(dims, tokens, pruning) + decodeFlops(dims, tokens, decodeSteps, pruning);
}

export interface FlopsFigures {
  /** n used for the full and the compressed run. */
  tokensFull: number;
  tokensCompressed: number;
  /** The paper's formula with R decode steps. */
  fullFlops: number;
  compressedFlops: number;
  /** compressed / full (the paper's "FLOPs" column, e.g. 29% at 35% retention). */
  ratio: number;
  /** full / compressed: the speed-up the formula predicts. */
  speedup: number;
  /** The prefill term alone, which is what a prefill latency measures. */
  prefillRatio: number;
  prefillSpeedup: number;
}

/** `prunedAfterLayer`: FastV's K, when the compressed run prunes inside the decoder (null: before it). */
export function flopsFigures(dims: FlopsDims, tokensFull: number, tokensCompressed: number, decodeSteps = PAPER_DECODE_STEPS, prunedAfterLayer: number | null = null): FlopsFigures {
  const pruning = prunedAfterLayer === null ? null : { layer: prunedAfterLayer, fullTokens: tokensFull };
  const fullFlops = paperFlops(dims, tokensFull, decodeSteps);
  const compressedFlops = paperFlops(dims, tokensCompressed, decodeSteps, pruning);
  const fullPrefill = prefillFlops(dims, tokensFull);
  const compressedPrefill = prefillFlops(dims, tokensCompressed, pruning);
  return {
    tokensFull,
    tokensCompressed,
    fullFlops,
    compressedFlops,
    ratio: compressedFlops / fullFlops,
    speedup: fullFlops / compressedFlops,
    prefillRatio: compressedPrefill / fullPrefill,
    prefillSpeedup: fullPrefill / compressedPrefill,
  };
}

export interface FlopsComparison {
  decodeSteps: number;
  dims: FlopsDims;
  /** n = audio + video tokens only, as in the paper's Appendix C. */
  audioVideoOnly: FlopsFigures;
  /** n = every token of the LLM sequence (text and special tokens included). */
  wholeSequence: FlopsFigures;
}

export function compareFlops(
  dims: FlopsDims,
  counts: { audioVideoFull: number; audioVideoCompressed: number; sequenceFull: number; sequenceCompressed: number },
  decodeSteps = PAPER_DECODE_STEPS,
  prunedAfterLayer: number | null = null,
): FlopsComparison {
  return {
    decodeSteps,
    dims: { ...dims },
    audioVideoOnly: flopsFigures(dims, counts.audioVideoFull, counts.audioVideoCompressed, decodeSteps, prunedAfterLayer),
    wholeSequence: flopsFigures(dims, counts.sequenceFull, counts.sequenceCompressed, decodeSteps, prunedAfterLayer),
  };
}
