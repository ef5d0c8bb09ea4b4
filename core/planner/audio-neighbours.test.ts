import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeReference } from '../analysis/reference.js';
import { resolveConfig } from '../config/validate.js';
import { mulberry32 } from '../util/numeric.js';
import { randomBundle } from '../../test-support/random-bundle.js';
import { audioNeighbourLists, buildNeighbourLists, EXTENDED_BUILDS_PER_PLAN, EXTENDED_LIST_LENGTH, EXTENDED_MIN_ANCHORS, EXTENDED_ROWS_MAX, extendBudget, extendedRowCount, nearestAnchor, NEIGHBOUR_LIST_LENGTH, type AudioNeighbourLists } from './audio-neighbours.js';
import { clipLayout, detectLayout } from './layout.js';
import { planClip, requiredFrameGeometries } from './plan.js';

/** The merge stage's original rule: the highest similarity over the anchors, the first anchor on ties. */
function scanNearest(sim: Float32Array, n: number, j: number, anchors: number[]): number {
  let best = -Infinity;
  let bestK = 0;
  for (let q = 0; q < anchors.length; q++) {
    const s = sim[j * n + anchors[q]];
    if (s > best) {
      best = s;
      bestK = q;
    }
  }
  return bestK;
}

/** Similarities with many exact ties (few distinct levels), signed zeros, infinities and the odd NaN. */
function awkwardMatrix(n: number, seed: number, levels: number, withNaN = true): Float32Array {
  const rand = mulberry32(seed);
  const sim = new Float32Array(n * n);
  const specials = withNaN ? [0, -0, Infinity, -Infinity, NaN] : [0, -0, Infinity, -Infinity];
  for (let i = 0; i < sim.length; i++) {
    const r = rand();
    sim[i] = r < 0.01 ? specials[Math.floor(rand() * specials.length)] : Math.round((rand() * 2 - 1) * levels) / levels;
  }
  return sim;
}

/** Row i's list is its k largest similarities by a full sort (value descending, lower index first); a NaN row has none. */
function expectRowMatchesFullSort(sim: Float32Array, n: number, i: number, built: AudioNeighbourLists): void {
  const row = Array.from(sim.subarray(i * n, (i + 1) * n));
  if (row.some(Number.isNaN)) {
    expect(built.usable[i]).toBe(0);
    return;
  }
  const expected = row
    .map((v, j) => ({ v, j }))
    .sort((a, b) => (a.v !== b.v ? (b.v > a.v ? 1 : -1) : a.j - b.j))
    .slice(0, built.k)
    .map((e) => e.j);
  expect(built.usable[i]).toBe(1);
  expect(Array.from(built.lists.subarray(i * built.k, (i + 1) * built.k))).toEqual(expected);
}

describe('audio neighbour lists', () => {
  it('list each row’s k largest similarities by value descending, lower index first on ties', () => {
    const n = 60;
    const sim = awkwardMatrix(n, 7, 5);
    const { k, lists, usable } = buildNeighbourLists(sim, n, 9);
    expect(k).toBe(9);
    for (let i = 0; i < n; i++) expectRowMatchesFullSort(sim, n, i, { k, lists, usable });
  });

  it('match a full sort on rows long enough to be sampled, with a short list and one longer than the sample', () => {
    const n = 1100;
    const sim = awkwardMatrix(n, 11, 40, false);
    sim[3 * 7 * n + 5] = NaN; // one row with a NaN: no list
    for (const maxK of [128, 600]) {
      const { k, lists, usable } = buildNeighbourLists(sim, n, maxK);
      for (let i = 0; i < n; i += 7) expectRowMatchesFullSort(sim, n, i, { k, lists, usable });
    }
  });

  it('pick the same anchor as a scan of every anchor, whether or not one is in the list', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 220 }), // past EXTENDED_MIN_ANCHORS anchors: the longer list answers too
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 16 }),
        fc.double({ min: 0.01, max: 0.6, noNaN: true }),
        (n, seed, levels, listLength, anchorShare) => {
          const sim = awkwardMatrix(n, seed, levels);
          const neighbours = buildNeighbourLists(sim, n, listLength);
          const rand = mulberry32(seed ^ 0x5a5a);
          const anchors: number[] = [];
          for (let i = 0; i < n; i++) if (rand() < anchorShare) anchors.push(i);
          if (anchors.length === 0) anchors.push(Math.floor(rand() * n));
          const slot = new Int32Array(n).fill(-1);
          anchors.forEach((a, q) => (slot[a] = q));
          for (let j = 0; j < n; j++) {
            if (slot[j] >= 0) continue;
            expect(nearestAnchor(sim, n, j, anchors, slot, neighbours)).toBe(scanNearest(sim, n, j, anchors));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
  it('answer from the longer list or, past it and past the row cap, from a scan: always the scan’s anchor', () => {
    // Rows longer than the longer list, and more rows needing it than the cap allows.
    const n = EXTENDED_LIST_LENGTH + 400;
    expect(n).toBeGreaterThan(EXTENDED_ROWS_MAX);
    const sim = awkwardMatrix(n, 5, 30, false);
    const neighbours = buildNeighbourLists(sim, n, 2);
    // Enough anchors for the longer list, spread so most rows' first 4 miss them.
    const anchors = Array.from({ length: EXTENDED_MIN_ANCHORS + 1 }, (_, q) => 5 + q * 17);
    const slot = new Int32Array(n).fill(-1);
    anchors.forEach((a, q) => (slot[a] = q));
    for (let j = 0; j < n; j++) if (slot[j] < 0) expect(nearestAnchor(sim, n, j, anchors, slot, neighbours)).toBe(scanNearest(sim, n, j, anchors));
    expect(extendedRowCount(neighbours)).toBe(EXTENDED_ROWS_MAX);
    // Built once: a second pass (another setting) reuses the rows and still agrees with the scan.
    const again = [...anchors, 1000].sort((a, b) => a - b);
    const slot2 = new Int32Array(n).fill(-1);
    again.forEach((a, q) => (slot2[a] = q));
    for (let j = 0; j < n; j += 3) if (slot2[j] < 0) expect(nearestAnchor(sim, n, j, again, slot2, neighbours)).toBe(scanNearest(sim, n, j, again));
    // One replan's shared budget builds at most EXTENDED_BUILDS_PER_PLAN rows; the rest are scanned, answers unchanged.
    const budgeted = buildNeighbourLists(sim, n, 2);
    const budget = extendBudget();
    for (let j = 0; j < n; j++) if (slot[j] < 0) expect(nearestAnchor(sim, n, j, anchors, slot, budgeted, budget)).toBe(scanNearest(sim, n, j, anchors));
    expect(extendedRowCount(budgeted)).toBe(EXTENDED_BUILDS_PER_PLAN);
    // Too few anchors: scanned, no longer list built.
    const fresh = buildNeighbourLists(sim, n, 4);
    const few = [17, 900];
    const slot3 = new Int32Array(n).fill(-1);
    few.forEach((a, q) => (slot3[a] = q));
    for (let j = 0; j < n; j += 5) if (slot3[j] < 0) expect(nearestAnchor(sim, n, j, few, slot3, fresh)).toBe(scanNearest(sim, n, j, few));
    expect(extendedRowCount(fresh)).toBe(0);
    expect(extendedRowCount(neighbours)).toBe(EXTENDED_ROWS_MAX);
  });
});

