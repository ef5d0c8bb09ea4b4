import type { PrefillResultView, PrefillRow } from '../../../core/protocol/prefill-contract.js';
import type { OmniZipConfig } from '../../../core/config/schema.js';
import { withSettledConfig } from '../hooks.js';
import { useStudioPick } from '../store/index.js';
import { FastvDecoderPicker } from '../compare/FastvDecoderPicker.js';
import { PrefillChart } from './PrefillChart.js';
import { cancelPrefill, clearPrefillResults, exportPrefill, prefillSettings, runPrefill } from './actions.js';
import { usePrefill, type PrefillEntry, type PrefillForm, type PrefillProvider } from './store.js';
import './prefill.css';

const MB = 2 ** 20;
const mb = (bytes: number | null) => (bytes === null || !Number.isFinite(bytes) ? '—' : `${(bytes / MB).toFixed(bytes < 10 * MB ? 1 : 0)} MB`);
const num = (v: number | null, digits: number) => (v === null || !Number.isFinite(v) ? '—' : v.toFixed(digits));
const times = (v: number | null) => (v === null || !Number.isFinite(v) ? '—' : `${v.toFixed(2)}×`);
const pct = (v: number | null) => (v === null || !Number.isFinite(v) ? '—' : `${(100 * v).toFixed(0)}%`);

function configSummary(config: Record<string, unknown> | undefined): string {
  if (!config) return '';
  const method = config.method && config.method !== 'omnizip' ? `, ${String(config.method)}` : '';
  return `ρa ${String(config.rho_audio)} · ρv ${String(config.rho_video)}${method}`;
}

function NumberField({ label, testId, value, min, max, step = 1, onChange }: { label: string; testId: string; value: number; min: number; max: number; step?: number; onChange: (v: number) => void }) {
  return (
    <label>
      {label}
      <input
        type="number"
        data-testid={testId}
        value={value}
        min={min}
        max={max}
        step={step}
        onChange={(e) => {
          const v = Number(e.target.value);
          if (Number.isFinite(v)) onChange(Math.min(max, Math.max(min, Math.round(v / step) * step)));
        }}
      />
    </label>
  );
}

function Row({ entry, row, config }: { entry: PrefillEntry; row: PrefillRow; config: Record<string, unknown> | undefined }) {
  return (
    <tr className={row.isFull ? 'full' : ''} data-run={entry.id} data-setting={row.label}>
      <td className="label" data-col="setting">{row.label}</td>
      <td className="label" data-col="config">{row.isFull ? 'no pruning' : configSummary(config)}</td>
      <td data-col="tokens">{row.tokens}</td>
      <td data-col="retention">{row.isFull ? '100%' : pct(row.retentionAudioVideo)}</td>
      <td data-col="median">{num(row.medianMs, 1)}</td>
      <td data-col="p95">{num(row.p95Ms, 1)}</td>
      <td
        data-col="speedup"
        className={row.timingNote ? 'unreliable' : row.speedupMedian !== null && row.speedupMedian > 1 ? 'good' : ''}
        title={row.timingNote ?? undefined}
        data-unreliable={row.timingNote ? 'true' : undefined}
      >
        {row.isFull ? '1.00×' : times(row.speedupMedian)}
        {row.timingNote ? ' ⚠' : ''}
      </td>
      <td data-col="flops-speedup">{row.isFull ? '1.00×' : times(row.flopsSpeedup)}</td>
      <td data-col="peak-memory" title={`${row.peakCounter}; baseline before the run ${mb(row.memoryBaselineBytes)}`}>{mb(row.peakMemoryBytes)}</td>
      <td data-col="memory-increase">+{mb(row.memoryIncreaseBytes)}</td>
      <td data-col="kv-cache">{mb(row.kvCacheBytes)}</td>
      <td data-col="kl">{num(row.klDivergence, 4)}</td>
      <td data-col="top1">{row.top1Agreement === null ? '—' : row.top1Agreement === 1 ? 'same' : 'differs'}</td>
      <td data-col="top5">{row.top5Overlap === null ? '—' : `${Math.round(row.top5Overlap * 5)}/5`}</td>
      <td data-col="cosine">{num(row.hiddenCosine, 4)}</td>
    </tr>
  );
}

