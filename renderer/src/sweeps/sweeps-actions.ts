/**
 * What the Sweeps view does: start a local sweep (the open clip or a folder) as a job with progress
 * and cancel, follow its directory while it runs, open any sweep directory, and load a trial into
 * the studio (its clip into the views, its config into the parameter panel) or export it.
 */
import YAML from 'yaml';
import type { OmniZipConfig } from '../../../core/config/schema.js';
import type { SweepTrialExport } from '../../../core/protocol/sweep-contract.js';
import { connectedClient, openPath, saveBytes } from '../actions.js';
import { useStudio } from '../store/index.js';
import { useSweeps } from './sweeps-store.js';
import { errorText } from '../error-text.js';

const list = (text: string) => text.split(/[\s,]+/).filter((s) => s !== '');

/** Reloads the sweep directory; quiet while a just-started sweep has not written its plan yet. */
export async function loadSweep(dir: string, quiet = false): Promise<void> {
  try {
    const view = await connectedClient().call('sweep.load', { dir });
    const s = useSweeps.getState();
    const ids = view.metrics.map((m) => m.id);
    const keep = (id: string | null, fallback: string | undefined) => (id && ids.includes(id) ? id : fallback ?? null);
    s.set({
      view,
      dirInput: view.dir,
      xMetric: keep(s.view?.dir === view.dir ? s.xMetric : null, view.objectives[0]?.id),
      yMetric: keep(s.view?.dir === view.dir ? s.yMetric : null, view.objectives[1]?.id ?? view.objectives[0]?.id),
      colorParam: s.view?.dir === view.dir && s.colorParam && view.params.some((p) => p.key === s.colorParam) ? s.colorParam : view.params[0]?.key ?? null,
      brushes: s.view?.dir === view.dir ? s.brushes : {},
      selectedConfig: s.view?.dir === view.dir ? s.selectedConfig : null,
    });
  } catch (err) {
    if (!quiet) useStudio.getState().pushError(errorText(err));
  }
}

export async function startSweep(): Promise<void> {
  const { form } = useSweeps.getState();
  const clip = useStudio.getState().clip;
  let space: unknown;
  try {
    space = YAML.parse(form.spaceYaml);
  } catch (err) {
    useStudio.getState().pushError(`sweep space is not valid YAML: ${errorText(err).split('\n')[0]}`);
    return;
  }
  if (form.source === 'clip' && !clip) {
    useStudio.getState().pushError('sweep: open a clip first, or sweep a folder');
    return;
  }
  const c = connectedClient();
  const jobId = `sweep${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const { dir } = await c.call('sweep.newDir', { name: form.source === 'clip' ? clip!.name : 'folder' });
  useSweeps.getState().set({ job: { jobId, dir, fraction: 0, stage: 'starting' }, dirInput: dir });
  const spec: Record<string, unknown> = { space, sampler: form.sampler, objectives: list(form.objectives) };
  if (form.sampler !== 'grid') spec.trials = form.trials;
  if (list(form.methods).length > 0) spec.methods = list(form.methods);
  const follow = setInterval(() => void loadSweep(dir, true), 1500);
  const unsubscribe = c.onEvent((e) => {
    const job = useSweeps.getState().job;
    if (e.type === 'job.progress' && job?.jobId === e.jobId) useSweeps.getState().set({ job: { ...job, fraction: e.fraction, stage: e.stage } });
  });
  try {
    const result = await c.call('sweep.start', {
      jobId,
      clipId: form.source === 'clip' ? clip!.clipId : null,
      folder: form.source === 'folder' ? form.folder : null,
      outDir: dir,
      spec,
      workers: form.workers,
    });
    if (result.failed > 0 && result.lastError) useStudio.getState().pushError(`sweep: ${result.failed} trials failed (last: ${result.lastError})`);
  } catch (err) {
    useStudio.getState().pushError(errorText(err));
  } finally {
    clearInterval(follow);
    unsubscribe();
    useSweeps.getState().set({ job: null });
    await loadSweep(dir, true);
  }
}

export async function cancelSweep(): Promise<void> {
  const job = useSweeps.getState().job;
  if (job) await connectedClient().call('job.cancel', { jobId: job.jobId });
}

/** Loads one trial: its clip into the other views (when not already open), its config into the parameters. */
export async function selectTrial(trial: number): Promise<void> {
  const view = useSweeps.getState().view;
  if (!view) return;
  try {
    const t = await connectedClient().call('sweep.trial', { dir: view.dir, trial });
    useSweeps.getState().set({ selectedTrial: t });
    if (useStudio.getState().clip?.path !== t.clipPath) await openPath(t.clipPath);
    useStudio.getState().setConfig(t.config as unknown as Partial<OmniZipConfig>);
  } catch (err) {
    useStudio.getState().pushError(errorText(err));
  }
}

/** A config's representative trial: its worst clip for the first objective. */
export function worstTrialOf(config: number): number | null {
  const view = useSweeps.getState().view;
  if (!view) return null;
  const clips = view.clips.length;
  const objective = view.objectives[0]?.id;
  const k = view.metrics.findIndex((m) => m.id === objective);
  const sign = view.metrics[k]?.direction === 'maximize' ? -1 : 1;
  let best: number | null = null;
  let bestValue = -Infinity;
  for (let c = 0; c < clips; c++) {
    const trial = view.configs.trialOf[config * clips + c];
    if (trial < 0) continue;
    const row = view.trials.trial.indexOf(trial);
    const v = row >= 0 ? sign * view.trials.metrics[k][row] : -Infinity;
    if (best === null || v > bestValue) {
      best = trial;
      bestValue = v;
    }
  }
  return best;
}

export async function selectConfig(config: number): Promise<void> {
  useSweeps.getState().set({ selectedConfig: config });
  const trial = worstTrialOf(config);
  if (trial !== null) await selectTrial(trial);
}

export async function exportTrial(kind: SweepTrialExport): Promise<void> {
  const { view, selectedTrial } = useSweeps.getState();
  if (!view || !selectedTrial) return;
  try {
    const file = await connectedClient().call('sweep.exportTrial', { dir: view.dir, trial: selectedTrial.trial, kind });
    await saveBytes(file.fileName, file.mime, file.bytes);
  } catch (err) {
    useStudio.getState().pushError(errorText(err));
  }
}
