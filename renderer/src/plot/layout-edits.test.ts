import { describe, expect, it } from 'vitest';
import { yAxisEdits } from './layout-edits.js';
import type { Layout } from './plotly.js';

const base = (): Layout =>
  ({
    margin: { l: 56, r: 56, t: 12, b: 36 },
    xaxis: { type: 'category', categoryarray: ['g0', 'g1'], range: [-0.5, 1.5] },
    yaxis: { title: { text: 'fraction' }, range: [-0.05, 1.05], zeroline: true },
    yaxis2: { overlaying: 'y', range: [0, 100] },
    shapes: [{ type: 'rect', x0: 0, x1: 1 }],
  }) as unknown as Layout;

describe('relayout edits for a layout whose y axes alone changed (yAxisEdits)', () => {
  it('gives the new ranges and titles of y axes as relayout edits', () => {
    const next = base() as unknown as { yaxis: Record<string, unknown>; yaxis2: Record<string, unknown> };
    next.yaxis.range = [-0.3, 1.3];
    next.yaxis.title = { text: 'fraction; scaled ratios outside 0–1 are clamped' };
    next.yaxis2.range = [0, 120];
    expect(yAxisEdits(base(), next as unknown as Layout)).toEqual({
      'yaxis.range': [-0.3, 1.3],
      'yaxis.title': { text: 'fraction; scaled ratios outside 0–1 are clamped' },
      'yaxis2.range': [0, 120],
    });
  });

  it('gives no edits for an equal layout built anew', () => {
    expect(yAxisEdits(base(), base())).toEqual({});
  });

  it('refuses anything else: an x axis, another y attribute, a shape, a new key, a removed range', () => {
    const change = (edit: (l: Record<string, Record<string, unknown> | unknown>) => void) => {
      const next = base() as unknown as Record<string, Record<string, unknown>>;
      edit(next);
      return yAxisEdits(base(), next as unknown as Layout);
    };
    expect(change((l) => ((l.xaxis as Record<string, unknown>).range = [0, 1]))).toBeNull();
    expect(change((l) => ((l.yaxis as Record<string, unknown>).zeroline = false))).toBeNull();
    expect(change((l) => (l.shapes = []))).toBeNull();
    expect(change((l) => (l.yaxis3 = { range: [0, 1] }))).toBeNull();
    expect(change((l) => delete (l.yaxis as Record<string, unknown>).range)).toBeNull();
  });
});
