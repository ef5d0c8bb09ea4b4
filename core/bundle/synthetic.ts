/**
 * Deterministic synthetic feature bundles in the Qwen2.5-Omni layout, for the demo clip, tests and
 * benchmarks. The content is structured the way OmniZip's signals expect real clips to be, so that
 * every stage has something to find:
 * - audio: speech bursts (speaker + syllable directions, higher attention scores, onset peaks)
 *   separated by silences whose tokens sit near one shared low-energy direction;
 * - video: per scene a few spatial clusters of tokens with their own texture, a slow drift between
 *   temporal patches, a moving object, a "face" region that carries the current speaker's direction
 *   (so audio-video similarity means something) and hard scene cuts.
 * Everything derives from one seed through cheap integer PRNGs writing straight into Float32Arrays:
 * the 60 s reference clip (33 M floats) is generated in a few hundred milliseconds.
 */
import { TOKEN_AUDIO, TOKEN_VIDEO, type BundleMetadata, type EmbeddingDType, type FeatureBundle } from './types.js';
import { BUNDLE_FORMAT, BUNDLE_VERSION } from './validate.js';
import {
  bf16BitsToFloat32Array,
  float32ArrayToBf16Bits,
  float32ArrayToHalfBits,
  halfBitsToFloat32Array,
} from '../util/float16.js';

export interface SyntheticBundleOptions {
  /** Clip length in seconds (both modalities unless overridden below). */
  seconds: number;
  /** Audio length in seconds; 0 makes a video-only bundle. Default `seconds`. */
  audioSeconds?: number;
  /** Video length in seconds; 0 makes an audio-only bundle. Default `seconds`. */
  videoSeconds?: number;
  /** D. */
  hiddenSize: number;
  /** LLM tokens per temporal patch; the grid is chosen so (h/2)*(w/2) equals it. Default 128. */
  tokensPerFrame?: number;
  /** Default 25 (Qwen2.5-Omni). */
  audioTokensPerSecond?: number;
  /** Default 2 (Qwen2.5-Omni's processor interleaves 2-s chunks). */
  secondsPerChunk?: number;
  /** Temporal patches per chunk; default 2, i.e. one temporal patch per second. */
  framesPerChunk?: number;
  /** Default 1. */
  seed?: number;
  /** Embeddings are rounded to this precision and recorded as stored in it. Default F32. */
  dtype?: EmbeddingDType;
  /** Add a mono waveform (speech-like tones in the bursts) at `sampleRate`. */
  withWaveform?: boolean;
  /** Add RGB frames (2 per temporal patch) that match the video tokens' clusters and object. */
  withFrames?: boolean;
  /** Waveform sample rate; default 16000. */
  sampleRate?: number;
  /** Frame pixels per merged token side; default 28 (14-px patches merged 2x2). */
  framePixelsPerToken?: number;
  /** Text/special tokens before the media and after it; defaults 5 and 7. */
  leadingTextTokens?: number;
  trailingTextTokens?: number;
  /** source.name in the metadata; default `synthetic-seed<seed>`. */
  name?: string;
}

/** The design's reference clip: Qwen2.5-Omni-7B sized, 60 s, 1500 audio + 60 x 128 video tokens, D 3584. */
export const REFERENCE_CLIP: Readonly<SyntheticBundleOptions> = Object.freeze({
  seconds: 60,
  hiddenSize: 3584,
  tokensPerFrame: 128,
  seed: 2511,
  name: 'reference-clip-60s',
});

const SYNTHETIC_MODEL = 'synthetic (Qwen2.5-Omni-7B layout)';
const SPATIAL_MERGE_SIZE = 2;
const FRAMES_PER_TEMPORAL_PATCH = 2;
/** Element standard deviation of the basis directions; keeps values in the range real LLM inputs have. */
const EMBED_SCALE = 0.05;
/** xorshift output is a uniform int32; this maps it to [-1, 1) scaled to unit variance. */
const NOISE_UNIT = Math.sqrt(3) / 2 ** 31;
/** Independent per-patch noise on every video token: consecutive patches are close, never identical. */
const FRAME_NOISE = 0.12 * EMBED_SCALE;

