import { describe, expect, it } from 'vitest';
import { bundleContentHash, parseBundle } from '../../core/bundle/reader.js';
import { summarizeBundle } from '../../core/bundle/summary.js';
import { makeSyntheticBundle, mergedGridFor, REFERENCE_CLIP } from './index.js';
import { TOKEN_AUDIO, TOKEN_VIDEO, type FeatureBundle } from '../../core/bundle/types.js';
import { serializeBundle } from '../../core/bundle/writer.js';
import { floatToHalfBits, halfBitsToFloat } from '../../core/util/float16.js';

function rowCosine(a: Float32Array, i: number, b: Float32Array, j: number, D: number): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let k = 0; k < D; k++) {
    const x = a[i * D + k];
    const y = b[j * D + k];
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return dot / Math.sqrt(na * nb);
}

function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

describe('makeSyntheticBundle', () => {
  const options = { seconds: 20, hiddenSize: 64, tokensPerFrame: 32, seed: 5 } as const;

  it('is deterministic for a seed and changes with the seed', () => {
    const a = serializeBundle(makeSyntheticBundle({ ...options, withWaveform: true, withFrames: true, framePixelsPerToken: 4 }));
    const b = serializeBundle(makeSyntheticBundle({ ...options, withWaveform: true, withFrames: true, framePixelsPerToken: 4 }));
    expect(bundleContentHash(a)).toBe(bundleContentHash(b));
    const other = makeSyntheticBundle({ ...options, seed: 6 });
    expect(other.audioEmbeds).not.toEqual(makeSyntheticBundle(options).audioEmbeds);
  });

  it('keeps embeddings independent of the optional waveform and frames', () => {
    const plain = makeSyntheticBundle(options);
    const rich = makeSyntheticBundle({ ...options, withWaveform: true, withFrames: true, framePixelsPerToken: 2 });
    expect(rich.audioEmbeds).toEqual(plain.audioEmbeds);
    expect(rich.videoEmbeds).toEqual(plain.videoEmbeds);
    expect(rich.audioScores).toEqual(plain.audioScores);
  });

  it('lays tokens out like Qwen2.5-Omni: text, per 2-s chunk video then audio, text', () => {
    const bundle = makeSyntheticBundle(options);
    expect(bundle.numAudio).toBe(500);
    expect(bundle.numVideo).toBe(20 * 32);
    expect(bundle.metadata.grid_thw).toEqual([20, 8, 16]);
    const types = bundle.tokenTypes;
    expect(types.length).toBe(5 + 500 + 640 + 7);
    expect(Array.from(types.subarray(0, 5))).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(types.subarray(types.length - 7))).toEqual([0, 0, 0, 0, 0, 0, 0]);
    let position = 5;
    for (let chunk = 0; chunk < 10; chunk++) {
      expect(types.subarray(position, position + 64).every((t) => t === TOKEN_VIDEO)).toBe(true);
      position += 64;
      expect(types.subarray(position, position + 50).every((t) => t === TOKEN_AUDIO)).toBe(true);
      position += 50;
    }
    expect(position).toBe(types.length - 7);
  });

  it('appends the longer modality\'s extra chunks back to back', () => {
    const moreAudio = summarizeBundle(makeSyntheticBundle({ ...options, seconds: 8, audioSeconds: 14 }));
    expect(moreAudio.videoRuns).toEqual([[0, 64], [64, 128], [128, 192], [192, 256]]);
    expect(moreAudio.audioRuns).toEqual([[0, 50], [50, 100], [100, 150], [150, 350]]);
    const moreVideo = summarizeBundle(makeSyntheticBundle({ ...options, seconds: 4, videoSeconds: 9 }));
    expect(moreVideo.audioRuns).toEqual([[0, 50], [50, 100]]);
    expect(moreVideo.videoRuns).toEqual([[0, 64], [64, 128], [128, 288]]);
  });

  it('makes the 60 s reference clip at the design\'s size', () => {
    const started = performance.now();
    const bundle = makeSyntheticBundle(REFERENCE_CLIP);
    const elapsed = performance.now() - started;
    expect(bundle.numAudio).toBe(1500);
    expect(bundle.numVideo).toBe(60 * 128);
    expect(bundle.hiddenSize).toBe(3584);
    expect(bundle.audioEmbeds.length).toBe(1500 * 3584);
    expect(bundle.videoEmbeds.length).toBe(7680 * 3584);
    expect(bundle.metadata.grid_thw).toEqual([60, 16, 32]);
    expect(bundle.metadata).toMatchObject({
      model: 'synthetic (Qwen2.5-Omni-7B layout)',
      spatial_merge_size: 2,
      frames_per_temporal_patch: 2,
      video_fps: 2,
      audio_tokens_per_second: 25,
      seconds_per_chunk: 2,
      source: { duration_s: 60 },
    });
    const summary = summarizeBundle(bundle);
    expect(summary.audioRuns).toHaveLength(30);
    expect(summary.videoRuns).toHaveLength(30);
    // Generous bound for a shared 2-core CI machine; about 0.3 s when idle.
    expect(elapsed).toBeLessThan(5000);
  });

  it('is readable after writing, in every dtype, with waveform and frames', () => {
    for (const dtype of ['F32', 'F16', 'BF16'] as const) {
      const bundle = makeSyntheticBundle({ ...options, dtype, withWaveform: true, withFrames: true, framePixelsPerToken: 4 });
      const back = parseBundle(serializeBundle(bundle, { dtype }), 'synthetic.safetensors');
      // Values were generated at the stored precision, so the file holds them exactly.
      expect(back.audioEmbeds).toEqual(bundle.audioEmbeds);
      expect(back.videoEmbeds).toEqual(bundle.videoEmbeds);
      expect(back.waveform?.length).toBe(20 * 16000);
      // tpf 32 is a 4 x 8 grid of merged tokens, 4 pixels each.
      expect(back.frames).toMatchObject({ count: 40, height: 4 * 4, width: 8 * 4 });
      expect(back.metadata.sample_rate).toBe(16000);
    }
  });

  it('rounds F16 bundles to representable halves', () => {
    const bundle = makeSyntheticBundle({ ...options, dtype: 'F16' });
    for (let i = 0; i < bundle.videoEmbeds.length; i += 97) {
      const v = bundle.videoEmbeds[i];
      expect(halfBitsToFloat(floatToHalfBits(v))).toBe(v);
    }
    expect(bundle.storedDType).toEqual({ audio: 'F16', video: 'F16' });
  });

  it('rejects impossible options', () => {
    expect(() => makeSyntheticBundle({ seconds: 2, hiddenSize: 0 })).toThrow(RangeError);
    expect(() => makeSyntheticBundle({ seconds: -1, hiddenSize: 4 })).toThrow(/audioSeconds/);
    expect(() => makeSyntheticBundle({ seconds: 2, hiddenSize: 4, tokensPerFrame: 2.5 })).toThrow(/tokensPerFrame/);
    expect(() => makeSyntheticBundle({ seconds: 2, hiddenSize: 4, audioTokensPerSecond: 12.3 })).toThrow(/whole number/);
  });
});

