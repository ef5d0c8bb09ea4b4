/**
 * Evaluates one trial: plan the clip with the trial's config (the analysis comes from the
 * on-disk cache after the first trial of a clip) and compute its metrics. Runs inside a sweep
 * worker; keeps the current clip's bundle and analyses so consecutive trials of a clip only plan.
 */
import { analyzeForPlanning } from '../analysis/service.js';
import type { ClipAnalysis } from '../analysis/types.js';
import { readBundle } from '../bundle/reader.js';
import type { FeatureBundle } from '../bundle/types.js';
import type { OmniZipConfig } from '../config/schema.js';
import { runEvalCommand } from '../metrics/eval-command.js';
import { resolveFlopsModel } from '../metrics/flops-models.js';
import { prefillMetrics } from '../metrics/prefill.js';
import { metricById } from '../metrics/registry.js';
import { planClip, requiredFrameGeometries } from '../planner/plan.js';
import { hostName, type TrialRecord } from './store.js';
import { bundleForPlanning } from '../methods/fastv-scores.js';

/** Everything a worker needs for one trial, as plain data. */
export interface TrialJob {
  trial: number;
  key: string;
  clipPath: string;
  contentHash: string;
  config: OmniZipConfig;
  metrics: string[];
  flopsModel: string;
  evalCommand: string | null;
  prefillModel: string;
  /** Analysis execution provider ('auto' by default). */
  provider?: string;
}

export class TrialCancelledError extends Error {
  constructor() {
    super('trial cancelled');
    this.name = 'TrialCancelledError';
  }
}

interface LoadedClip {
  path: string;
  contentHash: string;
  bundle: FeatureBundle;
  analyses: Map<string, Promise<ClipAnalysis>>;
}

let current: LoadedClip | null = null;

async function clipFor(job: TrialJob): Promise<LoadedClip> {
  if (current && current.path === job.clipPath) return current;
  current = null;
  const bundle = await readBundle(job.clipPath);
  if (bundle.contentHash && bundle.contentHash !== job.contentHash) {
    throw new Error(`${job.clipPath} changed since the sweep was planned (content hash ${bundle.contentHash.slice(0, 12)}, planned ${job.contentHash.slice(0, 12)}); rerun 'sweep run' to replan`);
  }
  current = { path: job.clipPath, contentHash: job.contentHash, bundle, analyses: new Map() };
  return current;
}

function analysisFor(clip: LoadedClip, config: OmniZipConfig, provider: string, signal?: AbortSignal): Promise<ClipAnalysis> {
  const frameGeometries = requiredFrameGeometries(clip.bundle, config);
  const key = frameGeometries.join(',');
  let hit = clip.analyses.get(key);
  if (!hit) {
    hit = analyzeForPlanning(clip.bundle, { frameGeometries, provider, signal }).then((o) => o.analysis);
    hit.catch(() => clip.analyses.delete(key));
    clip.analyses.set(key, hit);
  }
  return hit;
}

export async function evaluateTrial(job: TrialJob, signal?: AbortSignal): Promise<TrialRecord> {
  const started = performance.now();
  const clip = await clipFor(job);
  if (signal?.aborted) throw new TrialCancelledError();
  const analysis = await analysisFor(clip, job.config, job.provider ?? 'auto', signal);
  if (signal?.aborted) throw new TrialCancelledError();
  // FastV ranks by a decoder's layer-K attention: the sweep's prefill_model (demo by default) runs
  // once per clip and K in this worker, then every trial of that clip plans from the cached row.
  const bundle = await bundleForPlanning(clip.bundle, job.config, job.prefillModel === 'demo' ? { kind: 'demo' } : { kind: 'manifest', path: job.prefillModel }, { signal });
  if (signal?.aborted) throw new TrialCancelledError();
  const plan = planClip(bundle, analysis, job.config);
  const flops = resolveFlopsModel(job.flopsModel).dims;
  const metrics: Record<string, number> = {};
  const ctx = { bundle: clip.bundle, analysis, plan, config: job.config, flops };
  let wantPrefill = false;
  let wantEval = false;
  for (const id of job.metrics) {
    const m = metricById(id);
    if (m?.compute) metrics[id] = m.compute(ctx);
    else if (m?.kind === 'prefill') wantPrefill = true;
    else if (id.startsWith('eval.')) wantEval = true;
  }
  if (wantPrefill) {
    const p = await prefillMetrics(clip.bundle, analysis, job.config, job.prefillModel, signal);
    for (const id of job.metrics) if (id in p) metrics[id] = p[id];
  }
  if (wantEval && job.evalCommand) {
    const external = await runEvalCommand(job.evalCommand, { trial: job.trial, clipPath: job.clipPath, contentHash: job.contentHash, config: job.config }, signal);
    for (const id of job.metrics) {
      if (!id.startsWith('eval.')) continue;
      if (!(id in external)) throw new Error(`eval_command printed no '${id.slice(5)}' (it printed: ${Object.keys(external).map((k) => k.slice(5)).join(', ') || 'nothing'})`);
    }
    Object.assign(metrics, external);
  }
  return {
    trial: job.trial,
    key: job.key,
    clip: { path: job.clipPath, content_hash: job.contentHash },
    method: job.config.method,
    config: job.config,
    counts: plan.counts,
    metrics,
    wall_ms: Math.round((performance.now() - started) * 1000) / 1000,
    host: hostName(),
  };
}
