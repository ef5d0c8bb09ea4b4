import type { FeatureBundle } from '../bundle/types.js';
import { parseProviderPreference } from '../onnx/session.js';
import { AnalysisCache, analyzeWithCache, type CacheStatus } from './cache.js';
import { sharedOnnxEngine } from './onnx-engine.js';
import type { AnalyzeProgress, ClipAnalysis } from './types.js';

/**
 * The one place that decides how a bundle gets analysed for planning (engine, provider, cache),
 * so the CLI, the studio host and the benchmarks behave the same: onnxruntime on the best
 * provider, results cached on disk by content hash.
 */
export interface AnalyzeForPlanningOptions {
  /** Use the on-disk cache (default true). */
  cache?: boolean;
  /** 'auto' | 'cpu' | 'webgpu' | 'cuda'; a forced provider that cannot start is an error. */
  provider?: string;
  /** Frame sizes (tokens per frame) the planner will read; the planner's requiredFrameGeometries(). */
  frameGeometries: number[];
  signal?: AbortSignal;
  onProgress?: (p: AnalyzeProgress) => void;
}

export interface AnalysisOutcome {
  analysis: ClipAnalysis;
  cache: CacheStatus;
  /** Set when a corrupt cache entry was found and recomputed. */
  cacheProblem?: string;
  /** Set when the result could not be stored in the cache (the result itself is complete). */
  cacheWarning?: string;
}

export async function analyzeForPlanning(bundle: FeatureBundle, options: AnalyzeForPlanningOptions): Promise<AnalysisOutcome> {
  const provider = parseProviderPreference(options.provider ?? 'auto');
  const outcome = await analyzeWithCache(bundle, sharedOnnxEngine(provider), {
    frameGeometries: options.frameGeometries,
    cache: options.cache === false ? null : new AnalysisCache(),
    requireProvider: provider === 'auto' ? undefined : provider,
    signal: options.signal,
    onProgress: options.onProgress,
  });
  return { analysis: outcome.analysis, cache: outcome.cache, cacheProblem: outcome.cacheProblem, cacheWarning: outcome.cacheWarning };
}
