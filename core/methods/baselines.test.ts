import { describe, expect, it } from 'vitest';
import { temporalTokenMerging, type FrameSimilarity } from './dycoke.js';
import { headMean, layerAverageCount, nativeFastvCount, topByAttention } from './fastv.js';
import { nativeRandomCount, randomSelection } from './random.js';
import { largestRemainder } from './shared.js';
import { matchedSplit, nativeClipSplit, nativeWindowSplit, tokenScoresFromPatches, visionZipSelect, type KeySimilarity } from './visionzip.js';
import { truncate } from '../planner/numeric.js';

/** The hand-made cases of shared/docs/baselines.md section 6: each answer follows from the paper's rule. */

const indicesOf = (mask: Uint8Array) => [...mask.keys()].filter((i) => mask[i]);

describe('random', () => {
  it('draws audio first, then video, from one seeded stream', () => {
    expect(indicesOf(randomSelection(5, 8, 2, 3, 0).audio)).toEqual([0, 1]);
    expect(indicesOf(randomSelection(5, 8, 2, 3, 0).video)).toEqual([1, 2, 4]);
    expect(indicesOf(randomSelection(5, 8, 5, 3, 7).video)).toEqual([0, 3, 4]);
    expect(indicesOf(randomSelection(5, 8, 0, 3, 7).video)).toEqual([0, 1, 7]);
  });

  it('counts natively as SEATS: max(int(r N), 1) for r > 0, else 0', () => {
    expect(nativeRandomCount(10, 0.95)).toBe(1);
    expect(nativeRandomCount(10, 1)).toBe(0);
    expect(nativeRandomCount(10, 0.45)).toBe(5);
  });
});

describe('uniform', () => {
  it('native keeps int(tpf (1 - rho)) per frame; match shares 115 over two 144-token frames as 58 + 57', () => {
    expect(truncate(144 * (1 - 0.6))).toBe(57);
    expect(largestRemainder(115, [144, 144])).toEqual([58, 57]);
  });

  it('largest remainder never exceeds a bin and gives equal remainders to the earlier bin', () => {
    expect(largestRemainder(5, [4, 4, 4])).toEqual([2, 2, 1]);
    expect(largestRemainder(20, [2, 3])).toEqual([2, 3]);
  });
});

function table(pairs: Record<string, number[]>): FrameSimilarity {
  return (t, ref, p) => {
    const row = pairs[`${t}:${ref}`];
    if (!row) throw new Error(`no similarity for frame ${t} vs ${ref}`);
    return row[p];
  };
}

describe('dycoke (TTM)', () => {
  it('official: F=5, tpf 2, K=0.5 keeps {0,1,3,4,7} and drops the odd last frame', () => {
    const sim = table({ '1:0': [1, -1], '2:0': [-1, 1], '3:2': [1, -1] });
    const r = temporalTokenMerging(10, 2, sim, { kind: 'native', k: 0.5, quirks: 'official' }, 'video');
    expect(indicesOf(r.keep)).toEqual([0, 1, 3, 4, 7]);
    expect(r.notes.join(' ')).toMatch(/odd last frame/);
  });

  it('official: F=8 keeps the last window\'s frame 2 whole, counts [2,1,1,1,2,1,2,1]', () => {
    const r = temporalTokenMerging(16, 2, () => 0, { kind: 'native', k: 0.5, quirks: 'official' }, 'video');
    expect(r.frameCounts).toEqual([2, 1, 1, 1, 2, 1, 2, 1]);
  });

  it('match: tpf 4, F=4, target 9 gives counts [4,2,2,1] and the least similar positions', () => {
    const sim = table({ '1:0': [0.9, -0.5, 0.1, 0.7], '2:0': [0.2, 0.8, -0.1, 0.3], '3:2': [0.5, 0.4, 0.6, -0.9] });
    const r = temporalTokenMerging(16, 4, sim, { kind: 'match', keep: 9 }, 'video');
    expect(r.frameCounts).toEqual([4, 2, 2, 1]);
    expect(indicesOf(r.keep)).toEqual([0, 1, 2, 3, 5, 6, 8, 10, 15]);
  });

  it('match below the whole frames keeps just those and says it is unreachable', () => {
    const sim = table({ '1:0': [0.9, -0.5, 0.1, 0.7], '2:0': [0.2, 0.8, -0.1, 0.3], '3:2': [0.5, 0.4, 0.6, -0.9] });
    const r = temporalTokenMerging(16, 4, sim, { kind: 'match', keep: 3 }, 'video');
    expect(indicesOf(r.keep)).toEqual([0, 1, 2, 3]);
    expect(r.notes.join(' ')).toMatch(/match unreachable \(dycoke, video\): target 3, realised 4/);
  });

  it('official with fewer than 5 frames keeps everything and says why; repaired handles the tail', () => {
    const official = temporalTokenMerging(10, 4, () => 0, { kind: 'native', k: 0.5, quirks: 'official' }, 'video');
    expect(indicesOf(official.keep).length).toBe(10);
    expect(official.notes.join(' ')).toMatch(/needs ≥ 5 frames/);
    const sim = table({ '1:0': [0.9, 0.2, 0.4, -0.3], '2:0': [0.6, -0.2] });
    const repaired = temporalTokenMerging(10, 4, sim, { kind: 'native', k: 0.5, quirks: 'repaired' }, 'video');
    expect(indicesOf(repaired.keep)).toEqual([0, 1, 2, 3, 5, 7, 9]);
  });

  it('truncates the keep count after double rounding (K=0.9, tpf 10 keeps 0)', () => {
    const r = temporalTokenMerging(60, 10, () => 0, { kind: 'native', k: 0.9, quirks: 'official' }, 'video');
    expect(r.frameCounts).toEqual([10, 0, 0, 0, 10, 0]);
  });

  it('flags tokens an exact tie at the cut decided', () => {
    const sim = table({ '1:0': [0.5, 0.5, 0.9, 0.9] });
    const r = temporalTokenMerging(8, 4, sim, { kind: 'match', keep: 5 }, 'video');
    expect(indicesOf(r.keep)).toEqual([0, 1, 2, 3, 4]);
    expect(indicesOf(r.ties)).toEqual([4, 5]);
  });
});

