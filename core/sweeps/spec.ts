/**
 * The sweep specification (YAML or JSON): which clips, which fixed config keys, which swept keys,
 * how they are sampled, which methods are compared and which metrics are objectives. Everything
 * is checked here, before any work starts, so a typo costs one line of error and not a night of
 * cluster time. See docs/sweeps.md for the format.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { CONFIG_KEYS, type ConfigKeyDescriptor } from '../config/schema.js';
import { ConfigError, resolveConfig } from '../config/validate.js';
import { METRICS, metricById, resolveFlopsModelName } from '../metrics/registry.js';
import { SweepSpecError } from './errors.js';
import { knownMethodIds } from './methods.js';

export type SamplerKind = 'grid' | 'random' | 'sobol';

/** Values a range contributes to a grid when it does not say `steps`: both ends and the middle. */
export const DEFAULT_GRID_STEPS = 3;

/** A swept key: explicit values (grid points, or categories for random/sobol) or a numeric range. */
export type Dimension =
  | { key: string; kind: 'values'; values: unknown[] }
  | { key: string; kind: 'range'; low: number; high: number; log: boolean; integer: boolean; steps: number };

export interface SlurmOptions {
  partition?: string;
  gres?: string;
  time?: string;
  /** Array tasks (shards); default: one per 50 trials, at most 64. */
  tasks?: number;
  cpusPerTask?: number;
  /** Extra `#SBATCH` lines passed through verbatim (e.g. '--account=abc'). */
  extra: string[];
}

export interface SweepSpec {
  /** Clip patterns as written (bundle paths, folders, globs), relative to `baseDir`. */
  clips: string[];
  /** Directory relative paths in the spec resolve against (the spec file's folder). */
  baseDir: string;
  base: Record<string, unknown>;
  space: Dimension[];
  sampler: SamplerKind;
  /** Samples drawn by random / sobol (before multiplying by clips and methods). */
  trials: number | null;
  seed: number;
  methods: string[];
  objectives: string[];
  /** Metrics recorded beyond the objectives. */
  metrics: string[];
  /** FLOPs model: a known name or a Hugging Face config.json path (resolved against baseDir). */
  flopsModel: string;
  /** External evaluation command template, run once per trial (see core/metrics/eval-command.ts). */
  evalCommand: string | null;
  /** Decoder of the prefill_* metrics: 'demo' or a decoder manifest path (absolute). */
  prefillModel: string;
  /** Encoders used for media clips: 'demo' or an encoder manifest path (absolute). */
  encoders: string;
  slurm: SlurmOptions;
}

const TOP_KEYS = ['clips', 'base', 'space', 'sampler', 'trials', 'seed', 'methods', 'objectives', 'metrics', 'flops_model', 'eval_command', 'prefill_model', 'encoders', 'slurm'];
const SLURM_KEYS = ['partition', 'gres', 'time', 'tasks', 'cpus_per_task', 'extra'];
const DESCRIPTORS = new Map<string, ConfigKeyDescriptor>(CONFIG_KEYS.map((d) => [d.key, d]));

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const fail = (key: string, message: string): never => {
  throw new SweepSpecError(`sweep spec: ${key}: ${message}`, key);
};

function stringList(value: unknown, key: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'string' || v === '')) fail(key, 'must be a list of non-empty strings');
  return list as string[];
}

/** Checks one value of a config key as the planner would, reporting it under the spec key. */
function checkConfigValue(specKey: string, key: string, value: unknown): void {
  try {
    resolveConfig({ [key]: value });
  } catch (err) {
    if (err instanceof ConfigError) fail(specKey, err.message);
    throw err;
  }
}

