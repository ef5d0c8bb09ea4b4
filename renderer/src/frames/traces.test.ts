import { describe, expect, it } from 'vitest';
import { clip, plan } from '../plan-fixture.js';
import { frameTraces, patchGrid, patchModes } from './traces.js';

describe('frames figure', () => {
  it('lays the patch out as its token grid, marks diffs, and names the frame mode', () => {
    expect(patchGrid(clip, plan().videoKeep, 1, null)).toEqual([[1, 1], [0, 0]]);
    expect(patchGrid(clip, plan().videoKeep, 1, new Int8Array([0, 0, 0, 0, -1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).toEqual([[2, 1], [3, 0]]);
    expect(patchModes(clip, plan(), 1)).toEqual({ modes: ['temporal'], kept: 2, total: 4 });
    expect(patchModes(clip, plan(), 2)).toEqual({ modes: ['spatial'], kept: 2, total: 4 });
    expect(frameTraces(clip, plan(), 0, null, false)[0].type).toBe('heatmap');
  });
});
