import path from 'node:path';
import { buildSync } from 'esbuild';
import { expect, test } from '@playwright/test';
import { repoRoot } from './helpers.js';

/**
 * The canvas overlay reads axis geometry from plotly's private `_fullLayout` through one adapter
 * (renderer/src/plot/plotly-axes.ts). This plots real figures with the plotly bundle the studio
 * ships and checks the adapter's pixel positions against where plotly itself drew the ticks and
 * category labels: a plotly update that renames or re-means those fields fails here, not silently
 * in the overlay.
 */
const adapter = buildSync({
  stdin: {
    contents: "export { plotAxes } from './renderer/src/plot/plotly-axes.ts'; export { xPixel, yPixel } from './renderer/src/plot/overlay.ts';",
    resolveDir: repoRoot,
    loader: 'ts',
  },
  bundle: true,
  format: 'iife',
  globalName: 'omzAxes',
  write: false,
}).outputFiles[0].text;

test('the axis adapter places data where plotly draws it (numeric, reversed and category axes)', async ({ page }) => {
  await page.setContent('<div id="g" style="width:700px;height:460px"></div>');
  await page.addScriptTag({ path: path.join(repoRoot, 'node_modules/plotly.js-cartesian-dist-min/plotly-cartesian.min.js') });
  await page.addScriptTag({ content: adapter });
  const result = await page.evaluate(async () => {
    type Scale = { offset: number; length: number };
    const w = window as unknown as {
      Plotly: { newPlot(el: HTMLElement, data: unknown[], layout: unknown): Promise<HTMLElement> };
      omzAxes: { plotAxes(el: HTMLElement): ((n: string) => Scale | null) | null; xPixel(s: Scale, v: unknown): number; yPixel(s: Scale, v: unknown): number };
    };
    const el = document.getElementById('g') as HTMLElement;
    const before = w.omzAxes.plotAxes(el);
    await w.Plotly.newPlot(
      el,
      [
        { x: [0, 10], y: [0, 1], type: 'scatter', mode: 'lines' },
        { x: ['a', 'b', 'c'], y: [1, 2, 3], type: 'bar', xaxis: 'x2', yaxis: 'y2' },
      ],
      {
        width: 700,
        height: 460,
        margin: { l: 60, r: 20, t: 20, b: 40 },
        showlegend: false,
        xaxis: { range: [0, 10], tickvals: [2, 5, 8], domain: [0, 0.55] },
        yaxis: { range: [1, 0], tickvals: [0.25, 0.75] }, // reversed, as the frames grid is
        xaxis2: { type: 'category', domain: [0.65, 1], anchor: 'y2' },
        yaxis2: { range: [0, 4], anchor: 'x2' },
      },
    );
    const axes = w.omzAxes.plotAxes(el);
    if (!axes) return { before: before === null, error: 'no axes after plotting' };
    const x = axes('xaxis') as Scale;
    const y = axes('yaxis') as Scale;
    const x2 = axes('xaxis2') as Scale;
    // Where plotly drew each tick label: its centre relative to the graph div.
    const box = el.getBoundingClientRect();
    const centres = (sel: string) =>
      [...el.querySelectorAll<SVGGraphicsElement>(sel)].map((t) => {
        const r = t.getBoundingClientRect();
        return { text: t.textContent ?? '', cx: r.left + r.width / 2 - box.left, cy: r.top + r.height / 2 - box.top };
      });
    const xTicks = centres('.xtick text');
    const yTicks = centres('.ytick text');
    const x2Ticks = centres('.x2tick text');
    return {
      before: before === null,
      missing: axes('xaxis3') === null,
      x: xTicks.map((t) => ({ drawn: t.cx, adapter: w.omzAxes.xPixel(x, Number(t.text)) })),
      y: yTicks.map((t) => ({ drawn: t.cy, adapter: w.omzAxes.yPixel(y, Number(t.text)) })),
      x2: x2Ticks.map((t) => ({ drawn: t.cx, adapter: w.omzAxes.xPixel(x2, t.text) })),
    };
  });
  expect(result.error).toBeUndefined();
  expect(result.before).toBe(true); // nothing to read before plotly's first plot
  expect(result.missing).toBe(true); // an axis the figure does not have
  expect(result.x?.length).toBe(3);
  expect(result.y?.length).toBe(2);
  expect(result.x2?.length).toBe(3);
  for (const p of [...(result.x ?? []), ...(result.x2 ?? [])]) expect(Math.abs(p.drawn - p.adapter)).toBeLessThan(2);
  for (const p of result.y ?? []) expect(Math.abs(p.drawn - p.adapter)).toBeLessThan(3);
});