function parseDimension(key: string, raw: unknown): Dimension {
  const specKey = `space.${key}`;
  const desc = DESCRIPTORS.get(key);
  if (!desc) fail(specKey, `unknown config key '${key}' (known keys: ${CONFIG_KEYS.map((d) => d.key).join(', ')})`);
  if (key === 'method') fail(specKey, "sweep methods with the top-level 'methods:' list");
  if (Array.isArray(raw)) {
    if (raw.length === 0) fail(specKey, 'an empty list of values');
    for (const v of raw) checkConfigValue(specKey, key, v);
    return { key, kind: 'values', values: raw };
  }
  if (!isRecord(raw)) fail(specKey, 'must be a list of values or a range {low, high[, log][, integer][, steps]}');
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!['low', 'high', 'log', 'integer', 'steps'].includes(k)) fail(`${specKey}.${k}`, 'unknown range key (allowed: low, high, log, integer, steps)');
  const spec = desc!.spec;
  if (spec.kind !== 'number') fail(specKey, `a range needs a numeric key; '${key}' takes ${spec.kind === 'enum' ? spec.values.join(' | ') : 'true | false'}: give a list`);
  const num = spec as Extract<ConfigKeyDescriptor['spec'], { kind: 'number' }>;
  if (typeof r.low !== 'number' || !Number.isFinite(r.low)) fail(`${specKey}.low`, 'must be a number');
  if (typeof r.high !== 'number' || !Number.isFinite(r.high)) fail(`${specKey}.high`, 'must be a number');
  const low = r.low as number;
  const high = r.high as number;
  if (low < num.min || low > num.max) fail(`${specKey}.low`, `must be within [${num.min}, ${num.max}] (got ${low})`);
  if (high < num.min || high > num.max) fail(`${specKey}.high`, `must be within [${num.min}, ${num.max}] (got ${high})`);
  if (!(low < high)) fail(specKey, `low (${low}) must be below high (${high})`);
  if (r.log !== undefined && typeof r.log !== 'boolean') fail(`${specKey}.log`, 'must be true or false');
  if (r.integer !== undefined && typeof r.integer !== 'boolean') fail(`${specKey}.integer`, 'must be true or false');
  const log = r.log === true;
  if (log && low <= 0) fail(`${specKey}.low`, `a log range needs low > 0 (got ${low})`);
  const integer = num.integer === true || r.integer === true;
  if (integer && Math.ceil(low) > Math.floor(high)) fail(specKey, `no integer lies within [${low}, ${high}]`);
  // Under grid a range becomes `steps` evenly (log-)spaced values, ends included; random and sobol ignore it.
  if (r.steps !== undefined && (typeof r.steps !== 'number' || !Number.isInteger(r.steps) || r.steps < 2 || r.steps > 1000)) fail(`${specKey}.steps`, `must be an integer within [2, 1000] (got ${JSON.stringify(r.steps)})`);
  const steps = (r.steps as number | undefined) ?? DEFAULT_GRID_STEPS;
  return { key, kind: 'range', low, high, log, integer, steps };
}

function parseSlurm(raw: unknown): SlurmOptions {
  if (raw === undefined) return { extra: [] };
  if (!isRecord(raw)) fail('slurm', 'must be a mapping (partition, gres, time, tasks, cpus_per_task, extra)');
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!SLURM_KEYS.includes(k)) fail(`slurm.${k}`, `unknown key (allowed: ${SLURM_KEYS.join(', ')})`);
  const str = (k: string): string | undefined => {
    if (r[k] === undefined) return undefined;
    if (typeof r[k] !== 'string' || r[k] === '' || /[\n\r]/.test(r[k] as string)) fail(`slurm.${k}`, 'must be a one-line string');
    return r[k] as string;
  };
  const int = (k: string): number | undefined => {
    if (r[k] === undefined) return undefined;
    if (!Number.isInteger(r[k]) || (r[k] as number) < 1) fail(`slurm.${k}`, `must be an integer >= 1 (got ${JSON.stringify(r[k])})`);
    return r[k] as number;
  };
  const extra = r.extra === undefined ? [] : stringList(r.extra, 'slurm.extra');
  if (extra.some((e) => /[\n\r]/.test(e))) fail('slurm.extra', 'entries must be one line each');
  return { partition: str('partition'), gres: str('gres'), time: str('time'), tasks: int('tasks'), cpusPerTask: int('cpus_per_task'), extra };
}

