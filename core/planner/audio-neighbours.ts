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
  const rows = new RowNeighbours(n);
  for (let i = 0; i < n; i++) {
    if ((i & 255) === 0) throwIfAborted(signal, 'building the audio neighbour lists');
    const top = rows.topOf(sim.subarray(i * n, (i + 1) * n), k);
    if (!top) continue;
    lists.set(top, i * k);
    usable[i] = 1;
  }
  return { k, lists, usable };
}

/** One row's first k tokens in (value desc, index asc) order, with scratch kept between rows. */
class RowNeighbours {
  private readonly scratch: Float32Array;
  private readonly picked: Int32Array;
  private keys = new Float64Array(0);

  constructor(private readonly n: number) {
    this.scratch = new Float32Array(n);
    this.picked = new Int32Array(n);
  }

  /** The row's first k tokens; null when the row holds a NaN. */
  topOf(row: Float32Array, k: number): Int32Array | null {
    const { n, scratch, picked } = this;
    // A threshold from a strided sample that about 2k of a row's values reach: one pass over the
    // row then collects the candidates (a full quickselect when the sample guessed too high).
    const stride = Math.max(1, Math.floor(n / 512));
    const sampleSize = Math.ceil(n / stride);
    const sampleRank = Math.min(sampleSize, Math.ceil((2 * k * sampleSize) / n) + 4);
    let hasNaN = false;
    for (let j = 0, m = 0; j < n; j += stride, m++) {
      const v = row[j];
      if (v !== v) hasNaN = true;
      scratch[m] = v;
    }
    if (hasNaN) return null;
    let threshold = kthLargest(scratch, sampleSize, sampleRank);
    let count = 0;
    for (let j = 0; j < n; j++) {
      const v = row[j];
      if (v >= threshold) picked[count++] = j;
      else if (v !== v) hasNaN = true;
    }
    if (hasNaN) return null;
    if (count < k) {
      // Everything above the k-th largest value, then its ties by ascending index until k are
      // taken: exactly the first k in (value desc, index asc) order.
      scratch.set(row);
      threshold = kthLargest(scratch, n, k);
      count = 0;
      for (let j = 0; j < n; j++) if (row[j] > threshold) picked[count++] = j;
      for (let j = 0; j < n && count < k; j++) if (row[j] === threshold) picked[count++] = j;
    }
    return this.ordered(row, count, k);
  }

  /**
   * The first k of picked[0, count) in (value desc, index asc) order. Each candidate becomes one
   * float64 key, the value's order-preserving bits above the index, so a native numeric sort does
   * what a comparator sort did 10-20x slower (a longer list is built during a replan).
   */
  private ordered(row: Float32Array, count: number, k: number): Int32Array {
    const { picked } = this;
    const out = new Int32Array(Math.min(k, count));
    if (this.n > INDEX_SPAN) {
      const top = Array.from(picked.subarray(0, count)).sort((a, b) => (row[a] !== row[b] ? (row[b] > row[a] ? 1 : -1) : a - b));
      out.set(top.slice(0, out.length));
      return out;
    }
    if (this.keys.length < count) this.keys = new Float64Array(Math.max(count, 2 * this.keys.length));
    const keys = this.keys.subarray(0, count);
    for (let c = 0; c < count; c++) {
      const j = picked[c];
      const v = row[j];
      keyValue[0] = v === 0 ? 0 : v; // -0 ties with +0, as the comparison does
      const bits = keyBits[0];
      // Ascending bits for ascending values, then flipped: larger values sort first.
      const ascending = bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
      keys[c] = (0xffffffff - ascending) * INDEX_SPAN + j;
    }
    keys.sort();
    for (let c = 0; c < out.length; c++) out[c] = keys[c] % INDEX_SPAN;
    return out;
  }
}

/** Indices below this fit beside a float32's 32 bits in a float64's 53-bit integer range. */
const INDEX_SPAN = 2 ** 21;
const keyValue = new Float32Array(1);
const keyBits = new Uint32Array(keyValue.buffer);

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
 * A second, longer list for the rows whose first `k` hold no anchor. Those rows cluster among the
 * low-scoring tokens the top-k stage leaves (at rho_audio 0.4-0.5 on a 5-minute clip, ~100 of the
 * pool), and scanning each one's anchor columns cost 2-4 ms per replan; the longer list is built
 * once per row, the first time it is needed, and serves every later setting.
 */
