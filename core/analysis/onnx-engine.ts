import path from 'node:path';
import ort from 'onnxruntime-node';
import type { FeatureBundle } from '../bundle/types.js';
import { COSINE_EPS, buildCrossModalMaxGraph, buildFrameGramGraph, buildNormalizedGramGraph, buildPairedDotGraph, buildRowNormalizeGraph } from '../onnx/analysis-graphs.js';
import { ProviderSelector, createSession, type ProviderName, type ProviderPreference } from '../onnx/session.js';
import { defaultAnalysisCacheDir } from './cache.js';
import { audioOrderOf, clipAnalysisOf } from './clip-analysis.js';
import { type AnalysisEngine, type AnalyzeOptions, type ClipAnalysis, type FrameAnalysis } from './types.js';
import { CancelledError } from '../protocol/errors.js';
import { OmniZipError } from '../protocol/errors.js';

/**
 * The clip analysis on onnxruntime-node (GPU provider when one works, CPU otherwise). Work is cut
 * into tiles so the audio x video similarity matrix never exists whole: each tile of video tokens
 * is reduced to per-frame maxima inside the graph. Between tiles the engine yields to the event
 * loop, reports progress and honours cancellation.
 */

export class AnalysisAbortError extends CancelledError {
  constructor(message = 'analysis cancelled') {
    super(message);
  }
}

export class AnalysisInputError extends OmniZipError {
  constructor(message: string) {
    super('bad-input', message);
  }
}

export interface OnnxEngineOptions {
  /** 'auto' tries WebGPU, CUDA, then CPU. A forced provider that does not work is an error. */
  provider?: ProviderPreference;
  /** Shares probe outcomes between engines (one per process is typical). */
  selector?: ProviderSelector;
  /** Video tokens per cross-modal tile (rounded down to whole frames). Bounds the [Na, tile] block. */
  videoTileTokens?: number;
  /**
   * Audio x video pairs per cross-modal tile: long clips get fewer video tokens per tile (never
   * less than one frame), so a tile's work, its [Na, tile] block and the cancel latency stay
   * those of the 60-s reference clip (1500 x 1024) whatever the clip's length.
   */
  crossTilePairs?: number;
  /** Audio rows per self-similarity block. */
  audioBlockRows?: number;
  /** Video tokens per frame-statistics batch (rounded down to whole frames). */
  frameTileTokens?: number;
  /** Rows per paired-cosine call. */
  pairRows?: number;
}

/** One geometry's results plus each row's ‖x‖², kept for finer geometries and the temporal score. */
interface ComputedFrames {
  frames: FrameAnalysis;
  rowSumSq: Float32Array;
}

interface SessionSet {
  provider: ProviderName;
  device: string;
  gram: ort.InferenceSession;
  normalize: ort.InferenceSession;
  cross: ort.InferenceSession;
  frame: ort.InferenceSession;
  pair: ort.InferenceSession;
}

/**
 * onnxruntime's CPU GEMM (MLAS) blocks K differently when a product has fewer than 128 columns,
 * which changes float32 rounding: tiles narrowed for long clips keep at least this many video
 * tokens so every clip's maxima are bit-identical to a wide-tile analysis.
 */
const MIN_CROSS_TILE_TOKENS = 128;

let sharedSelector: ProviderSelector | null = null;
/**
 * The process-wide selector, so every engine remembers which providers work; probe outcomes are
 * also remembered next to the analysis cache so a new process skips the GPU probes.
 */
export function defaultProviderSelector(): ProviderSelector {
  sharedSelector ??= new ProviderSelector({ memoFile: path.join(defaultAnalysisCacheDir(), 'providers.json') });
  return sharedSelector;
}

function tensor(data: Float32Array, dims: number[]): ort.Tensor {
  // onnxruntime-node rejects SharedArrayBuffer-backed data ("Invalid argument"): copy just this tile.
  return new ort.Tensor('float32', data.buffer instanceof SharedArrayBuffer ? data.slice() : data, dims);
}

function outputData(result: ort.InferenceSession.OnnxValueMapType, name: string): Float32Array {
  const value = result[name];
  if (!value || !(value.data instanceof Float32Array)) throw new Error(`onnxruntime returned no float32 '${name}' output`);
  return value.data;
}

function validateBundle(bundle: FeatureBundle, frameGeometries: number[]): void {
  const { numAudio: na, numVideo: nv, hiddenSize: d } = bundle;
  if (!Number.isInteger(d) || d <= 0) throw new AnalysisInputError(`bundle hidden size ${d} is not a positive integer`);
  if (bundle.audioEmbeds.length !== na * d) {
    throw new AnalysisInputError(`audio embeddings hold ${bundle.audioEmbeds.length} values, expected ${na} x ${d}`);
  }
  if (bundle.videoEmbeds.length !== nv * d) {
    throw new AnalysisInputError(`video embeddings hold ${bundle.videoEmbeds.length} values, expected ${nv} x ${d}`);
  }
  if (bundle.audioScores && bundle.audioScores.length !== na) {
    throw new AnalysisInputError(`audio scores hold ${bundle.audioScores.length} values, expected ${na}`);
  }
  for (const tpf of frameGeometries) {
    if (!Number.isInteger(tpf)) throw new AnalysisInputError(`frame geometry ${tpf} is not an integer number of tokens per frame`);
  }
}

