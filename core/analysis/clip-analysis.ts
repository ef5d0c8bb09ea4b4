import type { FeatureBundle } from '../bundle/types.js';
import { argsort } from '../util/numeric.js';
import { ANALYSIS_VERSION, type ClipAnalysis } from './types.js';

/** Audio indices by descending encoder score (ties to the lower index); empty without scores. Every engine orders the same way. */
export function audioOrderOf(bundle: FeatureBundle): Int32Array {
  return bundle.audioScores && bundle.numAudio > 0 ? argsort(bundle.audioScores, true) : new Int32Array(0);
}

/** What an engine computes itself; the clip's sizes and the analysis version come from the bundle and this build. */
export type ComputedAnalysis = Omit<ClipAnalysis, 'analysisVersion' | 'numAudio' | 'numVideo' | 'hiddenSize'>;

/** The ClipAnalysis of `bundle` from an engine's computed arrays. */
export function clipAnalysisOf(bundle: FeatureBundle, computed: ComputedAnalysis): ClipAnalysis {
  return { analysisVersion: ANALYSIS_VERSION, numAudio: bundle.numAudio, numVideo: bundle.numVideo, hiddenSize: bundle.hiddenSize, ...computed };
}
