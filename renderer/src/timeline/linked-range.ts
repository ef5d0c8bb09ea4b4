/**
 * The time range the timeline is zoomed to, shared with the other views: the group chart zooms to
 * the groups in view and Frames moves to the first patch in view.
 */
import type { ClipSummary, PlanGroupView } from '../../../core/protocol/contract.js';
import { groupSpan, patchAt } from '../plan-time.js';

export type TimeRange = [number, number];

/**
 * The x range a plotly relayout event sets: a range, null when the axis was reset (double-click,
 * autorange), undefined when the event does not touch the x axis (a y-only zoom, a resize).
 */
export function relayoutXRange(event: Record<string, unknown>): TimeRange | null | undefined {
  if (event['xaxis.autorange'] === true) return null;
  const a = event['xaxis.range[0]'];
  const b = event['xaxis.range[1]'];
  if (typeof a === 'number' && typeof b === 'number') return a <= b ? [a, b] : [b, a];
  const range = event['xaxis.range'];
  if (Array.isArray(range) && typeof range[0] === 'number' && typeof range[1] === 'number') return range[0] <= range[1] ? [range[0], range[1]] : [range[1], range[0]];
  return undefined;
}

/** First and last index of the groups overlapping `range` (at least partly), or null when none does. */
export function groupsInView(clip: ClipSummary, groups: readonly PlanGroupView[], range: TimeRange): [number, number] | null {
  let first = -1;
  let last = -1;
  groups.forEach((g, i) => {
    const span = groupSpan(clip, g);
    if (!span || span[1] <= range[0] || span[0] >= range[1]) return;
    if (first < 0) first = i;
    last = i;
  });
  return first < 0 ? null : [first, last];
}

/** The first temporal patch whose span is in view (the one holding the range's start). */
export function firstPatchInView(clip: ClipSummary, range: TimeRange): number {
  return patchAt(clip, Math.max(0, range[0]));
}
