import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBundle } from '../core/bundle/reader.js';

const demoBundle = path.resolve(import.meta.dirname, '../assets/demo/demo.safetensors');

describe('the committed demo bundle', () => {
  it('reads, and has audio, video, frames and waveform', async () => {
    const bundle = await readBundle(demoBundle);
    expect(bundle.numAudio).toBe(600);
    expect(bundle.numVideo).toBe(2880);
    expect(bundle.metadata.grid_thw).toEqual([24, 16, 30]);
    expect(bundle.audioScores?.length).toBe(600);
    expect(bundle.frames?.count).toBe(48);
    expect(bundle.waveform?.length).toBe(24 * 8000);
    expect(bundle.metadata.sample_rate).toBe(8000);
    // VisionZip's ranking input from the demo vision encoder (no embedding proxy on the demo).
    expect(bundle.videoScores?.length).toBe(2880);
  });

  it('makes audio guidance visible: speech draws far more importance than silence', async () => {
    const bundle = await readBundle(demoBundle);
    const scores = bundle.audioScores as Float32Array;
    const meanOver = (fromS: number, toS: number) => {
      let sum = 0;
      for (let i = fromS * 25; i < toS * 25; i++) sum += scores[i];
      return sum / ((toS - fromS) * 25);
    };
    // Speech at 0-3 s and 16-19 s, silence at 4-8 s and 20-24 s.
    expect(meanOver(0, 3)).toBeGreaterThan(4 * meanOver(4, 8));
    expect(meanOver(16, 19)).toBeGreaterThan(4 * meanOver(20, 24));
  });
});