describe('the merge stage with neighbour lists, on a clip longer than a list', () => {
  it('merges every token into the anchor a full scan finds, for each config; lists belong to their analysis', () => {
    const bundle = randomBundle({ videoChunks: 6, audioChunks: 6, gridH: 2, gridW: 4, framesPerChunk: 1, audioPerChunk: 50, dim: 8, seed: 2511 });
    const analysis = analyzeReference(bundle, requiredFrameGeometries(bundle));
    const na = analysis.numAudio;
    expect(na).toBeGreaterThan(NEIGHBOUR_LIST_LENGTH);
    const configs = [
      { rho_audio: 0.3, contextual_ratio: 0.05, g: 3 },
      { rho_audio: 0.5, contextual_ratio: 0.01, g: 30 }, // 3 anchors: most tokens' lists hold none, the scan decides
      { rho_audio: 0.6, contextual_ratio: 0.1, g: 8, audio_selection: 'per_group' },
    ];
    const seen = new Set<string>();
    for (const overrides of configs) {
      const plan = planClip(bundle, analysis, resolveConfig(overrides));
      seen.add(Array.from(plan.audio.fate).join(''));
      let merged = 0;
      for (let j = 0; j < na; j++) {
        if (plan.audio.mergedInto[j] < 0) continue;
        merged++;
        // Anchors of j's own segment: the merge stage never crosses one.
        const segmentAnchors = plan.audio.anchors.filter((a) => overrides.audio_selection !== 'per_group' || plan.groups.some((g) => g.audio_range && a >= g.audio_range[0] && a < g.audio_range[1] && j >= g.audio_range[0] && j < g.audio_range[1]));
        expect(plan.audio.mergedInto[j]).toBe(segmentAnchors[scanNearest(analysis.audioSelfSimilarity, na, j, segmentAnchors)]);
      }
      expect(merged).toBeGreaterThan(0);
    }
    expect(seen.size).toBe(configs.length); // a changed config key replans
    const other = analyzeReference(randomBundle({ videoChunks: 6, audioChunks: 6, gridH: 2, gridW: 4, framesPerChunk: 1, audioPerChunk: 50, dim: 8, seed: 7 }), requiredFrameGeometries(bundle));
    expect(audioNeighbourLists(analysis)).toBe(audioNeighbourLists(analysis));
    expect(audioNeighbourLists(other).lists).not.toEqual(audioNeighbourLists(analysis).lists);
  });
});

describe('the per-bundle layout memo', () => {
  it('answers the same layout for the same bundle and a fresh one when its token types or metadata change', () => {
    const bundle = randomBundle({ videoChunks: 2, audioChunks: 2, gridH: 2, gridW: 2, framesPerChunk: 1, audioPerChunk: 5, dim: 4, seed: 3 });
    const first = clipLayout(bundle);
    expect(clipLayout(bundle)).toBe(first);
    expect(first).toEqual(detectLayout(bundle));
    const regrid = { ...bundle, metadata: { ...bundle.metadata, seconds_per_chunk: 4 } };
    expect(clipLayout(regrid).secondsPerChunk).toBe(4);
    const fewer = { ...bundle, tokenTypes: bundle.tokenTypes.slice(0, bundle.tokenTypes.length - 1) };
    expect(clipLayout(fewer).sequenceLength).toBe(bundle.tokenTypes.length - 1);
  });
});
