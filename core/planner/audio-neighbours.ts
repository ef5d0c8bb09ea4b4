import type { ClipAnalysis } from '../analysis/types.js';
import { throwIfAborted } from '../protocol/errors.js';

/**
 * Each audio token's most similar audio tokens, so the merge stage finds a token's nearest anchor
 * without reading the anchors' columns of its row of the [numAudio, numAudio] similarity matrix:
 * that scan touched one cache line per (pool token, anchor), ~80 MB per replan on a 5-minute 7B
 * clip (7,500 audio tokens), and was most of the replan time.
 *
 * A list holds the row's `k` largest similarities ordered as the merge stage breaks ties: value
 * descending, then the lower index. The first anchor met in that order is exactly the anchor the
 * full scan picks (the highest similarity, the lower anchor index on ties); when no anchor is among
 * the `k`, the caller scans the row as before. Rows holding a NaN have no list (always scanned).
 */
export interface AudioNeighbourLists {
  k: number;
  /** [numAudio, k] token indices; a row with `usable[i] === 0` is not filled. */
  lists: Int32Array;
  usable: Uint8Array;
}

/** Enough that a missed anchor is rare at any anchor density: rows scanned in full cost at most ~numAudio / (e·k) lookups each on average. */
export const NEIGHBOUR_LIST_LENGTH = 128;

const memo = new WeakMap<ClipAnalysis, AudioNeighbourLists>();

/** The analysis's neighbour lists, computed on first use and kept with the analysis (about 4 MB for 7,500 audio tokens). */
export function audioNeighbourLists(analysis: ClipAnalysis): AudioNeighbourLists {
  let lists = memo.get(analysis);
  if (!lists) {
    lists = buildNeighbourLists(analysis.audioSelfSimilarity, analysis.numAudio, NEIGHBOUR_LIST_LENGTH);
    memo.set(analysis, lists);
  }
  return lists;
}

/**
 * Lists built elsewhere for this analysis: the compute worker builds them right after the analysis
 * (~1 s on a 5-minute clip), so the host's first plan does not build them on its event loop.
 */
export function adoptAudioNeighbourLists(analysis: ClipAnalysis, lists: AudioNeighbourLists): void {
  if (lists.usable.length !== analysis.numAudio || lists.lists.length !== analysis.numAudio * lists.k) {
    throw new Error(`neighbour lists for ${lists.usable.length} audio tokens do not fit an analysis of ${analysis.numAudio}`);
  }
  memo.set(analysis, lists);
}

/** Whether the analysis's lists are built (or adopted) already, so its next plan does not build them. */
export function hasAudioNeighbourLists(analysis: ClipAnalysis): boolean {
  return memo.has(analysis);
}

/** The lists of `sim` ([n, n]); `signal` is checked every 256 rows (a cancelled open stops here too). */
export function buildNeighbourLists(sim: Float32Array, n: number, maxK: number, signal?: AbortSignal): AudioNeighbourLists {
  const k = Math.min(maxK, n);
  const lists = new Int32Array(n * k);
  const usable = new Uint8Array(n);
  const scratch = new Float32Array(n);
  const picked = new Int32Array(n);
  // A threshold from a strided sample that about 2k of a row's values reach: one pass over the
  // row then collects the candidates (a full quickselect when the sample guessed too high).
  const stride = Math.max(1, Math.floor(n / 512));
  const sampleSize = Math.ceil(n / stride);
  const sampleRank = Math.min(sampleSize, Math.ceil((2 * k * sampleSize) / n) + 4);
  for (let i = 0; i < n; i++) {
    if ((i & 255) === 0) throwIfAborted(signal, 'building the audio neighbour lists');
    const row = sim.subarray(i * n, (i + 1) * n);
    let hasNaN = false;
    for (let j = 0, m = 0; j < n; j += stride, m++) {
      const v = row[j];
      if (v !== v) hasNaN = true;
      scratch[m] = v;
    }
    if (hasNaN) continue;
    let threshold = kthLargest(scratch, sampleSize, sampleRank);
    let count = 0;
    for (let j = 0; j < n; j++) {
      const v = row[j];
      if (v >= threshold) picked[count++] = j;
      else if (v !== v) hasNaN = true;
    }
    if (hasNaN) continue;
    if (count < k) {
      // Everything above the k-th largest value, then its ties by ascending index until k are
      // taken: exactly the first k in (value desc, index asc) order.
      scratch.set(row);
      threshold = kthLargest(scratch, n, k);
      count = 0;
      for (let j = 0; j < n; j++) if (row[j] > threshold) picked[count++] = j;
      for (let j = 0; j < n && count < k; j++) if (row[j] === threshold) picked[count++] = j;
    }
    const top = Array.from(picked.subarray(0, count)).sort((a, b) => (row[a] !== row[b] ? (row[b] > row[a] ? 1 : -1) : a - b));
    lists.set(top.length > k ? top.slice(0, k) : top, i * k);
    usable[i] = 1;
  }
  return { k, lists, usable };
}

/** The k-th largest of values[0, n) (1-based k), by in-place quickselect; values hold no NaN. */
function kthLargest(values: Float32Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  const target = k - 1; // index in descending order
  while (lo < hi) {
    const pivot = values[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] > pivot) i++;
      while (values[j] < pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return values[target];
  }
  return values[target];
}

/**
 * The index (into `anchors`, ascending token indices) of the anchor most similar to token `j`,
 * the first anchor on ties; `anchorSlot[a]` is a's index in `anchors` when a is one of them, else -1.
 */
export function nearestAnchor(sim: Float32Array, n: number, j: number, anchors: readonly number[], anchorSlot: Int32Array, neighbours: AudioNeighbourLists | null): number {
  if (neighbours && neighbours.usable[j]) {
    const { k, lists } = neighbours;
    for (let r = j * k, end = r + k; r < end; r++) {
      const slot = anchorSlot[lists[r]];
      if (slot >= 0) return slot;
    }
  }
  let best = -Infinity;
  let bestK = 0;
  const row = j * n;
  for (let q = 0; q < anchors.length; q++) {
    const s = sim[row + anchors[q]];
    if (s > best) {
      best = s;
      bestK = q;
    }
  }
  return bestK;
}
