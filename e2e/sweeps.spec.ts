import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openStudio, screenshotDir } from './helpers.js';

const DEFAULTS = {
  method: 'omnizip', variant: 'official-core', rho_audio: 0.3, rho_video: 0.6, g: 3, contextual_ratio: 0.05, ratio_min: 0.35, ratio_max: 0.75, dpc_k: 5,
  group_seconds: null, num_input_frames: null, seed: 0, audio_score: 'attention', budget: 'official', audio_selection: 'global', anchors_count_in_retention: true,
  cross_modal_scope: 'clip', dpc: 'official',
};

/**
 * A sweep directory as a cluster would leave it: `configs` configs x `clips` clips, written in the
 * results contract (sweep.json + trials.jsonl), to check the view stays responsive at 10k+ trials.
 */
function bigSweepDir(configs: number, clips: number): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'omz-big-sweep-'));
  const clipList = Array.from({ length: clips }, (_, c) => ({ path: `/cluster/clips/clip-${c}.safetensors`, content_hash: String(c).padStart(64, '0') }));
  const plannedTrials = [];
  const lines: string[] = [];
  for (let c = 0; c < clips; c++) {
    for (let i = 0; i < configs; i++) {
      const trial = c * configs + i;
      const config = { ...DEFAULTS, rho_video: Math.round((0.3 + (0.6 * i) / configs) * 1e6) / 1e6, g: i % 16 };
      const key = `k${trial}`;
      plannedTrials.push({ trial, key, clip: c, method: 'omnizip', config });
      const kept = 1 - config.rho_video * 0.8 + 0.01 * c + 0.002 * config.g;
      const coverage = 0.95 - 0.4 * config.rho_video + 0.02 * Math.sin(i + c) + 0.001 * config.g;
      lines.push(JSON.stringify({ trial, key, clip: clipList[c], method: 'omnizip', config, counts: { audio: { total: 100, kept: 70 }, video: { total: 1000, kept: 400 }, sequence: { total: 1200, kept: Math.round(1200 * kept) } }, metrics: { kept_fraction: kept, video_coverage: coverage }, wall_ms: 3, host: 'node1' }));
    }
  }
  const plan = {
    format: 'omnizip-sweep', version: 1, name: 'cluster-sweep', createdAt: new Date().toISOString(),
    spec: { space: [{ key: 'rho_video', kind: 'range', low: 0.3, high: 0.9, log: false, integer: false }, { key: 'g', kind: 'range', low: 0, high: 15, log: false, integer: true }], sampler: 'sobol', trials: configs, seed: 0, methods: [], objectives: ['kept_fraction', 'video_coverage'], metrics: [], base: {}, flopsModel: 'Qwen2.5-Omni-7B', evalCommand: null, prefillModel: 'demo', slurm: { extra: [] } },
    metricSet: ['kept_fraction', 'video_coverage'], clips: clipList, trials: plannedTrials, duplicatesSkipped: 0,
  };
  writeFileSync(path.join(dir, 'sweep.json'), JSON.stringify(plan));
  writeFileSync(path.join(dir, 'trials.jsonl'), `${lines.join('\n')}\n`);
  return dir;
}

async function openSweeps(page: Page) {
  await openStudio(page);
  await page.getByTestId('tab-sweeps').click();
  await expect(page.getByTestId('sweeps-view')).toBeVisible();
}

