import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { counts, openStudio, planSeq, repoRoot, screenshotDir, slideTo, startPrefill, waitForRedraw } from './helpers.js';

mkdirSync(screenshotDir, { recursive: true });

const sessionsDir = () => path.join(process.env.STUDIO_HOME ?? '', 'sessions');

/** The demo clip's session file, named by the bundle's content hash (sha256 of its bytes, as the reader hashes it). */
const demoSessionFile = () => path.join(sessionsDir(), `${createHash('sha256').update(readFileSync(path.join(repoRoot, 'assets', 'demo', 'demo.safetensors'))).digest('hex')}.json`);

/** The demo's saved session on disk, as a list (empty or one); the host writes it 300 ms after the last change. */
function savedSessions(): { state: { config: Record<string, unknown>; pinnedConfig: Record<string, unknown> | null; prefill: unknown[] } }[] {
  const file = demoSessionFile();
  return existsSync(file) ? [JSON.parse(readFileSync(file, 'utf8'))] : [];
}

const tokensOf = async (page: Page, run: number, setting: string) =>
  Number.parseFloat((await page.getByTestId('prefill-table').locator(`tr[data-run="${run}"][data-setting="${setting}"] [data-col="tokens"]`).innerText()).replace(/[^0-9.]/g, ''));

test('session restore: a slider, the plan, the pinned A and a prefill result survive a reload; Reset clears them', async ({ page }) => {
  test.setTimeout(180_000);
  expect(process.env.STUDIO_HOME, 'the e2e global setup gives the server its own state dir').toBeTruthy();
  await openStudio(page);
  const defaults = await counts(page);
  const defaultRho = await page.getByTestId('input-rho_video').inputValue();
  await expect(page.getByTestId('session-restored')).toHaveCount(0);

  const changed = await slideTo(page, 'rho_video', '0.8');
  expect(changed.video).toBeLessThan(defaults.video);

  // A short prefill (the prefill e2e's fast settings): one timed run, no warm-up.
  await startPrefill(page);
  await expect(page.getByTestId('prefill-status')).toHaveAttribute('data-outcome', 'done', { timeout: 120_000 });
  const tokens = await tokensOf(page, 1, 'current');
  expect(tokens).toBe(changed.sequence);

  // Saved as the run completed: the file holds the slider value and the result row (no report).
  await expect.poll(() => savedSessions().map((s) => [s.state.config.rho_video, s.state.prefill.length]), { timeout: 10_000 }).toEqual([[0.8, 1]]);
  expect(JSON.stringify(savedSessions()[0])).not.toContain('reportJson');

  // Pin this setting as compare A, then move on (B).
  await page.getByTestId('compare-pinned').check();
  await expect(page.getByTestId('pinned-config')).toContainText('rho_video 0.8');
  const live = await slideTo(page, 'rho_video', '0.7');
  await expect.poll(() => savedSessions().map((s) => [s.state.config.rho_video, s.state.pinnedConfig?.rho_video, s.state.prefill.length]), { timeout: 10_000 }).toEqual([[0.7, 0.8, 1]]);

  // A reload (as after a crash) opens the demo again with everything back.
  await page.reload();
  await waitForRedraw(page, 0);
  await expect(page.getByTestId('session-restored')).toContainText('Restored your last settings for this clip');
  expect(Number(await page.getByTestId('input-rho_video').inputValue())).toBe(0.7);
  expect(await counts(page)).toEqual(live);
  await expect(page.getByTestId('compare-pinned')).toBeChecked();
  await expect(page.getByTestId('pinned-config')).toContainText('rho_video 0.8');
  expect(await tokensOf(page, 1, 'current')).toBe(tokens);
  expect(await tokensOf(page, 1, 'full')).toBeGreaterThan(tokens);
  await page.mouse.move(5, 5);
  await page.screenshot({ path: path.join(screenshotDir, 'session-restored.png') });
  await page.getByTestId('statusbar').screenshot({ path: path.join(screenshotDir, 'session-restored-statusbar.png') });

  // Reset: defaults, no results, no saved file; a later reload restores nothing.
  const before = await planSeq(page);
  await page.getByTestId('session-reset').click();
  await waitForRedraw(page, before);
  await expect(page.getByTestId('session-restored')).toHaveCount(0);
  expect(await page.getByTestId('input-rho_video').inputValue()).toBe(defaultRho);
  expect(await counts(page)).toEqual(defaults);
  await expect(page.getByTestId('prefill-table')).toHaveCount(0);
  await expect(page.getByTestId('compare-off')).toBeChecked();
  await expect(page.getByTestId('pinned-config')).toHaveCount(0);
  await expect.poll(() => savedSessions().length, { timeout: 10_000 }).toBe(0);
  await page.reload();
  await waitForRedraw(page, 0);
  await expect(page.getByTestId('session-restored')).toHaveCount(0);
  expect(await page.getByTestId('input-rho_video').inputValue()).toBe(defaultRho);
  await expect(page.getByTestId('errors')).toHaveCount(0);
});
