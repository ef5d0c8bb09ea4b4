import type { ProviderPreference } from '../protocol/enums.js';
/**
 * Hyperparameter-independent scores of one clip ("analysis"), computed once and cached.
 * Planning (core/planner) turns a ClipAnalysis plus a config into kept-token masks without
 * touching the embeddings again, which is what makes replanning take milliseconds.
 *
 * Every engine (the TypeScript reference in ./reference.ts, the onnxruntime engine) must fill
 * these arrays with the same values within float32 tolerance.
 */

/** Scores of the video tokens cut into frames of `tokensPerFrame` tokens from the first video token. */
export interface FrameAnalysis {
  tokensPerFrame: number;
  /** floor(numVideo / tokensPerFrame); tokens past the last whole frame are not covered. */
  frameCount: number;
  /**
   * Per frame, the cosine similarity matrix of its tokens (rows L2-normalised, no epsilon
   * beyond 1e-12), [frameCount, tpf, tpf] row-major. The diagonal holds the true self-similarity.
   */
  cosine: Float32Array;
  /**
   * Per frame, the squared Euclidean distance matrix of its raw tokens, [frameCount, tpf, tpf];
   * used by the paper's density-peak formula.
   */
  squaredDistance: Float32Array;
  /**
   * cos(frame_t[i], frame_{t-1}[i]) for t >= 1 (torch cosine_similarity semantics, eps 1e-8),
   * [frameCount, tpf]; frame 0 holds NaN (it has no previous frame).
   */
  temporal: Float32Array;
}

export interface ClipAnalysis {
  /** Bumped whenever any array's definition changes; part of the cache key. */
  analysisVersion: number;
  numAudio: number;
  numVideo: number;
  hiddenSize: number;
  /** Audio indices by descending score, ties broken by the lower index. Empty when no scores. */
  audioOrder: Int32Array;
  /**
   * â·âᵀ with â = a / (‖a‖₂ + 1e-6), [numAudio, numAudio] row-major (OmniZip's anchor assignment).
   */
  audioSelfSimilarity: Float32Array;
  /**
   * Per audio token, max over all video tokens of â·v̂ (v̂ = v / (‖v‖₂ + 1e-6)); [numAudio].
   * Empty when there is no video.
   */
  audioVideoMax: Float32Array;
  /**
   * Per audio token and per frame of the primary geometry, max over that frame's tokens of â·v̂;
   * [numAudio, frameCount]. Lets a group-scoped cross-modal score be planned without the embeddings.
   */
  audioFrameMax: Float32Array;
  /** tpf of the frames `audioFrameMax` is laid out in (the bundle's tokens per temporal patch). */
  primaryTokensPerFrame: number;
  /** One entry per frame geometry analysed (the bundle's tpf, and the units variant's half patch). */
  frames: FrameAnalysis[];
  /** Where and how it was computed; shown to the user. */
  engine: AnalysisEngineInfo;
}

export interface AnalysisEngineInfo {
  /** 'typescript-reference' | 'onnxruntime' */
  engine: string;
  /** Execution provider that ran it: 'js', 'cpu', 'webgpu', 'cuda'. */
  provider: string;
  /** Human description of the device, e.g. 'CPU (2 threads)' or the GPU name. */
  device: string;
  wallMs: number;
}

export interface AnalyzeProgress {
  /** 0..1 */
  fraction: number;
  stage: string;
}

export interface AnalyzeOptions {
  /** Frame sizes (tokens per frame) to analyse; the primary one first. */
  frameGeometries: number[];
  signal?: AbortSignal;
  onProgress?: (progress: AnalyzeProgress) => void;
  /**
   * Execution provider the user forced ('auto' or absent: the engine's own choice). Engines with a
   * single backend ignore it; a forced provider that cannot start is an error, never a fallback.
   */
  provider?: ProviderPreference;
}

export interface AnalysisEngine {
  readonly name: string;
  analyze(bundle: import('../bundle/types.js').FeatureBundle, options: AnalyzeOptions): Promise<ClipAnalysis>;
}

export const ANALYSIS_VERSION = 1;