test('a local sweep on the open clip: progress, Pareto front, brushing, table, loading and exporting a trial', async ({ page }) => {
  await openSweeps(page);
  await page.getByTestId('sweep-space').fill('rho_video: [0.4, 0.5, 0.6, 0.7]\ng: [0, 3]');
  await page.getByTestId('sweep-objectives').fill('kept_fraction, video_coverage');
  await page.getByTestId('sweep-workers').fill('2');
  await page.getByTestId('sweep-start').click();
  await expect(page.getByTestId('sweep-job')).toBeVisible();
  await expect(page.getByTestId('sweep-status')).toContainText('8 trials: 8 done, 0 running, 0 failed, 0 pending', { timeout: 120_000 });
  await expect(page.getByTestId('sweep-job')).toHaveCount(0);

  const pareto = page.getByTestId('sweep-pareto');
  await expect(pareto).toHaveAttribute('data-points', '8');
  expect(Number(await pareto.getAttribute('data-front'))).toBeGreaterThan(0);
  await page.getByTestId('sweep-aggregate-worst').click();
  await expect(pareto).toHaveAttribute('data-aggregate', 'worst');

  // The table lists every config, sorted by worst-case kept fraction (lowest first).
  await expect(page.getByTestId('sweep-table')).toHaveAttribute('data-rows', '8');
  const firstRowValues = await page.getByTestId('sweep-table-row').first().locator('span').allInnerTexts();
  // Columns: #, rho_video, g, worst, mean, clip.
  expect(Number(firstRowValues[1])).toBe(0.7);

  // Brushing the rho_video axis keeps only the configs inside the brush.
  const par = page.getByTestId('sweep-parcoords');
  const box = (await par.locator('canvas').boundingBox())!;
  await page.mouse.move(box.x + 40, box.y + 30);
  await page.mouse.down();
  await page.mouse.move(box.x + 40, box.y + 150, { steps: 5 });
  await page.mouse.up();
  await expect(par).toHaveAttribute('data-brushed', '1');
  const kept = Number(await par.getAttribute('data-selected-count'));
  expect(kept).toBeGreaterThan(0);
  expect(kept).toBeLessThan(8);
  await expect(page.getByTestId('sweep-table')).toHaveAttribute('data-rows', String(kept));
  await page.getByTestId('sweep-clear-brushes').click();
  await expect(page.getByTestId('sweep-table')).toHaveAttribute('data-rows', '8');

  // Clicking a row loads its config into the parameter panel.
  await page.getByTestId('sweep-table-row').first().click();
  await expect(page.getByTestId('sweep-selection')).toBeVisible();
  await expect(page.getByTestId('input-rho_video')).toHaveValue('0.7');

  const download = page.waitForEvent('download');
  await page.getByTestId('sweep-export-env').click();
  const file = await (await download).path();
  const env = readFileSync(file!, 'utf8');
  expect(env).toContain("export OMNIZIP_RHO_VIDEO='0.7'");

  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, 'sweeps-local.png'), fullPage: true });
});

test('a sweep can be cancelled; finished trials stay and a bad space is refused with one line', async ({ page }) => {
  await openSweeps(page);
  await page.getByTestId('sweep-space').fill('rho_vdeo: [0.5]');
  await page.getByTestId('sweep-start').click();
  await expect(page.getByTestId('error-message').last()).toContainText("sweep spec: space.rho_vdeo: unknown config key 'rho_vdeo'");

  await page.getByTestId('sweep-space').fill('rho_video: {low: 0.3, high: 0.9}\ng: {low: 0, high: 15}\nrho_audio: {low: 0.1, high: 0.5}');
  await page.getByTestId('sweep-sampler').selectOption('sobol');
  await page.getByTestId('sweep-trials').fill('400');
  await page.getByTestId('sweep-workers').fill('1');
  await page.getByTestId('sweep-start').click();
  await expect(page.getByTestId('sweep-status')).toContainText(/400 trials: [1-9]\d* done/, { timeout: 60_000 });
  await page.getByTestId('sweep-cancel').click();
  await expect(page.getByTestId('sweep-job')).toHaveCount(0, { timeout: 30_000 });
  const status = await page.getByTestId('sweep-status').innerText();
  const done = Number(/(\d+) done/.exec(status)![1]);
  expect(done).toBeGreaterThan(0);
  expect(done).toBeLessThan(400);
});

test('opens a 12k-trial sweep directory from a cluster and stays responsive', async ({ page }) => {
  const dir = bigSweepDir(3000, 4);
  await openSweeps(page);
  await page.getByTestId('sweep-dir').fill(dir);
  const t0 = Date.now();
  await page.getByTestId('sweep-open').click();
  await expect(page.getByTestId('sweep-status')).toContainText('12000 trials: 12000 done');
  await expect(page.getByTestId('sweep-pareto')).toHaveAttribute('data-points', '3000');
  const openMs = Date.now() - t0;
  // Only the visible rows of the table exist in the page.
  await expect(page.getByTestId('sweep-table')).toHaveAttribute('data-rows', '3000');
  expect(await page.getByTestId('sweep-table-row').count()).toBeLessThan(40);
  const t1 = Date.now();
  await page.getByTestId('sweep-aggregate-worst').click();
  await expect(page.getByTestId('sweep-pareto')).toHaveAttribute('data-aggregate', 'worst');
  const toggleMs = Date.now() - t1;
  await page.getByTestId('sweep-color').selectOption('g');
  await page.getByTestId('sweep-table').locator('.sweep-table-body').evaluate((el) => (el.scrollTop = 24 * 2000));
  await expect(page.getByTestId('sweep-table-row').first()).toHaveAttribute('data-config', /\d+/);
  console.log(`12k-trial sweep: open+draw ${openMs} ms, mean->worst redraw ${toggleMs} ms (shared, loaded machine)`);
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, 'sweeps-12k.png'), fullPage: true });
});
