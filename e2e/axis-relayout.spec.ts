import { expect, test, type Page } from '@playwright/test';
import { golden, slideTo, studioUrl, waitForRedraw } from './helpers.js';

/** The group chart's y axis as plotly drew it, and how often each kind of plotly call drew the chart. */
function groupAxis(page: Page): Promise<{ range: number[]; title: string; ticks: string[]; reacts: number; relayouts: number }> {
  return page.evaluate(() => {
    const el = document.querySelector('[data-chart=groups]') as unknown as { _fullLayout: { yaxis: { range: number[]; title: { text: string } } } } & HTMLElement;
    const sync = (window as unknown as { __omzPerf: { chartSync: Record<string, number[]> } }).__omzPerf.chartSync;
    return {
      range: el._fullLayout.yaxis.range.map((v) => Number(v.toFixed(4))),
      title: el._fullLayout.yaxis.title.text,
      ticks: [...el.querySelectorAll('.ytick text')].map((t) => t.textContent ?? ''),
      reacts: (sync.groups ?? []).length,
      relayouts: (sync['groups (relayout)'] ?? []).length,
    };
  });
}

// A slider that pushes a scaled ratio past the group chart's ratio axis widens it. The chart keeps
// its traces, so plotly relayouts the y axis (renderer/src/plot/layout-edits.ts) instead of
// redrawing the whole figure, and the axis it draws is the one the layout asks for.
test('a widened ratio axis is relayouted, not redrawn, and drawn as asked', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  // A golden clip no other test moves a slider on: it opens on its own defaults.
  await page.goto(studioUrl({ open: golden('odd_tokens_per_frame.safetensors') }));
  await waitForRedraw(page, 0);
  await expect(page.getByTestId('session-restored')).toHaveCount(0);
  const before = await groupAxis(page);
  expect(before.range).toEqual([-0.05, 1.05]);
  await slideTo(page, 'rho_video', '0.9');
  const after = await groupAxis(page);
  // The axis widened past 1 in quarter steps, and its title says why.
  expect(after.range[1]).toBeGreaterThan(1.2);
  expect(after.title).toContain('outside 0–1 are clamped');
  // Plotly drew ticks past 1 (before, the highest was 1).
  expect(Math.max(...before.ticks.map(Number))).toBe(1);
  expect(Math.max(...after.ticks.map(Number))).toBeGreaterThan(1.05);
  expect(after.relayouts).toBe(before.relayouts + 1);
  expect(after.reacts).toBe(before.reacts);
  expect(errors).toEqual([]);
});
