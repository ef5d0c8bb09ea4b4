import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { counts, openStudio, screenshotDir } from './helpers.js';

mkdirSync(screenshotDir, { recursive: true });

test('FastV in Compare: other rows at once, the decoder run as a cancellable job, the decoder choice and its limits', async ({ page }) => {
  test.setTimeout(300_000);
  await openStudio(page);
  const live = await counts(page);
  await page.getByTestId('compare-baselines').click();
  const table = page.getByTestId('baseline-table');
  // Every method has its column at once; the plan-only ones have their counts while FastV's decoder runs.
  await expect(table.locator('th')).toHaveText(['', 'OmniZip', 'uniform', 'random', 'dycoke', 'fastv', 'visionzip'], { timeout: 15_000 });
  await expect(page.getByTestId('baseline-status-fastv')).toContainText('computing layer-K attention…');
  const videoRow = table.locator('tr[data-row="video kept"] td');
  for (let col = 1; col <= 4; col++) await expect(videoRow.nth(col)).toHaveText(String(live.video));
  await expect(page.getByTestId('fastv-progress')).toBeVisible();
  await page.getByTestId('view-compare').screenshot({ path: path.join(screenshotDir, 'compare-fastv-computing.png') });

  // Cancel: FastV says so, the other columns stay.
  await page.getByTestId('fastv-cancel').click();
  await expect(page.getByTestId('baseline-error-fastv')).toContainText('cancelled', { timeout: 30_000 });
  await expect(page.getByTestId('baseline-status-fastv')).toContainText('unavailable');
  await expect(videoRow.nth(2)).toHaveText(String(live.video));

  // The demo decoder clamps the paper's K = 5 to its depth, and says so.
  await expect(page.getByTestId('compare-fastv-info')).toHaveAttribute('data-kind', 'clamped');
  await expect(page.getByTestId('compare-fastv-info')).toContainText('K=5 clamped to 4 of a 4-layer decoder');
  await expect(page.getByTestId('compare-fastv-demo-size')).toContainText('d=512, 4 layers');
  // The inference panel's FastV setting ranks by the decoder it measures (2 layers by default): clamped to 2.
  await expect(page.getByTestId('prefill-fastv-info')).toContainText('K=5 clamped to 2 of a 2-layer decoder');

  // A user decoder manifest (a path on the server in web mode) without attention_output cannot give FastV its scores.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fastv-e2e-'));
  const manifest = path.join(dir, 'no-attention.json');
  writeFileSync(manifest, JSON.stringify({ format: 'omnizip-prefill-model', version: 1, name: 'my decoder', model: 'model.onnx', inputs: { inputs_embeds: 'inputs_embeds', position_ids: 'position_ids' }, outputs: { logits: 'logits' }, hidden_size: 32, num_layers: 4, num_attention_heads: 4, intermediate_size: 64 }));
  await page.getByTestId('compare-fastv-manifest').check();
  await page.getByTestId('compare-fastv-path').fill(manifest);
  await page.getByTestId('compare-fastv-use').click();
  await expect(page.getByTestId('compare-fastv-info')).toHaveAttribute('data-kind', 'unavailable');
  await expect(page.getByTestId('compare-fastv-info')).toContainText('does not expose decoder attention');
  await expect(page.getByTestId('baseline-error-fastv')).toContainText('attention_output');

  // Back to the demo decoder: the run completes and FastV keeps OmniZip's counts.
  await page.getByTestId('compare-fastv-demo').check();
  await expect(page.getByTestId('baseline-error-fastv')).toHaveCount(0);
  await expect(page.getByTestId('baseline-status-fastv')).toHaveCount(0, { timeout: 180_000 });
  await expect(videoRow.nth(5)).toHaveText(String(live.video));
  // FastV's FLOPs count its first K layers over every token: it saves less than OmniZip at the same counts.
  const flops = table.locator('tr[data-row^="FLOPs saved"] td');
  const saved = async (col: number) => Number.parseFloat((await flops.nth(col).innerText()).replace('%', ''));
  expect(await saved(5)).toBeLessThan(await saved(1));
  expect(await saved(2)).toBeCloseTo(await saved(1), 5);
});