// ---------------------------------------------------------------- random numbers

function mix32(value: number): number {
  let x = value | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) | 0;
}

/** Order-sensitive hash of integers, used to give every stream and every row its own seed. */
function hashInts(...parts: number[]): number {
  let h = 0x811c9dc5 | 0;
  for (const part of parts) h = mix32(h ^ Math.imul(part | 0, 0x9e3779b1));
  return h;
}

/** mulberry32: tiny, fast and good enough for layout decisions. */
class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed | 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }
  int(count: number): number {
    return Math.floor(this.next() * count);
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
}

/** A random direction with i.i.d. uniform entries of standard deviation EMBED_SCALE. */
function randomDirection(seed: number, size: number): Float32Array {
  const out = new Float32Array(size);
  addNoise(out, 0, size, seed, EMBED_SCALE);
  return out;
}

/** Adds `amplitude` x unit-variance uniform noise (xorshift32 from `seed`) to out[offset ..). */
function addNoise(out: Float32Array, offset: number, size: number, seed: number, amplitude: number): void {
  let x = seed | 0 || 0x2545f491;
  const scale = amplitude * NOISE_UNIT;
  for (let j = 0; j < size; j++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[offset + j] += scale * x;
  }
}

function addScaled(out: Float32Array, offset: number, direction: Float32Array, amplitude: number): void {
  for (let j = 0; j < direction.length; j++) out[offset + j] += amplitude * direction[j];
}

/**
 * out[offset + j] = a1*v1[j] + a2*v2[j] + a3*v3[j] + noise A + noise B, in one pass: fusing the
 * terms (rather than adding them one pass each) halves the time to build the reference clip.
 */
function writeRow(
  out: Float32Array,
  offset: number,
  v1: Float32Array,
  a1: number,
  v2: Float32Array,
  a2: number,
  v3: Float32Array,
  a3: number,
  seedA: number,
  amplitudeA: number,
  seedB: number,
  amplitudeB: number,
): void {
  let x = seedA | 0 || 0x2545f491;
  let y = seedB | 0 || 0x2545f491;
  const scaleA = amplitudeA * NOISE_UNIT;
  const scaleB = amplitudeB * NOISE_UNIT;
  for (let j = 0; j < v1.length; j++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    y ^= y << 13;
    y ^= y >>> 17;
    y ^= y << 5;
    out[offset + j] = a1 * v1[j] + a2 * v2[j] + a3 * v3[j] + scaleA * x + scaleB * y;
  }
}

// ---------------------------------------------------------------- geometry and layout

/** [rows, cols] of merged tokens per temporal patch: rows*cols = tpf, landscape about 1:2. */
export function mergedGridFor(tokensPerFrame: number): [number, number] {
  for (let rows = Math.floor(Math.sqrt(tokensPerFrame / 2)); rows >= 1; rows--) {
    if (tokensPerFrame % rows === 0) return [rows, tokensPerFrame / rows];
  }
  return [1, tokensPerFrame];
}

interface Layout {
  numAudio: number;
  temporalPatches: number;
  tokensPerFrame: number;
  tokenTypes: Uint8Array;
}

/**
 * Qwen2.5-Omni's `use_audio_in_video` order: text, then per chunk that chunk's video tokens and
 * then its audio tokens, the longer modality's extra chunks back to back, then text again.
 */
