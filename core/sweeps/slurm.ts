/**
 * The Slurm executor: the cluster's own scheduler runs the sweep. `sweep run --executor slurm`
 * writes DIR/slurm/sweep.sbatch, a job array whose task k runs
 * `omnizip-studio sweep run-shard DIR --shard k` on its contiguous slice of the plan and appends
 * to its own DIR/shards/shard-k.jsonl (no shared locks on the cluster filesystem); `--submit`
 * hands it to sbatch. `sweep status` and `sweep pareto` read every shard file.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { REPO_ROOT } from '../util/shared-paths.js';
import { SweepDirError } from './errors.js';
import type { SweepPlan } from './plan.js';
import type { SlurmOptions } from './spec.js';

export const SLURM_DIR = 'slurm';
export const SBATCH_FILE = 'sweep.sbatch';
export const SHARDING_FILE = 'sharding.json';

export interface Sharding {
  count: number;
  /** Trials in the plan when the shards were cut; a replanned sweep must be resubmitted. */
  trials: number;
}

export class SlurmError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlurmError';
  }
}

/** Default array size: about 50 trials per task, at most 64 tasks, never more tasks than trials. */
export function defaultTaskCount(trials: number): number {
  return Math.max(1, Math.min(64, Math.ceil(trials / 50), trials));
}

const shellQuote = (s: string) => (/^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export function sbatchScript(plan: SweepPlan, dir: string, options: SlurmOptions & { tasks: number; workers: number }): string {
  const abs = path.resolve(dir);
  const bin = path.join(REPO_ROOT, 'bin', 'omnizip-studio.mjs');
  const lines = [
    '#!/bin/bash',
    `# OmniZip Studio sweep '${plan.name}': ${plan.trials.length} trials in ${options.tasks} array tasks.`,
    '# Written by `omnizip-studio sweep run --executor slurm`; each task appends to DIR/shards/shard-$SLURM_ARRAY_TASK_ID.jsonl.',
    `#SBATCH --job-name=${shellQuote(`omnizip-sweep-${plan.name}`.replace(/[^A-Za-z0-9._-]+/g, '_'))}`,
    `#SBATCH --array=0-${options.tasks - 1}`,
    `#SBATCH --output=${shellQuote(path.join(abs, SLURM_DIR, 'logs', '%A_%a.out'))}`,
    `#SBATCH --cpus-per-task=${options.cpusPerTask ?? options.workers}`,
  ];
  if (options.partition) lines.push(`#SBATCH --partition=${shellQuote(options.partition)}`);
  if (options.gres) lines.push(`#SBATCH --gres=${shellQuote(options.gres)}`);
  if (options.time) lines.push(`#SBATCH --time=${shellQuote(options.time)}`);
  for (const extra of options.extra) lines.push(`#SBATCH ${extra}`);
  lines.push(
    'set -euo pipefail',
    `cd ${shellQuote(REPO_ROOT)}`,
    '# OMNIZIP_NODE picks the Node.js binary on the compute nodes (default: node on PATH).',
    `exec "\${OMNIZIP_NODE:-node}" ${shellQuote(bin)} sweep run-shard ${shellQuote(abs)} --shard "$SLURM_ARRAY_TASK_ID" --workers ${options.workers}`,
    '',
  );
  return lines.join('\n');
}

export async function writeSlurmJob(plan: SweepPlan, dir: string, options: SlurmOptions & { tasks?: number; workers: number }): Promise<{ script: string; tasks: number }> {
  const tasks = Math.min(options.tasks ?? defaultTaskCount(plan.trials.length), Math.max(1, plan.trials.length));
  await mkdir(path.join(dir, SLURM_DIR, 'logs'), { recursive: true });
  const script = path.join(dir, SLURM_DIR, SBATCH_FILE);
  await writeFileAtomic(script, sbatchScript(plan, dir, { ...options, tasks }));
  await writeFileAtomic(path.join(dir, SLURM_DIR, SHARDING_FILE), JSON.stringify({ count: tasks, trials: plan.trials.length } satisfies Sharding));
  return { script, tasks };
}

export async function readSharding(dir: string, plan: SweepPlan): Promise<Sharding> {
  let sharding: Sharding;
  try {
    sharding = JSON.parse(await readFile(path.join(dir, SLURM_DIR, SHARDING_FILE), 'utf8')) as Sharding;
  } catch {
    throw new SweepDirError(`${dir} has no ${SLURM_DIR}/${SHARDING_FILE}: write the job with 'sweep run SPEC --out ${dir} --executor slurm'`);
  }
  if (sharding.trials !== plan.trials.length) {
    throw new SweepDirError(`${dir}: the plan has ${plan.trials.length} trials but the Slurm job was cut for ${sharding.trials}; rewrite it with 'sweep run --executor slurm'`);
  }
  return sharding;
}

/** Runs `sbatch --parsable SCRIPT`; returns the job id. */
export function submitSbatch(script: string, sbatch = process.env.OMNIZIP_SBATCH || 'sbatch'): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(sbatch, ['--parsable', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', (e) => reject(new SlurmError(`cannot run ${sbatch}: ${(e as NodeJS.ErrnoException).code ?? e.message} (is Slurm installed here?)`)));
    child.on('close', (code) => {
      if (code !== 0) reject(new SlurmError(`sbatch failed (status ${code}): ${err.trim().split('\n').pop() ?? ''}`));
      else resolve(out.trim().split(';')[0]);
    });
  });
}
