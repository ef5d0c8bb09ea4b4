import { useMemo, useState } from 'react';
import { selectConfig, selectTrial } from './sweeps-actions.js';
import { useSweeps } from './sweeps-store.js';
import { usePicked } from '../store/pick.js';
import { formatValue, metricIndex, tableOrder } from './geometry.js';
import { useBrushMask } from './ParetoPlot.js';

const ROW = 24;
const VISIBLE = 14;

/** Configs (brushed ones) sorted by their worst clip for one objective, with each clip's value; virtualised. */
export function ClipTable() {
  const { view, selectedConfig: selected } = usePicked(useSweeps, ['view', 'selectedConfig']);
  const mask = useBrushMask();
  const [objective, setObjective] = useState<string | null>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const obj = objective && view?.metrics.some((m) => m.id === objective) ? objective : view?.objectives[0]?.id ?? null;
  const order = useMemo(() => (view && obj ? tableOrder(view, obj, mask) : new Int32Array()), [view, obj, mask]);
  if (!view || !obj) return null;
  const k = metricIndex(view, obj);
  const clips = view.clips.length;
  const trialRow = new Map<number, number>();
  for (let r = 0; r < view.trials.trial.length; r++) trialRow.set(view.trials.trial[r], r);
  const first = Math.max(0, Math.floor(scrollTop / ROW) - 2);
  const last = Math.min(order.length, first + VISIBLE + 6);
  const columns = `60px ${view.params.map(() => '90px').join(' ')} 100px 100px ${view.clips.map(() => '110px').join(' ')}`;
  const rows = [];
  for (let r = first; r < last; r++) {
    const i = order[r];
    rows.push(
      <div
        key={i}
        className={`sweep-row${selected === i ? ' selected' : ''}`}
        style={{ top: r * ROW, gridTemplateColumns: columns }}
        data-testid="sweep-table-row"
        data-config={i}
        onClick={() => void selectConfig(i)}
      >
        <span>{r + 1}</span>
        {view.params.map((p, pk) => (
          <span key={p.key}>{p.categorical ? p.labels[view.configs.params[pk][i]] : formatValue(view.configs.params[pk][i])}</span>
        ))}
        <span className="worst">{formatValue(view.configs.worst[k][i])}</span>
        <span>{formatValue(view.configs.mean[k][i])}</span>
        {view.clips.map((c, ci) => {
          const trial = view.configs.trialOf[i * clips + ci];
          const row = trialRow.get(trial);
          return (
            <button
              key={c.path}
              className="sweep-cell"
              data-testid="sweep-clip-cell"
              disabled={trial < 0}
              title={trial >= 0 ? `trial ${trial}: load ${c.name} with this config` : 'not run yet'}
              onClick={(e) => {
                e.stopPropagation();
                useSweeps.getState().set({ selectedConfig: i });
                void selectTrial(trial);
              }}
            >
              {row === undefined ? '—' : formatValue(view.trials.metrics[k][row])}
            </button>
          );
        })}
      </div>,
    );
  }
  return (
    <div className="sweep-table" data-testid="sweep-table" data-rows={order.length}>
      <div className="sweep-table-bar">
        Per-clip table, sorted by worst case of{' '}
        <select data-testid="sweep-table-objective" value={obj} onChange={(e) => setObjective(e.target.value)}>
          {view.metrics.map((m) => (
            <option key={m.id} value={m.id}>{m.label}</option>
          ))}
        </select>{' '}
        ({view.metrics[k].direction === 'minimize' ? 'lowest' : 'highest'} first) · {order.length} configs · click a row for its worst clip, a cell for that clip
      </div>
      <div className="sweep-row header" style={{ gridTemplateColumns: columns }}>
        <span>#</span>
        {view.params.map((p) => <span key={p.key}>{p.key}</span>)}
        <span>worst</span>
        <span>mean</span>
        {view.clips.map((c) => <span key={c.path} title={c.path}>{c.name}</span>)}
      </div>
      <div className="sweep-table-body" style={{ height: VISIBLE * ROW }} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
        <div style={{ height: order.length * ROW, position: 'relative' }}>{rows}</div>
      </div>
    </div>
  );
}
