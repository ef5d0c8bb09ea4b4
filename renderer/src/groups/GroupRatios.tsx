import { memo, useEffect, useMemo, useRef, useState, type ReactElement } from 'react';
import type { PlanView } from '../../../core/protocol/contract.js';
import { visibleRange, windowIndices } from '../windowing.js';
import { groupFrame, groupLabels, groupLayout, groupStaticTraces, groupTraces, normalisationSummary, steadyFrame, type GroupFrame } from './traces.js';
import { groupAt, groupSpan } from '../plan-time.js';
import { useComparison, usePlan } from '../hooks.js';
import { groupsInView } from '../timeline/linked-range.js';
import { PlotlyChart } from '../plot/PlotlyChart.js';
import { useStudio, useStudioPick } from '../store/index.js';

export function GroupRatios() {
  const { clip, planSeq: seq, hoverTime, selectedTime, viewRange } = useStudioPick('clip', 'planSeq', 'hoverTime', 'selectedTime', 'viewRange');
  const plan = usePlan();
  const comparison = useComparison();
  const data = useMemo(() => {
    if (!clip || !plan) return [];
    const other = comparison ? (comparison.a === plan ? comparison.b : comparison.a) : null;
    const label = comparison ? (comparison.a === plan ? comparison.labelB : comparison.labelA) : '';
    return groupTraces(clip, plan, other ? plan.groups.map((_, i) => other.groups[i]?.ratio_final ?? null) : null, label);
  }, [clip, plan, comparison]);
  // Hover and selection re-render this view on every pointer move: what depends only on the plan
  // (labels, the axes' frame) or on the zoom is computed when those change, not per move.
  const labelKey = useMemo(() => (plan ? groupLabels(plan).join(',') : ''), [plan]);
  const hoverTargets = useMemo(() => groupStaticTraces(labelKey ? labelKey.split(',') : []), [labelKey]);
  const hovered = clip && plan && hoverTime !== null ? groupAt(clip, plan.groups, hoverTime) : -1;
  const selected = clip && plan ? groupAt(clip, plan.groups, selectedTime) : -1;
  // The layout is rebuilt only when the axes' inputs change (grouping, ratio clamps), not per replan.
  const shownFrame = useRef<GroupFrame | null>(null);
  const frameKey = useMemo(() => {
    if (plan) shownFrame.current = steadyFrame(groupFrame(plan), shownFrame.current);
    return plan && shownFrame.current ? JSON.stringify(shownFrame.current) : '';
  }, [plan]);
  // The timeline's zoom (linked range) narrows the chart to the groups in view.
  const inViewKey = useMemo(() => {
    const inView = clip && plan && viewRange ? groupsInView(clip, plan.groups, viewRange) : null;
    return inView ? inView.join('-') : '';
  }, [clip, plan, viewRange]);
  const layout = useMemo(
    () => (frameKey ? groupLayout(JSON.parse(frameKey) as GroupFrame, hovered, selected, inViewKey ? (inViewKey.split('-').map(Number) as [number, number]) : null) : {}),
    [frameKey, hovered, selected, inViewKey],
  );
  if (!clip || !plan) return <section className="view" data-testid="view-groups"><h2>Group ratios</h2><p className="empty">No clip open.</p></section>;
  const pickGroup = (label: unknown) => {
    const index = typeof label === 'string' ? Number(label.replace(/^g(\d+)\*?$/, '$1')) : -1;
    const span = Number.isInteger(index) && index >= 0 && index < plan.groups.length ? groupSpan(clip, plan.groups[index]) : null;
    return { index, span };
  };
  return (
    <section className="view" data-testid="view-groups">
      <h2>Group ratios <small>video discard ratio per time group through budget normalisation (rho values are DISCARD ratios)</small></h2>
      <div className="readout" data-testid="normalisation-summary">{normalisationSummary(plan)}</div>
      <PlotlyChart
        id="groups"
        title="Group ratios"
        data={hoverTargets}
        overlay={data}
        layout={layout}
        exportTitle={normalisationSummary(plan)}
        seq={seq}
        height={330}
        onHover={(e) => {
          const { span } = pickGroup(e.points?.[0]?.x);
          if (span) useStudio.getState().setHoverTime((span[0] + span[1]) / 2);
        }}
        onUnhover={() => useStudio.getState().setHoverTime(null)}
        onClick={(e) => {
          const { span } = pickGroup(e.points?.[0]?.x);
          if (span) useStudio.getState().setSelectedTime(span[0]);
        }}
      />
      <GroupTable groups={plan.groups} hovered={hovered} selected={selected} />
    </section>
  );
}

