/**
 * A real speech reference for the audio curves: Silero VAD (MIT), run with onnxruntime on a clip's
 * waveform. The demo's audio encoder has random weights, so its attention says nothing about
 * speech; Silero's per-frame speech probability does, and the timeline draws it beside attention
 * importance and energy (with correlations), and `audio_score: speech_activity` ranks by it.
 *
 * The model file comes from the npm package `@ricky0123/vad-web` (ISC; it ships Silero's ONNX
 * exports in dist/), installed as a dependency, so it is not kept in git. OMNIZIP_SILERO_VAD
 * points at another copy.
 *
 * Silero v5 graph (read from the model): inputs `input` float32 [1, samples], `state` float32
 * [2, 1, 128], `sr` int64 scalar; outputs `output` [1, 1] (speech probability) and `stateN`. At
 * 16 kHz it takes frames of 512 new samples, each preceded by the last 64 samples of the previous
 * frame (the context Silero's own wrapper keeps), and carries the state from frame to frame. The
 * legacy model (inputs h and c of [2, 1, 64]) is not used.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { appRoot, isBuilt } from '../runtime/entry-points.js';
import ort from 'onnxruntime-node';
import type { FeatureBundle } from '../bundle/types.js';
import { rememberSpeechActivity, speechActivityOf } from './speech-activity-store.js';
import { readSpeechCache, speechCacheFile, writeSpeechCache } from './speech-activity-cache.js';

export { speechActivityOf };

export const VAD_SAMPLE_RATE = 16000;
export const VAD_FRAME_SAMPLES = 512;
export const VAD_CONTEXT_SAMPLES = 64;
const STATE_SHAPE = [2, 1, 128] as const;

export class SpeechModelError extends Error {
  override name = 'SpeechModelError';
}

/** Where the Silero v5 model is: OMNIZIP_SILERO_VAD, dist/models in built code, else the installed @ricky0123/vad-web package. */
export function sileroModelPath(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.OMNIZIP_SILERO_VAD;
  if (override) return override;
  // Built code (CLI, app) carries its copy in dist/models (tools/build-dist.ts); packaged, it is
  // unpacked beside the asar archive so onnxruntime can open it as a file.
  if (isBuilt()) return path.join(appRoot(), 'dist', 'models', 'silero_vad_v5.onnx').replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`);
  try {
    return createRequire(import.meta.url).resolve('@ricky0123/vad-web/dist/silero_vad_v5.onnx');
  } catch {
    throw new SpeechModelError('the Silero VAD model is missing: install the npm package @ricky0123/vad-web (npm install), or set OMNIZIP_SILERO_VAD to a silero_vad_v5.onnx');
  }
}

let sessionPromise: Promise<ort.InferenceSession> | null = null;

async function sileroSession(): Promise<ort.InferenceSession> {
  if (!sessionPromise) {
    const modelPath = sileroModelPath();
    sessionPromise = ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1 }).then((session) => {
      const want = ['input', 'state', 'sr'];
      if (!want.every((n) => session.inputNames.includes(n)) || !session.outputNames.includes('output') || !session.outputNames.includes('stateN')) {
        throw new SpeechModelError(`${modelPath}: not a Silero VAD v5 model (inputs ${session.inputNames.join(', ')}; expected input, state, sr)`);
      }
      return session;
    });
    sessionPromise.catch(() => (sessionPromise = null));
  }
  return sessionPromise;
}

/** Linear-interpolation resampling to 16 kHz (speech energy sits far below 8 kHz; enough for a VAD). */
export function resampleTo16k(wave: Float32Array, rate: number): Float32Array {
  if (rate === VAD_SAMPLE_RATE) return wave;
  const n = Math.floor((wave.length * VAD_SAMPLE_RATE) / rate);
  const out = new Float32Array(n);
  const step = rate / VAD_SAMPLE_RATE;
  for (let i = 0; i < n; i++) {
    const x = i * step;
    const k = Math.floor(x);
    const f = x - k;
    out[i] = k + 1 < wave.length ? wave[k] * (1 - f) + wave[k + 1] * f : wave[Math.min(k, wave.length - 1)];
  }
  return out;
}

/** Speech probability of each 512-sample (32 ms) frame of a 16 kHz signal; a short last frame is zero-padded. */
export async function speechProbabilities(wave16k: Float32Array, signal?: AbortSignal): Promise<Float32Array> {
  const session = await sileroSession();
  const frames = Math.ceil(wave16k.length / VAD_FRAME_SAMPLES);
  const out = new Float32Array(frames);
  let state: ort.Tensor = new ort.Tensor('float32', new Float32Array(STATE_SHAPE[0] * STATE_SHAPE[1] * STATE_SHAPE[2]), [...STATE_SHAPE]);
  const sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(VAD_SAMPLE_RATE)]), []);
  const input = new Float32Array(VAD_CONTEXT_SAMPLES + VAD_FRAME_SAMPLES);
  for (let f = 0; f < frames; f++) {
    if (signal?.aborted) throw new SpeechModelError('speech activity was cancelled');
    // The previous frame's last 64 samples, then this frame's 512 (zeros before the start and past the end).
    input.copyWithin(0, VAD_FRAME_SAMPLES, VAD_FRAME_SAMPLES + VAD_CONTEXT_SAMPLES);
    if (f === 0) input.fill(0, 0, VAD_CONTEXT_SAMPLES);
    const start = f * VAD_FRAME_SAMPLES;
    const chunk = wave16k.subarray(start, Math.min(wave16k.length, start + VAD_FRAME_SAMPLES));
    input.set(chunk, VAD_CONTEXT_SAMPLES);
    input.fill(0, VAD_CONTEXT_SAMPLES + chunk.length);
    const result = await session.run({ input: new ort.Tensor('float32', input.slice(), [1, input.length]), state, sr });
    out[f] = (result.output.data as Float32Array)[0];
    state = result.stateN as ort.Tensor;
  }
  return out;
}

/** Mean speech probability of the frames each audio token's window overlaps (by overlap length). */
export function perTokenActivity(frameProb: Float32Array, numAudio: number, secondsPerToken: number): Float32Array {
  const frameSeconds = VAD_FRAME_SAMPLES / VAD_SAMPLE_RATE;
  const out = new Float32Array(numAudio);
  for (let i = 0; i < numAudio; i++) {
    const t0 = i * secondsPerToken;
    const t1 = t0 + secondsPerToken;
    let acc = 0;
    let weight = 0;
    for (let f = Math.floor(t0 / frameSeconds); f < frameProb.length && f * frameSeconds < t1; f++) {
      const overlap = Math.min(t1, (f + 1) * frameSeconds) - Math.max(t0, f * frameSeconds);
      if (overlap <= 0) continue;
      acc += frameProb[f] * overlap;
      weight += overlap;
    }
    out[i] = weight > 0 ? acc / weight : 0;
  }
  return out;
}


/** What the speech reference of a clip is computed from (all of it crosses to the compute worker). */
export interface SpeechActivityRequest {
  waveform: Float32Array;
  /** The waveform's sample rate (Hz). */
  sampleRate: number;
  tokensPerSecond: number;
  numAudio: number;
  /** Where answers are kept between opens (speech-activity-cache.ts); null: not kept. */
  cacheDir: string | null;
}

/** The request for a bundle's speech reference; null when it has no waveform or no audio tokens. */
export function speechRequestOf(bundle: FeatureBundle, cacheDir: string | null = null): SpeechActivityRequest | null {
  const wave = bundle.waveform;
  if (!wave || wave.length === 0 || bundle.numAudio === 0) return null;
  const sampleRate = typeof bundle.metadata.sample_rate === 'number' && bundle.metadata.sample_rate > 0 ? bundle.metadata.sample_rate : VAD_SAMPLE_RATE;
  const tokensPerSecond = typeof bundle.metadata.audio_tokens_per_second === 'number' && bundle.metadata.audio_tokens_per_second > 0 ? bundle.metadata.audio_tokens_per_second : 25;
  return { waveform: wave, sampleRate, tokensPerSecond, numAudio: bundle.numAudio, cacheDir };
}

/**
 * Per-audio-token speech probability: read back from the cache folder when this waveform was seen
 * with this model, else Silero VAD (then kept there). A missing model fails here with or without
 * the cache: the entry is keyed by the model file. The studio runs this in its compute worker.
 */
export async function speechActivityFor(request: SpeechActivityRequest, signal?: AbortSignal): Promise<Float32Array> {
  const { waveform, sampleRate, tokensPerSecond, numAudio, cacheDir } = request;
  const modelPath = sileroModelPath();
  const cacheFile = cacheDir ? await speechCacheFile(cacheDir, waveform, numAudio, modelPath, sampleRate, tokensPerSecond).catch(() => null) : null;
  const cached = cacheFile ? await readSpeechCache(cacheFile, numAudio) : null;
  if (cached) return cached;
  const frames = await speechProbabilities(resampleTo16k(waveform, sampleRate), signal);
  const activity = perTokenActivity(frames, numAudio, 1 / tokensPerSecond);
  // A cache that cannot be written costs the next open a VAD run, never this one its answer.
  if (cacheFile) await writeSpeechCache(cacheFile, activity).catch(() => undefined);
  return activity;
}

/**
 * The bundle's speech reference, computed once and kept with the bundle for the planner and the
 * curves (by `run`, e.g. in the compute worker, or here). Null when the clip has no waveform or
 * no audio tokens.
 */
export async function ensureSpeechActivity(
  bundle: FeatureBundle,
  signal?: AbortSignal,
  options: { cacheDir?: string | null; run?: (request: SpeechActivityRequest, signal?: AbortSignal) => Promise<Float32Array> } = {},
): Promise<Float32Array | null> {
  const known = speechActivityOf(bundle);
  if (known) return known;
  const request = speechRequestOf(bundle, options.cacheDir ?? null);
  if (!request) return null;
  const activity = await (options.run ?? speechActivityFor)(request, signal);
  if (activity.length !== bundle.numAudio) throw new SpeechModelError(`the speech reference has ${activity.length} values for ${bundle.numAudio} audio tokens`);
  rememberSpeechActivity(bundle, activity);
  return activity;
}
