import { cpus } from 'node:os';
import path from 'node:path';
import { runSweep, type RunSummary } from '../../sweeps/executor.js';
import { writeOptunaJournal } from '../../sweeps/optuna-journal.js';
import { createPlan, readPlan } from '../../sweeps/plan.js';
import { readSharding, submitSbatch, writeSlurmJob } from '../../sweeps/slurm.js';
import { loadSweepSpec } from '../../sweeps/spec.js';
import { readResults } from '../../sweeps/store.js';
import { formatDuration, terminalProgress } from '../../sweeps/terminal-progress.js';
import { integerOption, single } from '../args.js';
import { defineCommand } from '../command.js';
import { UsageError } from '../errors.js';
import type { CliCommand } from './index.js';
import { sweepExportCommand, sweepMetricsCommand, sweepParetoCommand, sweepStatusCommand } from './sweep-report.js';

const usage = 'sweep run SPEC --out DIR [--executor local|slurm] [--workers N] [--submit] [--tasks N] | sweep status DIR | sweep pareto DIR [--json] [--aggregate mean|worst] | sweep export DIR [--csv FILE] [--optuna FILE] | sweep run-shard DIR --shard N | sweep metrics';
const runUsage = 'sweep run SPEC --out DIR [--executor local|slurm] [--workers N] [--submit] [--tasks N] [--provider auto|cpu|webgpu|cuda]';

/** Runs with Ctrl-C wired to a clean stop: the first one stops after the trials in flight are dropped, a second one exits at once. */
async function withInterrupt<T>(body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nstopping: finished trials are saved; press Ctrl-C again to quit now\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    return await body(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

async function runLocal(dir: string, workers: number, provider: string | undefined, shard?: { index: number; count: number }): Promise<RunSummary> {
  const bar = terminalProgress();
  const summary = await withInterrupt((signal) => runSweep(dir, { workers, shard, signal, provider, onProgress: bar.update }));
  bar.end();
  const plan = await readPlan(dir);
  const results = await readResults(dir);
  await writeOptunaJournal(dir, plan, results.trials);
  const what = shard ? `shard ${shard.index}/${shard.count}` : 'sweep';
  process.stderr.write(
    `${what} ${summary.stopped ? 'stopped' : 'finished'}: ${summary.done} trials done in ${formatDuration(summary.elapsedMs)} (${summary.alreadyDone} were already done), ${summary.failed} failed${summary.lastError ? ` (last: ${summary.lastError})` : ''}${summary.stopped ? `; rerun to resume` : ''}\n`,
  );
  return summary;
}

const runCommand = defineCommand({
  name: 'sweep run',
  summary: 'Plan a sweep and run it locally, or write (and submit) its Slurm job array.',
  usage: runUsage,
  options: { valued: ['out', 'executor', 'workers', 'tasks', 'provider', 'name'], boolean: ['submit'] },
  positional: 'sweep spec',
  async run(args, specFile) {
    const out = single(args, 'out');
    if (!out) throw new UsageError(`--out DIR is required (usage: ${runUsage})`);
    const executor = single(args, 'executor') ?? 'local';
    if (executor !== 'local' && executor !== 'slurm') throw new UsageError(`--executor must be local or slurm, got '${executor}'`);
    if (args.flags.has('submit') && executor !== 'slurm') throw new UsageError('--submit goes with --executor slurm');
    const workers = integerOption(args, 'workers', 1) ?? Math.max(1, Math.min(4, cpus().length));
    const spec = await loadSweepSpec(specFile);
    const plan = await createPlan(spec, out, { name: single(args, 'name'), onNote: (l) => process.stderr.write(`${l}\n`) });
    const done = new Set((await readResults(out)).trials.map((t) => t.key));
    const left = plan.trials.filter((t) => !done.has(t.key)).length;
    process.stderr.write(
      `sweep ${plan.name}: ${plan.trials.length} trials (${plan.clips.length} clips x ${plan.trials.length / Math.max(1, plan.clips.length)} configs${plan.duplicatesSkipped ? `, ${plan.duplicatesSkipped} duplicates skipped` : ''}), ${plan.trials.length - left} already done, ${left} to run\n`,
    );
    if (executor === 'local') {
      const summary = await runLocal(out, workers, single(args, 'provider'));
      return summary.stopped ? 130 : summary.failed > 0 ? 1 : 0;
    }
    const { script, tasks } = await writeSlurmJob(plan, out, { ...spec.slurm, tasks: integerOption(args, 'tasks', 1) ?? spec.slurm.tasks, workers: integerOption(args, 'workers', 1) ?? 1 });
    process.stderr.write(`wrote ${script} (${tasks} array tasks)\n`);
    if (args.flags.has('submit')) {
      const job = await submitSbatch(script);
      process.stdout.write(`${JSON.stringify({ job, script, tasks })}\n`);
      process.stderr.write(`submitted Slurm job ${job}; follow it with 'omnizip-studio sweep status ${out}'\n`);
    } else {
      process.stderr.write(`submit it with: sbatch ${script}\n`);
    }
    return 0;
  },
});

const shardUsage = 'sweep run-shard DIR --shard N [--workers N]';
const runShardCommand = defineCommand({
  name: 'sweep run-shard',
  summary: "One Slurm array task: run this shard's trials.",
  usage: shardUsage,
  options: { valued: ['shard', 'workers', 'provider'] },
  positional: 'sweep directory',
  async run(args, dir) {
    const index = integerOption(args, 'shard', 0);
    if (index === undefined) throw new UsageError(`--shard N is required (usage: ${shardUsage})`);
    const plan = await readPlan(dir);
    const { count } = await readSharding(dir, plan);
    if (index >= count) throw new UsageError(`--shard ${index} is out of range: the job has ${count} shards (0..${count - 1})`);
    const summary = await runLocal(path.resolve(dir), integerOption(args, 'workers', 1) ?? 1, single(args, 'provider'), { index, count });
    return summary.stopped ? 130 : summary.failed > 0 ? 1 : 0;
  },
});

const subcommands: Record<string, CliCommand> = {
  run: runCommand,
  'run-shard': runShardCommand,
  status: sweepStatusCommand,
  pareto: sweepParetoCommand,
  export: sweepExportCommand,
  metrics: sweepMetricsCommand,
};

export const sweepCommand: CliCommand = {
  name: 'sweep',
  summary: 'Sweep configs over clips (grid/random/sobol), locally or on Slurm; resumable; status, Pareto front, CSV and Optuna exports.',
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    const command = sub !== undefined && Object.hasOwn(subcommands, sub) ? subcommands[sub] : undefined;
    if (!command) throw new UsageError(`${sub ? `unknown sweep subcommand '${sub}'` : 'missing sweep subcommand'} (usage: ${usage})`);
    return command.run(rest);
  },
};
