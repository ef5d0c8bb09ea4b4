import { describe, expect, it } from 'vitest';
import { clip, plan } from '../plan-fixture.js';
import { frameLayout, frameLegend, frameTraces, hoverTargetTrace, patchGrid, patchKept, patchModes, tieTraces, tokenReadout } from './traces.js';

describe('frames figure', () => {
  it('counts a thumbnail\'s kept tokens as patchModes does', () => {
    for (let patch = 0; patch < 4; patch++) {
      const { kept, total } = patchModes(clip, plan(), patch);
      expect(patchKept(clip, plan(), patch)).toEqual({ kept, total });
    }
  });

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

  it('names patches from 1, as the scrubber does', () => {
    expect(frameTraces(clip, plan(), 1, null, false)[0].name).toBe('patch 2');
  });

  it('keeps the y axis exactly on the grid rows at any width: both axes constrain their domain', () => {
    const layout = frameLayout(clip, 0, '', null) as { yaxis: { range: number[]; constrain?: string }; xaxis: { constrain?: string } };
    expect(layout.yaxis.range).toEqual([clip.gridRows - 0.5, -0.5]);
    expect(layout.yaxis.constrain).toBe('domain');
    expect(layout.xaxis.constrain).toBe('domain');
  });

  it('explains the colours: kept vs pruned, dimmed over a real frame, and each colour in compare mode', () => {
    expect(frameLegend(null, false).map((e) => e.label)).toEqual(['kept', 'pruned']);
    expect(frameLegend(null, true).map((e) => e.label)).toEqual(['kept (frame shows through)', 'pruned (frame dimmed)']);
    const compare = frameLegend({ labelA: 'A (pinned)', labelB: 'B (live)' }, false).map((e) => e.label);
    expect(compare).toEqual(['kept by both', 'pruned by both', 'kept only by A (pinned)', 'kept only by B (live)']);
  });

  it('reads out a hovered cell: row, column, video token index and its fate', () => {
    const keep = plan().videoKeep;
    expect(tokenReadout(clip, keep, 1, 0, 1, null)).toBe('row 0, col 1 · video token 5 · kept');
    expect(tokenReadout(clip, keep, 1, 1, 0, null)).toBe('row 1, col 0 · video token 6 · pruned');
    const diff = new Int8Array(16);
    diff[6] = 1;
    expect(tokenReadout(clip, keep, 1, 1, 0, diff, { labelA: 'A', labelB: 'B' })).toBe('row 1, col 0 · video token 6 · kept only by B');
    expect(tokenReadout(clip, keep, 1, 2, 0, null)).toBeNull();
    expect(hoverTargetTrace(clip).z).toEqual([[0, 0], [0, 0]]);
  });
});
