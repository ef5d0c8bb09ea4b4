import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openStudio, screenshotDir } from './helpers.js';

/**
 * Issue 14, defect 1: resizing the window from 1600x1000 to 1280x760 collapsed the Timeline,
 * Group ratios and Frames plots to 0 px (Frames 3 times in 3, also at 1500x1000). Every chart must
 * lay itself out again on every resize: its plot fills its box, and the canvas overlay follows.
 */
async function chartWidths(page: Page) {
  return page.evaluate(() =>
    ['timeline', 'groups', 'frames'].map((id) => {
      const el = document.querySelector<HTMLElement>(`[data-chart=${id}]`) as HTMLElement;
      const svg = el.querySelector<SVGSVGElement>('svg.main-svg');
      const plotArea = el.querySelector<SVGRectElement>('.cartesianlayer .subplot .bg, rect.bg, .draglayer .nsewdrag');
      const canvas = el.querySelector<HTMLCanvasElement>('canvas.chart-overlay');
      return {
        id,
        box: el.clientWidth,
        svg: svg ? svg.getBoundingClientRect().width : 0,
        plot: plotArea ? plotArea.getBoundingClientRect().width : 0,
        canvas: canvas ? canvas.getBoundingClientRect().width : 0,
      };
    }),
  );
}

test('every chart re-lays itself out on every window size, down to 1280x720 and up to 2560x1440', async ({ page }) => {
  await page.setViewportSize({ width: 1600, height: 1000 });
  await openStudio(page);
  for (const [w, h] of [[1280, 760], [1500, 1000], [1600, 1000], [1280, 720], [1920, 1080], [2560, 1440], [1280, 760]] as const) {
    await page.setViewportSize({ width: w, height: h });
    await expect
      .poll(async () => (await chartWidths(page)).every((c) => c.box > 200 && Math.abs(c.svg - c.box) <= 2 && c.plot > 100 && Math.abs(c.canvas - c.box) <= 2), { timeout: 10_000 })
      .toBe(true);
    const widths = await chartWidths(page);
    for (const c of widths) {
      expect(c.svg, `${c.id} at ${w}x${h}`).toBeGreaterThan(200);
      expect(Math.abs(c.svg - c.box), `${c.id} plot vs box at ${w}x${h}`).toBeLessThanOrEqual(2);
    }
    await page.screenshot({ path: path.join(screenshotDir, `resize-${w}x${h}.png`) });
  }

  // A box that changes size without a window resize (the Parameters column narrower, a scrollbar
  // coming or going) must re-lay the charts out too: plotly's own "responsive" only hears the window.
  await page.addStyleTag({ content: '.layout { grid-template-columns: 200px 1fr !important; }' });
  await expect
    .poll(async () => (await chartWidths(page)).every((c) => Math.abs(c.svg - c.box) <= 2 && Math.abs(c.canvas - c.box) <= 2), { timeout: 10_000 })
    .toBe(true);
  await page.screenshot({ path: path.join(screenshotDir, 'resize-narrow-parameters-1280x760.png') });
});
