import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBundle } from './reader.js';
import { modalityRuns, summarizeBundle } from './summary.js';
import { makeSyntheticBundle } from '../../test-support/synthetic/index.js';
import type { FeatureBundle } from './types.js';
import { goldenDir } from '../util/shared-paths.js';

describe('modalityRuns', () => {
  it('numbers runs within the modality, half-open', () => {
    const types = new Uint8Array([0, 2, 2, 1, 1, 1, 2, 0, 1, 1, 0]);
    expect(modalityRuns(types, 1)).toEqual([[0, 3], [3, 5]]);
    expect(modalityRuns(types, 2)).toEqual([[0, 2], [2, 3]]);
    expect(modalityRuns(new Uint8Array([1, 1]), 1)).toEqual([[0, 2]]);
    expect(modalityRuns(new Uint8Array([0, 0]), 2)).toEqual([]);
  });
});

describe('summarizeBundle', () => {
  it('describes the reference-layout synthetic clip', () => {
    const bundle = makeSyntheticBundle({ seconds: 9, hiddenSize: 4, tokensPerFrame: 6, withWaveform: true, sampleRate: 1000 });
    const summary = summarizeBundle(bundle);
    expect(summary).toMatchObject({
      numAudio: 225,
      numVideo: 54,
      hiddenSize: 4,
      dtype: 'F32',
      sequenceLength: 5 + 225 + 54 + 7,
      tokensPerFrame: 6,
      temporalPatches: 9,
      durationSeconds: 9,
      hasWaveform: true,
      hasFrames: false,
      model: 'synthetic (Qwen2.5-Omni-7B layout)',
      sampleRate: 1000,
    });
    // 5 chunks: 4 full (50 audio, 2 patches) and a last one with 25 audio tokens and 1 patch.
    expect(summary.audioRuns).toEqual([[0, 50], [50, 100], [100, 150], [150, 200], [200, 225]]);
    expect(summary.videoRuns).toEqual([[0, 12], [12, 24], [24, 36], [36, 48], [48, 54]]);
  });

  it('derives the duration from the grid, then from the audio rate, when the source has none', () => {
    const bundle = makeSyntheticBundle({ seconds: 6, hiddenSize: 4, tokensPerFrame: 4 });
    const withoutSource: FeatureBundle = { ...bundle, metadata: { ...bundle.metadata, source: { name: 'x', duration_s: null } } };
    expect(summarizeBundle(withoutSource).durationSeconds).toBe((6 * 2) / 2);
    const audioOnly = makeSyntheticBundle({ seconds: 4, videoSeconds: 0, hiddenSize: 4 });
    expect(summarizeBundle({ ...audioOnly, metadata: { ...audioOnly.metadata, source: undefined } }).durationSeconds).toBe(4);
    expect(summarizeBundle({ ...audioOnly, metadata: { format: 'omnizip-feature-bundle', version: 1 } })).toMatchObject({
      durationSeconds: null,
      tokensPerFrame: null,
      temporalPatches: null,
      model: null,
      sampleRate: null,
      videoRuns: [],
    });
  });

  it('names mixed dtypes and ignores the dtype of an empty modality', () => {
    const bundle = makeSyntheticBundle({ seconds: 2, hiddenSize: 4, tokensPerFrame: 4 });
    expect(summarizeBundle({ ...bundle, storedDType: { audio: 'F16', video: 'BF16' } }).dtype).toBe('audio F16 / video BF16');
    const videoOnly = makeSyntheticBundle({ seconds: 2, audioSeconds: 0, hiddenSize: 4, tokensPerFrame: 4 });
    expect(summarizeBundle({ ...videoOnly, storedDType: { audio: 'F32', video: 'BF16' } }).dtype).toBe('BF16');
  });

  const dir = goldenDir();
  const cases = existsSync(dir)
    ? readdirSync(dir).filter((f) => f.endsWith('.expected.json')).map((f) => f.replace(/\.expected\.json$/, ''))
    : [];
  it.each(cases)('%s: runs match the official groups', async (name) => {
    const summary = summarizeBundle(await readBundle(path.join(dir, `${name}.safetensors`), { computeHash: false }));
    const expected = JSON.parse(readFileSync(path.join(dir, `${name}.expected.json`), 'utf8')) as {
      groups: { audio_range: [number, number] | null; video_range: [number, number] | null }[];
    };
    expect(summary.audioRuns).toEqual(expected.groups.map((g) => g.audio_range).filter((r) => r !== null));
    expect(summary.videoRuns).toEqual(expected.groups.map((g) => g.video_range).filter((r) => r !== null));
  });
});
