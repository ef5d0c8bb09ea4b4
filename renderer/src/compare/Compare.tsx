import { CONFIG_KEYS, PRESETS, type OmniZipConfig } from '../../../core/config/schema.js';
import { methodDescriptors } from '../../../core/methods/registry.js';
import { type DeltaRow, type PlanComparison } from '../../../core/studio/compare.js';
import { compareMany, type LabelledPlan, type MethodRow } from '../../../core/studio/compare-many.js';
import { agreementHeatmap } from './agreement-chart.js';
import { PlotlyChart } from '../plot/PlotlyChart.js';
import { dataCache } from '../data-cache.js';
import { useComparison, usePlan, withSettledConfig } from '../hooks.js';
import { useStudio, useStudioPick, type CompareMode } from '../store/index.js';
import { useMemo, type ReactNode } from 'react';
import { change } from '../parameters/Parameters.js';
import { cancelFastvScores, useFastv } from './fastv-decoder.js';
import { FastvDecoderPicker } from './FastvDecoderPicker.js';

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

const BASELINES = methodDescriptors().filter((m) => m.id !== 'omnizip');
const pct = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(1)}%`);

/** One row per metric, one column per method (OmniZip first): the delta table for many methods. */
const METHOD_METRICS: [string, (r: MethodRow) => string][] = [
  ['audio kept', (r) => String(r.audioKept)],
  ['video kept', (r) => String(r.videoKept)],
  ['sequence kept', (r) => String(r.sequenceKept)],
  ['video discard: target → realised', (r) => `${pct(r.videoTarget)} → ${pct(r.videoRealised)}`],
  ['sequence discard: target → realised', (r) => `${pct(r.sequenceTarget)} → ${pct(r.sequenceRealised)}`],
  ['tokens kept only by this method', (r) => String(r.onlyThis)],
  ['agreement with OmniZip (Jaccard)', (r) => r.agreementWithFirst.toFixed(3)],
  ['ties decided (lower index kept)', (r) => (r.tiesDecided === null ? '—' : String(r.tiesDecided))],
  // The paper's Appendix C formula for the clip's LLM; a FastV plan runs its first K layers over every token.
  ['FLOPs saved (FastV: K layers unpruned)', (r) => pct(r.flopsSaved)],
  ['plan time (ms)', (r) => r.planMs.toFixed(1)],
];

/** A column is a planned method's row, or what its plan is waiting for (FastV's decoder run) or why it has none. */
type MethodColumn = { label: string; row: MethodRow } | { label: string; status: ReactNode };

function MethodsTable({ columns }: { columns: MethodColumn[] }) {
  // Six methods do not fit a narrow column: the table scrolls sideways instead of being cut off.
  return (
    <div className="table-scroll">
      <table className="delta" data-testid="baseline-table">
        <thead><tr><th />{columns.map((c) => <th key={c.label}>{c.label}</th>)}</tr></thead>
        <tbody>
          {METHOD_METRICS.map(([label, cell], k) => (
            <tr key={label} data-row={label}>
              <td>{label}</td>
              {columns.map((c) =>
                'row' in c ? (
                  <td key={c.label}>{cell(c.row)}</td>
                ) : k === 0 ? (
                  <td key={c.label} rowSpan={METHOD_METRICS.length} className="pending" data-testid={`baseline-status-${c.label}`}>{c.status}</td>
                ) : null,
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** FastV's column while its decoder runs: progress and a cancel. */
function FastvProgress() {
  const job = useFastv((s) => s.job);
  if (!job) return <>planning…</>;
  return (
    <span data-testid="fastv-progress">
      computing layer-K attention… {(100 * job.fraction).toFixed(0)}% <small>{job.stage}</small>{' '}
      <button data-testid="fastv-cancel" disabled={job.cancelling} onClick={() => void cancelFastvScores()}>cancel</button>
    </span>
  );
}

/** OmniZip and every selected baseline at once: table, same-budget statement, disagreement heatmap. */
function ManyMethods() {
  const { clip, planSeq: seq, compareMethods: methods, baselinePlanKeys: keys, baselineErrors: errors } = useStudioPick('clip', 'planSeq', 'compareMethods', 'baselinePlanKeys', 'baselineErrors');
  const plan = usePlan();
  const plans = useMemo((): LabelledPlan[] => {
    if (!plan) return [];
    const out: LabelledPlan[] = [{ label: 'OmniZip', plan }];
    for (const id of methods) {
      const p = dataCache.getPlan(keys[id] ?? null);
      if (p && p.clipId === plan.clipId) out.push({ label: id, plan: p });
    }
    return out;
  }, [plan, methods, keys]);
  const many = useMemo(() => (plans.length > 0 ? compareMany(plans) : null), [plans]);
  const chart = useMemo(() => (clip && many && plans.length > 1 ? agreementHeatmap(clip, plans, many) : null), [clip, plans, many]);
  const fastvRunning = useFastv((s) => s.job !== null && s.job.key.startsWith(`${plan?.clipId ?? ''}|`));
  if (!plan || !many) return null;
  const columns: MethodColumn[] = [{ label: 'OmniZip', row: many.rows[0] }];
  for (const id of methods) {
    const row = many.rows.find((r) => r.label === id);
    if (id === 'fastv' && fastvRunning) columns.push({ label: id, status: <FastvProgress /> });
    else if (errors[id]) columns.push({ label: id, status: <span className="error">unavailable</span> });
    else if (row) columns.push({ label: id, row });
    else columns.push({ label: id, status: 'planning…' });
  }
  return (
    <>
      <p className="readout" data-testid="same-budget">
        {many.sameCounts
          ? `Same budget: every method keeps exactly ${many.rows[0].audioKept} audio and ${many.rows[0].videoKept} video tokens, the counts OmniZip realises for this setting (baseline_budget: match).`
          : 'Counts differ: some baselines run at their own budget (baseline_budget: native) or could not reach OmniZip\'s counts (see their notes).'}
      </p>
      {Object.entries(errors).map(([id, msg]) => (
        <p key={id} className="error" data-testid={`baseline-error-${id}`}>{id} unavailable: {msg}</p>
      ))}
      <MethodsTable columns={columns} />
      {chart && (
        <>
          <h3>Where the methods disagree <small>share of each time bin's tokens (audio and video) a method decides against the majority; top row: tokens not every method decides the same way</small></h3>
          <PlotlyChart id="agreement" title="Method disagreement" data={chart.data} layout={chart.layout} seq={seq} height={120 + 28 * plans.length} />
        </>
      )}
    </>
  );
}

export const Compare = withSettledConfig(function CompareView({ config }: { config: OmniZipConfig }) {
  const { compareMode: mode, baseline, pinnedConfig: pinned, compareMethods: methods, baselineErrors: errors } = useStudioPick('compareMode', 'baseline', 'pinnedConfig', 'compareMethods', 'baselineErrors');
  const comparison = useComparison();
  const setMode = (m: CompareMode) => useStudio.getState().setCompareMode(m);
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
        <>
          <div className="toolbar" data-testid="compare-methods">
            <span>compare OmniZip with</span>
            {BASELINES.map((m) => (
              <label key={m.id} title={`${m.paper}. Needs: ${m.inputs.join(', ')}. Knobs: ${m.knobs.join(', ')}`}>
                <input type="checkbox" data-testid={`compare-method-${m.id}`} checked={methods.includes(m.id)} onChange={() => useStudio.getState().toggleCompareMethod(m.id)} /> {m.label}
              </label>
            ))}
          </div>
          {methods.includes('fastv') && <FastvDecoderPicker layer={config.fastv_layer} slot="compare" demoLabel="demo decoder" />}
          <div className="toolbar">
            <span>overlay diff on the timeline and frames against</span>
            {methods.filter((id) => !errors[id]).map((b) => (
              <label key={b}><input type="radio" name="baseline" data-testid={`baseline-${b}`} checked={baseline === b} onChange={() => useStudio.getState().setBaseline(b)} /> {b}</label>
            ))}
          </div>
        </>
      )}
      {mode === 'off' && <p className="empty">Pin a setting as A and move the sliders (B), or compare OmniZip with the paper's baselines (uniform, random, DyCoke, FastV, VisionZip), each keeping exactly OmniZip's realised token counts. Diffs are overlaid on the timeline and the frames.</p>}
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
      {mode === 'baselines' && <ManyMethods />}
    </section>
  );
});