/** Work accounting for progress: proportional to multiply-adds. */
class Progress {
  private done = 0;
  constructor(
    private readonly total: number,
    private readonly options: AnalyzeOptions,
  ) {}
  step(work: number, stage: string): void {
    this.done += work;
    this.options.onProgress?.({ fraction: this.total > 0 ? Math.min(1, this.done / this.total) : 1, stage });
    if (this.options.signal?.aborted) throw new AnalysisAbortError();
  }
}

export class OnnxAnalysisEngine implements AnalysisEngine {
  readonly name = 'onnxruntime';
  private readonly preference: ProviderPreference;
  private readonly selector: ProviderSelector;
  private readonly videoTileTokens: number;
  private readonly crossTilePairs: number;
  private readonly audioBlockRows: number;
  private readonly frameTileTokens: number;
  private readonly pairRows: number;
  private sessions: Promise<SessionSet> | null = null;

  constructor(options: OnnxEngineOptions = {}) {
    this.preference = options.provider ?? 'auto';
    this.selector = options.selector ?? defaultProviderSelector();
    this.videoTileTokens = options.videoTileTokens ?? 1024;
    this.crossTilePairs = options.crossTilePairs ?? 1500 * 1024;
    this.audioBlockRows = options.audioBlockRows ?? 512;
    this.frameTileTokens = options.frameTileTokens ?? 1024;
    this.pairRows = options.pairRows ?? 2048;
  }

  private async openSessions(): Promise<SessionSet> {
    for (;;) {
      const choice = await this.selector.select(this.preference);
      try {
        const [gram, normalize, cross, frame, pair] = await Promise.all([
          createSession(buildNormalizedGramGraph(), choice.provider),
          createSession(buildRowNormalizeGraph(), choice.provider),
          createSession(buildCrossModalMaxGraph(), choice.provider),
          createSession(buildFrameGramGraph(), choice.provider),
          createSession(buildPairedDotGraph(), choice.provider),
        ]);
        return { provider: choice.provider, device: choice.device, gram, normalize, cross, frame, pair };
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        if (this.preference !== 'auto' || choice.provider === 'cpu') {
          throw new Error(`could not create onnxruntime sessions on '${choice.provider}': ${reason}`);
        }
        this.selector.markFailed(choice.provider, reason);
      }
    }
  }

  /** Provider and device the next analysis will run on (opens the sessions if needed). */
  async providerInfo(): Promise<{ provider: ProviderName; device: string }> {
    const s = await this.ensureSessions();
    return { provider: s.provider, device: s.device };
  }

  private ensureSessions(): Promise<SessionSet> {
    if (!this.sessions) {
      this.sessions = this.openSessions();
      this.sessions.catch(() => (this.sessions = null));
    }
    return this.sessions;
  }

  async analyze(bundle: FeatureBundle, options: AnalyzeOptions): Promise<ClipAnalysis> {
    validateBundle(bundle, options.frameGeometries);
    if (options.signal?.aborted) throw new AnalysisAbortError();
    for (;;) {
      const sessions = await this.ensureSessions();
      try {
        return await this.analyzeWith(sessions, bundle, options);
      } catch (err) {
        // A GPU provider that initialised but fails at run time: in 'auto', fall back for good.
        if (err instanceof AnalysisAbortError || this.preference !== 'auto' || sessions.provider === 'cpu') throw err;
        this.selector.markFailed(sessions.provider, err instanceof Error ? err.message : String(err));
        await this.dispose();
      }
    }
  }

  async dispose(): Promise<void> {
    const pending = this.sessions;
    this.sessions = null;
    if (!pending) return;
    const s = await pending.catch(() => null);
    if (s) await Promise.all([s.gram.release(), s.normalize.release(), s.cross.release(), s.frame.release(), s.pair.release()]);
  }

