import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { counts, openStudio, screenshotDir, slideTo, startPrefill } from './helpers.js';

mkdirSync(screenshotDir, { recursive: true });

const cell = (row: Locator, col: string) => row.locator(`[data-col="${col}"]`);
const numberIn = async (row: Locator, col: string) => Number.parseFloat((await cell(row, col).innerText()).replace(/[^0-9.eE+-]/g, ''));

async function runAndWait(page: Page, outcome: 'done' | 'cancelled', timeout = 120_000): Promise<void> {
  await expect(page.getByTestId('prefill-status')).toHaveAttribute('data-outcome', outcome, { timeout });
}

test('inference panel: prefill of the demo with the demo decoder, exports, and a cancelled run', async ({ page }) => {
  test.setTimeout(240_000);
  await openStudio(page);
  const planned = await counts(page);
  const panel = page.getByTestId('view-prefill');
  await expect(panel).toContainText('say nothing about accuracy');
  // The panel's defaults: the demo decoder, sized to keep a run on the demo clip short.
  await expect(page.getByTestId('prefill-model-demo')).toBeChecked();
  expect(Number(await page.getByTestId('prefill-hidden').inputValue())).toBe(256);
  expect(Number(await page.getByTestId('prefill-layers').inputValue())).toBe(2);

  const started = Date.now();
  await page.getByTestId('prefill-run').click();
  await expect(page.getByTestId('prefill-progress')).toBeVisible();
  await expect(page.getByTestId('prefill-run')).toBeDisabled();
  await runAndWait(page, 'done');
  const seconds = (Date.now() - started) / 1000;
  console.log(`prefill run on the demo clip: ${seconds.toFixed(1)} s`);

  const table = page.getByTestId('prefill-table');
  const full = table.locator('tr[data-run="1"][data-setting="full"]');
  const current = table.locator('tr[data-run="1"][data-setting="current"]');
  // Tokens in: the compressed sequence is exactly the plan the studio shows.
  expect(await numberIn(current, 'tokens')).toBe(planned.sequence);
  expect(await numberIn(full, 'tokens')).toBeGreaterThan(planned.sequence);
  // Real figures: measured speed-up above 1 at the current retention, beside the FLOPs prediction.
  const speedup = await numberIn(current, 'speedup');
  const predicted = await numberIn(current, 'flops-speedup');
  console.log(`measured speed-up ${speedup}x, FLOPs-predicted ${predicted}x`);
  expect(speedup).toBeGreaterThan(1);
  expect(predicted).toBeGreaterThan(1);
  for (const row of [full, current]) {
    expect(await numberIn(row, 'median')).toBeGreaterThan(0);
    expect(await numberIn(row, 'p95')).toBeGreaterThanOrEqual(await numberIn(row, 'median'));
    expect(await numberIn(row, 'peak-memory')).toBeGreaterThan(0);
    expect(await numberIn(row, 'memory-increase')).toBeGreaterThan(0);
    expect(await numberIn(row, 'kv-cache')).toBeGreaterThan(0);
  }
  expect(await numberIn(full, 'memory-increase')).toBeGreaterThan(await numberIn(current, 'memory-increase'));
  expect(await numberIn(full, 'kv-cache')).toBeGreaterThan(await numberIn(current, 'kv-cache'));
  expect(await numberIn(current, 'kl')).toBeGreaterThanOrEqual(0);
  await expect(cell(current, 'top1')).toHaveText(/^(same|differs)$/);
  await expect(cell(current, 'top5')).toHaveText(/^[0-5]\/5$/);
  const cosine = await numberIn(current, 'cosine');
  expect(cosine).toBeGreaterThan(-1);
  expect(cosine).toBeLessThanOrEqual(1);
  // The demo decoder's caveat sits with its results.
  await expect(page.getByTestId('prefill-caveat-1')).toContainText('its speed and memory scale like a real model');
  await expect(page.getByTestId('prefill-caveat-1')).toContainText('its fidelity numbers say nothing about accuracy');
  // The chart shows the run's two sequences.
  await expect.poll(() => page.evaluate(() => ((document.querySelector('[data-testid=prefill-chart]') as unknown as { data?: { x: unknown[] }[] }).data ?? [])[0]?.x.length ?? 0)).toBe(2);
  await page.mouse.move(5, 5);
  await panel.screenshot({ path: path.join(screenshotDir, 'prefill-panel.png') });

  // Exports: JSON with the core report, CSV with one line per sequence.
  const download = async (testId: string) => {
    const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
    const file = path.join(screenshotDir, '..', 'exports', d.suggestedFilename());
    await d.saveAs(file);
    return { name: d.suggestedFilename(), text: readFileSync(file, 'utf8') };
  };
  const json = await download('prefill-export-json');
  expect(json.name).toMatch(/\.prefill\.json$/);
  const doc = JSON.parse(json.text);
  expect(doc.format).toBe('omnizip-prefill-runs');
  expect(doc.runs[0].rows[1].tokens).toBe(planned.sequence);
  expect(doc.runs[0].report.format).toBe('omnizip-prefill');
  expect(doc.runs[0].report.runs[0].memory.method).toBe('child-process');
  const csv = await download('prefill-export-csv');
  const lines = csv.text.trimEnd().split('\r\n');
  expect(lines).toHaveLength(3);
  expect(lines[0]).toContain('speedup_median');

  // Cancel: a long run stops, keeps no result, and the studio stays usable.
  await page.getByTestId('prefill-runs').fill('100');
  await page.getByTestId('prefill-run').click();
  await expect(page.getByTestId('prefill-stage')).toContainText(/run \d+\/100/, { timeout: 60_000 });
  const cancelAt = Date.now();
  await page.getByTestId('prefill-cancel').click();
  await runAndWait(page, 'cancelled', 30_000);
  console.log(`cancel took ${((Date.now() - cancelAt) / 1000).toFixed(1)} s`);
  await expect(page.getByTestId('prefill-progress')).toHaveCount(0);
  await expect(table.locator('tr[data-run="2"]')).toHaveCount(0);
  await expect(page.getByTestId('prefill-run')).toBeEnabled();
  await panel.screenshot({ path: path.join(screenshotDir, 'prefill-cancelled.png') });

  const after = await slideTo(page, 'rho_video', '0.8');
  expect(after.video).toBeLessThan(planned.video);

  // A new run after the cancel measures the new setting and is kept beside the first.
  await startPrefill(page);
  await runAndWait(page, 'done');
  const second = table.locator('tr[data-run="2"][data-setting="current"]');
  expect(await numberIn(second, 'tokens')).toBe(after.sequence);
  await expect(table.locator('tr[data-run="1"][data-setting="current"]')).toHaveCount(1);
  await page.mouse.move(5, 5);
  await panel.screenshot({ path: path.join(screenshotDir, 'prefill-two-runs.png') });
  await expect(page.getByTestId('errors')).toHaveCount(0);
});
