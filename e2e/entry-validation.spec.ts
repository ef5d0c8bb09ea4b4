import path from 'node:path';
import { expect, test } from '@playwright/test';
import { counts, openStudio, planSeq, screenshotDir, waitForRedraw } from './helpers.js';

// Issue 14 defect 4: a bad entry used to be clamped or rounded silently (rho_video 1.5 -> 1,
// -0.2 -> 0, g 2.5 -> 3) while the CLI rejects it. The field now shows the validator's message and
// the plan keeps the last valid value.
test('bad parameter entries are rejected inline with the CLI message and the last valid value stays', async ({ page }) => {
  await openStudio(page);
  const before = await counts(page);
  const seq = await planSeq(page);

  const rho = page.getByTestId('input-rho_video');
  for (const [text, message] of [
    ['1.5', "config key 'rho_video' must be within [0, 1] (got 1.5)"],
    ['-0.2', "config key 'rho_video' must be within [0, 1] (got -0.2)"],
  ] as const) {
    await rho.fill(text);
    await expect(page.getByTestId('entry-error-rho_video')).toHaveText(`${message}; keeping 0.6`);
    await expect(rho).toHaveAttribute('aria-invalid', 'true');
    await expect(rho).toHaveValue(text);
  }
  const g = page.getByTestId('input-g');
  await g.fill('2.5');
  await expect(page.getByTestId('entry-error-g')).toHaveText("config key 'g' must be an integer (got 2.5); keeping 3");
  await page.getByTestId('param-rho_video').scrollIntoViewIfNeeded();
  await page.getByTestId('view-parameters').screenshot({ path: path.join(screenshotDir, 'entry-validation.png') });

  // Nothing was planned from the bad entries: same counts, no replan.
  await page.waitForTimeout(500);
  expect(await planSeq(page)).toBe(seq);
  expect(await counts(page)).toEqual(before);

  // A valid entry clears the message and replans.
  await rho.fill('0.7');
  await waitForRedraw(page, seq);
  await expect(page.getByTestId('entry-error-rho_video')).toHaveCount(0);
  await expect(rho).not.toHaveAttribute('aria-invalid', 'true');
  expect((await counts(page)).video).toBeLessThan(before.video);
  await g.fill('4');
  await expect(page.getByTestId('entry-error-g')).toHaveCount(0);
});

// group_seconds 3 is valid (the CLI accepts it too) but plans 4-second groups over 2-second chunks:
// the panel says what was planned instead of letting 3 silently mean 4.
test('group_seconds that the chunks round says which group length was planned', async ({ page }) => {
  await openStudio(page);
  let seq = await planSeq(page);
  await page.getByTestId('auto-group_seconds').uncheck();
  seq = await waitForRedraw(page, seq);
  const input = page.getByTestId('input-group_seconds');
  await input.fill('3');
  seq = await waitForRedraw(page, seq);
  await expect(page.getByTestId('entry-note-group_seconds')).toHaveText("group_seconds 3 is not a whole number of the layout's chunks: the planner merges whole chunks, so the groups are 4 s long");
  await page.getByTestId('param-group_seconds').screenshot({ path: path.join(screenshotDir, 'entry-group-seconds.png') });
  await input.fill('4');
  seq = await waitForRedraw(page, seq);
  await expect(page.getByTestId('entry-note-group_seconds')).toHaveCount(0);
  await page.getByTestId('auto-group_seconds').check();
  await waitForRedraw(page, seq);
});
