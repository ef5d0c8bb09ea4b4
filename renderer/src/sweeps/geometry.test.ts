import { describe, expect, it } from 'vitest';
import type { SweepView } from '../../../core/protocol/sweep-contract.js';
import { brushMask, downsample, extentOf, PointIndex, tableOrder, viridis } from './geometry.js';

function view(worst: number[], mean: number[], direction: 'minimize' | 'maximize'): SweepView {
  const n = worst.length;
  return {
    dir: '/d',
    name: 'd',
    status: { total: n, done: n, running: 0, failed: 0, pending: 0 },
    objectives: [{ id: 'm', label: 'm', direction }],
    metrics: [{ id: 'm', label: 'm', direction, proxy: false }],
    params: [],
    clips: [],
    configs: { count: n, params: [], mean: [Float32Array.from(mean)], worst: [Float32Array.from(worst)], complete: new Uint8Array(n).fill(1), trialOf: new Int32Array(), frontMean: new Int32Array(), frontWorst: new Int32Array() },
    trials: { trial: new Int32Array(), clip: new Int32Array(), config: new Int32Array(), metrics: [] },
  };
}

describe('sweeps view geometry', () => {
  it('orders the table by worst case in the metric direction, ties by mean, brushed-out rows left out', () => {
    const v = view([0.5, 0.3, 0.5, 0.9], [0.4, 0.2, 0.3, 0.1], 'minimize');
    expect([...tableOrder(v, 'm', Uint8Array.from([1, 1, 1, 1]))]).toEqual([1, 2, 0, 3]);
    expect([...tableOrder(v, 'm', Uint8Array.from([1, 0, 1, 1]))]).toEqual([2, 0, 3]);
    const up = view([0.5, 0.3, 0.5, 0.9], [0.4, 0.2, 0.3, 0.1], 'maximize');
    expect([...tableOrder(up, 'm', Uint8Array.from([1, 1, 1, 1]))]).toEqual([3, 0, 2, 1]);
  });

  it('brushes combine across axes', () => {
    const axes = [
      { id: 'a', label: 'a', values: Float32Array.from([1, 2, 3, 4]), extent: extentOf([1, 2, 3, 4]) },
      { id: 'b', label: 'b', values: Float32Array.from([10, 30, 20, 40]), extent: extentOf([10, 40]) },
    ];
    expect([...brushMask(axes, {}, 4)]).toEqual([1, 1, 1, 1]);
    expect([...brushMask(axes, { a: [3.5, 1.5] }, 4)]).toEqual([0, 1, 1, 0]);
    expect([...brushMask(axes, { a: [1.5, 3.5], b: [15, 25] }, 4)]).toEqual([0, 0, 1, 0]);
  });

  it('finds the nearest point under the cursor among many', () => {
    const n = 20000;
    const xs = Float32Array.from({ length: n }, (_, i) => (i % 200) * 5);
    const ys = Float32Array.from({ length: n }, (_, i) => Math.floor(i / 200) * 5);
    const index = new PointIndex(xs, ys);
    expect(index.nearest(501, 246)).toBe(49 * 200 + 100);
    expect(index.nearest(-50, -50)).toBe(-1);
  });

  it('downsamples evenly and always keeps the front', () => {
    const idx = Array.from({ length: 1000 }, (_, i) => i);
    const out = downsample(idx, 100, new Set([777]));
    expect(out.length).toBeLessThanOrEqual(101);
    expect(out).toContain(777);
    expect(downsample(idx.slice(0, 10), 100, new Set())).toHaveLength(10);
  });

  it('maps the colour scale end to end', () => {
    expect(viridis(0)).toBe('rgb(68,1,84)');
    expect(viridis(1)).toBe('rgb(253,231,37)');
    expect(viridis(Number.NaN)).toBe('rgb(68,1,84)');
  });
});
