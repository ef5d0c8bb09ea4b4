/**
 * How far the compressed prefill's output drifts from the full one. All sums run in float64 so
 * the metrics do not depend on summation order noise of a large vocabulary.
 */

export interface FidelityMetrics {
  /** KL(P_full || P_compressed) of the next-token distributions, natural log (nats). */
  klDivergence: number;
  /** 1 when both runs' most likely next token is the same, else 0. */
  top1Agreement: number;
  /** |top5(full) ∩ top5(compressed)| / 5: how much of the full run's shortlist survives. */
  top5Overlap: number;
  /** 1 when the full run's top-1 token is among the compressed run's top 5, else 0. */
  top1InTop5: number;
  /** Cosine similarity of the last position's final hidden state; null when the model has no such output. */
  hiddenCosine: number | null;
  fullTop5: number[];
  compressedTop5: number[];
}

/** log softmax in float64 with the max subtracted first (logits can be large). */
export function logSoftmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  const logZ = max + Math.log(sum);
  const out = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i] - logZ;
  return out;
}

/** KL(P || Q) in nats from two logit vectors over the same vocabulary. */
export function klDivergenceFromLogits(logitsP: ArrayLike<number>, logitsQ: ArrayLike<number>): number {
  if (logitsP.length !== logitsQ.length) {
    throw new RangeError(`KL divergence needs equal vocabularies, got ${logitsP.length} and ${logitsQ.length} logits`);
  }
  const logP = logSoftmax(logitsP);
  const logQ = logSoftmax(logitsQ);
  let kl = 0;
  for (let i = 0; i < logP.length; i++) {
    const p = Math.exp(logP[i]);
    if (p > 0) kl += p * (logP[i] - logQ[i]);
  }
  // Rounding can leave a tiny negative value for identical distributions; KL is never negative.
  return Math.max(0, kl);
}

/** Indices of the k largest values, largest first; ties go to the lower index. */
export function topK(values: ArrayLike<number>, k: number): number[] {
  const best: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (best.length === k && !(v > values[best[k - 1]])) continue;
    let at = best.length === k ? k - 1 : best.length;
    if (best.length < k) best.push(i);
    while (at > 0 && v > values[best[at - 1]]) {
      best[at] = best[at - 1];
      at--;
    }
    best[at] = i;
  }
  return best;
}

export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`cosine needs equal lengths, got ${a.length} and ${b.length}`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  if (na === 0 || nb === 0) return na === nb ? 1 : 0;
  return dot / Math.sqrt(na * nb);
}

export function compareNextToken(
  full: { logits: ArrayLike<number>; hidden: ArrayLike<number> | null },
  compressed: { logits: ArrayLike<number>; hidden: ArrayLike<number> | null },
): FidelityMetrics {
  const fullTop5 = topK(full.logits, 5);
  const compressedTop5 = topK(compressed.logits, 5);
  const shared = fullTop5.filter((i) => compressedTop5.includes(i)).length;
  return {
    klDivergence: klDivergenceFromLogits(full.logits, compressed.logits),
    top1Agreement: fullTop5[0] === compressedTop5[0] ? 1 : 0,
    top5Overlap: shared / Math.max(1, Math.min(5, fullTop5.length)),
    top1InTop5: compressedTop5.includes(fullTop5[0]) ? 1 : 0,
    hiddenCosine: full.hidden && compressed.hidden ? cosineSimilarity(full.hidden, compressed.hidden) : null,
    fullTop5,
    compressedTop5,
  };
}