describe('fastv', () => {
  it('keeps the top n by received attention, ties to the lower index', () => {
    const s = [0.1, 0.5, 0.3, 0.5, 0.2];
    expect(indicesOf(topByAttention(s, 2))).toEqual([1, 3]);
    expect(indicesOf(topByAttention(s, 3))).toEqual([1, 2, 3]);
    expect(indicesOf(topByAttention(headMean([[0.6, 0.1, 0.3], [0, 0.5, 0.5]]), 2))).toEqual([0, 2]);
  });

  it('native counts round half to even; layer_average solves for the count after layer K', () => {
    expect(nativeFastvCount(5, 0.5)).toBe(2);
    expect(nativeFastvCount(7, 0.5)).toBe(4);
    expect(layerAverageCount(50, 100, 28, 5)).toEqual({ count: 39, clipped: false });
    expect(layerAverageCount(15, 100, 28, 5)).toEqual({ count: 0, clipped: true });
  });
});

describe('visionzip', () => {
  const scores = [0.9, 0.1, 0.8, 0.2, 0.3, 0.05, 0.4, 0.15];
  const keyVectors: Record<number, [number, number]> = { 1: [1, 0], 5: [0, 1], 3: [1, 0.1], 4: [0.1, 1], 6: [0.9, 0.2], 7: [-1, 0] };
  const keys: KeySimilarity = (i, j) => {
    const [a, b] = [keyVectors[i], keyVectors[j]];
    return (a[0] * b[0] + a[1] * b[1]) / (Math.hypot(...a) * Math.hypot(...b));
  };
  const all = (n: number) => Array.from({ length: n }, (_, i) => i);

  it('dominant by score, strided contextual targets, merges by key similarity', () => {
    const split = matchedSplit(4, 8, 0.25);
    expect(split).toEqual({ dominant: 2, contextual: 2 });
    const pick = visionZipSelect(all(8), scores, split.dominant, split.contextual, keys);
    expect(pick.dominant).toEqual([0, 2]);
    expect(pick.targets).toEqual([1, 5]);
    expect(pick.merges).toEqual([
      [1, [3, 6]],
      [5, [4, 7]],
    ]);
  });

  it('c = 0 keeps only dominant tokens; equal scores fall to the lower index', () => {
    const s = matchedSplit(3, 8, 0);
    expect(visionZipSelect(all(8), scores, s.dominant, s.contextual, keys).dominant).toEqual([0, 2, 6]);
    const eq = matchedSplit(3, 6, 0.2);
    const pick = visionZipSelect(all(6), new Array(6).fill(1), eq.dominant, eq.contextual, () => 0);
    expect(pick.dominant).toEqual([0, 1]);
    expect(pick.targets).toEqual([2]);
  });

  it('clip scope ranks over the clip, window scope per temporal patch', () => {
    const s = [0.9, 0.8, 0.7, 0.6, 0.1, 0.2, 0.3, 0.4];
    expect(visionZipSelect(all(8), s, 4, 0, keys).dominant).toEqual([0, 1, 2, 3]);
    const perWindow = largestRemainder(4, [4, 4]);
    const kept = [all(4), [4, 5, 6, 7]].flatMap((w, k) => visionZipSelect(w, s, perWindow[k], 0, keys).dominant);
    expect(kept).toEqual([0, 1, 6, 7]);
  });

  it('averages patch scores over each merge unit of 4', () => {
    expect(Array.from(tokenScoresFromPatches([2, 1, 1, 1, 0.5, 0.5, 1, 1], 4))).toEqual([1.25, 0.75]);
  });

  it('native counts as each official code rounds them', () => {
    expect(nativeClipSplit(100, 0.65, 0.05)).toEqual({ dominant: 65, contextual: 5 });
    expect(nativeClipSplit(100, 0.65, 0)).toEqual({ dominant: 65, contextual: 1 });
    expect(nativeWindowSplit(20, 0.7, 0.05).dominant).toBe(13);
    expect(Math.trunc((0.7 - 0.05) * 20)).toBe(12); // what double precision would give
    expect(nativeWindowSplit(36, 0.7, 0.05).contextual).toBe(2);
  });
});
