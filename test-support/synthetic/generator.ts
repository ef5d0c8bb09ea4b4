/**
 * Deterministic synthetic feature bundles in the Qwen2.5-Omni layout, for tests and benchmarks
 * (never shipped: test-support/ is outside the production core). The content is structured the way
 * OmniZip's signals expect real clips to be, so that every stage has something to find:
 * - audio: speech bursts (speaker + syllable directions, higher attention scores, onset peaks)
 *   separated by silences whose tokens sit near one shared low-energy direction;
 * - video: per scene a few spatial clusters of tokens with their own texture, a slow drift between
 *   temporal patches, a moving object, a "face" region that carries the current speaker's direction
 *   (so audio-video similarity means something) and hard scene cuts.
 * Everything derives from one seed through cheap integer PRNGs writing straight into Float32Arrays:
 * the 60 s reference clip (33 M floats) is generated in a few hundred milliseconds.
 */
import { embeddingMatrices, type BundleMetadata, type EmbeddingDType, type FeatureBundle } from '../../core/bundle/types.js';
import { BUNDLE_FORMAT, BUNDLE_VERSION } from '../../core/bundle/validate.js';
import { bf16BitsToFloat32Array, float32ArrayToBf16Bits, float32ArrayToHalfBits, halfBitsToFloat32Array } from '../../core/util/float16.js';
import { makeFrames } from './frames.js';
import { buildLayout, mergedGridFor } from './layout.js';
import { EMBED_SCALE, FRAMES_PER_TEMPORAL_PATCH, FRAME_NOISE, SPATIAL_MERGE_SIZE, SYNTHETIC_MODEL, SyntheticBundleOptions } from './options.js';
import { Rng, hashInts, randomDirection, writeRow } from './random.js';
import { Scene, inFace, makeScenes, objectCovers } from './scenes.js';
import { AudioTrack, PHONE_COUNT, SPEAKER_COUNT, SpeechSegment, audioTrack, speakerAt, speechSegments } from './speech.js';
import { makeWaveform } from './waveform.js';

export interface ResolvedOptions {
  audioSeconds: number;
  videoSeconds: number;
  hiddenSize: number;
  tokensPerFrame: number;
  audioTokensPerSecond: number;
  secondsPerChunk: number;
  framesPerChunk: number;
  seed: number;
  dtype: EmbeddingDType;
  sampleRate: number;
  framePixelsPerToken: number;
  lead: number;
  trail: number;
  name: string;
}

export function resolveOptions(options: SyntheticBundleOptions): ResolvedOptions {
  const seed = options.seed ?? 1;
  const resolved: ResolvedOptions = {
    audioSeconds: options.audioSeconds ?? options.seconds,
    videoSeconds: options.videoSeconds ?? options.seconds,
    hiddenSize: options.hiddenSize,
    tokensPerFrame: options.tokensPerFrame ?? 128,
    audioTokensPerSecond: options.audioTokensPerSecond ?? 25,
    secondsPerChunk: options.secondsPerChunk ?? 2,
    framesPerChunk: options.framesPerChunk ?? 2,
    seed,
    dtype: options.dtype ?? 'F32',
    sampleRate: options.sampleRate ?? 16000,
    framePixelsPerToken: options.framePixelsPerToken ?? 28,
    lead: options.leadingTextTokens ?? 5,
    trail: options.trailingTextTokens ?? 7,
    name: options.name ?? `synthetic-seed${seed}`,
  };
  const positiveIntegers: (keyof ResolvedOptions)[] = ['hiddenSize', 'tokensPerFrame', 'framesPerChunk', 'sampleRate', 'framePixelsPerToken'];
  for (const key of positiveIntegers) {
    const value = resolved[key] as number;
    if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`synthetic bundle: ${key} must be a positive integer, got ${value}`);
  }
  for (const key of ['lead', 'trail'] as const) {
    if (!Number.isSafeInteger(resolved[key]) || resolved[key] < 0) throw new RangeError(`synthetic bundle: text token counts must be non-negative integers`);
  }
  for (const key of ['audioSeconds', 'videoSeconds'] as const) {
    if (!Number.isFinite(resolved[key]) || resolved[key] < 0) throw new RangeError(`synthetic bundle: ${key} must be a non-negative number, got ${resolved[key]}`);
  }
  for (const key of ['audioTokensPerSecond', 'secondsPerChunk'] as const) {
    if (!Number.isFinite(resolved[key]) || resolved[key] <= 0) throw new RangeError(`synthetic bundle: ${key} must be positive, got ${resolved[key]}`);
  }
  const audioPerChunk = resolved.audioTokensPerSecond * resolved.secondsPerChunk;
  if (!Number.isInteger(audioPerChunk)) {
    throw new RangeError(`synthetic bundle: audioTokensPerSecond x secondsPerChunk must be a whole number of tokens, got ${audioPerChunk}`);
  }
  return resolved;
}

