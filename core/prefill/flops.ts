/**
 * The paper's FLOPs estimate (OmniZip, Appendix C), per decoder:
 *   T·(4nd² + 2n²d + 2ndm) + T·R·((4d² + 2dm) + 2(dn + d(R+1)/2))
 * T = layers, n = tokens, d = hidden size, m = MLP intermediate size, R = decode steps (100).
 * The first term is the prefill; the second is R decode steps attending to the n prompt tokens
 * plus the tokens generated so far. The paper counts only audio + video tokens as n; the
 * studio also reports the whole sequence, because text tokens cost the same in a real prefill.
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

export function prefillFlops(dims: FlopsDims, tokens: number): number {
  const { layers: T, hiddenSize: d, intermediateSize: m } = dims;
  const n = tokens;
  return T * (4 * n * d * d + 2 * n * n * d + 2 * n * d * m);
}

export function decodeFlops(dims: FlopsDims, tokens: number, decodeSteps: number): number {
  const { layers: T, hiddenSize: d, intermediateSize: m } = dims;
  const n = tokens;
  const R = decodeSteps;
  return T * R * (4 * d * d + 2 * d * m + 2 * (d * n + (d * (R + 1)) / 2));
}

/** The paper's total: prefill plus R decode steps. */
export function paperFlops(dims: FlopsDims, tokens: number, decodeSteps = PAPER_DECODE_STEPS): number {
  return prefillFlops(dims, tokens) + decodeFlops(dims, tokens, decodeSteps);
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

export function flopsFigures(dims: FlopsDims, tokensFull: number, tokensCompressed: number, decodeSteps = PAPER_DECODE_STEPS): FlopsFigures {
  const fullFlops = paperFlops(dims, tokensFull, decodeSteps);
  const compressedFlops = paperFlops(dims, tokensCompressed, decodeSteps);
  const fullPrefill = prefillFlops(dims, tokensFull);
  const compressedPrefill = prefillFlops(dims, tokensCompressed);
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
): FlopsComparison {
  return {
    decodeSteps,
    dims: { ...dims },
    audioVideoOnly: flopsFigures(dims, counts.audioVideoFull, counts.audioVideoCompressed, decodeSteps),
    wholeSequence: flopsFigures(dims, counts.sequenceFull, counts.sequenceCompressed, decodeSteps),
  };
}
