/**
 * Configs across clips: each distinct config's metrics per clip, aggregated by mean and by worst
 * case (the worst clip for each objective, in the objective's own direction), and the
 * non-dominated set over the objectives.
 */
import type { OmniZipConfig } from '../config/schema.js';
import { metricDirection, metricLabel, type MetricDirection } from '../metrics/registry.js';
import { canonicalConfig } from './canonical.js';
import type { TrialRecord } from './store.js';

export type Aggregate = 'mean' | 'worst';

export interface Objective {
  id: string;
  label: string;
  direction: MetricDirection;
}

export interface ConfigSummary {
  /** canonical config text; identifies the config across clips. */
  configKey: string;
  config: OmniZipConfig;
  method: string;
  perClip: Array<{ clip: string; content_hash: string; trial: number; metrics: Record<string, number> }>;
  mean: Record<string, number>;
  worst: Record<string, number>;
  /** Evaluated on every clip of the sweep (only complete configs enter the front). */
  complete: boolean;
}

export function objectivesOf(ids: string[]): Objective[] {
  return ids.map((id) => ({ id, label: metricLabel(id), direction: metricDirection(id) }));
}

export function summarizeConfigs(records: TrialRecord[], clipCount: number, metricIds: string[]): ConfigSummary[] {
  const groups = new Map<string, ConfigSummary>();
  for (const r of records) {
    const key = canonicalConfig(r.config);
    let g = groups.get(key);
    if (!g) {
      g = { configKey: key, config: r.config, method: r.method, perClip: [], mean: {}, worst: {}, complete: false };
      groups.set(key, g);
    }
    if (!g.perClip.some((c) => c.content_hash === r.clip.content_hash)) g.perClip.push({ clip: r.clip.path, content_hash: r.clip.content_hash, trial: r.trial, metrics: r.metrics });
  }
  for (const g of groups.values()) {
    g.complete = g.perClip.length >= clipCount;
    for (const id of metricIds) {
      const values = g.perClip.map((c) => c.metrics[id]).filter((v): v is number => typeof v === 'number');
      if (values.length === 0) continue;
      g.mean[id] = values.reduce((a, b) => a + b, 0) / values.length;
      g.worst[id] = metricDirection(id) === 'minimize' ? Math.max(...values) : Math.min(...values);
    }
  }
  return [...groups.values()];
}

/** Indices of the non-dominated points; `values[i][k]` is oriented so smaller is better. */
export function nonDominated(values: number[][]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => {
    for (let k = 0; k < values[a].length; k++) if (values[a][k] !== values[b][k]) return values[a][k] - values[b][k];
    return a - b;
  });
  const front: number[] = [];
  const dominates = (p: number[], q: number[]) => {
    let strictly = false;
    for (let k = 0; k < p.length; k++) {
      if (p[k] > q[k]) return false;
      if (p[k] < q[k]) strictly = true;
    }
    return strictly;
  };
  const equal = (p: number[], q: number[]) => p.every((v, k) => v === q[k]);
  // Sorted lexicographically, a point can only be dominated by an earlier one, and then by an
  // earlier front member (dominance is transitive): comparing with the front is enough.
  for (const i of order) {
    if (front.some((f) => dominates(values[f], values[i]) || equal(values[f], values[i]))) continue;
    front.push(i);
  }
  return front.sort((a, b) => a - b);
}

export interface ParetoResult {
  objectives: Objective[];
  aggregate: Aggregate;
  configs: ConfigSummary[];
  /** Indices into `configs`, ordered by the first objective (best first). */
  front: number[];
  incomplete: number;
}

export function paretoFront(configs: ConfigSummary[], objectiveIds: string[], aggregate: Aggregate): ParetoResult {
  const objectives = objectivesOf(objectiveIds);
  const eligible = configs.map((c, i) => ({ c, i })).filter(({ c }) => c.complete && objectives.every((o) => typeof c[aggregate][o.id] === 'number'));
  const oriented = eligible.map(({ c }) => objectives.map((o) => (o.direction === 'minimize' ? 1 : -1) * c[aggregate][o.id]));
  const front = nonDominated(oriented).map((k) => eligible[k].i);
  const first = objectives[0];
  front.sort((a, b) => (first.direction === 'minimize' ? 1 : -1) * (configs[a][aggregate][first.id] - configs[b][aggregate][first.id]));
  return { objectives, aggregate, configs, front, incomplete: configs.filter((c) => !c.complete).length };
}