/** Builds a structured, deterministic bundle: the same options always give the same bytes. */
export function makeSyntheticBundle(options: SyntheticBundleOptions): FeatureBundle {
  const o = resolveOptions(options);
  const D = o.hiddenSize;
  const patchesPerSecond = o.framesPerChunk / o.secondsPerChunk;
  const numAudio = Math.round(o.audioSeconds * o.audioTokensPerSecond);
  const temporalPatches = Math.round(o.videoSeconds * patchesPerSecond);
  const [rows, cols] = mergedGridFor(o.tokensPerFrame);
  const layout = buildLayout(numAudio, temporalPatches, o.tokensPerFrame, o.audioTokensPerSecond * o.secondsPerChunk, o.framesPerChunk, o.lead, o.trail);
  const numVideo = temporalPatches * o.tokensPerFrame;
  const duration = Math.max(o.audioSeconds, o.videoSeconds);

  const segments = speechSegments(new Rng(hashInts(o.seed, 1)), duration);
  const speakerDirections = Array.from({ length: SPEAKER_COUNT }, (_, s) => randomDirection(hashInts(o.seed, 2, s), D));

  const track = audioTrack(new Rng(hashInts(o.seed, 3)), segments, numAudio, o.audioTokensPerSecond);
  const audioEmbeds = new Float32Array(numAudio * D);
  const audioScores = new Float32Array(numAudio);
  fillAudio(audioEmbeds, audioScores, track, speakerDirections, o.seed, D);

  const scenes = makeScenes(new Rng(hashInts(o.seed, 4)), o.seed, temporalPatches, rows, cols, D);
  const videoEmbeds = new Float32Array(numVideo * D);
  fillVideo(videoEmbeds, scenes, segments, speakerDirections, patchesPerSecond, rows, cols, o.seed, D);

  roundToDType(audioEmbeds, o.dtype);
  roundToDType(videoEmbeds, o.dtype);

  const metadata: BundleMetadata = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    model: SYNTHETIC_MODEL,
    ...(numVideo > 0 ? { grid_thw: [temporalPatches, rows * SPATIAL_MERGE_SIZE, cols * SPATIAL_MERGE_SIZE] as [number, number, number] } : {}),
    spatial_merge_size: SPATIAL_MERGE_SIZE,
    frames_per_temporal_patch: FRAMES_PER_TEMPORAL_PATCH,
    video_fps: FRAMES_PER_TEMPORAL_PATCH * patchesPerSecond,
    audio_tokens_per_second: o.audioTokensPerSecond,
    seconds_per_chunk: o.secondsPerChunk,
    ...(options.withWaveform ? { sample_rate: o.sampleRate } : {}),
    source: { name: o.name, duration_s: duration },
    created_by: `omnizip-studio synthetic generator (seed ${o.seed})`,
  };

  return {
    ...embeddingMatrices(audioEmbeds, videoEmbeds, D),
    audioScores,
    tokenTypes: layout.tokenTypes,
    waveform: options.withWaveform ? makeWaveform(track, o.audioSeconds, o.audioTokensPerSecond, o.sampleRate, o.seed) : null,
    frames: options.withFrames && temporalPatches > 0 ? makeFrames(scenes, segments, temporalPatches, patchesPerSecond, rows, cols, o.framePixelsPerToken) : null,
    metadata,
    storedDType: { audio: o.dtype, video: o.dtype },
  };
}

