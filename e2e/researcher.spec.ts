import path from 'node:path';
import { expect, test } from '@playwright/test';
import { chartData, openStudio, planSeq, screenshotDir, waitForRedraw } from './helpers.js';

/** Issue 14's features in the studio: the speech reference, keyboard shortcuts, foldable Parameters. */

test('the timeline draws the Silero VAD speech probability with its correlations, and audio_score: speech_activity ranks by it', async ({ page }) => {
  await openStudio(page);
  // The open answers before the speech reference (clip.speechReference): the curve may come after the first draw.
  const speechCurve = async () => (await chartData(page, 'timeline')).find((t) => t.name.startsWith('speech probability (Silero VAD)'));
  await expect.poll(async () => (await speechCurve()) !== undefined).toBe(true);
  const speech = await speechCurve();
  expect(speech, 'speech curve on the timeline').toBeTruthy();
  expect(speech?.n).toBe(600);
  const probs = (speech?.y ?? []) as number[];
  expect(Math.min(...probs)).toBeGreaterThanOrEqual(0);
  expect(Math.max(...probs)).toBeLessThanOrEqual(1);
  await expect(page.getByTestId('corr-attention-speech_activity')).toContainText('r(attention, speech (VAD)) = ');
  await expect(page.getByTestId('corr-token_energy-speech_activity')).toBeVisible();

  const before = await planSeq(page);
  await page.getByTestId('select-audio_score').selectOption('speech_activity');
  await waitForRedraw(page, before);
  await expect(page.getByTestId('ranked-by')).toHaveAttribute('data-source', 'speech_activity');
  await expect(page.getByTestId('ranked-by')).toContainText('speech (VAD)');
  const ranked = (await chartData(page, 'timeline')).find((t) => t.name.includes('top-k ranks by this'));
  expect(ranked?.name).toContain('speech probability (Silero VAD)');
  const seq = await planSeq(page);
  await page.getByTestId('select-audio_score').selectOption('attention');
  await waitForRedraw(page, seq);
});

test('keyboard: groups, patches, pin A, compare, undo/redo (also in a Parameters field), and the ? overlay', async ({ page }) => {
  await openStudio(page);
  const framesHeader = () => page.getByTestId('frame-title').innerText();
  await page.locator('body').click({ position: { x: 5, y: 300 } });

  const patch0 = await framesHeader();
  await page.keyboard.press('.');
  await expect.poll(framesHeader).not.toBe(patch0);
  await page.keyboard.press(',');
  await expect.poll(framesHeader).toBe(patch0);

  await page.keyboard.press(']');
  await page.keyboard.press(']');
  await expect.poll(framesHeader).toMatch(/patch 5\//); // 2-s groups of 1-s patches: group 2 starts at patch index 4, shown from 1 as 5
  await page.keyboard.press('[');
  await expect.poll(framesHeader).toMatch(/patch 3\//);

  await page.keyboard.press('c');
  await expect(page.getByTestId('compare-pinned')).toBeChecked();
  await expect(page.getByTestId('pinned-config')).toBeVisible();
  await page.keyboard.press('c');
  await expect(page.getByTestId('compare-off')).toBeChecked();
  await page.keyboard.press('p'); // pins the current setting and shows the comparison
  await expect(page.getByTestId('compare-pinned')).toBeChecked();
  await expect(page.getByTestId('pinned-config')).toContainText('rho_video 0.6');
  await page.getByTestId('compare-off').check();

  // Undo/redo from inside a Parameters number field, where Ctrl+Z would otherwise edit the text.
  const input = page.getByTestId('input-rho_video');
  let seq = await planSeq(page);
  await input.fill('0.7');
  await input.press('Enter');
  seq = await waitForRedraw(page, seq);
  await input.focus();
  await page.keyboard.press('Control+z');
  await expect(input).toHaveValue('0.6');
  seq = await waitForRedraw(page, seq);
  await page.keyboard.press('Control+Shift+z');
  await expect(input).toHaveValue('0.7');
  seq = await waitForRedraw(page, seq);
  await page.keyboard.press('Control+z');
  await waitForRedraw(page, seq);
  // Letters typed into a field stay in the field.
  await input.press('c');
  await expect(page.getByTestId('compare-off')).toBeChecked();

  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press('?');
  const overlay = page.getByTestId('shortcuts-overlay');
  await expect(overlay).toBeVisible();
  for (const action of ['next-group', 'previous-group', 'next-patch', 'previous-patch', 'pin-a', 'toggle-compare', 'undo', 'redo', 'help']) {
    await expect(overlay.locator(`[data-shortcut=${action}]`)).toBeVisible();
  }
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.screenshot({ path: path.join(screenshotDir, 'shortcuts-overlay-1280x720.png') });
  await page.keyboard.press('Escape');
  await expect(overlay).toHaveCount(0);
});

test('Parameters fold by section while the budget summary stays in view', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await openStudio(page);
  const aside = page.locator('aside');
  const tall = await aside.evaluate((el) => el.scrollHeight);
  for (const id of ['budget', 'audio', 'video']) await page.getByTestId(`section-toggle-${id}`).click();
  await page.getByTestId('repairs').getByRole('button').click();
  await expect(page.getByTestId('section-budget')).toHaveAttribute('data-open', 'false');
  await expect(page.getByTestId('param-rho_video')).toHaveCount(0);
  const short = await aside.evaluate((el) => el.scrollHeight);
  expect(short).toBeLessThan(tall / 3);
  await page.getByTestId('section-toggle-budget').click();
  await expect(page.getByTestId('param-rho_video')).toBeVisible();
  // Scrolled to the bottom of the column, the summary is still on screen.
  for (const id of ['audio', 'video']) await page.getByTestId(`section-toggle-${id}`).click();
  await page.getByTestId('repairs').getByRole('button').click();
  await aside.evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await expect(page.getByTestId('budget')).toBeInViewport();
  await page.screenshot({ path: path.join(screenshotDir, 'parameters-scrolled-1280x720.png') });
});

for (const [w, h] of [[1280, 720], [1920, 1080]] as const) {
  test(`screenshots of every view at ${w}x${h}`, async ({ page }) => {
    await page.setViewportSize({ width: w, height: h });
    await openStudio(page);
    await page.getByTestId('compare-baselines').check();
    for (const view of ['timeline', 'groups', 'frames', 'compare', 'export', 'parameters']) {
      const el = page.getByTestId(`view-${view}`);
      await el.scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(screenshotDir, `view-${view}-${w}x${h}.png`) });
    }
    await page.locator('.prefill').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(screenshotDir, `view-prefill-${w}x${h}.png`) });
    await page.getByTestId('compare-off').check();
  });
}