/** Validates a parsed spec document; `baseDir` is where relative clip paths resolve. */
export function parseSweepSpec(doc: unknown, baseDir: string): SweepSpec {
  if (!isRecord(doc)) throw new SweepSpecError('sweep spec: must be a mapping with clips, space and objectives');
  for (const k of Object.keys(doc)) if (!TOP_KEYS.includes(k)) fail(k, `unknown key (allowed: ${TOP_KEYS.join(', ')})`);

  if (doc.clips === undefined) fail('clips', 'missing (bundle paths, folders or globs)');
  const clips = stringList(doc.clips, 'clips');
  if (clips.length === 0) fail('clips', 'an empty list');

  const base = doc.base === undefined ? {} : doc.base;
  if (!isRecord(base)) fail('base', 'must be a mapping of config key: value');
  try {
    resolveConfig(base as Record<string, unknown>);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.key ? `base.${err.key}` : 'base', err.message);
    throw err;
  }

  if (doc.space === undefined) fail('space', 'missing (the swept config keys)');
  if (!isRecord(doc.space)) fail('space', 'must be a mapping of config key: [values] or {low, high}');
  const space = Object.entries(doc.space as Record<string, unknown>).map(([k, v]) => parseDimension(k, v));
  if (space.length === 0) fail('space', 'empty: sweep at least one config key');
  for (const d of space) if (d.key in (base as object)) fail(`space.${d.key}`, 'also fixed in base: keep it in one place');

  const sampler = doc.sampler ?? 'grid';
  if (sampler !== 'grid' && sampler !== 'random' && sampler !== 'sobol') fail('sampler', `must be grid, random or sobol (got ${JSON.stringify(sampler)})`);
  let trials: number | null = null;
  if (sampler === 'grid') {
    if (doc.trials !== undefined) fail('trials', 'the grid sampler evaluates every combination; trials is for random and sobol');
  } else {
    if (!Number.isInteger(doc.trials) || (doc.trials as number) < 1) fail('trials', `sampler ${sampler} needs trials: N (an integer >= 1, got ${JSON.stringify(doc.trials)})`);
    trials = doc.trials as number;
  }
  const seed = doc.seed ?? 0;
  if (!Number.isInteger(seed) || (seed as number) < 0) fail('seed', `must be an integer >= 0 (got ${JSON.stringify(seed)})`);

  const known = knownMethodIds();
  const methods = doc.methods === undefined ? [] : stringList(doc.methods, 'methods');
  for (const m of methods) if (!known.includes(m)) fail('methods', `unknown method '${m}' (known: ${known.join(', ')})`);
  if (methods.length > 0 && 'method' in (base as object)) fail('base.method', "set methods with the top-level 'methods:' list, not in base");
  if (new Set(methods).size !== methods.length) fail('methods', 'lists a method twice');

  if (doc.objectives === undefined) fail('objectives', `missing (metric names: ${METRICS.map((m) => m.id).join(', ')})`);
  const objectives = stringList(doc.objectives, 'objectives');
  if (objectives.length === 0) fail('objectives', 'an empty list');
  const metrics = doc.metrics === undefined ? [] : stringList(doc.metrics, 'metrics');
  const evalCommand = doc.eval_command === undefined ? null : doc.eval_command;
  if (evalCommand !== null && (typeof evalCommand !== 'string' || evalCommand.trim() === '')) fail('eval_command', 'must be a command string');
  for (const [list, key] of [[objectives, 'objectives'], [metrics, 'metrics']] as const) {
    for (const id of list) {
      // External metrics are whatever eval_command prints: they are named 'eval.<name>'.
      if (id.startsWith('eval.')) {
        if (evalCommand === null) fail(key, `'${id}' comes from eval_command, which the spec does not set`);
        continue;
      }
      if (!metricById(id)) fail(key, `unknown metric '${id}' (known: ${METRICS.map((m) => m.id).join(', ')}, or eval.<name> from eval_command)`);
    }
  }
  if (new Set(objectives).size !== objectives.length) fail('objectives', 'lists a metric twice');

  const rawFlops = doc.flops_model ?? 'Qwen2.5-Omni-7B';
  if (typeof rawFlops !== 'string') fail('flops_model', 'must be a model name or a config.json path');
  const flopsModel = (rawFlops as string).endsWith('.json') ? path.resolve(baseDir, rawFlops as string) : (rawFlops as string);
  try {
    resolveFlopsModelName(flopsModel);
  } catch (err) {
    fail('flops_model', (err as Error).message);
  }
  const modelPath = (key: string): string => {
    const v = doc[key] ?? 'demo';
    if (typeof v !== 'string' || v === '') fail(key, "must be 'demo' or a manifest path");
    return v === 'demo' ? 'demo' : path.resolve(baseDir, v as string);
  };
  const encoders = modelPath('encoders');
  const prefillModel = modelPath('prefill_model');

  return {
    clips,
    baseDir,
    base: base as Record<string, unknown>,
    space,
    sampler: sampler as SamplerKind,
    trials,
    seed: seed as number,
    methods,
    objectives,
    metrics: metrics.filter((m) => !objectives.includes(m)),
    flopsModel,
    evalCommand: evalCommand as string | null,
    prefillModel,
    encoders,
    slurm: parseSlurm(doc.slurm),
  };
}

export function parseSweepSpecText(text: string, name: string, baseDir = path.dirname(path.resolve(name))): SweepSpec {
  const json = path.extname(name).toLowerCase() === '.json';
  let doc: unknown;
  try {
    doc = json ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    throw new SweepSpecError(`sweep spec ${name} is not valid ${json ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`);
  }
  return parseSweepSpec(doc, baseDir);
}

export async function loadSweepSpec(file: string): Promise<SweepSpec> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new SweepSpecError(`cannot read sweep spec ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseSweepSpecText(text, file);
}

/** Every metric the trials record: objectives first, then the extra metrics. */
export function recordedMetrics(spec: Pick<SweepSpec, 'objectives' | 'metrics'>): string[] {
  return [...spec.objectives, ...spec.metrics];
}
