/**
 * Issue 14 defect 5: the Frames view explains its colours (kept vs pruned, and each compare colour),
 * numbers patches one way (header = scrubber), its thumbnail strip follows the scrubber, its y axis
 * spans exactly the grid rows at 1100-1280 px, and hovering a token reads it out.
 */
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { chartData, openStudio, screenshotDir } from './helpers.js';

async function yRange(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const gd = document.querySelector('[data-chart=frames]') as unknown as { _fullLayout: { yaxis: { range: number[] } } };
    return gd._fullLayout.yaxis.range;
  });
}

test('Frames: legend, one patch numbering, strip follows the scrubber, exact y axis, hover readout', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 800 });
  await openStudio(page);
  const view = page.getByTestId('view-frames');
  await view.scrollIntoViewIfNeeded();
  const grid = (await chartData(page, 'frames')).find((t) => t.name.startsWith('patch'));
  const rows = grid?.z?.length ?? 0;
  expect(rows).toBeGreaterThan(1);

  for (const width of [1100, 1200, 1280]) {
    await page.setViewportSize({ width, height: 800 });
    await expect.poll(async () => (await yRange(page)).map((v) => Math.round(v * 1000) / 1000)).toEqual([rows - 0.5, -0.5]);
  }

  await expect(page.getByTestId('frame-legend')).toContainText('kept');
  await expect(page.getByTestId('frame-legend')).toContainText('pruned');

  // One numbering: header and scrubber both say "patch N/M".
  const scrubber = page.getByTestId('frame-scrubber');
  const last = Number(await scrubber.getAttribute('max'));
  await scrubber.fill(String(last));
  const scrubText = await view.locator('.scrubber span').innerText();
  const match = /patch (\d+)\/(\d+)/.exec(scrubText);
  expect(match && Number(match[1])).toBe(last + 1);
  await expect(page.getByTestId('frame-title')).toContainText(`patch ${last + 1}/${last + 1} `);

  // The strip scrolled to show the active (last) thumbnail.
  const visible = await page.getByTestId('thumb-strip').evaluate((strip) => {
    const active = strip.querySelector('.thumb.active') as HTMLElement;
    const s = strip.getBoundingClientRect();
    const a = active.getBoundingClientRect();
    return { scrollable: strip.scrollWidth > strip.clientWidth, inView: a.left >= s.left - 1 && a.right <= s.right + 1, scrollLeft: strip.scrollLeft };
  });
  if (visible.scrollable) expect(visible.scrollLeft).toBeGreaterThan(0);
  expect(visible.inView).toBe(true);

  // Hover readout over the middle of the grid.
  const hover = page.getByTestId('frame-hover');
  // The fixed status bar covers the bottom of the page: bring the chart into view first.
  await page.locator('[data-chart=frames]').scrollIntoViewIfNeeded();
  let step = 0;
  await expect
    .poll(async () => {
      const box = (await page.locator('[data-chart=frames] .nsewdrag').first().boundingBox())!;
      step++;
      await page.mouse.move(box.x + box.width / 2 + (step % 5), box.y + box.height / 2, { steps: 3 });
      return hover.innerText();
    })
    .toMatch(/^row \d+, col \d+ · video token \d+ · (kept|pruned)$/);
  await view.screenshot({ path: path.join(screenshotDir, 'frames-1280.png') });

  // Compare mode names every colour.
  await page.mouse.move(5, 5);
  await page.keyboard.press('p');
  await expect(page.getByTestId('frame-legend')).toContainText('kept only by A (pinned)');
  await expect(page.getByTestId('frame-legend')).toContainText('kept only by B (live)');
  await expect(page.getByTestId('frame-legend')).toContainText('kept by both');
  await view.screenshot({ path: path.join(screenshotDir, 'frames-compare-1280.png') });
  await page.getByTestId('compare-off').check();
});
