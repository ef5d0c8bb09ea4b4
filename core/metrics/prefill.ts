/**
 * The expensive, optional metrics: prefill fidelity and speed of the compressed sequence against
 * the full one, with the demo decoder or a user's ONNX decoder manifest (as the Inference panel
 * runs them), through core/prefill.
 */
import type { ClipAnalysis } from '../analysis/types.js';
import type { FeatureBundle } from '../bundle/types.js';
import type { OmniZipConfig } from '../config/schema.js';
import { prefillInputFromBundle } from '../prefill/clip.js';
import { runPrefillBenchmark } from '../prefill/runner.js';
import type { PrefillModelChoice } from '../prefill/types.js';

export const PREFILL_METRIC_IDS = ['prefill_kl', 'prefill_top5_overlap', 'prefill_speedup'] as const;

/** 'demo' or the path of a decoder manifest. */
export function prefillModelChoice(spec: string): PrefillModelChoice {
  return spec === 'demo' ? { kind: 'demo' } : { kind: 'manifest', path: spec };
}

export async function prefillMetrics(
  bundle: FeatureBundle,
  analysis: ClipAnalysis,
  config: OmniZipConfig,
  model: string,
  signal?: AbortSignal,
): Promise<Record<string, number>> {
  const input = await prefillInputFromBundle(bundle, [{ label: 'trial', config }], { signal, analyze: async () => analysis });
  const report = await runPrefillBenchmark(input, { model: prefillModelChoice(model), runs: 3, warmupRuns: 1, signal });
  const c = report.comparisons[0];
  return { prefill_kl: c.fidelity.klDivergence, prefill_top5_overlap: c.fidelity.top5Overlap, prefill_speedup: c.speedup.median };
}
