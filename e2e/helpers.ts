import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, type Page } from '@playwright/test';
import { goldenDir, sharedDir as sharedDirOf } from '../core/util/shared-paths.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const sharedDir = sharedDirOf();
export const golden = (name: string) => path.join(goldenDir(), name);
export const screenshotDir = path.join(repoRoot, 'test-results', 'screenshots');

export function studioUrl(extra: Record<string, string> = {}): string {
  const url = new URL(process.env.STUDIO_URL ?? '');
  for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v);
  return url.toString();
}

export async function planSeq(page: Page): Promise<number> {
  return Number((await page.locator('[data-chart=timeline]').getAttribute('data-seq')) ?? '0');
}

/** Waits until every chart has drawn a plan newer than `after`. */
export async function waitForRedraw(page: Page, after: number): Promise<number> {
  await expect
    .poll(async () => page.evaluate(() => [...document.querySelectorAll<HTMLElement>('[data-chart]')].map((el) => Number(el.dataset.seq ?? 0))), { timeout: 30_000 })
    .toEqual(expect.arrayContaining([expect.any(Number)]));
  await expect
    .poll(async () => Math.min(...(await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('[data-chart]')].map((el) => Number(el.dataset.seq ?? 0))))), { timeout: 30_000 })
    .toBeGreaterThan(after);
  return planSeq(page);
}

/**
 * Opens the studio on a clip with default settings. The server is shared by every spec and keeps
 * each clip's last settings (session autosave), so a clip an earlier test changed comes back
 * restored: Reset puts it back to the defaults first.
 */
export async function openStudio(page: Page, extra: Record<string, string> = {}): Promise<void> {
  await page.goto(studioUrl(extra));
  const seq = await waitForRedraw(page, 0);
  if ((await page.getByTestId('session-restored').count()) > 0) {
    await page.getByTestId('session-reset').click();
    await expect(page.getByTestId('session-restored')).toHaveCount(0);
    await waitForRedraw(page, seq);
  }
}

export interface TraceSummary {
  name: string;
  type: string;
  n: number;
  x: unknown[];
  y: unknown[];
  z?: number[][];
}

/**
 * The data one chart is actually drawing: plotly's own traces (from the graph div) followed by the
 * per-plan traces its canvas overlay painted (kept on the div as __omzOverlay by PlotlyChart).
 */
export async function chartData(page: Page, id: string): Promise<TraceSummary[]> {
  return page.evaluate((chartId) => {
    type Trace = { name?: string; type?: string; x?: unknown[]; y?: unknown[]; z?: number[][] };
    const el = document.querySelector(`[data-chart=${chartId}]`) as unknown as { data?: Trace[]; __omzOverlay?: Trace[] };
    // The Frames chart's invisible hover target only receives hover events: it is not drawn data.
    return [...(el.data ?? []), ...(el.__omzOverlay ?? [])].filter((t) => t.name !== 'frame hover target').map((t) => ({ name: t.name ?? '', type: t.type ?? 'scatter', n: t.x?.length ?? t.z?.length ?? 0, x: Array.from(t.x ?? []), y: Array.from(t.y ?? []), z: t.z }));
  }, id);
}

export async function counts(page: Page): Promise<{ audio: number; video: number; sequence: number }> {
  const n = async (id: string) => Number(await page.getByTestId(id).innerText());
  return { audio: await n('count-audio'), video: await n('count-video'), sequence: await n('count-sequence') };
}

/** Moves the `key` slider to `value`, waits until every chart has drawn the new plan, and answers its token counts. */
export async function slideTo(page: Page, key: string, value: string): Promise<{ audio: number; video: number; sequence: number }> {
  const seq = await planSeq(page);
  await page.getByTestId(`slider-${key}`).fill(value);
  await waitForRedraw(page, seq);
  return counts(page);
}

/** Starts a short prefill from the Inference panel: `runs` timed runs after `warmup` warm-up runs (fast settings by default). */
export async function startPrefill(page: Page, runs = 1, warmup = 0): Promise<void> {
  await page.getByTestId('prefill-runs').fill(String(runs));
  await page.getByTestId('prefill-warmup').fill(String(warmup));
  await page.getByTestId('prefill-run').click();
}

/** The planner's own answer, from the CLI (`omnizip-studio plan`), independent of the studio. */
export function cliPlan(bundle: string, settings: Record<string, unknown>): { counts: { audio: { kept: number }; video: { kept: number }; sequence: { kept: number } }; groups: { ratio_final: number | null }[]; audio: { kept: number[]; anchors: number[] }; video: { kept: number[] } } {
  const args = [path.join(repoRoot, 'bin', 'omnizip-studio.mjs'), 'plan', bundle, '--no-cache'];
  for (const [k, v] of Object.entries(settings)) args.push('--set', `${k}=${v}`);
  const run = spawnSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`omnizip-studio plan failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

export async function setNumber(page: Page, key: string, value: number): Promise<number> {
  const before = await planSeq(page);
  const input = page.getByTestId(`input-${key}`);
  if (Number(await input.inputValue()) === value) return before; // no change, no replan
  await input.fill(String(value));
  return waitForRedraw(page, before);
}
