import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FeatureBundle } from '../bundle/types.js';
import { readSpeechCache, speechCacheFile, writeSpeechCache } from './speech-activity-cache.js';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'omz-speech-cache-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** A bundle built in memory (no file hash): only what the cache key reads. */
function bundleWith(waveform: Float32Array, numAudio = 4): FeatureBundle {
  return { numAudio, numVideo: 0, hiddenSize: 2, audioEmbeds: new Float32Array(numAudio * 2), videoEmbeds: new Float32Array(0), audioScores: null, waveform, metadata: {} } as unknown as FeatureBundle;
}

describe('speech reference cache', () => {
  it('reads back what it wrote, for the same clip, rates and model only', async () => {
    const model = path.join(tmp, 'vad.onnx');
    await writeFile(model, 'model bytes');
    const bundle = bundleWith(new Float32Array([0.1, 0.2, 0.3]));
    const file = await speechCacheFile(tmp, bundle, model, 16000, 25);
    expect(await readSpeechCache(file, 4)).toBeNull();
    const activity = new Float32Array([0, 0.25, 0.5, 1]);
    await writeSpeechCache(file, activity);
    expect(Array.from((await readSpeechCache(file, 4))!)).toEqual([0, 0.25, 0.5, 1]);
    // Another waveform, rate, token rate or model file is another entry.
    const others = [
      await speechCacheFile(tmp, bundleWith(new Float32Array([0.1, 0.2, 0.4])), model, 16000, 25),
      await speechCacheFile(tmp, bundle, model, 44100, 25),
      await speechCacheFile(tmp, bundle, model, 16000, 50),
    ];
    await writeFile(model, 'another model');
    others.push(await speechCacheFile(tmp, bundle, model, 16000, 25));
    expect(new Set([file, ...others]).size).toBe(5);
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
