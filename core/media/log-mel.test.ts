import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPythonWithNumpy } from '../../tools/python-env.js';
import { FftPlan } from './fft.js';
import { LogMelError, NUM_MELS, whisperLogMel } from './log-mel.js';
import { slaneyMelFilterbank } from './mel-filters.js';

/** 1.37 s of speech-like material: a chirp, a tone burst, silence and low noise (deterministic). */
function testSignal(): Float32Array {
  const n = 21_937;
  const out = new Float32Array(n);
  let seed = 12345;
  for (let i = 0; i < n; i++) {
    const t = i / 16000;
    seed = (seed * 1103515245 + 12345) >>> 0;
    const noise = (seed / 2 ** 32 - 0.5) * 0.01;
    const chirp = t < 0.5 ? 0.4 * Math.sin(2 * Math.PI * (200 * t + 1500 * t * t)) : 0;
    const burst = t > 0.7 && t < 0.9 ? 0.6 * Math.sin(2 * Math.PI * 3100 * t) : 0;
    out[i] = chirp + burst + noise;
  }
  return out;
}

describe('FftPlan', () => {
  it('matches a direct DFT for a mixed-radix size', () => {
    for (const size of [400, 12, 7, 1]) {
      const plan = new FftPlan(size);
      const re = Float64Array.from({ length: size }, (_, i) => Math.sin(i * 0.7) + (i % 3));
      const im = Float64Array.from({ length: size }, (_, i) => Math.cos(i * 0.3));
      const outRe = new Float64Array(size);
      const outIm = new Float64Array(size);
      plan.transform(re, im, outRe, outIm);
      for (let k = 0; k < size; k++) {
        let accRe = 0;
        let accIm = 0;
        for (let n = 0; n < size; n++) {
          const a = (-2 * Math.PI * k * n) / size;
          accRe += re[n] * Math.cos(a) - im[n] * Math.sin(a);
          accIm += re[n] * Math.sin(a) + im[n] * Math.cos(a);
        }
        expect(outRe[k]).toBeCloseTo(accRe, 8);
        expect(outIm[k]).toBeCloseTo(accIm, 8);
      }
    }
  });
});

describe('slaneyMelFilterbank', () => {
  it('has triangular filters whose areas are normalised (Slaney)', () => {
    const bank = slaneyMelFilterbank(16000, 400, 128);
    expect(bank.numBins).toBe(201);
    for (let m = 0; m < 128; m++) expect(bank.endBin[m]).toBeGreaterThan(bank.firstBin[m]);
  });
});

describe('whisperLogMel', () => {
  it('yields floor(samples / 160) frames of 128 bins within the Whisper value range', () => {
    const mel = whisperLogMel(testSignal());
    expect(mel.numMels).toBe(NUM_MELS);
    expect(mel.numFrames).toBe(Math.floor(21_937 / 160));
    let max = -Infinity;
    let min = Infinity;
    for (const v of mel.data) {
      max = Math.max(max, v);
      min = Math.min(min, v);
    }
    // The floor sits 8 log10 units (2 after /4) below the maximum.
    expect(max - min).toBeLessThanOrEqual(2 + 1e-6);
  });

  it('rejects audio too short for one frame', () => {
    expect(() => whisperLogMel(new Float32Array(100))).toThrow(LogMelError);
  });

  const python = findPythonWithNumpy();
  it.skipIf(!python.python)(`matches an independent numpy reference to 1e-4${python.python ? '' : ` (skipped: ${python.skipReason})`}`, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'omnizip-logmel-'));
    try {
      const signal = testSignal();
      const input = path.join(dir, 'in.f32');
      const output = path.join(dir, 'out.f32');
      writeFileSync(input, Buffer.from(signal.buffer));
      const script = path.resolve(import.meta.dirname, '../../tools/logmel_reference.py');
      const run = spawnSync(python.python as string, [script, input, output], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const bytes = readFileSync(output);
      const reference = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
      const ours = whisperLogMel(signal);
      expect(reference.length).toBe(ours.data.length);
      let worst = 0;
      for (let i = 0; i < reference.length; i++) worst = Math.max(worst, Math.abs(reference[i] - ours.data[i]));
      expect(worst).toBeLessThan(1e-4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