function buildLayout(numAudio: number, temporalPatches: number, tokensPerFrame: number, audioPerChunk: number, patchesPerChunk: number, lead: number, trail: number): Layout {
  const numVideo = temporalPatches * tokensPerFrame;
  const tokenTypes = new Uint8Array(lead + numAudio + numVideo + trail);
  const videoPerChunk = patchesPerChunk * tokensPerFrame;
  const audioChunks = Math.ceil(numAudio / audioPerChunk);
  const videoChunks = Math.ceil(numVideo / videoPerChunk);
  let position = lead;
  const emit = (kind: number, count: number) => {
    tokenTypes.fill(kind, position, position + count);
    position += count;
  };
  for (let chunk = 0; chunk < Math.max(audioChunks, videoChunks); chunk++) {
    if (chunk < videoChunks) emit(TOKEN_VIDEO, Math.min(videoPerChunk, numVideo - chunk * videoPerChunk));
    if (chunk < audioChunks) emit(TOKEN_AUDIO, Math.min(audioPerChunk, numAudio - chunk * audioPerChunk));
  }
  return { numAudio, temporalPatches, tokensPerFrame, tokenTypes };
}

// ---------------------------------------------------------------- speech timeline

interface SpeechSegment {
  start: number;
  end: number;
  speaker: number;
}

const SPEAKER_COUNT = 3;
const PHONE_COUNT = 16;

/** Alternating silences and speech bursts (seconds) covering [0, duration). */
function speechSegments(rng: Rng, duration: number): SpeechSegment[] {
  const segments: SpeechSegment[] = [];
  let time = rng.uniform(0.3, 1.0);
  let speaker = rng.int(SPEAKER_COUNT);
  while (time < duration) {
    const end = Math.min(duration, time + rng.uniform(0.6, 3.2));
    segments.push({ start: time, end, speaker });
    const longPause = rng.chance(0.15);
    time = end + (longPause ? rng.uniform(2, 4) : rng.uniform(0.2, 1.2));
    if (rng.chance(0.4)) speaker = (speaker + 1 + rng.int(SPEAKER_COUNT - 1)) % SPEAKER_COUNT;
  }
  return segments;
}

function speakerAt(segments: readonly SpeechSegment[], time: number): number {
  for (const segment of segments) {
    if (time < segment.start) return -1;
    if (time < segment.end) return segment.speaker;
  }
  return -1;
}

interface AudioTrack {
  /** Per audio token: 0 in silence, else the syllable envelope in (0, 1]. */
  level: Float32Array;
  /** Per audio token: speaker index, -1 in silence. */
  speaker: Int8Array;
  phone: Int16Array;
  /** Per audio token: 1 on the first tokens of a burst (attention peaks at onsets). */
  onset: Uint8Array;
}

function audioTrack(rng: Rng, segments: readonly SpeechSegment[], numAudio: number, tokensPerSecond: number): AudioTrack {
  const track: AudioTrack = {
    level: new Float32Array(numAudio),
    speaker: new Int8Array(numAudio).fill(-1),
    phone: new Int16Array(numAudio),
    onset: new Uint8Array(numAudio),
  };
  let syllableLeft = 0;
  let syllableLength = 1;
  let syllableStrength = 1;
  let phone = 0;
  let previousSpeaker = -1;
  for (let i = 0; i < numAudio; i++) {
    const speaker = speakerAt(segments, (i + 0.5) / tokensPerSecond);
    if (speaker < 0) {
      previousSpeaker = -1;
      syllableLeft = 0;
      continue;
    }
    if (previousSpeaker < 0) track.onset[i] = 1;
    if (syllableLeft === 0) {
      syllableLength = 3 + rng.int(4);
      syllableLeft = syllableLength;
      syllableStrength = rng.uniform(0.5, 1);
      phone = rng.int(PHONE_COUNT);
    }
    const k = syllableLength - syllableLeft;
    const envelope = Math.sin((Math.PI * (k + 0.5)) / syllableLength);
    track.level[i] = 0.35 + 0.65 * envelope * syllableStrength;
    track.speaker[i] = speaker;
    track.phone[i] = phone;
    syllableLeft--;
    previousSpeaker = speaker;
  }
  // The token right after an onset is part of the attention peak too.
  for (let i = numAudio - 1; i > 0; i--) if (track.onset[i - 1] === 1 && track.speaker[i] >= 0) track.onset[i] = 1;
  return track;
}

// ---------------------------------------------------------------- video scenes