  private async analyzeWith(s: SessionSet, bundle: FeatureBundle, options: AnalyzeOptions): Promise<ClipAnalysis> {
    const started = performance.now();
    const { numAudio: na, numVideo: nv, hiddenSize: d } = bundle;
    const primaryTpf = options.frameGeometries[0] ?? 0;
    const primaryFrames = primaryTpf > 0 ? Math.floor(nv / primaryTpf) : 0;
    const geometries = [...new Set(options.frameGeometries.filter((t) => t > 0))];

    const total =
      na * na * d * 0.6 + (nv > 0 ? na * nv * d : 0) + geometries.reduce((sum, t) => sum + Math.floor(nv / t) * t * (t * d + 3 * d), 0);
    const progress = new Progress(total, options);

    const audioSelfSimilarity = await this.audioSelfSimilarity(s, bundle, progress);
    const { audioVideoMax, audioFrameMax } = await this.crossModal(s, bundle, primaryTpf, primaryFrames, progress);
    const computed: ComputedFrames[] = [];
    for (const tpf of geometries) {
      // A finer geometry whose frames nest inside an already computed one (the units variant's half
      // patch inside the patch) reads its matrices off the coarser blocks instead of recomputing.
      const donor = computed.find((c) => c.frames.tokensPerFrame % tpf === 0 && c.frames.frameCount > 0);
      computed.push(await this.frameStatistics(s, bundle.videoEmbeds, d, tpf, Math.floor(nv / tpf), donor, progress));
    }
    const frames = computed.map((c) => c.frames);
    const audioOrder = audioOrderOf(bundle);
    options.onProgress?.({ fraction: 1, stage: 'done' });

    const engine = { engine: this.name, provider: s.provider, device: s.device, wallMs: performance.now() - started };

    return clipAnalysisOf(bundle, { audioOrder, audioSelfSimilarity, audioVideoMax, audioFrameMax, primaryTokensPerFrame: primaryTpf, frames, engine });
  }

  /** â·âᵀ in blocks on and above the diagonal, mirrored: the matrix is symmetric by definition. */
  private async audioSelfSimilarity(s: SessionSet, bundle: FeatureBundle, progress: Progress): Promise<Float32Array> {
    const { numAudio: na, hiddenSize: d, audioEmbeds } = bundle;
    const out = new Float32Array(na * na);
    const rows = Math.max(1, this.audioBlockRows);
    for (let r0 = 0; r0 < na; r0 += rows) {
      const r1 = Math.min(na, r0 + rows);
      for (let c0 = r0; c0 < na; c0 += rows) {
        const c1 = Math.min(na, c0 + rows);
        const m = r1 - r0;
        const n = c1 - c0;
        const result = await s.gram.run({
          a: tensor(audioEmbeds.subarray(r0 * d, r1 * d), [m, d]),
          b: tensor(audioEmbeds.subarray(c0 * d, c1 * d), [n, d]),
        });
        const block = outputData(result, 'similarity');
        for (let i = 0; i < m; i++) {
          const gi = r0 + i;
          // On a diagonal block only the upper triangle is taken, so the result is exactly symmetric.
          for (let j = c0 === r0 ? i : 0; j < n; j++) {
            const v = block[i * n + j];
            const gj = c0 + j;
            out[gi * na + gj] = v;
            out[gj * na + gi] = v;
          }
        }
        progress.step(m * n * d, 'audio self-similarity');
      }
    }
    return out;
  }

  private async crossModal(
    s: SessionSet,
    bundle: FeatureBundle,
    tpf: number,
    frameCount: number,
    progress: Progress,
  ): Promise<{ audioVideoMax: Float32Array; audioFrameMax: Float32Array }> {
    const { numAudio: na, numVideo: nv, hiddenSize: d, audioEmbeds, videoEmbeds } = bundle;
    const audioVideoMax = new Float32Array(nv > 0 ? na : 0).fill(-Infinity);
    const audioFrameMax = new Float32Array(na * frameCount);
    if (na === 0 || nv === 0) return { audioVideoMax, audioFrameMax };
    // Normalised once here instead of inside every tile: at 7,500 audio tokens that is 300 tiles.
    const audioHat = (await s.normalize.run({ x: tensor(audioEmbeds, [na, d]) })).x_hat;

    const runTile = async (start: number, count: number, groupSize: number): Promise<Float32Array> => {
      const result = await s.cross.run({
        audio_hat: audioHat,
        video: tensor(videoEmbeds.subarray(start * d, (start + count) * d), [count, d]),
        group_shape: new ort.Tensor('int64', BigInt64Array.from([0n, -1n, BigInt(groupSize)]), [3]),
      });
      progress.step(na * count * d, 'audio-video similarity');
      return outputData(result, 'frame_max');
    };

    // Never narrower than MIN_CROSS_TILE_TOKENS by the pair budget: the result stays bit-identical.
    const tileTokens = Math.max(1, Math.min(this.videoTileTokens, Math.max(MIN_CROSS_TILE_TOKENS, Math.floor(this.crossTilePairs / na))));
    const framesPerTile = frameCount > 0 ? Math.max(1, Math.floor(tileTokens / tpf)) : 0;
    for (let f0 = 0; f0 < frameCount; f0 += framesPerTile) {
      const ft = Math.min(framesPerTile, frameCount - f0);
      const frameMax = await runTile(f0 * tpf, ft * tpf, tpf);
      for (let i = 0; i < na; i++) {
        let best = audioVideoMax[i];
        for (let k = 0; k < ft; k++) {
          const v = frameMax[i * ft + k];
          audioFrameMax[i * frameCount + f0 + k] = v;
          if (v > best) best = v;
        }
        audioVideoMax[i] = best;
      }
    }
    // Tokens past the last whole frame (or all of them without a frame geometry) still count
    // towards the clip-wide maximum.
    for (let start = frameCount * tpf; start < nv; start += tileTokens) {
      const count = Math.min(tileTokens, nv - start);
      const tileMax = await runTile(start, count, count);
      for (let i = 0; i < na; i++) if (tileMax[i] > audioVideoMax[i]) audioVideoMax[i] = tileMax[i];
    }
    return { audioVideoMax, audioFrameMax };
  }

