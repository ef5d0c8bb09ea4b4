import { describe, expect, it, vi } from 'vitest';

// The first import of plotly's chunk fails (as a fetch cut off would), the next one succeeds.
let attempts = 0;
vi.mock('plotly.js-cartesian-dist-min', async () => {
  attempts++;
  if (attempts === 1) throw new Error('Failed to fetch dynamically imported module');
  return { default: { react: vi.fn(async () => ({})), purge: vi.fn(), relayout: vi.fn(), toImage: vi.fn(), Plots: { resize: vi.fn() } } };
});

const { loadPlotly, loadedPlotly } = await import('./plotly.js');

describe('lazy plotly loader after a failed import', () => {
  it('rejects every caller of the failed import, then tries again on the next call', async () => {
    const first = loadPlotly();
    expect(loadPlotly()).toBe(first);
    await expect(first).rejects.toThrow();
    expect(loadedPlotly()).toBeNull();
    const again = loadPlotly();
    expect(again).not.toBe(first);
    const plotly = await again;
    expect(loadedPlotly()).toBe(plotly);
    expect(attempts).toBe(2);
  });
});
