/**
 * Media files opened through the studio (issue 4/5): uploaded exactly as a bundle is (the file
 * input), encoded by ffmpeg + the demo encoders on the server, analysed and planned. The clips are
 * generated here with ffmpeg's lavfi sources so the test needs no checked-in media.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { chartData, counts, openStudio, planSeq, screenshotDir, waitForRedraw } from './helpers.js';

const ffmpeg = process.env.OMNIZIP_FFMPEG ?? 'ffmpeg';
const ffmpegFound = spawnSync(ffmpeg, ['-version'], { stdio: 'ignore' }).status === 0;

let dir = '';
const media = (name: string) => path.join(dir, name);

function generate(args: string[]): void {
  const run = spawnSync(ffmpeg, ['-v', 'error', '-y', ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${run.stderr}`);
}

/** Opens the studio, uploads `name` through the file input and waits until it is encoded, planned and drawn without an error; answers its token counts. */
async function openMedia(page: Page, name: string): Promise<{ audio: number; video: number; sequence: number }> {
  await openStudio(page);
  const seq = await planSeq(page);
  await page.getByTestId('file-input').setInputFiles(media(name));
  await expect(page.getByTestId('clip-name')).toContainText(name, { timeout: 60_000 });
  await waitForRedraw(page, seq);
  await expect(page.getByTestId('errors')).toHaveCount(0);
  return counts(page);
}

test.describe('media files', () => {
  test.skip(!ffmpegFound, `ffmpeg not found (tried "${ffmpeg}"; set OMNIZIP_FFMPEG or install ffmpeg): media cannot be decoded`);

  test.beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'omz-e2e-media-'));
    const video = ['-f', 'lavfi', '-i', 'testsrc2=size=224x224:rate=25:duration=4'];
    const tone = ['-f', 'lavfi', '-i', 'sine=frequency=440:duration=4:sample_rate=16000'];
    const h264 = ['-c:v', 'libx264', '-pix_fmt', 'yuv420p'];
    generate([...video, ...tone, ...h264, '-c:a', 'aac', '-shortest', media('tone-clip.mp4')]);
    generate([...video, ...h264, media('video-only.mp4')]);
    writeFileSync(media('not-a-video.mp4'), 'this is a text file with a video extension\n');
    mkdirSync(screenshotDir, { recursive: true });
  });

  test.afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a clip with audio and video opens through the encoders and every chart holds data', async ({ page }) => {
    const c = await openMedia(page, 'tone-clip.mp4');
    expect(c.audio).toBeGreaterThan(0);
    expect(c.video).toBeGreaterThan(0);

    const timeline = await chartData(page, 'timeline');
    const importance = timeline.find((t) => t.name.startsWith('audio importance'));
    expect(importance?.n ?? 0).toBeGreaterThan(10);
    const groups = await chartData(page, 'groups');
    const kept = groups.find((t) => t.name === 'video tokens kept')?.y as number[];
    expect(kept.reduce((a, b) => a + b, 0)).toBe(c.video);
    const frame = (await chartData(page, 'frames'))[0];
    expect(frame.type).toBe('heatmap');
    expect((frame.z?.flat() ?? []).filter((v) => v === 1).length).toBeGreaterThan(0);
    await expect(page.getByTestId('provider')).toContainText('provider');
    await page.mouse.move(5, 600);
    await page.screenshot({ path: path.join(screenshotDir, 'media-full.png'), fullPage: true });
  });

  test('a video-only clip opens and says plainly that audio guidance is unavailable', async ({ page }) => {
    const c = await openMedia(page, 'video-only.mp4');
    expect(c.audio).toBe(0);
    expect(c.video).toBeGreaterThan(0);
    await expect(page.getByTestId('status-notes')).toContainText('No audio tokens: audio guidance is unavailable');
    await expect(page.getByTestId('plan-notes')).toContainText('No audio tokens: audio guidance is unavailable');
    await expect(page.getByTestId('ranked-by')).toHaveAttribute('data-source', 'none');
    await expect(page.getByTestId('status-ranked-by')).toHaveCount(0);
    await page.screenshot({ path: path.join(screenshotDir, 'media-video-only.png'), fullPage: true });
  });

  test('a text file named .mp4 shows an error naming the file and the studio keeps working', async ({ page }) => {
    await openStudio(page);
    const name = await page.getByTestId('clip-name').innerText();
    const seq = await planSeq(page);
    await page.getByTestId('file-input').setInputFiles(media('not-a-video.mp4'));
    const error = page.getByTestId('error-message');
    await expect(error).toContainText('cannot open not-a-video.mp4');
    // The upload's private temp path is not what the user opened; the message names their file.
    await expect(error).not.toContainText('omnizip-upload-');
    await expect(page.getByTestId('clip-name')).toHaveText(name);
    const before = await counts(page);
    await page.getByTestId('slider-rho_audio').fill('0.8');
    await waitForRedraw(page, seq);
    expect((await counts(page)).audio).toBeLessThan(before.audio);
  });
});
