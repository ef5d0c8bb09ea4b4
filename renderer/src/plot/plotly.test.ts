import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';

// The real bundle needs a DOM; here plotly.react is recorded to see the config each chart is drawn
// with. The module resolves only when the test opens `gate`, to see the loader before and after.
const react = vi.fn(async () => ({}));
let evaluated = 0;
let open: () => void = () => undefined;
const gate = new Promise<void>((resolve) => (open = resolve));
vi.mock('plotly.js-cartesian-dist-min', async () => {
  evaluated++;
  await gate;
  return { default: { react, purge: vi.fn(), relayout: vi.fn(), toImage: vi.fn(), Plots: { resize: vi.fn() } } };
});

const { loadPlotly, loadedPlotly, ENFORCED_CONFIG } = await import('./plotly.js');

describe('lazy plotly loader', () => {
  it('imports plotly once for every caller, and has nothing loaded until the import resolves', async () => {
    // Two charts mounting and main.tsx's early start all ask before the chunk has arrived.
    const first = loadPlotly();
    const second = loadPlotly();
    expect(second).toBe(first);
    await Promise.resolve();
    expect(loadedPlotly()).toBeNull();
    open();
    const [a, b, c] = await Promise.all([first, second, loadPlotly()]);
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(loadedPlotly()).toBe(a);
    expect(evaluated).toBe(1);
  });
});

describe('plotly wrapper', () => {
  it('draws every chart without the cloud button, whatever config the caller passes', async () => {
    const Plotly = await loadPlotly();
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