describe('synthetic content is structured, not noise', () => {
  const bundle: FeatureBundle = makeSyntheticBundle({ seconds: 40, hiddenSize: 128, tokensPerFrame: 32, seed: 11 });
  const D = bundle.hiddenSize;
  const scores = bundle.audioScores as Float32Array;
  // Classify tokens by energy (the test does not peek at the generator's internal timeline).
  const norms = Array.from({ length: bundle.numAudio }, (_, i) => Math.hypot(...bundle.audioEmbeds.subarray(i * D, (i + 1) * D)));
  const sortedNorms = [...norms].sort((a, b) => a - b);
  const threshold = sortedNorms[Math.floor(sortedNorms.length / 2)] * 0.6;
  const silent = norms.map((n, i) => (n < threshold ? i : -1)).filter((i) => i >= 0);
  const speech = norms.map((n, i) => (n >= threshold ? i : -1)).filter((i) => i >= 0);

  it('has both speech bursts and silences', () => {
    expect(silent.length).toBeGreaterThan(bundle.numAudio * 0.1);
    expect(speech.length).toBeGreaterThan(bundle.numAudio * 0.3);
  });

  it('puts silent tokens near one shared direction and spreads speech tokens', () => {
    const silentPairs = silent.slice(0, 40).map((i, k) => rowCosine(bundle.audioEmbeds, i, bundle.audioEmbeds, silent[(k * 7 + 13) % silent.length], D));
    const speechPairs = speech.slice(0, 40).map((i, k) => rowCosine(bundle.audioEmbeds, i, bundle.audioEmbeds, speech[(k * 31 + 101) % speech.length], D));
    expect(mean(silentPairs)).toBeGreaterThan(0.9);
    expect(mean(speechPairs)).toBeLessThan(0.6);
  });

  it('scores speech higher than silence', () => {
    const maxSilent = Math.max(...silent.map((i) => scores[i]));
    expect(mean(speech.map((i) => scores[i]))).toBeGreaterThan(2 * maxSilent);
    expect(new Set(scores).size).toBe(scores.length); // no accidental ties
  });

  it('makes consecutive temporal patches similar except at scene cuts', () => {
    const tpf = 32;
    const perPatch: number[] = [];
    for (let t = 1; t < bundle.numVideo / tpf; t++) {
      const sims = Array.from({ length: tpf }, (_, p) => rowCosine(bundle.videoEmbeds, t * tpf + p, bundle.videoEmbeds, (t - 1) * tpf + p, D));
      perPatch.push(mean(sims));
    }
    const cuts = perPatch.filter((s) => s < 0.5).length;
    expect(cuts).toBeGreaterThanOrEqual(1);
    expect(cuts).toBeLessThan(perPatch.length / 3);
    expect(mean(perPatch.filter((s) => s >= 0.5))).toBeGreaterThan(0.85);
  });

  it('clusters tokens within a frame', () => {
    const tpf = 32;
    const sims: number[] = [];
    for (let p = 0; p < tpf; p++) for (let q = p + 1; q < tpf; q++) sims.push(rowCosine(bundle.videoEmbeds, p, bundle.videoEmbeds, q, D));
    sims.sort((a, b) => a - b);
    // Same-cluster pairs are close, cross-cluster pairs are not: a wide spread, not one blob.
    expect(sims[Math.floor(sims.length * 0.95)]).toBeGreaterThan(0.7);
    expect(sims[Math.floor(sims.length * 0.2)]).toBeLessThan(0.6);
  });

  it('links speech to the video through the speaker\'s face', () => {
    const best = (i: number) => {
      let m = -1;
      for (let v = 0; v < bundle.numVideo; v++) m = Math.max(m, rowCosine(bundle.audioEmbeds, i, bundle.videoEmbeds, v, D));
      return m;
    };
    expect(mean(speech.slice(0, 30).map(best))).toBeGreaterThan(mean(silent.slice(0, 30).map(best)) + 0.1);
  });
});

