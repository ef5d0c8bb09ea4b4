import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeOptunaJournal } from './optuna-journal.js';
import { createPlan } from './plan.js';
import { runSweep } from './executor.js';
import { loadSweepSpec } from './spec.js';
import { readResults } from './store.js';
import { sweepFixture } from '../../test-support/sweeps.js';

/** Debian's python3-optuna lives in the system interpreter, not in a pyenv shim's. */
function optunaPython(): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import optuna'], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return null;
}

const CHECK = `
import json, sys, optuna
from optuna.storages import JournalStorage
try:
    from optuna.storages import JournalFileStorage as Backend
except ImportError:
    from optuna.storages.journal import JournalFileBackend as Backend
storage = JournalStorage(Backend(sys.argv[1]))
study = optuna.load_study(study_name=sys.argv[2], storage=storage)
print(json.dumps({
  "version": optuna.__version__,
  "directions": [d.name for d in study.directions],
  "trials": [{"number": t.number, "state": t.state.name, "params": t.params, "values": t.values, "user_attrs": t.user_attrs,
              "distributions": {k: type(v).__name__ for k, v in t.distributions.items()}} for t in study.trials],
  "best": sorted(t.user_attrs["sweep_trial"] for t in study.best_trials),
}))
`;

describe('Optuna journal', () => {
  it('opens with Optuna: trial count, params, values, user attributes and best_trials', async (ctx) => {
    const py = optunaPython();
    if (!py) {
      ctx.skip('python3-optuna is not installed (apt-get install -y python3-optuna)');
      return;
    }
    const fx = sweepFixture();
    const spec = await loadSweepSpec(
      fx.writeSpec(`clips: [clips]\nspace:\n  rho_video: {low: 0.4, high: 0.8}\n  g: [0, 3]\n  dpc_k: {low: 2, high: 8}\nsampler: sobol\ntrials: 6\nmethods: [omnizip, uniform]\nobjectives: [kept_fraction, video_coverage]\nmetrics: [flops_ratio]\n`),
    );
    const dir = path.join(fx.root, 'out');
    const plan = await createPlan(spec, dir, { name: 'optuna-check' });
    await runSweep(dir, { workers: 2 });
    const { trials } = await readResults(dir);
    const file = await writeOptunaJournal(dir, plan, trials);
    const out = JSON.parse(execFileSync(py, ['-c', CHECK, file, 'optuna-check'], { encoding: 'utf8' })) as {
      directions: string[];
      trials: Array<{ number: number; state: string; params: Record<string, unknown>; values: number[]; user_attrs: Record<string, unknown>; distributions: Record<string, string> }>;
      best: number[];
    };
    expect(out.directions).toEqual(['MINIMIZE', 'MAXIMIZE']);
    expect(out.trials).toHaveLength(trials.length);
    const byTrial = new Map(trials.map((t) => [t.trial, t]));
    for (const t of out.trials) {
      const mine = byTrial.get(t.user_attrs.sweep_trial as number)!;
      expect(t.state).toBe('COMPLETE');
      expect(t.values).toEqual([mine.metrics.kept_fraction, mine.metrics.video_coverage]);
      expect(t.params).toEqual({ rho_video: mine.config.rho_video, g: mine.config.g, dpc_k: mine.config.dpc_k, method: mine.method });
      expect(t.distributions).toEqual({ rho_video: 'FloatDistribution', g: 'CategoricalDistribution', dpc_k: 'IntDistribution', method: 'CategoricalDistribution' });
      expect(t.user_attrs.clip).toBe(mine.clip.path);
      expect(t.user_attrs.flops_ratio).toBe(mine.metrics.flops_ratio);
    }
    // best_trials is Optuna's own non-dominated set over (min kept_fraction, max video_coverage).
    const dominated = (a: (typeof trials)[0]) =>
      trials.some(
        (b) =>
          b.metrics.kept_fraction <= a.metrics.kept_fraction &&
          b.metrics.video_coverage >= a.metrics.video_coverage &&
          (b.metrics.kept_fraction < a.metrics.kept_fraction || b.metrics.video_coverage > a.metrics.video_coverage),
      );
    expect(out.best).toEqual(trials.filter((t) => !dominated(t)).map((t) => t.trial).sort((a, b) => a - b));
  });
});