export function fillAudio(
  embeds: Float32Array,
  scores: Float32Array,
  track: AudioTrack,
  speakerDirections: Float32Array[],
  seed: number,
  D: number,
): void {
  const silence = randomDirection(hashInts(seed, 20), D);
  const phones = Array.from({ length: PHONE_COUNT }, (_, p) => randomDirection(hashInts(seed, 21, p), D));
  const scoreRng = new Rng(hashInts(seed, 22));
  for (let i = 0; i < scores.length; i++) {
    const level = track.level[i];
    const noiseSeed = hashInts(seed, 23, i);
    if (track.speaker[i] < 0) {
      // Silence: low energy, every token close to the same direction (highly redundant).
      writeRow(embeds, i * D, silence, 0.3, silence, 0, silence, 0, noiseSeed, 0.05 * EMBED_SCALE, 0, 0);
      scores[i] = 0.0015 + 0.001 * scoreRng.next();
    } else {
      writeRow(embeds, i * D, speakerDirections[track.speaker[i]], 0.9 * level, phones[track.phone[i]], level, silence, 0.1, noiseSeed, 0.35 * EMBED_SCALE, 0, 0);
      scores[i] = 0.004 + 0.01 * level + 0.003 * scoreRng.next() + (track.onset[i] ? 0.008 : 0);
    }
  }
  separateTiedScores(scores);
}

/**
 * Nudges float32-equal scores apart by one ulp. Exact ties make the top-k selection depend on
 * the sort routine (the official code keeps a different tied item on CPU and GPU); a clip meant
 * for comparisons should not hit that by accident.
 */
export function separateTiedScores(scores: Float32Array): void {
  const order = Array.from(scores.keys()).sort((a, b) => scores[a] - scores[b] || a - b);
  const bits = new Uint32Array(scores.buffer, scores.byteOffset, scores.length);
  for (let k = 1; k < order.length; k++) {
    // Scores are positive, so incrementing the bit pattern moves to the next larger float32.
    while (scores[order[k]] <= scores[order[k - 1]]) bits[order[k]]++;
  }
}

export function fillVideo(
  embeds: Float32Array,
  scenes: readonly Scene[],
  segments: readonly SpeechSegment[],
  speakerDirections: Float32Array[],
  patchesPerSecond: number,
  rows: number,
  cols: number,
  seed: number,
  D: number,
): void {
  const tokensPerFrame = rows * cols;
  const drift = randomDirection(hashInts(seed, 30), D);
  for (const scene of scenes) {
    for (let t = scene.startPatch; t < scene.endPatch; t++) {
      const inScene = t - scene.startPatch;
      const driftAmount = Math.min(0.8, 0.04 * inScene);
      const speaker = speakerAt(segments, (t + 0.5) / patchesPerSecond);
      for (let y = 0; y < rows; y++) {
        for (let x = 0; x < cols; x++) {
          const position = y * cols + x;
          const offset = (t * tokensPerFrame + position) * D;
          const frameNoiseSeed = hashInts(seed, 31, t, position);
          if (objectCovers(scene, inScene, x, y)) {
            const objectVector = scene.objectVector as Float32Array;
            writeRow(embeds, offset, objectVector, 1.2, drift, driftAmount, drift, 0, hashInts(scene.textureSeed, 1, position), 0.2 * EMBED_SCALE, frameNoiseSeed, FRAME_NOISE);
          } else {
            const cluster = scene.assignment[position];
            const face = speaker >= 0 && inFace(scene, x, y);
            // The texture seed is the same in every patch of the scene: texture stays in place.
            writeRow(
              embeds, offset,
              scene.clusterVectors[cluster], 1,
              drift, driftAmount,
              face ? speakerDirections[speaker] : drift, face ? 0.9 : 0,
              hashInts(scene.textureSeed, 0, position), scene.textureAmplitude[cluster],
              frameNoiseSeed, FRAME_NOISE,
            );
          }
        }
      }
    }
  }
}

export function roundToDType(values: Float32Array, dtype: EmbeddingDType): void {
  if (dtype === 'F16') halfBitsToFloat32Array(float32ArrayToHalfBits(values), values);
  else if (dtype === 'BF16') bf16BitsToFloat32Array(float32ArrayToBf16Bits(values), values);
}