  private async frameStatistics(
    s: SessionSet,
    video: Float32Array,
    d: number,
    tpf: number,
    count: number,
    donor: ComputedFrames | undefined,
    progress: Progress,
  ): Promise<ComputedFrames> {
    const square = tpf * tpf;
    const cosine = new Float32Array(count * square);
    const squaredDistance = new Float32Array(count * square);
    const temporal = new Float32Array(count * tpf);
    const rowSumSq = new Float32Array(count * tpf);
    const stage = `frames of ${tpf} tokens`;

    let firstToCompute = 0;
    if (donor) {
      const big = donor.frames.tokensPerFrame;
      const bigSquare = big * big;
      firstToCompute = Math.min(count, Math.floor((donor.frames.frameCount * big) / tpf));
      for (let f = 0; f < firstToCompute; f++) {
        const token0 = f * tpf;
        const bigFrame = Math.floor(token0 / big);
        const offset = token0 - bigFrame * big;
        for (let i = 0; i < tpf; i++) {
          const src = bigFrame * bigSquare + (offset + i) * big + offset;
          const dst = f * square + i * tpf;
          cosine.set(donor.frames.cosine.subarray(src, src + tpf), dst);
          squaredDistance.set(donor.frames.squaredDistance.subarray(src, src + tpf), dst);
        }
      }
      rowSumSq.set(donor.rowSumSq.subarray(0, firstToCompute * tpf));
    }

    const framesPerCall = Math.max(1, Math.floor(this.frameTileTokens / tpf));
    for (let f0 = firstToCompute; f0 < count; f0 += framesPerCall) {
      const ft = Math.min(framesPerCall, count - f0);
      const result = await s.frame.run({ x: tensor(video.subarray(f0 * tpf * d, (f0 + ft) * tpf * d), [ft, tpf, d]) });
      cosine.set(outputData(result, 'cosine'), f0 * square);
      squaredDistance.set(outputData(result, 'squared_distance'), f0 * square);
      rowSumSq.set(outputData(result, 'row_sum_sq'), f0 * tpf);
      progress.step(ft * square * d, stage);
    }
    // A token's distance to itself is 0 by definition; the Gram expansion leaves rounding noise.
    for (let f = 0; f < count; f++) for (let i = 0; i < tpf; i++) squaredDistance[f * square + i * tpf + i] = 0;

    if (count > 0) temporal.fill(Number.NaN, 0, tpf);
    const pairs = (count - 1) * tpf; // row r (frame >= 1) pairs with row r - tpf
    const rows = Math.max(1, this.pairRows);
    for (let p0 = 0; p0 < pairs; p0 += rows) {
      const n = Math.min(rows, pairs - p0);
      const result = await s.pair.run({
        x: tensor(video.subarray((tpf + p0) * d, (tpf + p0 + n) * d), [n, d]),
        y: tensor(video.subarray(p0 * d, (p0 + n) * d), [n, d]),
      });
      const dots = outputData(result, 'dot');
      for (let k = 0; k < n; k++) {
        const r = tpf + p0 + k;
        temporal[r] = dots[k] / Math.max(Math.sqrt(rowSumSq[r]) * Math.sqrt(rowSumSq[r - tpf]), COSINE_EPS);
      }
      progress.step(n * 3 * d, stage);
    }
    return { frames: { tokensPerFrame: tpf, frameCount: count, cosine, squaredDistance, temporal }, rowSumSq };
  }
}

const sharedEngines = new Map<ProviderPreference, OnnxAnalysisEngine>();
/** One engine per provider preference per process, so sessions are created once and reused. */
export function sharedOnnxEngine(provider: ProviderPreference = 'auto'): OnnxAnalysisEngine {
  let engine = sharedEngines.get(provider);
  if (!engine) {
    engine = new OnnxAnalysisEngine({ provider });
    sharedEngines.set(provider, engine);
  }
  return engine;
}