interface Scene {
  startPatch: number;
  endPatch: number;
  /** Per token position: which cluster it belongs to. */
  assignment: Uint8Array;
  /** Per cluster: background + cluster direction, the static part of its tokens. */
  clusterVectors: Float32Array[];
  /** Per cluster: amplitude of its fixed per-position texture (flat sky vs. foliage). */
  textureAmplitude: number[];
  clusterColors: [number, number, number][];
  objectVector: Float32Array | null;
  objectColor: [number, number, number];
  /** Object centre per patch of the scene, in merged-token units, [x, y]. */
  objectPath: [number, number][];
  objectRadius: number;
  /** Face region (token rectangle) where the current speaker's direction shows. */
  face: { row: number; col: number; rows: number; cols: number };
  textureSeed: number;
}

function makeScenes(rng: Rng, seed: number, temporalPatches: number, rows: number, cols: number, hiddenSize: number): Scene[] {
  const scenes: Scene[] = [];
  let start = 0;
  let sceneIndex = 0;
  while (start < temporalPatches) {
    const length = Math.max(2, Math.round(rng.uniform(6, 16)));
    const end = Math.min(temporalPatches, start + length);
    const background = randomDirection(hashInts(seed, 11, sceneIndex), hiddenSize);
    const clusterCount = 3 + rng.int(3);
    const centres: [number, number][] = [];
    for (let c = 0; c < clusterCount; c++) centres.push([rng.uniform(0, cols), rng.uniform(0, rows)]);
    const assignment = new Uint8Array(rows * cols);
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < cols; x++) {
        let best = 0;
        let bestDistance = Infinity;
        for (let c = 0; c < clusterCount; c++) {
          const distance = (x + 0.5 - centres[c][0]) ** 2 + (y + 0.5 - centres[c][1]) ** 2;
          if (distance < bestDistance) {
            bestDistance = distance;
            best = c;
          }
        }
        assignment[y * cols + x] = best;
      }
    }
    const clusterVectors: Float32Array[] = [];
    const textureAmplitude: number[] = [];
    const clusterColors: [number, number, number][] = [];
    for (let c = 0; c < clusterCount; c++) {
      const vector = randomDirection(hashInts(seed, 12, sceneIndex, c), hiddenSize);
      addScaled(vector, 0, background, 0.7);
      clusterVectors.push(vector);
      textureAmplitude.push(rng.uniform(0.15, 0.7) * EMBED_SCALE);
      clusterColors.push([40 + rng.int(180), 40 + rng.int(180), 40 + rng.int(180)]);
    }
    let objectVector: Float32Array | null = null;
    const objectPath: [number, number][] = [];
    if (rng.chance(0.8)) {
      objectVector = randomDirection(hashInts(seed, 13, sceneIndex), hiddenSize);
      addScaled(objectVector, 0, background, 0.3);
      let x = rng.uniform(1, cols - 1);
      let y = rng.uniform(1, rows - 1);
      let vx = rng.uniform(0.4, 1.2) * (rng.chance(0.5) ? 1 : -1);
      let vy = rng.uniform(0.2, 0.6) * (rng.chance(0.5) ? 1 : -1);
      for (let t = start; t < end; t++) {
        objectPath.push([x, y]);
        x += vx;
        y += vy;
        if (x < 0 || x > cols) { vx = -vx; x += 2 * vx; }
        if (y < 0 || y > rows) { vy = -vy; y += 2 * vy; }
      }
    }
    const faceRows = Math.max(1, Math.min(2, rows));
    const faceCols = Math.max(1, Math.min(2, cols));
    scenes.push({
      startPatch: start,
      endPatch: end,
      assignment,
      clusterVectors,
      textureAmplitude,
      clusterColors,
      objectVector,
      objectColor: [220 + rng.int(36), 30 + rng.int(60), 30 + rng.int(60)],
      objectPath,
      objectRadius: rng.uniform(1.1, 1.9),
      face: { row: rng.int(rows - faceRows + 1), col: rng.int(cols - faceCols + 1), rows: faceRows, cols: faceCols },
      textureSeed: hashInts(seed, 14, sceneIndex),
    });
    start = end;
    sceneIndex++;
  }
  return scenes;
}

