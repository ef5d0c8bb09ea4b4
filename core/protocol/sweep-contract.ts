/**
 * The contract of the studio's Sweeps view: start a local sweep on the open clip or a folder
 * (a job with progress and cancel), load any sweep directory (computed here or on a cluster) as
 * a columnar, typed-array table the view can plot at 10k+ trials, and export one trial's config,
 * flags or env lines. Part of `hostMethods` (contract.ts).
 *
 * No Node imports: the renderer bundles this file.
 */
import { array, boolean, f32, i32, nullable, number, object, oneOf, record, string, u8, type Infer } from './check.js';

const jobId = string({ maxLength: 64, pattern: /^[A-Za-z0-9_-]+$/ });
const clipId = string({ maxLength: 64, pattern: /^[A-Za-z0-9_-]+$/ });
const count = number({ integer: true, min: 0 });
const dir = string({ maxLength: 4096 });

export const SWEEP_SAMPLERS = ['grid', 'random', 'sobol'] as const;
export const SWEEP_TRIAL_EXPORTS = ['config-yaml', 'config-json', 'flags', 'env'] as const;
export type SweepTrialExport = (typeof SWEEP_TRIAL_EXPORTS)[number];

const direction = oneOf(['minimize', 'maximize'] as const);
const statusCheck = object({ total: count, done: count, running: count, failed: count, pending: count });

export const sweepStartParamsCheck = object({
  jobId,
  /** The open clip to sweep, or null with `folder` set. */
  clipId: nullable(clipId),
  /** A folder (or glob) of bundles / media files, swept instead of the open clip. */
  folder: nullable(string({ maxLength: 4096 })),
  /** Where the sweep directory goes; null: a new folder under the studio's sweeps directory. */
  outDir: nullable(dir),
  /** The spec's own keys (space, sampler, trials, seed, methods, objectives, metrics, base), checked as `sweep run` checks a spec file. */
  spec: record(),
  workers: number({ integer: true, min: 1, max: 64 }),
});

export const sweepViewCheck = object({
  dir,
  name: string(),
  status: statusCheck,
  objectives: array(object({ id: string(), label: string(), direction })),
  /** Every recorded metric (objectives first); proxies are flagged so the view labels them. */
  metrics: array(object({ id: string(), label: string(), direction, proxy: boolean() })),
  /** Swept keys (and `method` when several are compared); category values are indices into `labels`. */
  params: array(object({ key: string(), categorical: boolean(), labels: array(string()) })),
  clips: array(object({ path: string(), name: string() })),
  /** One row per distinct config (all clips aggregated), column-wise. */
  configs: object({
    count,
    /** Per param, the config's value (a category index for categorical params). */
    params: array(f32()),
    /** Per metric (in `metrics` order), the mean over clips and the worst clip's value. */
    mean: array(f32()),
    worst: array(f32()),
    /** 1 when the config ran on every clip (only those enter the fronts). */
    complete: u8(),
    /** [count x clips]: the trial number on each clip, -1 where it has not run. */
    trialOf: i32(),
    /** Non-dominated configs over the objectives, by mean and by worst case over clips. */
    frontMean: i32(),
    frontWorst: i32(),
  }),
  /** One row per trial, column-wise: its number, clip index, config index and metric values. */
  trials: object({ trial: i32(), clip: i32(), config: i32(), metrics: array(f32()) }),
});
export type SweepView = Infer<typeof sweepViewCheck>;

export const sweepMethods = {
  'sweep.start': {
    params: sweepStartParamsCheck,
    result: object({ dir, done: count, failed: count, stopped: boolean(), lastError: nullable(string()) }),
  },
  /** A fresh directory for a sweep started from the studio, so the view can follow it while it runs. */
  'sweep.newDir': { params: object({ name: string({ maxLength: 128 }) }), result: object({ dir }) },
  'sweep.load': { params: object({ dir }), result: sweepViewCheck },
  'sweep.trial': {
    params: object({ dir, trial: count }),
    result: object({ trial: count, clipPath: string(), config: record(), metrics: record() }),
  },
  'sweep.exportTrial': {
    params: object({ dir, trial: count, kind: oneOf(SWEEP_TRIAL_EXPORTS) }),
    result: object({ fileName: string(), mime: string(), bytes: u8() }),
  },
} as const;
