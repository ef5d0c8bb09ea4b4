import type { FeatureBundle } from '../bundle/types.js';
import type { OmniZipConfig } from '../config/schema.js';
import { requiredFrameGeometries } from '../planner/plan.js';
import { analyzeReference } from './reference.js';
import type { AnalyzeProgress, ClipAnalysis } from './types.js';

/**
 * The one place that decides how a bundle gets analysed for planning (engine, provider, cache),
 * so the CLI, the studio host and the benchmarks all behave the same.
 */
export interface AnalyzeForPlanningOptions {
  cache?: boolean;
  provider?: string;
  config?: Pick<OmniZipConfig, 'num_input_frames'>;
  signal?: AbortSignal;
  onProgress?: (p: AnalyzeProgress) => void;
}

export interface AnalysisOutcome {
  analysis: ClipAnalysis;
  cacheHit: boolean;
}

export async function analyzeForPlanning(bundle: FeatureBundle, options: AnalyzeForPlanningOptions = {}): Promise<AnalysisOutcome> {
  const geometries = requiredFrameGeometries(bundle, options.config);
  return { analysis: analyzeReference(bundle, geometries, options), cacheHit: false };
}
