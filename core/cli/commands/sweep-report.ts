/** `sweep status`, `sweep pareto`, `sweep export` and `sweep metrics`: reading a sweep directory. */
import path from 'node:path';
import { METRICS } from '../../metrics/registry.js';
import { trialsCsv } from '../../sweeps/csv.js';
import { writeOptunaJournal, OPTUNA_JOURNAL_FILE } from '../../sweeps/optuna-journal.js';
import { paretoFront, summarizeConfigs, type Aggregate } from '../../sweeps/pareto.js';
import { readPlan } from '../../sweeps/plan.js';
import { sweepStatus as readStatus } from '../../sweeps/status.js';
import { readResults } from '../../sweeps/store.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { single } from '../args.js';
import { defineCommand } from '../command.js';
import { UsageError } from '../errors.js';

const SWEEP_DIR = 'sweep directory';

export const sweepStatusCommand = defineCommand({
  name: 'sweep status',
  summary: 'Trials done, running, failed and pending, with the latest failures.',
  usage: 'sweep status DIR [--json]',
  options: { boolean: ['json'] },
  positional: SWEEP_DIR,
  async run(args, dir) {
    const s = await readStatus(dir);
    if (args.flags.has('json')) {
      process.stdout.write(`${JSON.stringify(s)}\n`);
      return 0;
    }
    const lines = [
      `sweep     ${s.name} (${s.clips} clips, objectives ${s.objectives.join(', ')})`,
      `trials    ${s.total}: ${s.done} done, ${s.running} running, ${s.failed} failed, ${s.pending} pending`,
      ...s.recentFailures.map((f) => `failed    ${f}`),
    ];
    if (s.skippedLines > 0) lines.push(`note      ${s.skippedLines} unreadable result lines ignored (a run killed mid-write)`);
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
});

const fmt = (v: number | undefined) => (v === undefined ? '-' : Math.abs(v) >= 1000 ? v.toExponential(3) : v.toFixed(4));

export const sweepParetoCommand = defineCommand({
  name: 'sweep pareto',
  summary: 'The Pareto front of the configs over every clip (mean or worst over clips).',
  usage: 'sweep pareto DIR [--json] [--aggregate mean|worst]',
  options: { valued: ['aggregate'], boolean: ['json'] },
  positional: SWEEP_DIR,
  async run(args, dir) {
    const aggregate = (single(args, 'aggregate') ?? 'mean') as Aggregate;
    if (aggregate !== 'mean' && aggregate !== 'worst') throw new UsageError(`--aggregate must be mean or worst, got '${aggregate}'`);
    const plan = await readPlan(dir);
    const { trials } = await readResults(dir);
    const configs = summarizeConfigs(trials, plan.clips.length, plan.metricSet);
    const swept = plan.spec.space.map((d) => d.key);
    if (plan.spec.methods.length > 1) swept.unshift('method');
    if (args.flags.has('json')) {
      const out = (['mean', 'worst'] as const).map((agg) => {
        const r = paretoFront(configs, plan.spec.objectives, agg);
        return [
          agg,
          r.front.map((i) => {
            const c = r.configs[i];
            return { config: c.config, swept: Object.fromEntries(swept.map((k) => [k, (c.config as unknown as Record<string, unknown>)[k]])), mean: c.mean, worst: c.worst, per_clip: c.perClip };
          }),
        ] as const;
      });
      process.stdout.write(`${JSON.stringify({ objectives: paretoFront(configs, plan.spec.objectives, 'mean').objectives, configs: configs.length, fronts: Object.fromEntries(out) })}\n`);
      return 0;
    }
    const r = paretoFront(configs, plan.spec.objectives, aggregate);
    const lines = [
      `Pareto front of ${configs.length} configs over ${plan.clips.length} clips (${aggregate} over clips; ${r.objectives.map((o) => `${o.id} ${o.direction === 'minimize' ? 'down' : 'up'}`).join(', ')})${r.incomplete ? `; ${r.incomplete} configs not yet on every clip left out` : ''}`,
      '',
      [...swept, ...r.objectives.flatMap((o) => [`${o.id} mean`, `${o.id} worst`])].join('\t'),
    ];
    for (const i of r.front) {
      const c = r.configs[i];
      lines.push([...swept.map((k) => String((c.config as unknown as Record<string, unknown>)[k])), ...r.objectives.flatMap((o) => [fmt(c.mean[o.id]), fmt(c.worst[o.id])])].join('\t'));
      for (const pc of c.perClip) lines.push(`    ${path.basename(pc.clip)} (trial ${pc.trial}): ${r.objectives.map((o) => `${o.id}=${fmt(pc.metrics[o.id])}`).join(' ')}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
});

export const sweepExportCommand = defineCommand({
  name: 'sweep export',
  summary: 'Write the trials as CSV and as an Optuna journal.',
  usage: 'sweep export DIR [--csv FILE] [--optuna FILE]',
  options: { valued: ['csv', 'optuna'] },
  positional: SWEEP_DIR,
  async run(args, dir) {
    const plan = await readPlan(dir);
    const { trials } = await readResults(dir);
    const csv = single(args, 'csv') ?? path.join(dir, 'trials.csv');
    await writeFileAtomic(csv, trialsCsv(trials, plan.metricSet));
    const journal = await writeOptunaJournal(dir, plan, trials, single(args, 'optuna') ?? path.join(dir, OPTUNA_JOURNAL_FILE));
    process.stdout.write(`${JSON.stringify({ trials: trials.length, csv, optuna: journal })}\n`);
    return 0;
  },
});

export const sweepMetricsCommand = defineCommand({
  name: 'sweep metrics',
  summary: 'The metrics a sweep can record, their direction and formula.',
  usage: 'sweep metrics',
  async run() {
    const lines = METRICS.map((m) => `${m.id.padEnd(26)} ${m.direction.padEnd(8)} ${m.kind === 'proxy' ? 'PROXY ' : m.needsModel ? 'model ' : 'plan  '} ${m.formula}`);
    lines.push(`${'eval.<name>'.padEnd(26)} ${'(see docs)'.padEnd(8)} extern  from eval_command's JSON output`);
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
});
