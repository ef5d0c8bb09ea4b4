/**
 * Slaney-style mel filterbank with Slaney area normalisation, as librosa.filters.mel (and so
 * Whisper / Qwen2.5-Omni's feature extractor) builds it.
 */

const F_SP = 200 / 3; // Hz per mel below 1 kHz
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOG_STEP = Math.log(6.4) / 27;

export function hzToMelSlaney(hz: number): number {
  return hz < MIN_LOG_HZ ? hz / F_SP : MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP;
}

export function melToHzSlaney(mel: number): number {
  return mel < MIN_LOG_MEL ? mel * F_SP : MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL));
}

export interface MelFilterbank {
  numMels: number;
  numBins: number;
  /** [numMels, numBins] row-major weights. */
  weights: Float64Array;
  /** Per mel filter, the first and one-past-last FFT bin with a non-zero weight (for sparse products). */
  firstBin: Int32Array;
  endBin: Int32Array;
}

export function slaneyMelFilterbank(sampleRate: number, nFft: number, numMels: number, fMin = 0, fMax = sampleRate / 2): MelFilterbank {
  const numBins = Math.floor(nFft / 2) + 1;
  const fftFreqs = Float64Array.from({ length: numBins }, (_, i) => (i * (sampleRate / 2)) / (numBins - 1));
  const melMin = hzToMelSlaney(fMin);
  const melMax = hzToMelSlaney(fMax);
  const edges = Float64Array.from({ length: numMels + 2 }, (_, i) => melToHzSlaney(melMin + ((melMax - melMin) * i) / (numMels + 1)));
  const weights = new Float64Array(numMels * numBins);
  const firstBin = new Int32Array(numMels);
  const endBin = new Int32Array(numMels);
  for (let m = 0; m < numMels; m++) {
    const lo = edges[m];
    const center = edges[m + 1];
    const hi = edges[m + 2];
    const norm = 2 / (hi - lo);
    let first = -1;
    let end = 0;
    for (let b = 0; b < numBins; b++) {
      const rising = (fftFreqs[b] - lo) / (center - lo);
      const falling = (hi - fftFreqs[b]) / (hi - center);
      const w = Math.max(0, Math.min(rising, falling));
      if (w > 0) {
        weights[m * numBins + b] = w * norm;
        if (first < 0) first = b;
        end = b + 1;
      }
    }
    firstBin[m] = Math.max(0, first);
    endBin[m] = end;
  }
  return { numMels, numBins, weights, firstBin, endBin };
}
