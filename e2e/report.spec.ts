import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test, type Browser } from '@playwright/test';
import { openStudio, repoRoot, screenshotDir } from './helpers.js';

/**
 * Issue 14, "a report": one self-contained HTML file from the CLI and from the studio. Each is
 * opened in Chromium with the network off (every request not to the file itself is refused and
 * counted) and must draw every figure.
 */
const demo = path.join(repoRoot, 'assets', 'demo', 'demo.safetensors');

async function openOffline(browser: Browser, file: string, shot: string) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, offline: true });
  const page = await context.newPage();
  const requests: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url === pathToFileURL(file).href) return route.continue();
    requests.push(url);
    return route.abort();
  });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(pathToFileURL(file).href);
  const total = Number(await page.locator('body').getAttribute('data-figures-total'));
  await expect(page.locator('body')).toHaveAttribute('data-figures-drawn', String(total), { timeout: 30_000 });
  const drawn = await page.evaluate(() => [...document.querySelectorAll('.figure')].map((f) => ({ id: f.getAttribute('data-figure'), svgs: f.querySelectorAll('svg.main-svg').length, marks: f.querySelectorAll('.scatterlayer .trace, .barlayer .trace, .heatmaplayer image, .hm image, .imagelayer image').length })));
  await page.screenshot({ path: path.join(screenshotDir, `${shot}-top-1280x720.png`) });
  await page.locator('[data-figure=groups]').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(screenshotDir, `${shot}-groups-1280x720.png`) });
  await context.close();
  return { total, drawn, requests, errors, page };
}

test('the CLI report opens offline in Chromium and draws every figure; --pdf prints it', async ({ browser }) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'omz-report-e2e-'));
  const html = path.join(dir, 'report.html');
  const pdf = path.join(dir, 'report.pdf');
  const compare = path.join(dir, 'uniform.yaml');
  writeFileSync(compare, 'method: uniform\n');
  const run = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'omnizip-studio.mjs'), 'report', demo, '--set', 'audio_score=speech_activity', '--compare', compare, '--out', html, '--pdf', pdf], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toBe(`wrote ${html} (3 figures, 12 groups)\nwrote ${pdf}\n`);
  expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
  const text = readFileSync(html, 'utf8');
  expect(/<script[^>]+src=|<link[^>]+href=/.test(text)).toBe(false); // nothing to fetch: everything is inline
  const r = await openOffline(browser, html, 'report-cli');
  expect(r.errors).toEqual([]);
  expect(r.requests).toEqual([]);
  expect(r.total).toBe(3);
  expect(r.drawn.map((f) => f.id)).toEqual(['timeline', 'groups', 'frames']);
  for (const f of r.drawn) {
    expect(f.svgs).toBeGreaterThan(0);
    expect(f.marks).toBeGreaterThan(0);
  }
  // The tables and texts the issue lists.
  expect(text.includes('data-testid="report-budget"')).toBe(true);
  expect(text.includes('data-testid="report-groups"')).toBe(true);
  expect(text.includes('data-testid="report-comparison"')).toBe(true);
  expect(text.includes('audio_score: speech_activity')).toBe(true);
  expect(text.includes('speech probability (Silero VAD)')).toBe(true);
});

test('the studio exports the report of what it shows, and it opens offline with every figure', async ({ page, browser }) => {
  await openStudio(page);
  await page.getByTestId('compare-baselines').check();
  await expect(page.getByTestId('view-compare').locator('table.delta').first()).toBeVisible();
  // The heatmap appears once every selected baseline's plan has landed, possibly after the table.
  await expect(page.getByTestId('chart-agreement')).toBeVisible();
  const download = page.waitForEvent('download');
  await page.getByTestId('export-report').click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/\.report\.html$/);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'omz-report-studio-'));
  const html = path.join(dir, file.suggestedFilename());
  await file.saveAs(html);
  const r = await openOffline(browser, html, 'report-studio');
  expect(r.errors).toEqual([]);
  expect(r.requests).toEqual([]);
  // Timeline, group ratios, frames, and the comparison's disagreement heatmap (baselines on).
  expect(r.total).toBe(4);
  expect(r.drawn.every((f) => f.svgs > 0 && f.marks > 0)).toBe(true);
  const text = readFileSync(html, 'utf8');
  expect(text.includes('data-testid="report-comparison"')).toBe(true);
  expect(text.includes('Official scripts: flags and env')).toBe(true);
  expect(text.includes('OmniZip Studio')).toBe(true);
});
