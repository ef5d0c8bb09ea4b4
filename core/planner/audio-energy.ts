import type { FeatureBundle } from '../bundle/types.js';
import type { AudioScoreSource } from '../config/schema.js';
import { speechActivityOf } from '../analysis/speech-activity-store.js';
import { argsort } from './numeric.js';
import { OwnerKeyedMemo } from '../util/owner-memo.js';

/**
 * Per-audio-token loudness measures researchers read saliency against, and the alternative
 * scores the audio top-k can rank by. Each is computed once per bundle and memoised, so
 * switching `audio_score` replans in milliseconds.
 */

const tokenEnergyMemo = new WeakMap<FeatureBundle, Float32Array>();
const waveformRmsMemo = new WeakMap<FeatureBundle, Float32Array | null>();
const orderMemo = new OwnerKeyedMemo<FeatureBundle, AudioScoreSource, Int32Array>();

/** L2 norm of each audio token embedding (the paper's token-energy measure). */
export function tokenEnergy(bundle: FeatureBundle): Float32Array {
  let out = tokenEnergyMemo.get(bundle);
  if (!out) {
    const { numAudio: na, hiddenSize: dim, audioEmbeds } = bundle;
    out = new Float32Array(na);
    for (let i = 0; i < na; i++) {
      let s = 0;
      for (let d = 0; d < dim; d++) {
        const x = audioEmbeds[i * dim + d];
        s += x * x;
      }
      out[i] = Math.sqrt(s);
    }
    tokenEnergyMemo.set(bundle, out);
  }
  return out;
}

/** Seconds one audio token covers (40 ms for Qwen2.5-Omni's 25 tokens/s). */
export function secondsPerAudioToken(bundle: FeatureBundle): number {
  const rate = bundle.metadata.audio_tokens_per_second;
  return 1 / (typeof rate === 'number' && rate > 0 ? rate : 25);
}

/**
 * RMS of the waveform under each audio token's window; null without a waveform. Tokens past the
 * end of the waveform get 0.
 */
export function waveformRms(bundle: FeatureBundle): Float32Array | null {
  if (waveformRmsMemo.has(bundle)) return waveformRmsMemo.get(bundle) ?? null;
  let out: Float32Array | null = null;
  const wave = bundle.waveform;
  if (wave && wave.length > 0) {
    const rate = typeof bundle.metadata.sample_rate === 'number' && bundle.metadata.sample_rate > 0 ? bundle.metadata.sample_rate : 16000;
    const window = secondsPerAudioToken(bundle) * rate;
    out = new Float32Array(bundle.numAudio);
    for (let i = 0; i < bundle.numAudio; i++) {
      const s = Math.floor(i * window);
      const e = Math.min(wave.length, Math.floor((i + 1) * window));
      let acc = 0;
      for (let k = s; k < e; k++) acc += wave[k] * wave[k];
      out[i] = e > s ? Math.sqrt(acc / (e - s)) : 0;
    }
  }
  waveformRmsMemo.set(bundle, out);
  return out;
}

export interface ResolvedAudioScore {
  /** The source actually used (may differ from the requested one, see `note`). */
  source: AudioScoreSource;
  scores: Float32Array | null;
  /** Descending order, ties by the lower index. */
  order: Int32Array;
  /** Set when the requested source was unavailable and another was used. */
  note: string | null;
}

/** The score the audio top-k ranks by, falling back plainly when the requested one is missing. */
export function resolveAudioScore(bundle: FeatureBundle, requested: AudioScoreSource, attentionOrder: Int32Array): ResolvedAudioScore {
  let source = requested;
  let note: string | null = null;
  if (bundle.numAudio === 0) return { source, scores: null, order: new Int32Array(0), note };
  if (source === 'attention' && !bundle.audioScores) {
    source = 'token_energy';
    note = 'The bundle has no audio_scores (attention importance): audio tokens are ranked by token energy (L2 norm) instead.';
  }
  if (source === 'waveform_rms' && !waveformRms(bundle)) {
    source = 'token_energy';
    note = 'waveform_rms was requested but the bundle has no waveform: audio tokens are ranked by token energy (L2 norm) instead.';
  }
  if (source === 'speech_activity' && !speechActivityOf(bundle)) {
    source = 'token_energy';
    note = bundle.waveform
      ? 'speech_activity was requested but the Silero VAD speech probability was not computed for this clip: audio tokens are ranked by token energy (L2 norm) instead.'
      : 'speech_activity was requested but the bundle has no waveform: audio tokens are ranked by token energy (L2 norm) instead.';
  }
  const scores =
    source === 'attention' ? bundle.audioScores : source === 'token_energy' ? tokenEnergy(bundle) : source === 'waveform_rms' ? waveformRms(bundle) : speechActivityOf(bundle);
  if (source === 'attention' && attentionOrder.length === bundle.numAudio) return { source, scores, order: attentionOrder, note };
  const order = orderMemo.get(bundle, source, () => argsort(scores as Float32Array, true));
  return { source, scores, order, note };
}

/** Pearson correlation; NaN when either series is constant or too short. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  if (n < 2) return Number.NaN;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : Number.NaN;
}

export interface AudioCurves {
  /** Per-token series, [numAudio] each; null where the bundle lacks the source. */
  attention: Float32Array | null;
  tokenEnergy: Float32Array;
  waveformRms: Float32Array | null;
  /** Silero VAD speech probability per token, when computed (analysis/speech-activity.ts). */
  speechActivity: Float32Array | null;
  secondsPerToken: number;
  /** Pearson correlation of each pair that exists. */
  correlations: { pair: [string, string]; r: number }[];
}

/** The audio curves of the timeline (speech activity once computed) and how they correlate. */
export function audioCurves(bundle: FeatureBundle): AudioCurves {
  const energy = tokenEnergy(bundle);
  const rms = waveformRms(bundle);
  const series: [string, ArrayLike<number> | null][] = [
    ['attention', bundle.audioScores],
    ['token_energy', energy],
    ['waveform_rms', rms],
    ['speech_activity', speechActivityOf(bundle)],
  ];
  const correlations: AudioCurves['correlations'] = [];
  for (let i = 0; i < series.length; i++) {
    for (let j = i + 1; j < series.length; j++) {
      const [na, a] = series[i];
      const [nb, b] = series[j];
      if (a && b) correlations.push({ pair: [na, nb], r: pearson(a, b) });
    }
  }
  return { attention: bundle.audioScores, tokenEnergy: energy, waveformRms: rms, speechActivity: speechActivityOf(bundle), secondsPerToken: secondsPerAudioToken(bundle), correlations };
}
