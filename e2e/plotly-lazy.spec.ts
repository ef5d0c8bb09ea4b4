import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { chartData, counts, screenshotDir, studioUrl, waitForRedraw } from './helpers.js';

// Plotly loads lazily (renderer/src/plot/plotly.ts) so the studio's first calls do not wait for its
// evaluation. Here its chunk is held back until the demo's plan has arrived: the charts must show
// their loading state meanwhile, nothing may throw, and every chart draws once plotly arrives.
test('charts mounted before plotly has loaded show a loading state, then draw the plan once it has', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held = 0;
  await page.route(/\/assets\/plotly-cartesian[^/]*\.js$/, async (route) => {
    held++;
    await released;
    await route.continue();
  });
  // Calls the page makes, by method name, over the call socket or the HTTP fallback.
  const called: string[] = [];
  const note = (payload: string | Buffer | null | undefined) => {
    const text = typeof payload === 'string' ? payload : payload ? payload.toString('latin1') : '';
    for (const m of text.matchAll(/clip\.speechReference|clip\.data/g)) called.push(m[0]);
  };
  page.on('websocket', (ws) => ws.on('framesent', (frame) => note(frame.payload)));
  page.on('request', (request) => note(request.postData()));
  await page.goto(studioUrl());
  // The plan is in: the counts show, while every chart still waits for plotly.
  await expect.poll(async () => (await counts(page)).audio, { timeout: 60_000 }).toBeGreaterThan(0);
  expect(held).toBeGreaterThan(0);
  // index.html preloads the chunk, which carries V8's compile hint (renderer/vite.config.ts).
  const preload = await page.locator('link[rel=modulepreload]').getAttribute('href');
  expect(preload).toMatch(/assets\/plotly-cartesian[^/]*\.js$/);
  for (const id of ['timeline', 'groups', 'frames']) await expect(page.getByTestId(`chart-loading-${id}`)).toHaveText('Loading the chart…');
  expect(await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('[data-chart]')].filter((el) => el.dataset.seq !== undefined).length)).toBe(0);
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, 'charts-loading.png') });
  // Work that follows the first draw waits for it: the host's VAD is not asked for and no redraw
  // is rehearsed while the charts cannot draw (they would share the cores with plotly's load).
  await page.waitForTimeout(800);
  expect(called).toContain('clip.data');
  expect(called).not.toContain('clip.speechReference');
  expect(await page.evaluate(() => performance.getEntriesByName('omz:redraw-rehearsal').length)).toBe(0);

  release();
  const chunk = await page.request.get(new URL(preload ?? '', page.url()).toString());
  expect((await chunk.text()).startsWith('//# allFunctionsCalledOnLoad\n')).toBe(true);
  await waitForRedraw(page, 0);
  await expect(page.locator('.chart-loading')).toHaveCount(0);
  const timeline = await chartData(page, 'timeline');
  expect(timeline.find((t) => t.name.startsWith('audio importance'))?.n ?? 0).toBeGreaterThan(10);
  expect(timeline.some((t) => t.name.startsWith('kept: dominant'))).toBe(true);
  await expect.poll(() => called.includes('clip.speechReference'), { timeout: 30_000 }).toBe(true);
  await expect.poll(() => page.evaluate(() => performance.getEntriesByName('omz:redraw-rehearsal').length), { timeout: 30_000 }).toBeGreaterThan(0);
  expect(errors).toEqual([]);
});
