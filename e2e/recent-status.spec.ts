/**
 * Issue 14 defect 7 (remainder). Web mode: the Recent menu stayed empty after uploads, because only
 * clip.openPath recorded a file and an upload has no path the server may reopen. The page now keeps
 * the uploaded File handles of this visit and lists them (reading them again from disk), next to
 * the server-side recent paths. And the no-audio note must not wrap the status bar.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { golden, openStudio, planSeq, screenshotDir, waitForRedraw } from './helpers.js';

test('uploaded bundles appear in the Recent menu and reopen from it', async ({ page }) => {
  await openStudio(page);
  for (const name of ['default_params', 'g_zero']) {
    const seq = await planSeq(page);
    await page.getByTestId('file-input').setInputFiles(golden(`${name}.safetensors`));
    await expect(page.getByTestId('clip-name')).toContainText(name);
    await waitForRedraw(page, seq);
  }
  const recent = page.getByTestId('recent');
  await expect(recent).toBeEnabled();
  const uploads = recent.locator('optgroup[data-testid=recent-uploads] option');
  await expect(uploads).toHaveCount(2);
  await expect(uploads.nth(0)).toContainText('g_zero.safetensors');
  await expect(uploads.nth(1)).toContainText('default_params.safetensors');
  await expect(uploads.nth(0)).toHaveAttribute('title', /reads the file again from your disk/);

  const seq = await planSeq(page);
  await recent.selectOption({ label: await uploads.nth(1).innerText() });
  await expect(page.getByTestId('clip-name')).toContainText('default_params');
  await waitForRedraw(page, seq);
  await expect(page.getByTestId('errors')).toHaveCount(0);
  // Reopening moves it to the top; no duplicate entry.
  await expect(uploads).toHaveCount(2);
  await expect(uploads.nth(0)).toContainText('default_params.safetensors');
  await page.getByTestId('statusbar').screenshot({ path: path.join(screenshotDir, 'recent-statusbar.png') });
  await page.locator('header.openbar').screenshot({ path: path.join(screenshotDir, 'recent-openbar.png') });
});

const ffmpeg = process.env.OMNIZIP_FFMPEG ?? 'ffmpeg';
const ffmpegFound = spawnSync(ffmpeg, ['-version'], { stdio: 'ignore' }).status === 0;

test('the no-audio note is truncated on one status-bar line with the full text as a tooltip', async ({ page }) => {
  test.skip(!ffmpegFound, 'ffmpeg not found: no video-only clip can be made');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'omz-e2e-noaudio-'));
  try {
    const clip = path.join(dir, 'video-only.mp4');
    const run = spawnSync(ffmpeg, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=224x224:rate=25:duration=4', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', clip]);
    expect(run.status).toBe(0);
    await page.setViewportSize({ width: 1280, height: 720 });
    await openStudio(page);
    const seq = await planSeq(page);
    await page.getByTestId('file-input').setInputFiles(clip);
    await expect(page.getByTestId('clip-name')).toContainText('video-only.mp4', { timeout: 60_000 });
    await waitForRedraw(page, seq);
    const bar = page.getByTestId('statusbar');
    const notes = bar.locator('.status-note');
    await expect(notes.first()).toBeVisible();
    for (const note of await notes.all()) {
      await expect(note).toHaveAttribute('title', /No audio tokens/);
      const box = (await note.boundingBox())!;
      expect(box.height).toBeLessThan(20);
    }
    const barBox = (await bar.boundingBox())!;
    expect(barBox.height).toBeLessThan(32);
    // Every item sits on the same line.
    const tops = await bar.evaluate((el) => [...el.children].map((c) => Math.round((c as HTMLElement).getBoundingClientRect().top)));
    expect(Math.max(...tops) - Math.min(...tops)).toBeLessThan(8);
    await bar.screenshot({ path: path.join(screenshotDir, 'statusbar-no-audio-1280.png') });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
