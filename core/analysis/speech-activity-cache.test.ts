import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSpeechCache, speechCacheFile, writeSpeechCache } from './speech-activity-cache.js';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'omz-speech-cache-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('speech reference cache', () => {
  it('reads back what it wrote, for the same clip, rates and model only', async () => {
    const model = path.join(tmp, 'vad.onnx');
    await writeFile(model, 'model bytes');
    const wave = new Float32Array([0.1, 0.2, 0.3]);
    const file = await speechCacheFile(tmp, wave, 4, model, 16000, 25);
    expect(await readSpeechCache(file, 4)).toBeNull();
    const activity = new Float32Array([0, 0.25, 0.5, 1]);
    await writeSpeechCache(file, activity);
    expect(Array.from((await readSpeechCache(file, 4))!)).toEqual([0, 0.25, 0.5, 1]);
    // Another waveform, token count, rate, token rate or model file is another entry.
    const others = [
      await speechCacheFile(tmp, new Float32Array([0.1, 0.2, 0.4]), 4, model, 16000, 25),
      await speechCacheFile(tmp, wave, 5, model, 16000, 25),
      await speechCacheFile(tmp, wave, 4, model, 44100, 25),
      await speechCacheFile(tmp, wave, 4, model, 16000, 50),
    ];
    await writeFile(model, 'another model');
    others.push(await speechCacheFile(tmp, wave, 4, model, 16000, 25));
    expect(new Set([file, ...others]).size).toBe(6);
    expect((await readdir(tmp)).filter((n) => n.endsWith('.ozspeech'))).toHaveLength(1);
  });

  it('ignores an entry that is cut short, of another token count, or out of [0, 1]', async () => {
    const file = path.join(tmp, 'x.ozspeech');
    await writeSpeechCache(file, new Float32Array([0.5, 0.5]));
    expect(await readSpeechCache(file, 3)).toBeNull();
    const whole = await readFile(file);
    await writeFile(file, whole.subarray(0, whole.length - 1));
    expect(await readSpeechCache(file, 2)).toBeNull();
    await writeSpeechCache(file, new Float32Array([0.5, Number.NaN]));
    expect(await readSpeechCache(file, 2)).toBeNull();
    await writeSpeechCache(file, new Float32Array([0.5, 1.5]));
    expect(await readSpeechCache(file, 2)).toBeNull();
    await writeFile(file, Buffer.from('not a speech entry at all'));
    expect(await readSpeechCache(file, 2)).toBeNull();
  });
});
