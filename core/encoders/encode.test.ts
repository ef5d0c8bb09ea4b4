import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBundle } from '../bundle/reader.js';
import { TOKEN_AUDIO, TOKEN_VIDEO } from '../bundle/types.js';
import { runCli } from '../cli/main.js';
import { ComputeClient } from '../compute/client.js';
import { CancelledError } from '../protocol/errors.js';
import { createDemoEncoders } from './demo-encoders.js';
import { encodeMedia } from './encode-media.js';
import { qwenOmniTokenTypes } from './token-layout.js';

const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
const skipNote = hasFfmpeg ? '' : ' (skipped: ffmpeg not on PATH; apt-get install ffmpeg)';
let dir = '';
const compute = new ComputeClient();

/** Runs of token kinds, e.g. [[2, 198], [1, 50], ...]. */
function runs(types: Uint8Array): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const t of types) {
    const last = out[out.length - 1];
    if (last && last[0] === t) last[1]++;
    else out.push([t, 1]);
  }
  return out;
}

describe('qwenOmniTokenTypes', () => {
  it('interleaves 2 temporal patches of video with 50 audio tokens per 2-s chunk', () => {
    const types = qwenOmniTokenTypes({ numTemporalPatches: 5, tokensPerPatch: 4, numAudio: 120 });
    expect(runs(types)).toEqual([[0, 5], [2, 8], [1, 50], [2, 8], [1, 50], [2, 4], [1, 20], [0, 7]]);
  });

  it('appends the longer modality\'s extra chunks back to back', () => {
    const types = qwenOmniTokenTypes({ numTemporalPatches: 2, tokensPerPatch: 3, numAudio: 150 });
    // One video chunk, then audio chunks 0, 1 and 2 (3 x 50) with nothing between them.
    expect(runs(types)).toEqual([[0, 5], [2, 6], [1, 150], [0, 7]]);
  });

  it('lays out a video-only clip as one video run', () => {
    const types = qwenOmniTokenTypes({ numTemporalPatches: 4, tokensPerPatch: 2, numAudio: 0 });
    expect(runs(types)).toEqual([[0, 4], [2, 8], [0, 6]]);
  });
});

describe.skipIf(!hasFfmpeg)(`encoding media with the demo encoders${skipNote}`, () => {
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'omnizip-encode-'));
    // 8 s: a tone for the first 3 s then silence, over a moving test pattern.
    const run = spawnSync(
      'sh',
      ['-c', 'ffmpeg -v error -y -f lavfi -i testsrc2=size=320x180:rate=25:duration=8 -f lavfi -i "sine=frequency=660:duration=3,apad=whole_dur=8" -c:v libx264 -pix_fmt yuv420p -c:a aac -t 8 clip.mp4'],
      { cwd: dir, encoding: 'utf8' },
    );
    if (run.status !== 0) throw new Error(run.stderr);
  });
  afterAll(async () => {
    await compute.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('makes a bundle whose audio importance follows the sound and whose layout is Qwen\'s', async () => {
    const encoders = createDemoEncoders();
    try {
      const stages = new Set<string>();
      const { bundle, warnings } = await encodeMedia(path.join(dir, 'clip.mp4'), { encoders, onProgress: (p) => stages.add(p.stage) });
      expect(warnings).toEqual([]);
      expect(bundle.numAudio).toBe(200); // 8 s x 25 tokens/s
      // 320x180 -> smart_resize 168 x 308 (6 x 11 cells); 16 frames -> 8 temporal patches.
      expect(bundle.metadata.grid_thw).toEqual([8, 12, 22]);
      expect(bundle.numVideo).toBe(8 * 66);
      expect(bundle.tokenTypes.filter((t) => t === TOKEN_AUDIO).length).toBe(200);
      expect(bundle.tokenTypes.filter((t) => t === TOKEN_VIDEO).length).toBe(528);
      const scores = bundle.audioScores as Float32Array;
      const mean = (a: number, b: number) => scores.slice(a, b).reduce((s, x) => s + x, 0) / (b - a);
      // Tone (tokens 5..70) vs silence (tokens 90..200): the sound draws the attention.
      expect(mean(5, 70)).toBeGreaterThan(3 * mean(90, 200));
      expect(bundle.frames?.count).toBe(16);
      expect(bundle.waveform?.length).toBeGreaterThan(127_000);
      expect([...stages]).toEqual(expect.arrayContaining(['probe', 'decode-video', 'decode-audio', 'log-mel', 'encode-video', 'encode-audio']));
    } finally {
      await encoders.dispose();
    }
  });

  it('encodes on a worker thread with progress, and the bundle reads back', async () => {
    const out = path.join(dir, 'worker.safetensors');
    const fractions: number[] = [];
    const summary = await compute.encodeJob({ media: path.join(dir, 'clip.mp4'), out, encoders: 'demo', dtype: 'F16' }, { onProgress: (p) => fractions.push(p.overall) });
    expect(summary.numAudio).toBe(200);
    expect(fractions.length).toBeGreaterThan(3);
    expect(Math.max(...fractions)).toBeCloseTo(1, 5);
    const bundle = await readBundle(out);
    expect(bundle.storedDType.video).toBe('F16');
    expect(bundle.numVideo).toBe(summary.numVideo);
  });

  it('cancels a worker job', async () => {
    const controller = new AbortController();
    const job = compute.encodeJob(
      { media: path.join(dir, 'clip.mp4'), out: path.join(dir, 'cancelled.safetensors'), encoders: 'demo' },
      { signal: controller.signal, onProgress: (p) => p.overall > 0.05 && controller.abort() },
    );
    await expect(job).rejects.toBeInstanceOf(CancelledError);
  });

  it('CLI: encode writes a bundle; bad media is one line and exit 1', async () => {
    const out = path.join(dir, 'cli.safetensors');
    expect(await runCli(['encode', path.join(dir, 'clip.mp4'), '--out', out, '--quiet'])).toBe(0);
    expect((await readBundle(out)).numAudio).toBe(200);
    expect(await runCli(['encode', path.join(dir, 'missing.mp4'), '--out', out])).toBe(1);
    // Usage errors are reported by runCli as one line too.
    expect(await runCli(['encode', path.join(dir, 'clip.mp4')])).toBe(1);
  });
});
