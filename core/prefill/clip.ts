import { analyzeForPlanning } from '../analysis/service.js';
import type { ClipAnalysis } from '../analysis/types.js';
import type { FeatureBundle } from '../bundle/types.js';
import type { OmniZipConfig } from '../config/schema.js';
import { bundleForPlanning, type FastvDecoder } from '../methods/fastv-scores.js';
import { planClip, requiredFrameGeometries } from '../planner/plan.js';
import { compressSequence } from '../planner/sequence.js';
import { throwIfAborted } from './errors.js';
import { sequencePositions } from './positions.js';
import type { PrefillInput } from './runner.js';
import { TextEmbeddings, compressedSequence, fullSequence } from './prefill-sequence.js';

export interface CompressionSetting {
  /** Shown in the report, e.g. '45%' or 'rho_a=0.3 rho_v=0.6'. */
  label: string;
  config: OmniZipConfig;
}

/**
 * Turns a bundle and one or more OmniZip settings into the sequences the prefill benchmark
 * measures: the clip is analysed once per frame geometry, planned per setting, and compressed
 * with the planner's `compressSequence` (merged anchors, original positions kept).
 */
export async function prefillInputFromBundle(
  bundle: FeatureBundle,
  settings: CompressionSetting[],
  options: {
    signal?: AbortSignal;
    onProgress?: (stage: string) => void;
    /** Analysis engine; default `analyzeForPlanning` (the CLI's and the studio's choice). */
    analyze?: (bundle: FeatureBundle, config: OmniZipConfig, signal?: AbortSignal) => Promise<ClipAnalysis>;
    /** Whose layer-K attention FastV settings rank by; default the default demo decoder. */
    fastvDecoder?: FastvDecoder;
  } = {},
): Promise<PrefillInput> {
  const analyze = options.analyze ?? (async (b: FeatureBundle, config: OmniZipConfig, signal?: AbortSignal) => (await analyzeForPlanning(b, { frameGeometries: requiredFrameGeometries(b, config), signal })).analysis);
  const text = TextEmbeddings.forBundle(bundle);
  const analyses = new Map<string, ClipAnalysis>();
  const compressed = [];
  for (const setting of settings) {
    const key = requiredFrameGeometries(bundle, setting.config).join(',');
    let analysis = analyses.get(key);
    if (!analysis) {
      options.onProgress?.('analysing clip');
      analysis = await analyze(bundle, setting.config, options.signal);
      analyses.set(key, analysis);
    }
    throwIfAborted(options.signal);
    options.onProgress?.(`planning ${setting.label}`);
    const plan = planClip(await bundleForPlanning(bundle, setting.config, options.fastvDecoder ?? { kind: 'demo' }, { signal: options.signal }), analysis, setting.config);
    const seq = compressedSequence(bundle, compressSequence(bundle, plan), text, setting.label);
    compressed.push(setting.config.method === 'fastv' ? { ...seq, fastvLayer: setting.config.fastv_layer } : seq);
  }
  return { positions: sequencePositions(bundle), full: fullSequence(bundle, text), compressed };
}
