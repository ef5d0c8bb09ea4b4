import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';

// The real bundle needs a DOM; here plotly.react is recorded to see the config each chart is drawn with.
const react = vi.fn(async () => ({}));
vi.mock('plotly.js-cartesian-dist-min', () => ({ default: { react, purge: vi.fn(), relayout: vi.fn(), toImage: vi.fn(), Plots: { resize: vi.fn() } } }));

const { default: Plotly, ENFORCED_CONFIG } = await import('./plotly.js');

describe('plotly wrapper', () => {
  it('draws every chart without the cloud button, whatever config the caller passes', async () => {
    const root = {} as HTMLElement;
    await Plotly.react(root, [], {}, { showSendToCloud: true, responsive: true });
    await Plotly.react(root, [], {});
    expect(react.mock.calls.map((call) => (call as unknown[])[3])).toEqual([
      { showSendToCloud: false, showEditInChartStudio: false, displaylogo: false, responsive: true },
      { showSendToCloud: false, showEditInChartStudio: false, displaylogo: false },
    ]);
    expect(ENFORCED_CONFIG.showSendToCloud).toBe(false);
  });

  it('switches off the key this plotly version reads for its "Share chart…" button', () => {
    // Guards against another rename (plotly 4 moved from sendDataToCloud to sendChartToCloud).
    const bundle = readFileSync(createRequire(import.meta.url).resolve('plotly.js-cartesian-dist-min'), 'utf8');
    expect(bundle).toContain('showSendToCloud&&');
    expect(bundle).toContain('"Share chart..."');
  });

  it('depends on an exactly pinned plotly.js-cartesian-dist-min', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { devDependencies: Record<string, string>; dependencies: Record<string, string> };
    expect(pkg.devDependencies['plotly.js-cartesian-dist-min']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg.devDependencies['plotly.js']).toBeUndefined();
  });
});
