/**
 * The sweep plan: every trial to evaluate (clip x method x sampled point), deduplicated by trial
 * key, numbered stably, and written to DIR/sweep.json so executors, shards on other machines,
 * `status`, `pareto` and the studio all see the same list.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { OmniZipConfig } from '../config/schema.js';
import { ConfigError, resolveConfig } from '../config/validate.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { canonicalConfig, trialKey } from './canonical.js';
import { resolveClips, type SweepClip } from './clips.js';
import { SweepDirError, SweepSpecError } from './errors.js';
import { samplePoints } from './samplers.js';
import { recordedMetrics, type Dimension, type SweepSpec } from './spec.js';

export interface PlannedTrial {
  trial: number;
  key: string;
  /** Index into SweepPlan.clips. */
  clip: number;
  method: string;
  config: OmniZipConfig;
}

/** What a spec sweeps, kept in the plan so readers (Optuna writer, studio) know the distributions. */
export interface SweepPlanSpec {
  space: Dimension[];
  sampler: SweepSpec['sampler'];
  trials: number | null;
  seed: number;
  methods: string[];
  objectives: string[];
  metrics: string[];
  base: Record<string, unknown>;
  flopsModel: string;
  evalCommand: string | null;
  prefillModel: string;
  slurm: SweepSpec['slurm'];
}

export interface SweepPlan {
  format: 'omnizip-sweep';
  version: 1;
  name: string;
  createdAt: string;
  spec: SweepPlanSpec;
  /** Objectives first, then the extra metrics: what every trial records. */
  metricSet: string[];
  clips: SweepClip[];
  trials: PlannedTrial[];
  /** Configurations the sampler produced more than once (evaluated once). */
  duplicatesSkipped: number;
}

export const PLAN_FILE = 'sweep.json';

/** Expands points x methods x clips, drops duplicate configurations, numbers trials (reusing numbers from `previous`). */
export function buildTrials(spec: SweepSpec, clips: SweepClip[], previous?: SweepPlan | null): { trials: PlannedTrial[]; duplicatesSkipped: number } {
  const points = samplePoints(spec);
  const metrics = recordedMetrics(spec);
  const methods = spec.methods.length > 0 ? spec.methods : [null];
  const configs: OmniZipConfig[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  for (const point of points) {
    for (const method of methods) {
      let config: OmniZipConfig;
      try {
        config = resolveConfig({ ...spec.base, ...point, ...(method ? { method } : {}) });
      } catch (err) {
        // A combination of individually valid values can still be refused (ratio_min > ratio_max).
        if (err instanceof ConfigError) throw new SweepSpecError(`sweep spec: space: the point ${JSON.stringify(point)} is refused: ${err.message}`, 'space');
        throw err;
      }
      const canon = canonicalConfig(config);
      if (seen.has(canon)) {
        duplicates++;
        continue;
      }
      seen.add(canon);
      configs.push(config);
    }
  }
  const oldNumbers = new Map((previous?.trials ?? []).map((t) => [t.key, t.trial]));
  let next = Math.max(-1, ...oldNumbers.values()) + 1;
  const trials: PlannedTrial[] = [];
  // Clip-major order: a shard (a contiguous slice) touches few clips, so it loads few bundles.
  clips.forEach((clip, ci) => {
    for (const config of configs) {
      const key = trialKey(clip.content_hash, config, metrics);
      const number = oldNumbers.get(key) ?? next++;
      trials.push({ trial: number, key, clip: ci, method: config.method, config });
    }
  });
  return { trials, duplicatesSkipped: duplicates * clips.length };
}

export async function readPlan(dir: string): Promise<SweepPlan> {
  const file = path.join(dir, PLAN_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new SweepDirError(`${dir} is not a sweep directory (no ${PLAN_FILE}; start one with 'sweep run SPEC --out ${dir}')`);
  }
  const plan = JSON.parse(text) as SweepPlan;
  if (plan.format !== 'omnizip-sweep' || plan.version !== 1) throw new SweepDirError(`${file} is not an omnizip-sweep version 1 plan`);
  return plan;
}

export async function readPlanIfAny(dir: string): Promise<SweepPlan | null> {
  try {
    return await readPlan(dir);
  } catch (err) {
    if (err instanceof SweepDirError && /no sweep\.json/.test(err.message)) return null;
    throw err;
  }
}

export async function createPlan(spec: SweepSpec, dir: string, options: { name?: string; signal?: AbortSignal; onNote?: (l: string) => void } = {}): Promise<SweepPlan> {
  const previous = await readPlanIfAny(dir);
  const clips = await resolveClips(spec.clips, { baseDir: spec.baseDir, encodedDir: path.join(dir, 'clips'), encoders: spec.encoders, signal: options.signal, onNote: options.onNote });
  const { trials, duplicatesSkipped } = buildTrials(spec, clips, previous);
  const plan: SweepPlan = {
    format: 'omnizip-sweep',
    version: 1,
    name: options.name ?? previous?.name ?? path.basename(path.resolve(dir)),
    createdAt: previous?.createdAt ?? new Date().toISOString(),
    spec: {
      space: spec.space,
      sampler: spec.sampler,
      trials: spec.trials,
      seed: spec.seed,
      methods: spec.methods,
      objectives: spec.objectives,
      metrics: spec.metrics,
      base: spec.base,
      flopsModel: spec.flopsModel,
      evalCommand: spec.evalCommand,
      prefillModel: spec.prefillModel,
      slurm: spec.slurm,
    },
    metricSet: recordedMetrics(spec),
    clips,
    trials,
    duplicatesSkipped,
  };
  await writeFileAtomic(path.join(dir, PLAN_FILE), `${JSON.stringify(plan)}\n`);
  return plan;
}
