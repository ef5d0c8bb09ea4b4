/**
 * Evaluates one trial: plan the clip with the trial's config (the analysis comes from the
 * on-disk cache after the first trial of a clip) and compute its metrics. Runs inside the compute
 * worker (its `sweep.evaluate` method, one batch of trials per call); keeps the current clip's
 * bundle and analyses so consecutive trials of a clip only plan.
 */
import { sharedOnnxEngine } from '../analysis/onnx-engine.js';
import { analyzeForPlanning } from '../analysis/service.js';
import type { ClipAnalysis } from '../analysis/types.js';
import { readBundle } from '../bundle/reader.js';
import type { FeatureBundle } from '../bundle/types.js';
import type { OmniZipConfig } from '../config/schema.js';
import { runEvalCommand } from '../metrics/eval-command.js';
import { resolveFlopsModel } from '../metrics/flops-models.js';
import { prefillMetrics, prefillModelChoice } from '../metrics/prefill.js';
import { metricById } from '../metrics/registry.js';
import { parseProviderPreference } from '../onnx/session.js';
import { planClip, requiredFrameGeometries } from '../planner/plan.js';
import { errorKind, isCancelled, throwIfAborted } from '../protocol/errors.js';
import { SweepDirError } from './errors.js';
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

/** What a worker reports for each trial of a batch, as soon as it finishes. */
export type TrialOutcome = { ok: true; record: TrialRecord } | { ok: false; trial: number; key: string; kind: string; message: string };

interface LoadedClip {
  path: string;
  contentHash: string;
  bundle: FeatureBundle;
  analyses: Map<string, Promise<ClipAnalysis>>;
}

let current: LoadedClip | null = null;
/** Analysis providers this worker's trials used, whose onnxruntime sessions it releases on shutdown. */
const providersUsed = new Set<string>();

async function clipFor(job: TrialJob): Promise<LoadedClip> {
  if (current && current.path === job.clipPath) return current;
  current = null;
  const bundle = await readBundle(job.clipPath);
  if (bundle.contentHash && bundle.contentHash !== job.contentHash) {
    throw new SweepDirError(`${job.clipPath} changed since the sweep was planned (content hash ${bundle.contentHash.slice(0, 12)}, planned ${job.contentHash.slice(0, 12)}); rerun 'sweep run' to replan`);
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
  throwIfAborted(signal, 'trial');
  providersUsed.add(job.provider ?? 'auto');
  const analysis = await analysisFor(clip, job.config, job.provider ?? 'auto', signal);
  throwIfAborted(signal, 'trial');
  // FastV ranks by a decoder's layer-K attention: the sweep's prefill_model (demo by default) runs
  // once per clip and K in this worker, then every trial of that clip plans from the cached row.
  const bundle = await bundleForPlanning(clip.bundle, job.config, prefillModelChoice(job.prefillModel), { signal });
  throwIfAborted(signal, 'trial');
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

/**
 * Evaluates a batch of trials in order, reporting each outcome as it finishes (a failed trial is an
 * outcome, not an error); resolves with how many ran. Stops before the next trial once `signal`
 * fires: the trial in flight is dropped, not reported.
 */
export async function evaluateTrials(jobs: TrialJob[], signal: AbortSignal, report: (outcome: TrialOutcome) => void): Promise<number> {
  let ran = 0;
  for (const job of jobs) {
    if (signal.aborted) break;
    let outcome: TrialOutcome;
    try {
      outcome = { ok: true, record: await evaluateTrial(job, signal) };
    } catch (err) {
      if (signal.aborted || isCancelled(err)) break;
      outcome = { ok: false, trial: job.trial, key: job.key, kind: errorKind(err), message: err instanceof Error ? err.message : String(err) };
    }
    report(outcome);
    ran++;
  }
  return ran;
}

/** Releases the onnxruntime sessions the trials of this worker opened (on the worker's shutdown). */
export async function releaseTrialEngines(): Promise<void> {
  for (const provider of providersUsed) await sharedOnnxEngine(parseProviderPreference(provider)).dispose();
  providersUsed.clear();
}
