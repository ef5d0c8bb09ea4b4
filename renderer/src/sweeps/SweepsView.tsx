import { SWEEP_TRIAL_EXPORTS } from '../../../core/protocol/sweep-contract.js';
import { useStudio } from '../store/index.js';
import { ClipTable } from './ClipTable.js';
import { ParallelCoordinates } from './ParallelCoordinates.js';
import { ParetoPlot } from './ParetoPlot.js';
import { cancelSweep, exportTrial, loadSweep, startSweep } from './sweeps-actions.js';
import { useSweeps, type SweepForm } from './sweeps-store.js';
import { usePicked } from '../store/pick.js';
import './sweeps.css';

const EXPORT_LABELS: Record<(typeof SWEEP_TRIAL_EXPORTS)[number], string> = { 'config-yaml': 'config YAML', 'config-json': 'config JSON', flags: 'official flags', env: 'env lines' };

function StartForm() {
  const { form, job } = usePicked(useSweeps, ['form', 'job']);
  const clip = useStudio((s) => s.clip);
  const set = (patch: Partial<SweepForm>) => useSweeps.getState().setForm(patch);
  return (
    <fieldset className="sweep-form" disabled={job !== null}>
      <legend>Start a local sweep</legend>
      <label>
        <input type="radio" checked={form.source === 'clip'} onChange={() => set({ source: 'clip' })} data-testid="sweep-source-clip" /> the open clip ({clip?.name ?? 'none'})
      </label>
      <label>
        <input type="radio" checked={form.source === 'folder'} onChange={() => set({ source: 'folder' })} data-testid="sweep-source-folder" /> a folder or glob:{' '}
        <input type="text" value={form.folder} placeholder="/data/clips or /data/**/*.safetensors" onChange={(e) => set({ folder: e.target.value, source: 'folder' })} data-testid="sweep-folder" />
      </label>
      <label className="wide">
        space (YAML: key: [values] or key: {'{low, high}'})
        <textarea rows={4} value={form.spaceYaml} onChange={(e) => set({ spaceYaml: e.target.value })} data-testid="sweep-space" />
      </label>
      <label>
        sampler{' '}
        <select value={form.sampler} onChange={(e) => set({ sampler: e.target.value as SweepForm['sampler'] })} data-testid="sweep-sampler">
          <option value="grid">grid</option>
          <option value="random">random</option>
          <option value="sobol">sobol</option>
        </select>
      </label>
      {form.sampler !== 'grid' && (
        <label>
          trials <input type="number" min={1} max={100000} value={form.trials} onChange={(e) => set({ trials: Math.max(1, Math.round(Number(e.target.value) || 1)) })} data-testid="sweep-trials" />
        </label>
      )}
      <label>
        objectives <input type="text" value={form.objectives} onChange={(e) => set({ objectives: e.target.value })} data-testid="sweep-objectives" />
      </label>
      <label>
        methods <input type="text" value={form.methods} onChange={(e) => set({ methods: e.target.value })} data-testid="sweep-methods" />
      </label>
      <label>
        workers <input type="number" min={1} max={64} value={form.workers} onChange={(e) => set({ workers: Math.max(1, Math.round(Number(e.target.value) || 1)) })} data-testid="sweep-workers" />
      </label>
      <button onClick={() => void startSweep()} data-testid="sweep-start">Start sweep</button>
    </fieldset>
  );
}

function Header() {
  const { view, job, dirInput, aggregate, xMetric, yMetric, colorParam } = usePicked(useSweeps, ['view', 'job', 'dirInput', 'aggregate', 'xMetric', 'yMetric', 'colorParam']);
  const set = useSweeps.getState().set;
  return (
    <div className="sweep-header">
      <div className="sweep-open">
        <label>
          sweep directory{' '}
          <input type="text" value={dirInput} placeholder="a sweep folder, e.g. one a cluster wrote" onChange={(e) => set({ dirInput: e.target.value })} data-testid="sweep-dir" />
        </label>
        <button onClick={() => void loadSweep(dirInput)} disabled={dirInput.trim() === ''} data-testid="sweep-open">Open</button>
        {view && <button onClick={() => void loadSweep(view.dir)} data-testid="sweep-reload">Reload</button>}
        {job && (
          <span className="sweep-job" data-testid="sweep-job">
            {job.stage} <progress max={1} value={job.fraction} /> <button onClick={() => void cancelSweep()} data-testid="sweep-cancel">Cancel</button>
          </span>
        )}
      </div>
      {view && (
        <div className="sweep-status" data-testid="sweep-status">
          <strong>{view.name}</strong> · {view.clips.length} clip{view.clips.length === 1 ? '' : 's'} · {view.status.total} trials: {view.status.done} done, {view.status.running} running, {view.status.failed} failed, {view.status.pending} pending · {view.configs.count} configs
        </div>
      )}
      {view && (
        <div className="sweep-controls">
          <span role="group" aria-label="aggregate over clips">
            over clips:{' '}
            {(['mean', 'worst'] as const).map((a) => (
              <button key={a} className={aggregate === a ? 'active' : ''} onClick={() => set({ aggregate: a })} data-testid={`sweep-aggregate-${a}`}>
                {a === 'mean' ? 'mean' : 'worst case'}
              </button>
            ))}
          </span>
          <label>
            x{' '}
            <select value={xMetric ?? ''} onChange={(e) => set({ xMetric: e.target.value })} data-testid="sweep-x">
              {view.metrics.map((m) => <option key={m.id} value={m.id}>{m.label}</option>)}
            </select>
          </label>
          <label>
            y{' '}
            <select value={yMetric ?? ''} onChange={(e) => set({ yMetric: e.target.value })} data-testid="sweep-y">
              {view.metrics.map((m) => <option key={m.id} value={m.id}>{m.label}</option>)}
            </select>
          </label>
          <label>
            colour by{' '}
            <select value={colorParam ?? ''} onChange={(e) => set({ colorParam: e.target.value })} data-testid="sweep-color">
              {view.params.map((p) => <option key={p.key} value={p.key}>{p.key}</option>)}
            </select>
          </label>
          {view.metrics.some((m) => m.proxy) && <span className="sweep-proxy-note">metrics marked (proxy) are embedding-space proxies, not accuracy</span>}
        </div>
      )}
    </div>
  );
}

function Selection() {
  const t = useSweeps((s) => s.selectedTrial);
  if (!t) return <div className="sweep-selection muted">Click a point, a line or a table row to load that trial's clip and config into the studio.</div>;
  return (
    <div className="sweep-selection" data-testid="sweep-selection" data-trial={t.trial}>
      <strong>trial {t.trial}</strong> · {t.clipPath.split(/[\\/]/).pop()} ·{' '}
      {Object.entries(t.metrics).map(([k, v]) => `${k} ${typeof v === 'number' ? v.toFixed(4) : String(v)}`).join(' · ')}
      <div>
        loaded into the parameters · export:{' '}
        {SWEEP_TRIAL_EXPORTS.map((k) => (
          <button key={k} onClick={() => void exportTrial(k)} data-testid={`sweep-export-${k}`}>{EXPORT_LABELS[k]}</button>
        ))}
      </div>
    </div>
  );
}

export function SweepsView() {
  const view = useSweeps((s) => s.view);
  return (
    <section className="sweeps" data-testid="sweeps-view">
      <StartForm />
      <Header />
      {view && (
        <>
          <Selection />
          <div className="sweep-plots">
            <ParetoPlot />
            <ParallelCoordinates />
          </div>
          <ClipTable />
        </>
      )}
    </section>
  );
}