describe('synthetic frames and waveform', () => {
  const bundle = makeSyntheticBundle({ seconds: 30, hiddenSize: 16, tokensPerFrame: 32, seed: 11, withFrames: true, withWaveform: true, framePixelsPerToken: 6, sampleRate: 4000 });
  const frames = bundle.frames!;
  const frameBytes = frames.height * frames.width * 3;
  const changedFraction = (a: number, b: number) => {
    let changed = 0;
    for (let i = 0; i < frameBytes; i++) if (Math.abs(frames.data[a * frameBytes + i] - frames.data[b * frameBytes + i]) > 24) changed++;
    return changed / frameBytes;
  };

  it('changes a little between frames of a scene and a lot at a cut', () => {
    const changes = Array.from({ length: frames.count - 1 }, (_, f) => changedFraction(f + 1, f));
    const cuts = changes.filter((c) => c > 0.4).length;
    expect(cuts).toBeGreaterThanOrEqual(1);
    expect(cuts).toBeLessThan(changes.length / 4);
    expect(changes.filter((c) => c < 0.2).length).toBeGreaterThan(changes.length / 2);
  });

  it('has a louder waveform in speech than in silence', () => {
    const waveform = bundle.waveform!;
    expect(waveform.length).toBe(30 * 4000);
    const samplesPerToken = 4000 / 25;
    const rms = (token: number) => Math.sqrt(waveform.subarray(token * samplesPerToken, (token + 1) * samplesPerToken).reduce((s, v) => s + v * v, 0) / samplesPerToken);
    const scores = bundle.audioScores!;
    const order = Array.from(scores.keys()).sort((a, b) => scores[a] - scores[b]);
    const quiet = order.slice(0, 50).map(rms);
    const loud = order.slice(-50).map(rms);
    expect(mean(loud)).toBeGreaterThan(10 * mean(quiet));
  });
});

describe('mergedGridFor', () => {
  it('factors tokens per frame into a landscape grid', () => {
    expect(mergedGridFor(128)).toEqual([8, 16]);
    expect(mergedGridFor(144)).toEqual([8, 18]);
    expect(mergedGridFor(32)).toEqual([4, 8]);
    expect(mergedGridFor(7)).toEqual([1, 7]);
    expect(mergedGridFor(1)).toEqual([1, 1]);
  });
});
