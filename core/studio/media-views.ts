/**
 * Display-sized views of a bundle's optional media (waveform, frames), so the transport carries
 * kilobytes instead of the raw 16 kHz samples or every full-size frame.
 */
import type { FeatureBundle } from '../bundle/types.js';
import { StudioError } from './errors.js';

export interface WaveformEnvelope {
  min: Float32Array;
  max: Float32Array;
  seconds: number;
}

/** Per-bin min/max of the waveform; empty arrays when the bundle has none. */
export function waveformEnvelope(bundle: FeatureBundle, bins: number): WaveformEnvelope {
  const wave = bundle.waveform;
  const rate = bundle.metadata.sample_rate ?? 16000;
  if (!wave || wave.length === 0 || rate <= 0) return { min: new Float32Array(0), max: new Float32Array(0), seconds: 0 };
  const n = Math.min(bins, wave.length);
  const min = new Float32Array(n);
  const max = new Float32Array(n);
  for (let b = 0; b < n; b++) {
    const start = Math.floor((b * wave.length) / n);
    const end = Math.max(start + 1, Math.floor(((b + 1) * wave.length) / n));
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = start; i < end; i++) {
      const v = wave[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    min[b] = lo;
    max[b] = hi;
  }
  return { min, max, seconds: wave.length / rate };
}

export function frameImage(bundle: FeatureBundle, index: number): { index: number; width: number; height: number; rgb: Uint8Array } {
  const frames = bundle.frames;
  if (!frames || frames.count === 0) throw new StudioError('unsupported', 'this clip has no frame images (the bundle stores no `frames` tensor)');
  if (index >= frames.count) throw new StudioError('bad-file', `frame ${index} does not exist (the clip has ${frames.count} frames)`);
  const size = frames.width * frames.height * 3;
  return { index, width: frames.width, height: frames.height, rgb: frames.data.slice(index * size, (index + 1) * size) };
}

/** Every frame shrunk (nearest neighbour) to at most `maxWidth` wide, stacked [count, h, w, 3]. */
export function thumbnails(bundle: FeatureBundle, maxWidth: number): { count: number; width: number; height: number; rgb: Uint8Array } {
  const frames = bundle.frames;
  if (!frames || frames.count === 0) return { count: 0, width: 0, height: 0, rgb: new Uint8Array(0) };
  const scale = Math.min(1, maxWidth / frames.width);
  const width = Math.max(1, Math.round(frames.width * scale));
  const height = Math.max(1, Math.round(frames.height * scale));
  const rgb = new Uint8Array(frames.count * width * height * 3);
  const src = frames.data;
  for (let f = 0; f < frames.count; f++) {
    const srcBase = f * frames.width * frames.height * 3;
    const dstBase = f * width * height * 3;
    for (let y = 0; y < height; y++) {
      const sy = Math.min(frames.height - 1, Math.floor(y / scale));
      for (let x = 0; x < width; x++) {
        const sx = Math.min(frames.width - 1, Math.floor(x / scale));
        const s = srcBase + (sy * frames.width + sx) * 3;
        const d = dstBase + (y * width + x) * 3;
        rgb[d] = src[s];
        rgb[d + 1] = src[s + 1];
        rgb[d + 2] = src[s + 2];
      }
    }
  }
  return { count: frames.count, width, height, rgb };
}
