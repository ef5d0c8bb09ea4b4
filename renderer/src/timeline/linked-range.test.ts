import { describe, expect, it } from 'vitest';
import { clip, plan } from '../plan-fixture.js';
import { groupLayout, groupFrame } from '../groups/traces.js';
import { firstPatchInView, groupsInView, relayoutXRange } from './linked-range.js';

describe('linked time range', () => {
  it('reads the x range from plotly relayout events, null on reset, undefined when x is untouched', () => {
    expect(relayoutXRange({ 'xaxis.range[0]': 0.5, 'xaxis.range[1]': 1.2 })).toEqual([0.5, 1.2]);
    expect(relayoutXRange({ 'xaxis.range': [1.2, 0.5] })).toEqual([0.5, 1.2]);
    expect(relayoutXRange({ 'xaxis.autorange': true })).toBeNull();
    expect(relayoutXRange({ 'yaxis.range[0]': 0, 'yaxis.range[1]': 1 })).toBeUndefined();
  });

  it('finds the groups and the first patch in view', () => {
    // The fixture's two groups: audio 0-3 and 3-6 at 3 tokens/s, i.e. [0, 1) s and [1, 2) s.
    expect(groupsInView(clip, plan().groups, [0, 0.9])).toEqual([0, 0]);
    expect(groupsInView(clip, plan().groups, [0.9, 1.5])).toEqual([0, 1]);
    expect(groupsInView(clip, plan().groups, [1.2, 2])).toEqual([1, 1]);
    expect(groupsInView(clip, plan().groups, [5, 6])).toBeNull();
    expect(firstPatchInView(clip, [1.2, 2])).toBe(2);
    expect(firstPatchInView(clip, [-1, 2])).toBe(0);
  });

  it('zooms the group chart to the groups in view', () => {
    const frame = groupFrame(plan());
    expect((groupLayout(frame, -1, -1).xaxis as { range: number[] }).range).toEqual([-0.5, 1.5]);
    expect((groupLayout(frame, -1, -1, [1, 1]).xaxis as { range: number[] }).range).toEqual([0.5, 1.5]);
  });
});
