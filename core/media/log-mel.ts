import { OperationCancelledError } from './errors.js';
import { FftPlan } from './fft.js';
import { slaneyMelFilterbank, type MelFilterbank } from './mel-filters.js';
import { OmniZipError } from '../protocol/errors.js';

/**
 * Whisper-style log-mel features, the input of Qwen2.5-Omni's audio tower: 25 ms periodic-Hann
 * windows every 10 ms (100 frames/s at 16 kHz), power spectrum, 128 Slaney mel bins,
 * log10(max(mel, 1e-10)), floored at (max - 8), then (x + 4) / 4.
 */
export const LOG_MEL_SAMPLE_RATE = 16000;
export const N_FFT = 400;
export const HOP_LENGTH = 160;
export const NUM_MELS = 128;
export const MEL_FRAMES_PER_SECOND = LOG_MEL_SAMPLE_RATE / HOP_LENGTH;

export class LogMelError extends OmniZipError {
  constructor(message: string) {
    super('bad-input', message);
  }
}

export interface LogMel {
  /** [numMels, numFrames] row-major (Whisper's input_features layout). */
  data: Float32Array;
  numMels: number;
  numFrames: number;
}

let cachedFilters: MelFilterbank | null = null;
function whisperFilters(): MelFilterbank {
  cachedFilters ??= slaneyMelFilterbank(LOG_MEL_SAMPLE_RATE, N_FFT, NUM_MELS);
  return cachedFilters;
}

/** numpy's 'reflect' padding (edge sample not repeated), which torch.stft(center=True) also uses. */
function reflectIndex(i: number, length: number): number {
  const period = 2 * (length - 1);
  let j = ((i % period) + period) % period;
  if (j >= length) j = period - j;
  return j;
}

/** The log-mel computation split into frame ranges, so callers can pace it (cancellation, progress). */
function logMelComputation(waveform: Float32Array): { numFrames: number; frames(from: number, to: number): void; finish(): LogMel } {
  const length = waveform.length;
  if (length <= N_FFT / 2) {
    throw new LogMelError(`audio of ${length} samples is too short for a log-mel frame (need more than ${N_FFT / 2} at 16 kHz)`);
  }
  const numFrames = Math.floor(length / HOP_LENGTH);
  const filters = whisperFilters();
  const numBins = filters.numBins;
  const window = Float64Array.from({ length: N_FFT }, (_, n) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / N_FFT));
  const plan = new FftPlan(N_FFT);
  const frameRe = new Float64Array(N_FFT);
  const frameIm = new Float64Array(N_FFT);
  const specRe = new Float64Array(N_FFT);
  const specIm = new Float64Array(N_FFT);
  const power = new Float64Array(numBins);
  const logMel = new Float64Array(NUM_MELS * numFrames);
  const pad = N_FFT / 2;
  let globalMax = -Infinity;
  return {
    numFrames,
    frames(from, to) {
      for (let t = from; t < to; t++) {
        const start = t * HOP_LENGTH - pad;
        for (let n = 0; n < N_FFT; n++) {
          const i = start + n;
          const sample = i >= 0 && i < length ? waveform[i] : waveform[reflectIndex(i, length)];
          frameRe[n] = sample * window[n];
        }
        frameIm.fill(0);
        plan.transform(frameRe, frameIm, specRe, specIm);
        for (let b = 0; b < numBins; b++) power[b] = specRe[b] * specRe[b] + specIm[b] * specIm[b];
        for (let m = 0; m < NUM_MELS; m++) {
          let acc = 0;
          const row = m * numBins;
          for (let b = filters.firstBin[m]; b < filters.endBin[m]; b++) acc += filters.weights[row + b] * power[b];
          const value = Math.log10(Math.max(acc, 1e-10));
          logMel[m * numFrames + t] = value;
          if (value > globalMax) globalMax = value;
        }
      }
    },
    finish() {
      const floor = globalMax - 8;
      const data = new Float32Array(logMel.length);
      for (let i = 0; i < logMel.length; i++) data[i] = (Math.max(logMel[i], floor) + 4) / 4;
      return { data, numMels: NUM_MELS, numFrames };
    },
  };
}

/**
 * Log-mel of 16 kHz mono audio. Frames = floor(samples / 160): the STFT is centred (reflect-padded
 * by n_fft/2) and its last frame dropped, as Whisper does.
 */
export function whisperLogMel(waveform: Float32Array, onProgress?: (fraction: number) => void): LogMel {
  const work = logMelComputation(waveform);
  for (let t = 0; t < work.numFrames; t += 1024) {
    work.frames(t, Math.min(work.numFrames, t + 1024));
    if (onProgress && t + 1024 < work.numFrames) onProgress((t + 1023) / work.numFrames);
  }
  onProgress?.(1);
  return work.finish();
}

/**
 * The same log-mel, yielding to the event loop every `sliceMs` so a cancel (a worker message, a
 * SIGINT) is seen within that time: ten minutes of audio take seconds, and a cancel used to wait
 * for all of it (issue 15 item 12).
 */
export async function whisperLogMelCancellable(
  waveform: Float32Array,
  options: { signal?: AbortSignal; onProgress?: (fraction: number) => void; sliceMs?: number } = {},
): Promise<LogMel> {
  const work = logMelComputation(waveform);
  const sliceMs = options.sliceMs ?? 100;
  let t = 0;
  while (t < work.numFrames) {
    const sliceStart = performance.now();
    while (t < work.numFrames && performance.now() - sliceStart < sliceMs) {
      const to = Math.min(work.numFrames, t + 64);
      work.frames(t, to);
      t = to;
    }
    options.onProgress?.(t / work.numFrames);
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (options.signal?.aborted) throw new OperationCancelledError('computing the log-mel');
  }
  return work.finish();
}
