import { expect, test } from '@playwright/test';
import { openStudio } from './helpers.js';

test('no chart offers to upload its data to a plotly server', async ({ page }) => {
  await openStudio(page);
  // Plotly draws each chart's modebar with the chart (hidden until hover): the buttons are in the DOM.
  await expect.poll(() => page.locator('.modebar-btn').count()).toBeGreaterThan(0);
  expect(await page.locator('.js-plotly-plot').count()).toBeGreaterThan(2);
  expect(await page.locator('.modebar-btn[data-title="Share chart..."]').count()).toBe(0);
  expect(await page.locator('.modebar-btn[data-attr="sendChartToCloud"], .modebar-btn[data-title*="Chart Studio"]').count()).toBe(0);
});
