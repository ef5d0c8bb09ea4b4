import type { Range } from './layout.js';
import { AUDIO_DOMINANT } from './types.js';

/**
 * Exact ties at a top-n cut. When the last kept and the first dropped token of a ranking have the
 * same value, only the lower-index rule decided between them; every token with that value is
 * flagged so the studio can show the decision was arbitrary (`ties_decided` counts them).
 */

/** Flags tokens tied at the cut between `order[count - 1]` and `order[count]` (values indexed like `order`). */
export function markCutTies(values: ArrayLike<number>, order: ArrayLike<number>, count: number, offset: number, out: Uint8Array): number {
  if (count <= 0 || count >= order.length) return 0;
  const boundary = values[order[count - 1]];
  if (boundary !== values[order[count]] || Number.isNaN(boundary)) return 0;
  let flagged = 0;
  for (let r = 0; r < order.length; r++) {
    if (values[order[r]] === boundary) {
      out[offset + order[r]] = 1;
      flagged++;
    }
  }
  return flagged;
}

/** Audio top-k: within each segment, flags the tokens tied between the weakest dominant and the strongest non-dominant. */
export function markAudioTies(score: Float32Array, fate: Uint8Array, segments: Range[], out: Uint8Array): void {
  for (const [s, e] of segments) {
    let weakestKept = Infinity;
    let strongestDropped = -Infinity;
    for (let i = s; i < e; i++) {
      if (fate[i] === AUDIO_DOMINANT) weakestKept = Math.min(weakestKept, score[i]);
      else strongestDropped = Math.max(strongestDropped, score[i]);
    }
    if (weakestKept !== strongestDropped || !Number.isFinite(weakestKept)) continue;
    for (let i = s; i < e; i++) if (score[i] === weakestKept) out[i] = 1;
  }
}

export function countFlags(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i];
  return n;
}
