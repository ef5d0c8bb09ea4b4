import type { BundleFrames } from '../bundle/types.js';

/**
 * Small copies of frames and audio for the studio's overlays and waveform: box-filtered so thin
 * edges and transients survive the shrink.
 */
export function shrinkFrames(frames: Uint8Array[], width: number, height: number, maxSide: number): BundleFrames {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  const outW = Math.max(1, Math.round(width * scale));
  const outH = Math.max(1, Math.round(height * scale));
  const data = new Uint8Array(frames.length * outH * outW * 3);
  frames.forEach((frame, f) => {
    const base = f * outH * outW * 3;
    for (let y = 0; y < outH; y++) {
      const y0 = Math.floor((y * height) / outH);
      const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * height) / outH));
      for (let x = 0; x < outW; x++) {
        const x0 = Math.floor((x * width) / outW);
        const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * width) / outW));
        let r = 0;
        let g = 0;
        let b = 0;
        for (let sy = y0; sy < y1; sy++) {
          for (let sx = x0; sx < x1; sx++) {
            const i = (sy * width + sx) * 3;
            r += frame[i];
            g += frame[i + 1];
            b += frame[i + 2];
          }
        }
        const n = (y1 - y0) * (x1 - x0);
        const o = base + (y * outW + x) * 3;
        data[o] = Math.round(r / n);
        data[o + 1] = Math.round(g / n);
        data[o + 2] = Math.round(b / n);
      }
    }
  });
  return { data, count: frames.length, height: outH, width: outW };
}

/** Averages blocks of samples to reach `targetRate` (an integer divisor of `sourceRate` is exact). */
export function decimateWaveform(samples: Float32Array, sourceRate: number, targetRate: number): Float32Array {
  if (targetRate >= sourceRate) return new Float32Array(samples);
  const ratio = sourceRate / targetRate;
  const out = new Float32Array(Math.floor(samples.length / ratio));
  for (let i = 0; i < out.length; i++) {
    const start = Math.floor(i * ratio);
    const end = Math.floor((i + 1) * ratio);
    let acc = 0;
    for (let s = start; s < end; s++) acc += samples[s];
    out[i] = acc / (end - start);
  }
  return out;
}
