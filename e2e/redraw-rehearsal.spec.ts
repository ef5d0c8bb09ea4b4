import { expect, test, type Page } from '@playwright/test';
import { golden, planSeq, studioUrl, waitForRedraw } from './helpers.js';

// After a clip's first plan the studio re-renders an identical copy of it while the page is idle
// (renderer/src/redraw-rehearsal.ts), so the first slider moves find the redraw path compiled.
// Nothing the user sees may change, and it must stop at the first move.

const rehearsals = (page: Page) => page.evaluate(() => performance.getEntriesByName('omz:redraw-rehearsal').length);
const overlays = (page: Page) => page.evaluate(() => [...document.querySelectorAll<HTMLCanvasElement>('canvas.chart-overlay')].map((c) => c.toDataURL()));
const chartDraws = (page: Page) =>
  page.evaluate(() => Object.values((window as unknown as { __omzPerf?: { chartSync: Record<string, number[]> } }).__omzPerf?.chartSync ?? {}).reduce((n, v) => n + v.length, 0));

test('an opened clip is rehearsed while idle: same pixels, same plan number, no draws counted as slider moves', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  // A golden clip no other spec opens: no saved session comes back to reset.
  await page.goto(studioUrl({ open: golden('more_audio_chunks.safetensors') }));
  const seq = await waitForRedraw(page, 0);
  await expect(page.getByTestId('session-restored')).toHaveCount(0);
  // Rehearsals start once the page is idle; the first may already have run.
  const drawsBefore = await chartDraws(page);
  const before = await overlays(page);
  await expect.poll(() => rehearsals(page), { timeout: 30_000 }).toBe(6);
  expect(await planSeq(page)).toBe(seq);
  expect(await overlays(page)).toEqual(before);
  expect(await chartDraws(page)).toBe(drawsBefore);
  expect(errors).toEqual([]);

  // A real move still replans and redraws.
  await page.getByTestId('slider-rho_video').fill('0.8');
  await waitForRedraw(page, seq);
  expect(await rehearsals(page)).toBe(6);
});

test('the first slider move stops the rehearsals for good', async ({ page }) => {
  // Idle periods come only when the test says so: the move lands before the first rehearsal.
  await page.addInitScript(() => {
    const queue: IdleRequestCallback[] = [];
    (window as unknown as { __idleQueue: IdleRequestCallback[] }).__idleQueue = queue;
    window.requestIdleCallback = ((task: IdleRequestCallback) => queue.push(task)) as typeof window.requestIdleCallback;
  });
  const runIdle = () =>
    page.evaluate(() => {
      const queue = (window as unknown as { __idleQueue: IdleRequestCallback[] }).__idleQueue;
      let ran = 0;
      while (queue.length > 0 && ran < 50) {
        (queue.shift() as IdleRequestCallback)({ didTimeout: false, timeRemaining: () => 50 });
        ran++;
      }
      return ran;
    });
  await page.goto(studioUrl({ open: golden('more_video_chunks.safetensors') }));
  const seq = await waitForRedraw(page, 0);
  await expect(page.getByTestId('session-restored')).toHaveCount(0);
  expect(await rehearsals(page)).toBe(0);
  await page.getByTestId('slider-rho_video').fill('0.75');
  await waitForRedraw(page, seq);
  // Every idle period the page asked for, run now: none rehearses.
  expect(await runIdle()).toBeGreaterThan(0);
  await runIdle();
  expect(await rehearsals(page)).toBe(0);
});