function RunHead({ entry }: { entry: PrefillEntry }) {
  const r: PrefillResultView = entry.result;
  const model = r.model.source === 'demo' ? `demo decoder d=${r.model.hiddenSize}, ${r.model.numLayers} layer${r.model.numLayers === 1 ? '' : 's'}` : r.model.name;
  return (
    <>
      <tr className="run-head" data-testid={`prefill-run-${entry.id}`}>
        <td colSpan={15}>
          #{entry.id} {r.clipName}
          <span>{model} · {r.provider.name} ({r.provider.device}) · {r.warmupRuns} warm-up + {r.runs} timed runs · {(r.wallMs / 1000).toFixed(1)} s</span>
        </td>
      </tr>
      {r.model.caveat && (
        <tr className="caveat">
          <td colSpan={15} data-testid={`prefill-caveat-${entry.id}`} title={r.model.caveat}>
            ⚠ {r.model.source === 'demo' ? 'Demo decoder (random weights): its speed and memory scale like a real model\u2019s, its fidelity numbers say nothing about accuracy.' : r.model.caveat}
          </td>
        </tr>
      )}
    </>
  );
}

function ResultsTable({ entries }: { entries: PrefillEntry[] }) {
  return (
    <div className="table-wrap">
      <table data-testid="prefill-table">
        <thead>
          <tr>
            <th className="label">setting</th>
            <th className="label">config</th>
            <th title="tokens the decoder was given (the whole LLM sequence, text included)">tokens in</th>
            <th title="audio+video tokens kept">a/v kept</th>
            <th>median ms</th>
            <th>p95 ms</th>
            <th title="full median latency / this median latency">speed-up</th>
            <th title="the paper's prefill FLOPs term with this model's dimensions, whole sequence">FLOPs pred.</th>
            <th title="peak RSS of a fresh process during one run (OS counter)">peak mem</th>
            <th title="peak minus the process RSS before the run (model loaded)">run mem</th>
            <th>KV cache</th>
            <th title="KL(full ‖ compressed) of the next-token distribution, nats">KL</th>
            <th title="same most likely next token as the full run">top-1</th>
            <th title="overlap of the top-5 next tokens with the full run's">top-5</th>
            <th title="cosine of the last position's final hidden state">cos</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <FragmentRows key={entry.id} entry={entry} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function FragmentRows({ entry }: { entry: PrefillEntry }) {
  const configs = new Map(entry.result.settings.map((s) => [s.label, s.config]));
  return (
    <>
      <RunHead entry={entry} />
      {entry.result.rows.map((row) => (
        <Row key={row.label} entry={entry} row={row} config={configs.get(row.label)} />
      ))}
      {entry.result.rows.some((r) => r.timingNote) && (
        <tr className="caveat">
          <td colSpan={15} data-testid={`prefill-timing-${entry.id}`}>
            ⚠ {entry.result.rows.flatMap((r) => (r.timingNote ? [r.timingNote] : [])).join('; ')}
          </td>
        </tr>
      )}
      {entry.result.notes.length > 0 && (
        <tr className="notes">
          <td colSpan={15}>{entry.result.notes.join(' ')}</td>
        </tr>
      )}
    </>
  );
}

export const PrefillPanel = withSettledConfig(function PrefillPanelView({ config }: { config: OmniZipConfig }) {
  const { clip, compareMode, pinnedConfig, compareMethods } = useStudioPick('clip', 'compareMode', 'pinnedConfig', 'compareMethods');
  const form = usePrefill((s) => s.form);
  const job = usePrefill((s) => s.job);
  const results = usePrefill((s) => s.results);
  const outcome = usePrefill((s) => s.outcome);
  const set = (patch: Partial<PrefillForm>) => usePrefill.getState().setForm(patch);
  const planned = prefillSettings({ config, compareMode, pinnedConfig, compareMethods }, form.includeCompare);
  const fastvSettings = planned.filter((s) => s.config.method === 'fastv');
  const canRun = clip !== null && job === null && (form.modelKind === 'demo' || form.manifestPath.trim() !== '');
  return (
    <section className="view prefill" data-testid="view-prefill">
      <h2>
        Inference: what a setting buys
        <small>LLM prefill of the full sequence vs {planned.map((s) => s.label).join(', ')}: latency, memory, KV cache, next-token fidelity</small>
      </h2>
      <div className="form">
        <span role="radiogroup" aria-label="decoder model">
          <label><input type="radio" name="prefill-model" data-testid="prefill-model-demo" checked={form.modelKind === 'demo'} onChange={() => set({ modelKind: 'demo' })} /> demo decoder</label>{' '}
          <label><input type="radio" name="prefill-model" data-testid="prefill-model-manifest" checked={form.modelKind === 'manifest'} onChange={() => set({ modelKind: 'manifest' })} /> model manifest</label>
        </span>
        {form.modelKind === 'demo' ? (
          <>
            <NumberField label="width d" testId="prefill-hidden" value={form.demoHiddenSize} min={48} max={4096} step={16} onChange={(v) => set({ demoHiddenSize: v })} />
            <NumberField label="layers" testId="prefill-layers" value={form.demoLayers} min={1} max={64} onChange={(v) => set({ demoLayers: v })} />
          </>
        ) : (
          <input className="manifest" type="text" data-testid="prefill-manifest-path" placeholder="/path/to/model-manifest.json (docs/prefill.md)" value={form.manifestPath} onChange={(e) => set({ manifestPath: e.target.value })} />
        )}
        <NumberField label="warm-up" testId="prefill-warmup" value={form.warmupRuns} min={0} max={10} onChange={(v) => set({ warmupRuns: v })} />
        <NumberField label="timed runs" testId="prefill-runs" value={form.runs} min={1} max={100} onChange={(v) => set({ runs: v })} />
        <label>
          provider
          <select data-testid="prefill-provider" value={form.provider} onChange={(e) => set({ provider: e.target.value as PrefillProvider })}>
            {(['auto', 'cpu', 'webgpu', 'cuda'] as const).map((p) => <option key={p} value={p}>{p}</option>)}
          </select>
        </label>
        <label title="pinned A and live B, or OmniZip and the uniform and random baselines, as set in Compare">
          <input type="checkbox" data-testid="prefill-include-compare" checked={form.includeCompare} disabled={compareMode === 'off'} onChange={(e) => set({ includeCompare: e.target.checked })} /> also the Compare settings
        </label>
        <button data-testid="prefill-run" disabled={!canRun} onClick={() => void runPrefill()}>Run prefill</button>
        <button data-testid="prefill-cancel" disabled={job === null || job.cancelling} onClick={() => void cancelPrefill()}>Cancel</button>
      </div>
      {fastvSettings.length > 0 && (
        <FastvDecoderPicker
          layer={fastvSettings[0].config.fastv_layer}
          slot="prefill"
          demoLabel={form.modelKind === 'demo' ? 'the demo decoder being measured' : 'the demo decoder'}
          demo={form.modelKind === 'demo' ? { hiddenSize: form.demoHiddenSize, numLayers: form.demoLayers } : undefined}
        />
      )}
      {job && (
        <div className="progress" data-testid="prefill-progress">
          <progress max={1} value={job.fraction} data-testid="prefill-progress-bar" />
          <span data-testid="prefill-stage">{(100 * job.fraction).toFixed(0)}% · {job.stage}</span>
        </div>
      )}
      {outcome && !job && (
        <p className={`status ${outcome.kind}`} data-testid="prefill-status" data-outcome={outcome.kind} role={outcome.kind === 'failed' ? 'alert' : undefined}>
          {outcome.text}
        </p>
      )}
      {results.length === 0 ? (
        <p className="empty">
          Runs the decoder&apos;s prefill on the full sequence and on the compressed one, off the UI thread (memory in a separate process per sequence). The demo decoder has random
          weights: its speed and memory scale like a real model&apos;s, its fidelity numbers say nothing about accuracy. Results are kept here, one block per run.
        </p>
      ) : (
        <>
          <ResultsTable entries={results} />
          <div className="toolbar">
            <button data-testid="prefill-export-json" onClick={() => void exportPrefill('json')}>Export JSON</button>
            <button data-testid="prefill-export-csv" onClick={() => void exportPrefill('csv')}>Export CSV</button>
            <button data-testid="prefill-clear" disabled={job !== null} onClick={clearPrefillResults}>Clear results</button>
          </div>
          <PrefillChart entries={results} />
        </>
      )}
    </section>
  );
});
