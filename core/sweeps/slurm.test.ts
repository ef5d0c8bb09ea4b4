import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../util/shared-paths.js';
import { defaultTaskCount, sbatchScript } from './slurm.js';
import { sweepFixture } from '../../test-support/sweeps.js';

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'omnizip-studio.mjs'), ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });

function slurmAnswers(): string | null {
  const r = spawnSync('sinfo', ['-h', '-o', '%t'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) return 'sinfo is not installed (apt-get install -y slurm-wlm munge, then .ci/start-slurm.sh)';
  if (r.status !== 0) return `sinfo does not answer (${(r.stderr || '').trim().split('\n')[0]}); start a local Slurm with .ci/start-slurm.sh`;
  if (!/idle|mix|alloc/.test(r.stdout)) return `no Slurm node is up (sinfo says '${r.stdout.trim()}')`;
  return null;
}

describe('Slurm executor', () => {
  it('writes a job-array script with the shard command and the pass-through options', () => {
    const plan = { name: 'my sweep', trials: new Array(120) } as unknown as Parameters<typeof sbatchScript>[0];
    const text = sbatchScript(plan, '/data/sweep one', { partition: 'gpu', gres: 'gpu:1', time: '01:00:00', extra: ['--account=lab'], tasks: 3, workers: 2 });
    expect(text).toMatch(/^#!\/bin\/bash\n/);
    expect(text).toContain('#SBATCH --array=0-2');
    expect(text).toContain('#SBATCH --partition=gpu');
    expect(text).toContain('#SBATCH --gres=gpu:1');
    expect(text).toContain('#SBATCH --time=01:00:00');
    expect(text).toContain('#SBATCH --account=lab');
    expect(text).toContain('#SBATCH --job-name=omnizip-sweep-my_sweep');
    expect(text).toContain(`sweep run-shard '/data/sweep one' --shard "$SLURM_ARRAY_TASK_ID" --workers 2`);
    expect(text).toContain(path.join(REPO_ROOT, 'bin', 'omnizip-studio.mjs'));
    expect(defaultTaskCount(120)).toBe(3);
    expect(defaultTaskCount(3)).toBe(1);
    expect(defaultTaskCount(100000)).toBe(64);
  });

  it('run-shard runs its slice into its own shard file; status reads every shard', async () => {
    const fx = sweepFixture();
    const spec = fx.writeSpec('clips: [clips]\nspace: {rho_video: [0.5, 0.7], g: [0, 3]}\nobjectives: [kept_fraction, audio_coverage]\n');
    const dir = path.join(fx.root, 'out');
    const write = cli(['sweep', 'run', spec, '--out', dir, '--executor', 'slurm', '--tasks', '3']);
    expect(write.status, write.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'slurm', 'sweep.sbatch'), 'utf8')).toContain('#SBATCH --array=0-2');
    const bad = cli(['sweep', 'run-shard', dir, '--shard', '3']);
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim()).toBe('omnizip-studio: --shard 3 is out of range: the job has 3 shards (0..2)');
    const shard = cli(['sweep', 'run-shard', dir, '--shard', '1']);
    expect(shard.status, shard.stderr).toBe(0);
    expect(readdirSync(path.join(dir, 'shards'))).toContain('shard-1.jsonl');
    const status = JSON.parse(cli(['sweep', 'status', dir, '--json']).stdout) as { done: number; total: number };
    expect(status).toMatchObject({ total: 8, done: 3 });
  });

  it('runs a real sweep through sbatch --submit on the local Slurm', async (ctx) => {
    const why = slurmAnswers();
    if (why) {
      ctx.skip(why);
      return;
    }
    const fx = sweepFixture();
    const spec = fx.writeSpec('clips: [clips]\nspace: {rho_video: [0.5, 0.6, 0.7], g: [0, 3]}\nobjectives: [kept_fraction, video_coverage]\nslurm: {tasks: 4}\n');
    const dir = path.join(fx.root, 'out');
    const submit = cli(['sweep', 'run', spec, '--out', dir, '--executor', 'slurm', '--submit']);
    expect(submit.status, submit.stderr).toBe(0);
    const { job, tasks } = JSON.parse(submit.stdout) as { job: string; tasks: number };
    expect(job).toMatch(/^\d+$/);
    expect(tasks).toBe(4);
    const deadline = Date.now() + 150_000;
    let status = { done: 0, total: 12, failed: 0 };
    while (Date.now() < deadline) {
      status = JSON.parse(cli(['sweep', 'status', dir, '--json']).stdout) as typeof status;
      if (status.done + status.failed >= status.total) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const logs = existsSync(path.join(dir, 'slurm', 'logs')) ? readdirSync(path.join(dir, 'slurm', 'logs')).map((f) => readFileSync(path.join(dir, 'slurm', 'logs', f), 'utf8')).join('\n') : '';
    expect(status, logs).toMatchObject({ done: 12, failed: 0, total: 12 });
    expect(readdirSync(path.join(dir, 'shards')).filter((f) => /^shard-\d+\.jsonl$/.test(f)).sort()).toEqual(['shard-0.jsonl', 'shard-1.jsonl', 'shard-2.jsonl', 'shard-3.jsonl']);
    const pareto = JSON.parse(cli(['sweep', 'pareto', dir, '--json']).stdout) as { configs: number; fronts: { mean: unknown[]; worst: unknown[] } };
    expect(pareto.configs).toBe(6);
    expect(pareto.fronts.mean.length).toBeGreaterThan(0);
  }, 200_000);
});
