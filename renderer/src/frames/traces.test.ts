import { describe, expect, it } from 'vitest';
import { clip, plan } from '../plan-fixture.js';
import { frameTraces, patchGrid, patchModes, tieTraces } from './traces.js';

describe('frames figure', () => {
  it('lays the patch out as its token grid, marks diffs, and names the frame mode', () => {
    expect(patchGrid(clip, plan().videoKeep, 1, null)).toEqual([[1, 1], [0, 0]]);
    expect(patchGrid(clip, plan().videoKeep, 1, new Int8Array([0, 0, 0, 0, -1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).toEqual([[2, 1], [3, 0]]);
    expect(patchModes(clip, plan(), 1)).toEqual({ modes: ['temporal'], kept: 2, total: 4 });
    expect(patchModes(clip, plan(), 2)).toEqual({ modes: ['spatial'], kept: 2, total: 4 });
    expect(frameTraces(clip, plan(), 0, null, false)[0].type).toBe('heatmap');
  });

  it('rings the tokens of the patch whose fate an exact tie decided, at their grid cell', () => {
    const ties = new Uint8Array(16);
    ties[5] = 1; // patch 1 (tokens 4..7), row 0 col 1
    ties[7] = 1; // patch 1, row 1 col 1
    ties[9] = 1; // patch 2: not shown on patch 1
    const withTies = { ...plan(), videoTies: ties };
    const [ring] = tieTraces(clip, withTies, 1) as { x: number[]; y: number[]; name: string }[];
    expect(ring.x).toEqual([1, 1]);
    expect(ring.y).toEqual([0, 1]);
    expect(ring.name).toBe('decided by an exact tie (2)');
    expect(frameTraces(clip, withTies, 1, null, false)).toHaveLength(2);
    expect(tieTraces(clip, plan(), 1)).toEqual([]);
  });
});
