/**
 * Issue 7 in the studio: repair switches and audio_score replan to exactly what the CLI planner
 * computes, the timeline's energy curves carry real data with their correlations, and the
 * one-click official-vs-paper comparison counts the tokens each side alone keeps as the planner does.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { chartData, cliPlan, counts, golden, openStudio, planSeq, screenshotDir, waitForRedraw } from './helpers.js';

mkdirSync(screenshotDir, { recursive: true });

const PAPER = { budget: 'exact', audio_selection: 'per_group', anchors_count_in_retention: false, cross_modal_scope: 'group', dpc: 'paper' };
const OFFICIAL = { budget: 'official', audio_selection: 'global', anchors_count_in_retention: true, cross_modal_scope: 'clip', dpc: 'official' };

async function select(page: Page, key: string, value: string): Promise<void> {
  const before = await planSeq(page);
  await page.getByTestId(`select-${key}`).selectOption(value);
  await waitForRedraw(page, before);
}

async function expectCountsOf(page: Page, bundle: string, settings: Record<string, unknown>): Promise<void> {
  const planned = cliPlan(bundle, settings);
  expect(await counts(page)).toEqual({ audio: planned.counts.audio.kept, video: planned.counts.video.kept, sequence: planned.counts.sequence.kept });
  const finals = (await chartData(page, 'groups')).find((t) => t.name.startsWith('final'))?.y;
  expect(finals).toEqual(planned.groups.map((g) => g.ratio_final));
}

/** Elements only in `a`, for index lists. */
const onlyIn = (a: number[], b: number[]) => {
  const other = new Set(b);
  return a.filter((i) => !other.has(i)).length;
};

/** Pearson r of two series, computed here independently of the studio. */
function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

test('repair switches and audio_score replan at once to the CLI planner\'s counts', async ({ page }) => {
  const bundle = golden('readme_eval.safetensors');
  await openStudio(page, { open: bundle });
  await expect(page.getByTestId('clip-name')).toContainText('readme_eval');
  const repairs = page.getByTestId('repairs');
  await expect(repairs).toContainText('Repairs of official quirks (off = official behaviour)');
  for (const key of Object.keys(PAPER)) {
    await expect(repairs.getByTestId(`param-${key}`)).toBeVisible();
    await expect(page.getByTestId(`repair-state-${key}`)).toHaveText('official');
  }
  await expect(repairs.getByTestId('check-anchors_count_in_retention')).toBeChecked();
  await expectCountsOf(page, bundle, {});

  await select(page, 'budget', 'exact');
  await expect(page.getByTestId('repair-state-budget')).toHaveText('repaired');
  await expectCountsOf(page, bundle, { budget: 'exact' });

  let before = await planSeq(page);
  await page.getByTestId('check-anchors_count_in_retention').uncheck();
  await waitForRedraw(page, before);
  await expectCountsOf(page, bundle, { budget: 'exact', anchors_count_in_retention: false });

  await select(page, 'audio_selection', 'per_group');
  await select(page, 'cross_modal_scope', 'group');
  await select(page, 'dpc', 'paper');
  await expectCountsOf(page, bundle, PAPER);
  await page.getByTestId('repairs').screenshot({ path: path.join(screenshotDir, 'repairs-parameters.png') });

  // audio_score: ranking by token energy changes which audio tokens are kept, and the timeline says so.
  await select(page, 'audio_score', 'token_energy');
  await expect(page.getByTestId('ranked-by')).toHaveAttribute('data-source', 'token_energy');
  await expect(page.getByTestId('status-ranked-by')).toContainText('token energy');
  await expectCountsOf(page, bundle, { ...PAPER, audio_score: 'token_energy' });
  const planned = cliPlan(bundle, { ...PAPER, audio_score: 'token_energy' });
  const timeline = await chartData(page, 'timeline');
  expect(timeline.find((t) => t.name.startsWith('kept: anchor'))?.n).toBe(planned.audio.anchors.length);
  // Fates are drawn on the ranked curve: kept dominant tokens sit on the token-energy curve.
  const energy = timeline.find((t) => t.name.startsWith('token energy'));
  expect(energy?.name).toContain('top-k ranks by this');
  const dominant = timeline.find((t) => t.name.startsWith('kept: dominant'));
  const energyAt = new Map((energy?.x as number[]).map((x, i) => [x, (energy?.y as number[])[i]]));
  expect((dominant?.x as number[]).every((x, i) => Math.abs((energyAt.get(x) ?? -1) - (dominant?.y as number[])[i]) < 1e-9)).toBe(true);

  // A bundle without a waveform cannot rank by waveform RMS: the planner falls back and says so.
  await select(page, 'audio_score', 'waveform_rms');
  await expect(page.getByTestId('plan-notes')).toContainText('ranked by token energy');
  await expect(page.getByTestId('status-notes')).toContainText('waveform_rms');
  await expect(page.getByTestId('ranked-by')).toContainText('requested waveform_rms, unavailable');
  await expectCountsOf(page, bundle, { ...PAPER, audio_score: 'waveform_rms' });
  await page.getByTestId('view-timeline').screenshot({ path: path.join(screenshotDir, 'repairs-timeline-fallback.png') });

  // The "Official behaviour" preset switches every repair back off.
  before = await planSeq(page);
  await page.getByTestId('preset-official').click();
  await waitForRedraw(page, before);
  await expectCountsOf(page, bundle, { ...OFFICIAL, audio_score: 'waveform_rms' });
  await expect(page.getByTestId('check-anchors_count_in_retention')).toBeChecked();
});

