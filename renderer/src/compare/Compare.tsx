import { CONFIG_KEYS, PRESETS, type OmniZipConfig } from '../../../core/config/schema.js';
import { comparePlans, type DeltaRow, type PlanComparison } from '../../../core/studio/compare.js';
import { dataCache } from '../data-cache.js';
import { useComparison, usePlan } from '../hooks.js';
import { useStudio, type Baseline, type CompareMode } from '../store/index.js';
import { change } from '../parameters/Parameters.js';

/** The delta table's rows plus the disagreement rows: tokens one side keeps and the other does not. */
export function deltaRows(result: PlanComparison): DeltaRow[] {
  const only = (label: string, d: PlanComparison['audio']): DeltaRow => ({ label, a: d.onlyA, b: d.onlyB, delta: d.onlyB - d.onlyA, format: 'count' });
  return [...result.rows, only('audio kept only by this side', result.audio), only('video kept only by this side', result.video)];
}

/** Keys where two configs differ, as "key a→b" (what separates A from B). */
export function configDifferences(a: OmniZipConfig, b: OmniZipConfig): string[] {
  return CONFIG_KEYS.filter((d) => a[d.key] !== b[d.key]).map((d) => `${d.key} ${JSON.stringify(a[d.key])}→${JSON.stringify(b[d.key])}`);
}

/** One click: A = the current config with every repair off, B = with the paper's repairs. */
export function compareOfficialWithPaper(): void {
  const official = PRESETS.find((p) => p.id === 'official');
  const paper = PRESETS.find((p) => p.id === 'paper');
  if (!official || !paper) return;
  const { config } = useStudio.getState();
  useStudio.getState().pin({ ...config, ...official.values });
  change({ ...paper.values });
}

function fmt(v: number | null, format: DeltaRow['format'], signed = false): string {
  if (v === null) return '—';
  const sign = signed && v > 0 ? '+' : '';
  if (format === 'percent') return `${sign}${(100 * v).toFixed(1)}${signed ? ' pp' : '%'}`;
  if (format === 'ratio') return `${sign}${v.toFixed(3)}`;
  return `${sign}${v}`;
}

function DeltaTable({ rows, labelA, labelB, testId }: { rows: DeltaRow[]; labelA: string; labelB: string; testId: string }) {
  return (
    <table className="delta" data-testid={testId}>
      <thead><tr><th /><th>{labelA}</th><th>{labelB}</th><th>Δ (B − A)</th></tr></thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.label} data-row={r.label}>
            <td>{r.label}</td><td>{fmt(r.a, r.format)}</td><td>{fmt(r.b, r.format)}</td>
            <td className={r.delta ? (r.delta > 0 ? 'up' : 'down') : ''}>{fmt(r.delta, r.format, true)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Compare() {
  const mode = useStudio((s) => s.compareMode);
  const baseline = useStudio((s) => s.baseline);
  const pinned = useStudio((s) => s.pinnedConfig);
  const config = useStudio((s) => s.config);
  const baselineKeys = useStudio((s) => s.baselinePlanKeys);
  const plan = usePlan();
  const comparison = useComparison();
  const setMode = (m: CompareMode) => useStudio.getState().setCompareMode(m);
  const uniform = dataCache.getPlan(baselineKeys.uniform ?? null);
  const random = dataCache.getPlan(baselineKeys.random ?? null);
  return (
    <section className="view" data-testid="view-compare">
      <h2>Compare</h2>
      <div className="toolbar" role="radiogroup" aria-label="compare mode">
        {([['off', 'Off'], ['pinned', 'Pinned A vs live B'], ['baselines', 'OmniZip vs baselines']] as const).map(([m, label]) => (
          <label key={m}><input type="radio" name="compare" data-testid={`compare-${m}`} checked={mode === m} onChange={() => setMode(m)} /> {label}</label>
        ))}
        <button data-testid="compare-official-paper" title="A = the current setting with every repair off (official code), B = with the repairs the paper describes" onClick={compareOfficialWithPaper}>Official vs paper</button>
      </div>
      {mode === 'pinned' && (
        <div className="toolbar">
          <button data-testid="pin-a" onClick={() => useStudio.getState().pin(useStudio.getState().config)}>Pin current setting as A</button>
          {pinned && <code data-testid="pinned-config">A: rho_audio {pinned.rho_audio}, rho_video {pinned.rho_video}, g {pinned.g}, {pinned.variant}, {pinned.method}</code>}
          {pinned && <span className="config-diff" data-testid="config-diff">A → B: {configDifferences(pinned, config).join(', ') || 'same config'}</span>}
        </div>
      )}
      {mode === 'baselines' && (
        <div className="toolbar">
          <span>overlay diff against</span>
          {(['uniform', 'random'] as Baseline[]).map((b) => (
            <label key={b}><input type="radio" name="baseline" data-testid={`baseline-${b}`} checked={baseline === b} onChange={() => useStudio.getState().setBaseline(b)} /> {b}</label>
          ))}
        </div>
      )}
      {mode === 'off' && <p className="empty">Pin a setting as A and move the sliders (B), or compare OmniZip with a uniform-ratio and a random baseline at the same budget. Diffs are overlaid on the timeline and the frames.</p>}
      {comparison && (
        <>
          <DeltaTable rows={deltaRows(comparison.result)} labelA={comparison.labelA} labelB={comparison.labelB} testId="delta-table" />
          <p className="diffsum" data-testid="diff-summary">
            video tokens kept only in {comparison.labelA}: <b>{comparison.result.video.onlyA}</b> · only in {comparison.labelB}: <b>{comparison.result.video.onlyB}</b> · both: {comparison.result.video.both};
            audio only in {comparison.labelA}: <b>{comparison.result.audio.onlyA}</b> · only in {comparison.labelB}: <b>{comparison.result.audio.onlyB}</b>
          </p>
          <details>
            <summary>per-group deltas</summary>
            <DeltaTable rows={comparison.result.groupRows} labelA={comparison.labelA} labelB={comparison.labelB} testId="group-delta-table" />
          </details>
        </>
      )}
      {mode === 'baselines' && plan && uniform && random && (
        <table className="delta" data-testid="baseline-table">
          <thead><tr><th /><th>OmniZip</th><th>uniform</th><th>random</th></tr></thead>
          <tbody>
            {comparePlans(plan, uniform).rows.map((r, i) => (
              <tr key={r.label}><td>{r.label}</td><td>{fmt(r.a, r.format)}</td><td>{fmt(r.b, r.format)}</td><td>{fmt(comparePlans(plan, random).rows[i].b, r.format)}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
