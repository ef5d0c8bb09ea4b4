/**
 * Issue 14 defect 6: zooming the timeline (its time axis) zooms the group chart to the groups in
 * view and moves Frames to the first patch in view; a double-click reset shows every group again.
 */
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openStudio, screenshotDir } from './helpers.js';

const xRange = (page: Page, id: string) =>
  page.evaluate((chart) => (document.querySelector(`[data-chart=${chart}]`) as unknown as { _fullLayout: { xaxis: { range: number[] } } })._fullLayout.xaxis.range.slice(), id);

test('zooming the timeline zooms the group chart and moves Frames to the first patch in view', async ({ page }) => {
  await page.setViewportSize({ width: 1600, height: 1300 });
  await openStudio(page);
  const groupCount = await page.getByTestId('group-table').locator('tbody tr').count();
  expect(groupCount).toBeGreaterThan(3);
  expect(await xRange(page, 'groups')).toEqual([-0.5, groupCount - 0.5]);
  const [t0, t1] = await xRange(page, 'timeline');

  // Drag-zoom across the middle third of the timeline's time axis.
  const timeline = page.locator('[data-chart=timeline]');
  await timeline.scrollIntoViewIfNeeded();
  const drag = (await timeline.locator('.nsewdrag').first().boundingBox())!;
  const y = drag.y + drag.height / 2;
  await page.mouse.move(drag.x + drag.width * 0.4, y);
  await page.mouse.down();
  await page.mouse.move(drag.x + drag.width * 0.5, y, { steps: 5 });
  await page.mouse.move(drag.x + drag.width * 0.6, y, { steps: 5 });
  await page.mouse.up();

  await expect.poll(async () => (await xRange(page, 'timeline'))[0]).toBeGreaterThan(t0 + 0.2 * (t1 - t0));
  const [z0, z1] = await xRange(page, 'timeline');
  expect(z1).toBeLessThan(t1 - 0.2 * (t1 - t0));

  // Groups: only those in view, a narrower category range inside the full one.
  await expect.poll(async () => (await xRange(page, 'groups'))[1] - (await xRange(page, 'groups'))[0]).toBeLessThan(groupCount - 1);
  const [g0, g1] = await xRange(page, 'groups');
  expect(g0).toBeGreaterThan(-0.5);
  expect(g1).toBeLessThanOrEqual(groupCount - 0.5);

  // Frames: the first patch in view, i.e. the patch holding the zoom's start time.
  const seconds = Number((await page.locator('[data-testid=view-frames] .scrubber span').innerText()).match(/· ([\d.]+) s/)![1]);
  const scrubber = page.getByTestId('frame-scrubber');
  const patch = Number(await scrubber.inputValue());
  const perPatch = (t1 - t0) / (Number(await scrubber.getAttribute('max')) + 1);
  expect(seconds).toBeLessThanOrEqual(z0 + 1e-6);
  expect(seconds + perPatch).toBeGreaterThan(z0);
  expect(patch).toBeGreaterThan(0);
  await page.screenshot({ path: path.join(screenshotDir, 'linked-range-zoomed.png'), fullPage: true });

  // A double-click resets the timeline and shows every group again.
  await page.mouse.dblclick(drag.x + drag.width * 0.5, y);
  await expect.poll(async () => xRange(page, 'groups')).toEqual([-0.5, groupCount - 0.5]);
});