export const EXTENDED_LIST_LENGTH = 1024;
/**
 * Fewer anchors than this are scanned rather than looked up in a longer list: with n / anchors
 * above ~100 a row's first anchor often lies past the list (the walk is then wasted), and a scan
 * of so few columns costs about what walking the list does. Not a measured optimum: on the
 * 5-minute clip replans at 15 and 150 anchors timed the same with and without it, within noise.
 */
export const EXTENDED_MIN_ANCHORS = 64;
/** At most this many rows get a longer list (4 MB at EXTENDED_LIST_LENGTH); rows past it are scanned. */
export const EXTENDED_ROWS_MAX = 1024;

interface ExtendedLists {
  rows: Map<number, Int32Array>;
  builder: RowNeighbours;
}
const extended = new WeakMap<AudioNeighbourLists, ExtendedLists>();

/**
 * Longer lists one replan may build: each costs ~0.3 ms (a pass over the row and a sort), and a
 * setting first reached can want ~150 of them, which made that one replan ~100 ms. Rows past the
 * budget are scanned this time and built by a later replan (the idle warm-up's among them).
 */
export const EXTENDED_BUILDS_PER_PLAN = 24;

/** What one replan may still build; the merge stage makes one per plan. */
export interface ExtendBudget {
  rowsLeft: number;
}

export const extendBudget = (): ExtendBudget => ({ rowsLeft: EXTENDED_BUILDS_PER_PLAN });

/** Row j's first EXTENDED_LIST_LENGTH neighbours, built on first use while `budget` lasts; null past EXTENDED_ROWS_MAX or when the list would be no longer than the short one. */
function extendedList(sim: Float32Array, n: number, j: number, neighbours: AudioNeighbourLists, budget: ExtendBudget): Int32Array | null {
  const length = Math.min(EXTENDED_LIST_LENGTH, n);
  if (length <= neighbours.k) return null;
  let ext = extended.get(neighbours);
  if (!ext) extended.set(neighbours, (ext = { rows: new Map(), builder: new RowNeighbours(n) }));
  let list = ext.rows.get(j);
  if (!list) {
    if (ext.rows.size >= EXTENDED_ROWS_MAX || budget.rowsLeft <= 0) return null;
    budget.rowsLeft--;
    const top = ext.builder.topOf(sim.subarray(j * n, (j + 1) * n), length);
    if (!top) return null;
    ext.rows.set(j, (list = top));
  }
  return list;
}

/** How many rows have a longer list (for tests and probes). */
export function extendedRowCount(neighbours: AudioNeighbourLists): number {
  return extended.get(neighbours)?.rows.size ?? 0;
}

/**
 * The index (into `anchors`, ascending token indices) of the anchor most similar to token `j`,
 * the first anchor on ties; `anchorSlot[a]` is a's index in `anchors` when a is one of them, else -1.
 */
export function nearestAnchor(
  sim: Float32Array,
  n: number,
  j: number,
  anchors: readonly number[],
  anchorSlot: Int32Array,
  neighbours: AudioNeighbourLists | null,
  budget: ExtendBudget = extendBudget(),
): number {
  if (neighbours && neighbours.usable[j]) {
    const { k, lists } = neighbours;
    for (let r = j * k, end = r + k; r < end; r++) {
      const slot = anchorSlot[lists[r]];
      if (slot >= 0) return slot;
    }
    // The longer list continues the same order, so its first anchor is still the exact answer.
    // With few anchors a scan of their columns is cheaper than walking (and building) it.
    const longer = anchors.length >= EXTENDED_MIN_ANCHORS ? extendedList(sim, n, j, neighbours, budget) : null;
    if (longer) {
      for (let r = k; r < longer.length; r++) {
        const slot = anchorSlot[longer[r]];
        if (slot >= 0) return slot;
      }
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