test('the timeline draws token energy and waveform RMS beside attention, with their correlations', async ({ page }) => {
  await openStudio(page);
  const timeline = await chartData(page, 'timeline');
  const curve = (prefix: string) => timeline.find((t) => t.name.startsWith(prefix));
  const attention = curve('audio importance');
  const energy = curve('token energy');
  const rms = curve('waveform RMS');
  const numAudio = attention?.n ?? 0;
  expect(numAudio).toBeGreaterThan(10);
  for (const c of [attention, energy, rms]) {
    expect(c?.n).toBe(numAudio);
    const y = c?.y as number[];
    // Normalised to its own max: the peak is 1, nothing negative, and a real (non-constant) curve.
    expect(Math.max(...y)).toBeCloseTo(1, 6);
    expect(Math.min(...y)).toBeGreaterThanOrEqual(0);
    expect(new Set(y).size).toBeGreaterThan(5);
    expect(c?.x).toEqual(attention?.x); // one time axis
  }
  await expect(page.getByTestId('ranked-by')).toHaveAttribute('data-source', 'attention');
  expect(attention?.name).toContain('top-k ranks by this');
  await expect(page.getByTestId('view-timeline')).toContainText('each ÷ its own max');
  // Each shown r equals the Pearson correlation of the drawn series (scaling does not change r).
  const pairs: [string, number[], number[]][] = [
    ['attention-token_energy', attention?.y as number[], energy?.y as number[]],
    ['attention-waveform_rms', attention?.y as number[], rms?.y as number[]],
    ['token_energy-waveform_rms', energy?.y as number[], rms?.y as number[]],
  ];
  for (const [key, a, b] of pairs) {
    const shown = page.getByTestId(`corr-${key}`);
    await expect(shown).toHaveText(/^r\(.+, .+\) = -?\d\.\d\d$/);
    const r = Number(await shown.getAttribute('data-r'));
    expect(Math.abs(r - pearson(a, b))).toBeLessThan(1e-4);
    expect(Number((await shown.innerText()).split('= ')[1])).toBeCloseTo(r, 2);
  }
  await expect(page.getByTestId('corr-attention-token_energy')).toContainText('r(attention, token energy) = ');
  // Hovering a curve names the token under the pointer with its fate and raw scores.
  const box = await page.getByTestId('chart-timeline').boundingBox();
  if (box) {
    for (let dx = 0.1; dx < 0.9; dx += 0.05) {
      await page.mouse.move(box.x + box.width * dx, box.y + box.height * 0.55);
      if ((await page.getByTestId('timeline-readout').innerText()).startsWith('t=')) break;
    }
  }
  await expect(page.getByTestId('timeline-readout')).toContainText(/audio token #\d+: .* attention \S+ · token energy \S+ · waveform RMS \S+/);
  await page.getByTestId('view-timeline').screenshot({ path: path.join(screenshotDir, 'energy-timeline.png') });
});

test('official vs paper in one click: the tokens each side alone keeps match the planner', async ({ page }) => {
  const bundle = golden('d256_long.safetensors');
  await openStudio(page, { open: bundle });
  await expect(page.getByTestId('clip-name')).toContainText('d256_long');
  const before = await planSeq(page);
  await page.getByTestId('compare-official-paper').click();
  await waitForRedraw(page, before);
  const a = cliPlan(bundle, OFFICIAL);
  const b = cliPlan(bundle, PAPER);
  await expect(page.getByTestId('config-diff')).toContainText('budget "official"→"exact"');
  await expect(page.getByTestId('config-diff')).toContainText('anchors_count_in_retention true→false');
  const table = page.getByTestId('delta-table');
  const cells = (row: string) => table.locator(`tr[data-row="${row}"] td`);
  await expect(cells('video kept').nth(1)).toHaveText(String(a.counts.video.kept));
  await expect(cells('video kept').nth(2)).toHaveText(String(b.counts.video.kept));
  await expect(cells('audio kept').nth(1)).toHaveText(String(a.counts.audio.kept));
  await expect(cells('audio kept').nth(2)).toHaveText(String(b.counts.audio.kept));
  const audioOnlyA = onlyIn(a.audio.kept, b.audio.kept);
  const audioOnlyB = onlyIn(b.audio.kept, a.audio.kept);
  const videoOnlyA = onlyIn(a.video.kept, b.video.kept);
  const videoOnlyB = onlyIn(b.video.kept, a.video.kept);
  expect(audioOnlyA + audioOnlyB + videoOnlyA + videoOnlyB).toBeGreaterThan(0); // the repairs do disagree here
  await expect(cells('audio kept only by this side').nth(1)).toHaveText(String(audioOnlyA));
  await expect(cells('audio kept only by this side').nth(2)).toHaveText(String(audioOnlyB));
  await expect(cells('video kept only by this side').nth(1)).toHaveText(String(videoOnlyA));
  await expect(cells('video kept only by this side').nth(2)).toHaveText(String(videoOnlyB));
  // The timeline overlays the same audio disagreements.
  const timeline = await chartData(page, 'timeline');
  expect(timeline.find((t) => t.name.startsWith('only in A'))?.n).toBe(audioOnlyA);
  expect(timeline.find((t) => t.name.startsWith('only in B'))?.n).toBe(audioOnlyB);
  // And the frames: over all patches, the cells marked "only A" (2) / "only B" (3) are the video disagreements.
  const patches = Number(await page.getByTestId('frame-scrubber').getAttribute('max')) + 1;
  let onlyA = 0;
  let onlyB = 0;
  for (let p = 0; p < patches; p++) {
    await page.getByTestId('frame-scrubber').fill(String(p));
    await expect.poll(async () => (await chartData(page, 'frames'))[0].name).toBe(`patch ${p + 1}`);
    const z = ((await chartData(page, 'frames'))[0].z ?? []).flat();
    onlyA += z.filter((v) => v === 2).length;
    onlyB += z.filter((v) => v === 3).length;
  }
  expect(onlyA).toBe(videoOnlyA);
  expect(onlyB).toBe(videoOnlyB);
  await page.getByTestId('view-compare').screenshot({ path: path.join(screenshotDir, 'official-vs-paper-compare.png') });
  await page.getByTestId('view-timeline').screenshot({ path: path.join(screenshotDir, 'official-vs-paper-timeline.png') });
  await page.getByTestId('view-groups').screenshot({ path: path.join(screenshotDir, 'official-vs-paper-groups.png') });
  await page.getByTestId('view-frames').screenshot({ path: path.join(screenshotDir, 'official-vs-paper-frames.png') });
});