function objectCovers(scene: Scene, patchInScene: number, x: number, y: number): boolean {
  if (scene.objectVector === null) return false;
  const [cx, cy] = scene.objectPath[patchInScene];
  return (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 < scene.objectRadius ** 2;
}

function inFace(scene: Scene, x: number, y: number): boolean {
  const { row, col, rows, cols } = scene.face;
  return y >= row && y < row + rows && x >= col && x < col + cols;
}

// ---------------------------------------------------------------- the generator

interface ResolvedOptions {
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

function resolveOptions(options: SyntheticBundleOptions): ResolvedOptions {
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
    audioEmbeds,
    videoEmbeds,
    numAudio,
    numVideo,
    hiddenSize: D,
    audioScores,
    tokenTypes: layout.tokenTypes,
    waveform: options.withWaveform ? makeWaveform(track, o.audioSeconds, o.audioTokensPerSecond, o.sampleRate, o.seed) : null,
    frames: options.withFrames && temporalPatches > 0 ? makeFrames(scenes, segments, temporalPatches, patchesPerSecond, rows, cols, o.framePixelsPerToken) : null,
    metadata,
    storedDType: { audio: o.dtype, video: o.dtype },
  };
}

function fillAudio(
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
function separateTiedScores(scores: Float32Array): void {
  const order = Array.from(scores.keys()).sort((a, b) => scores[a] - scores[b] || a - b);
  const bits = new Uint32Array(scores.buffer, scores.byteOffset, scores.length);
  for (let k = 1; k < order.length; k++) {
    // Scores are positive, so incrementing the bit pattern moves to the next larger float32.
    while (scores[order[k]] <= scores[order[k - 1]]) bits[order[k]]++;
  }
}

function fillVideo(
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

function roundToDType(values: Float32Array, dtype: EmbeddingDType): void {
  if (dtype === 'F16') halfBitsToFloat32Array(float32ArrayToHalfBits(values), values);
  else if (dtype === 'BF16') bf16BitsToFloat32Array(float32ArrayToBf16Bits(values), values);
}

/** Speech-like tones (speaker pitch + syllable formant) in the bursts, faint noise in silences. */
function makeWaveform(track: AudioTrack, seconds: number, tokensPerSecond: number, sampleRate: number, seed: number): Float32Array {
  const samples = new Float32Array(Math.round(seconds * sampleRate));
  const pitch = [118, 185, 232];
  let noise = hashInts(seed, 40) || 1;
  let phase0 = 0;
  let phase1 = 0;
  let phase2 = 0;
  for (let n = 0; n < samples.length; n++) {
    noise ^= noise << 13;
    noise ^= noise >>> 17;
    noise ^= noise << 5;
    const hiss = 0.004 * noise * 2 ** -31;
    const token = Math.min(track.level.length - 1, Math.floor((n * tokensPerSecond) / sampleRate));
    const speaker = track.speaker[token];
    if (speaker < 0) {
      samples[n] = hiss;
      continue;
    }
    const f0 = pitch[speaker];
    const formant = 500 + 110 * track.phone[token];
    phase0 += (2 * Math.PI * f0) / sampleRate;
    phase1 += (2 * Math.PI * formant) / sampleRate;
    phase2 += (2 * Math.PI * (formant * 2.3)) / sampleRate;
    const amplitude = 0.3 * track.level[token];
    samples[n] = amplitude * (0.6 * Math.sin(phase0) + 0.3 * Math.sin(phase1) + 0.1 * Math.sin(phase2)) + hiss;
  }
  return samples;
}

/** RGB frames (2 per temporal patch) drawing the same clusters, face and moving object as the tokens. */
function makeFrames(scenes: readonly Scene[], segments: readonly SpeechSegment[], temporalPatches: number, patchesPerSecond: number, rows: number, cols: number, pixelsPerToken: number) {
  const height = rows * pixelsPerToken;
  const width = cols * pixelsPerToken;
  const count = temporalPatches * FRAMES_PER_TEMPORAL_PATCH;
  const frameBytes = height * width * 3;
  const data = new Uint8Array(count * frameBytes);
  const tokenOfPixel = new Int32Array(height * width);
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) tokenOfPixel[py * width + px] = Math.floor(py / pixelsPerToken) * cols + Math.floor(px / pixelsPerToken);
  }
  const tokenColors = new Int16Array(rows * cols * 3);
  const grain = new Int8Array(height * width);
  for (const scene of scenes) {
    // Film grain fixed per scene, like the token texture: static detail, not flicker.
    for (let i = 0; i < grain.length; i++) grain[i] = (mix32(scene.textureSeed ^ Math.imul(i, 0x9e3779b1)) & 15) - 8;
    for (let t = scene.startPatch; t < scene.endPatch; t++) {
      const inScene = t - scene.startPatch;
      const brightness = Math.min(40, 2 * inScene);
      for (let sub = 0; sub < FRAMES_PER_TEMPORAL_PATCH; sub++) {
        const frame = t * FRAMES_PER_TEMPORAL_PATCH + sub;
        const speaking = speakerAt(segments, (t + sub / FRAMES_PER_TEMPORAL_PATCH) / patchesPerSecond) >= 0;
        for (let y = 0; y < rows; y++) {
          for (let x = 0; x < cols; x++) {
            const color = inFace(scene, x, y) ? (speaking ? FACE_SPEAKING : FACE_SILENT) : scene.clusterColors[scene.assignment[y * cols + x]];
            const base = (y * cols + x) * 3;
            tokenColors[base] = color[0] + brightness;
            tokenColors[base + 1] = color[1] + brightness;
            tokenColors[base + 2] = color[2];
          }
        }
        const out = data.subarray(frame * frameBytes, (frame + 1) * frameBytes);
        for (let pixel = 0, index = 0; pixel < tokenOfPixel.length; pixel++) {
          const base = tokenOfPixel[pixel] * 3;
          const g = grain[pixel];
          out[index++] = clampByte(tokenColors[base] + g);
          out[index++] = clampByte(tokenColors[base + 1] + g);
          out[index++] = clampByte(tokenColors[base + 2] + g);
        }
        if (scene.objectVector !== null) {
          // The object moves between the two frames of a patch, like the real sampled frames.
          const current = scene.objectPath[inScene];
          const next = scene.objectPath[Math.min(inScene + 1, scene.objectPath.length - 1)];
          const fraction = sub / FRAMES_PER_TEMPORAL_PATCH;
          drawDisc(out, width, height, (current[0] + (next[0] - current[0]) * fraction) * pixelsPerToken, (current[1] + (next[1] - current[1]) * fraction) * pixelsPerToken, scene.objectRadius * pixelsPerToken, scene.objectColor);
        }
      }
    }
  }
  return { data, count, height, width };
}

const FACE_SPEAKING: [number, number, number] = [235, 190, 160];
const FACE_SILENT: [number, number, number] = [205, 165, 140];

function drawDisc(out: Uint8Array, width: number, height: number, cx: number, cy: number, radius: number, color: readonly [number, number, number]): void {
  const top = Math.max(0, Math.floor(cy - radius));
  const bottom = Math.min(height - 1, Math.ceil(cy + radius));
  const left = Math.max(0, Math.floor(cx - radius));
  const right = Math.min(width - 1, Math.ceil(cx + radius));
  for (let py = top; py <= bottom; py++) {
    for (let px = left; px <= right; px++) {
      if ((px + 0.5 - cx) ** 2 + (py + 0.5 - cy) ** 2 >= radius * radius) continue;
      const index = (py * width + px) * 3;
      out[index] = color[0];
      out[index + 1] = color[1];
      out[index + 2] = color[2];
    }
  }
}

function clampByte(value: number): number {
  return value < 0 ? 0 : value > 255 ? 255 : value;
}
