/**
 * A sweep directory as the studio's Sweeps view reads it: configs aggregated over clips with both
 * fronts, and every trial, column-wise in typed arrays so 10k+ trials cross the transport and
 * reach WebGL without per-row objects.
 */
import path from 'node:path';
import { metricById, metricDirection, metricLabel } from '../metrics/registry.js';
import type { SweepView } from '../protocol/sweep-contract.js';
import { canonicalConfig } from './canonical.js';
import { objectivesOf, paretoFront, summarizeConfigs } from './pareto.js';
import { readPlan } from './plan.js';
import { sweepStatusOf } from './status.js';
import { readResults } from './store.js';

export async function loadSweepView(dir: string): Promise<SweepView> {
  const plan = await readPlan(dir);
  const results = await readResults(dir);
  const { trials } = results;
  const status = await sweepStatusOf(dir, plan, results);
  const metricIds = plan.metricSet;
  const configs = summarizeConfigs(trials, plan.clips.length, metricIds);
  const paramKeys = plan.spec.space.map((d) => d.key);
  if (plan.spec.methods.length > 1) paramKeys.unshift('method');
  const params = paramKeys.map((key) => {
    const values = configs.map((c) => (c.config as unknown as Record<string, unknown>)[key]);
    const categorical = values.some((v) => typeof v !== 'number');
    const labels = categorical ? [...new Set(values.map((v) => String(v)))].sort() : [];
    return { key, categorical, labels };
  });
  const clipIndex = new Map(plan.clips.map((c, i) => [c.content_hash, i]));
  const configIndex = new Map(configs.map((c, i) => [c.configKey, i]));
  const n = configs.length;
  const clipCount = plan.clips.length;
  const trialOf = new Int32Array(n * clipCount).fill(-1);
  configs.forEach((c, i) => {
    for (const pc of c.perClip) {
      const ci = clipIndex.get(pc.content_hash);
      if (ci !== undefined) trialOf[i * clipCount + ci] = pc.trial;
    }
  });
  const column = (get: (i: number) => number | undefined, length: number) => Float32Array.from({ length }, (_, i) => get(i) ?? Number.NaN);
  const mean = paretoFront(configs, plan.spec.objectives, 'mean');
  const worst = paretoFront(configs, plan.spec.objectives, 'worst');
  return {
    dir: path.resolve(dir),
    name: plan.name,
    status: { total: status.total, done: status.done, running: status.running, failed: status.failed, pending: status.pending },
    objectives: objectivesOf(plan.spec.objectives),
    metrics: metricIds.map((id) => ({ id, label: metricLabel(id), direction: metricDirection(id), proxy: metricById(id)?.kind === 'proxy' })),
    params,
    clips: plan.clips.map((c) => ({ path: c.path, name: path.basename(c.source ?? c.path) })),
    configs: {
      count: n,
      params: params.map((p) =>
        column((i) => {
          const v = (configs[i].config as unknown as Record<string, unknown>)[p.key];
          return p.categorical ? p.labels.indexOf(String(v)) : (v as number);
        }, n),
      ),
      mean: metricIds.map((id) => column((i) => configs[i].mean[id], n)),
      worst: metricIds.map((id) => column((i) => configs[i].worst[id], n)),
      complete: Uint8Array.from(configs, (c) => (c.complete ? 1 : 0)),
      trialOf,
      frontMean: Int32Array.from(mean.front),
      frontWorst: Int32Array.from(worst.front),
    },
    trials: {
      trial: Int32Array.from(trials, (t) => t.trial),
      clip: Int32Array.from(trials, (t) => clipIndex.get(t.clip.content_hash) ?? -1),
      config: Int32Array.from(trials, (t) => configIndex.get(canonicalConfig(t.config)) ?? -1),
      metrics: metricIds.map((id) => Float32Array.from(trials, (t) => t.metrics[id] ?? Number.NaN)),
    },
  };
}
