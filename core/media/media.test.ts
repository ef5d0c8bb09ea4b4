import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegUnavailableError, MediaDecodeError, MediaProbeError, OperationCancelledError } from './errors.js';
import { locateFfmpeg } from './ffmpeg.js';
import { loadMedia } from './load-media.js';

const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0 && spawnSync('ffprobe', ['-version']).status === 0;
const skipNote = hasFfmpeg ? '' : ' (skipped: ffmpeg/ffprobe not on PATH; apt-get install ffmpeg)';

let dir = '';
const fixture = (name: string): string => path.join(dir, name);

function ffmpeg(args: string): void {
  const run = spawnSync('sh', ['-c', `ffmpeg -v error -y ${args}`], { cwd: dir, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`fixture generation failed: ${run.stderr}`);
}

describe.skipIf(!hasFfmpeg)(`loadMedia on real files${skipNote}`, () => {
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'omnizip-media-'));
    const video = (seconds: number) => `-f lavfi -i testsrc2=size=320x240:rate=25:duration=${seconds}`;
    const tone = (seconds: number) => `-f lavfi -i "sine=frequency=440:sample_rate=44100:duration=${seconds}"`;
    ffmpeg(`${video(3)} ${tone(3)} -ac 2 -c:v libx264 -pix_fmt yuv420p -c:a aac -movflags +faststart -shortest av.mp4`);
    ffmpeg(`${video(3)} -c:v libx264 -pix_fmt yuv420p silent.mp4`);
    ffmpeg(`${tone(2.5)} speech.wav`);
    ffmpeg(`${video(1.2)} ${tone(1.2)} -c:v libx264 -pix_fmt yuv420p -c:a aac -shortest short.mp4`);
    ffmpeg(`-i av.mp4 -c copy -metadata:s:v:0 rotate=90 rotated.mp4`);
    // Frames 20..60 dropped with their timestamps kept: a 1.6-s hole in a variable-frame-rate file.
    ffmpeg(`${video(4)} -vf "select='not(between(n,20,60))'" -fps_mode vfr -c:v libx264 -pix_fmt yuv420p vfr.mp4`);
    ffmpeg(`${video(60)} ${tone(60)} -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest long.mp4`);
    writeFileSync(fixture('notes.mp4'), 'this is a text file, not a video\n');
    const whole = readFileSync(fixture('av.mp4'));
    writeFileSync(fixture('truncated.mp4'), whole.subarray(0, Math.floor(whole.length * 0.4)));
  }, 120_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('samples 2 fps, resizes to multiples of 28 and decodes 16 kHz mono audio', async () => {
    const stages = new Set<string>();
    const media = await loadMedia(fixture('av.mp4'), { onProgress: (stage) => stages.add(stage) });
    expect(media.video?.frames.length).toBe(6);
    // smart_resize(240, 320): 252 x 308 fits between 4*28*28 and 128*28*28.
    expect(media.video?.height).toBe(252);
    expect(media.video?.width).toBe(308);
    expect(media.video?.frames[0].length).toBe(252 * 308 * 3);
    expect(media.audio).not.toBeNull();
    expect(Math.abs((media.audio as Float32Array).length - 48000)).toBeLessThan(1600);
    let peak = 0;
    for (const s of media.audio as Float32Array) peak = Math.max(peak, Math.abs(s));
    expect(peak).toBeGreaterThan(0.05);
    expect(media.warnings).toEqual([]);
    expect([...stages].sort()).toEqual(['audio', 'probe', 'video']);
  });

  it('accepts a video without audio and says that audio guidance is unavailable', async () => {
    const media = await loadMedia(fixture('silent.mp4'));
    expect(media.audio).toBeNull();
    expect(media.video?.frames.length).toBe(6);
    expect(media.warnings.join(' ')).toMatch(/no audio track: audio guidance is unavailable/);
  });

  it('accepts an audio-only file', async () => {
    const media = await loadMedia(fixture('speech.wav'));
    expect(media.video).toBeNull();
    expect(media.audio?.length).toBe(40000);
    expect(media.warnings.join(' ')).toMatch(/no video stream/);
  });

  it('samples at least 4 frames from a clip shorter than 2 s', async () => {
    const media = await loadMedia(fixture('short.mp4'));
    expect(media.video?.frames.length).toBe(4);
    expect(media.warnings.join(' ')).toMatch(/denser than 2 fps/);
  });

  it('applies rotation metadata: a 320x240 clip rotated by 90 degrees comes out portrait', async () => {
    const media = await loadMedia(fixture('rotated.mp4'));
    expect(media.info.video?.rotation).toBe(90);
    expect(media.video?.width).toBe(252);
    expect(media.video?.height).toBe(308);
  });

  it('samples a variable-frame-rate file by time', async () => {
    const media = await loadMedia(fixture('vfr.mp4'));
    expect(media.info.video?.variableFrameRate).toBe(true);
    expect(media.video?.frames.length).toBe(8);
  });

  it('rejects a file that is not media, naming it', async () => {
    await expect(loadMedia(fixture('notes.mp4'))).rejects.toThrow(MediaProbeError);
    await expect(loadMedia(fixture('notes.mp4'))).rejects.toThrow(/notes\.mp4/);
  });

  it('rejects a truncated file, naming it', async () => {
    const failure = loadMedia(fixture('truncated.mp4'));
    await expect(failure).rejects.toThrow(/truncated\.mp4/);
    await expect(loadMedia(fixture('truncated.mp4'))).rejects.toBeInstanceOf(MediaDecodeError);
  });

  it('reports progress on a long clip and stops when aborted', async () => {
    const controller = new AbortController();
    let last = 0;
    const run = loadMedia(fixture('long.mp4'), {
      signal: controller.signal,
      onProgress: (stage, fraction) => {
        if (stage === 'video') {
          last = fraction;
          if (fraction > 0.2) controller.abort();
        }
      },
    });
    await expect(run).rejects.toBeInstanceOf(OperationCancelledError);
    expect(last).toBeGreaterThan(0.2);
    expect(last).toBeLessThan(1);
  });
});

describe('locateFfmpeg', () => {
  it('says what to install when ffmpeg is missing', async () => {
    await expect(locateFfmpeg({ ffmpeg: '/nonexistent/bin/ffmpeg' })).rejects.toThrow(FfmpegUnavailableError);
    await expect(locateFfmpeg({ ffmpeg: '/nonexistent/bin/ffmpeg' })).rejects.toThrow(/apt-get install ffmpeg/);
  });

  it('rejects a binary that is not ffmpeg', async () => {
    await expect(locateFfmpeg({ ffmpeg: '/bin/true', ffprobe: '/bin/true' })).rejects.toThrow(/did not run as ffmpeg/);
  });
});