type Group = PlanView['groups'][number];

/** Row height in px (styles.css `.group-table tbody tr`): the window's arithmetic depends on it. */
const ROW_HEIGHT = 16;
/** Tables up to this many groups render every row (a 60-s clip has 30); longer ones are windowed. */
const WINDOW_FROM = 64;

const GroupRow = memo(function GroupRow({ g, i, hovered, selected }: { g: Group; i: number; hovered: boolean; selected: boolean }) {
  return (
    <tr className={hovered ? 'hovered' : selected ? 'selected' : ''}>
      <td>g{i}{g.guided ? '' : ' (tail)'}</td>
      <td>{g.audio_range ? `${g.audio_range[0]}–${g.audio_range[1]}` : '—'}</td>
      <td>{g.video_range ? `${g.video_range[0]}–${g.video_range[1]}` : '—'}</td>
      <td>{g.audio_retention?.toFixed(3) ?? '—'}</td>
      <td>{g.ratio_initial?.toFixed(3) ?? '—'}</td>
      <td data-testid={`group-final-${i}`}>{g.ratio_final?.toFixed(3) ?? 'whole'}</td>
      <td>{g.video_kept}</td>
      <td>{g.pinned ?? ''}</td>
    </tr>
  );
}, (a, b) => a.i === b.i && a.hovered === b.hovered && a.selected === b.selected && sameGroupRow(a.g, b.g));

/** Whether two plans' group rows read the same (a replan rebuilds every group object). */
function sameGroupRow(a: Group, b: Group): boolean {
  return (
    a === b ||
    (a.guided === b.guided &&
      a.audio_range?.[0] === b.audio_range?.[0] &&
      a.audio_range?.[1] === b.audio_range?.[1] &&
      a.video_range?.[0] === b.video_range?.[0] &&
      a.video_range?.[1] === b.video_range?.[1] &&
      a.audio_retention === b.audio_retention &&
      a.ratio_initial === b.ratio_initial &&
      a.ratio_final === b.ratio_final &&
      a.video_kept === b.video_kept &&
      a.pinned === b.pinned)
  );
}

/**
 * The per-group numbers. A long clip's 150 rows are windowed to the ones in the table's scroll
 * view (spacer rows keep the scroll height), and a row re-renders only when its numbers change.
 */
function GroupTable({ groups, hovered, selected }: { groups: Group[]; hovered: number; selected: number }) {
  const table = useRef<HTMLTableElement>(null);
  const [view, setView] = useState({ scroll: 0, height: 150 });
  const windowed = groups.length >= WINDOW_FROM;
  useEffect(() => {
    const el = table.current;
    if (!el || !windowed) return;
    const update = () => setView((v) => (v.scroll === el.scrollTop && v.height === el.clientHeight ? v : { scroll: el.scrollTop, height: el.clientHeight }));
    update();
    el.addEventListener('scroll', update, { passive: true });
    return () => el.removeEventListener('scroll', update);
  }, [windowed]);
  const range = windowed ? visibleRange(groups.length, ROW_HEIGHT, view.scroll, view.height) : ([0, groups.length] as [number, number]);
  const rows = windowIndices(range, windowed ? [hovered, selected] : [], groups.length);
  const out: ReactElement[] = [];
  let next = 0;
  for (const i of rows) {
    if (i > next) out.push(<tr key={`gap-${next}`} className="spacer" style={{ height: (i - next) * ROW_HEIGHT }}><td colSpan={8} /></tr>);
    out.push(<GroupRow key={i} g={groups[i]} i={i} hovered={i === hovered} selected={i === selected} />);
    next = i + 1;
  }
  if (next < groups.length) out.push(<tr key={`gap-${next}`} className="spacer" style={{ height: (groups.length - next) * ROW_HEIGHT }}><td colSpan={8} /></tr>);
  return (
    <table className="group-table" data-testid="group-table" ref={table}>
      <thead><tr><th>group</th><th>audio</th><th>video</th><th>S</th><th>r0</th><th>final</th><th>kept</th><th>pinned</th></tr></thead>
      <tbody>{out}</tbody>
    </table>
  );
}
