/**
 * Whether a chart's new layout differs from the drawn one only in its y axes' ranges and titles,
 * and if so the relayout edits that make the difference. The group chart's ratio axis widens once
 * a slider pushes a scaled ratio past it: a plotly relayout of those attributes redraws the axes
 * (17-31 ms on the 5-minute clip's 150 groups), where a react of the figure redraws all of it
 * (60-110 ms; 35-45 ms even when nothing changed). X axes are left to react: a relayout of one
 * would be heard as the user's zoom (the timeline's linked range).
 */
import type { Layout } from './plotly.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);
const EDITABLE = new Set(['range', 'title']);

/** The edits (`yaxis2.range`: [lo, hi], `yaxis.title`: {...}); {} when the layouts are alike; null when anything else differs. */
export function yAxisEdits(drawn: Layout, next: Layout): Record<string, unknown> | null {
  const before = drawn as Record<string, unknown>;
  const after = next as Record<string, unknown>;
  const edits: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[key];
    const b = after[key];
    if (same(a, b)) continue;
    if (!/^yaxis\d*$/.test(key) || !isRecord(a) || !isRecord(b)) return null;
    for (const attribute of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (same(a[attribute], b[attribute])) continue;
      if (!EDITABLE.has(attribute) || b[attribute] === undefined) return null;
      edits[`${key}.${attribute}`] = b[attribute];
    }
  }
  return edits;
}
