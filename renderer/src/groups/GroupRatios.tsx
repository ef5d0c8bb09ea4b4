import { useMemo, useRef } from 'react';
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
  const labelKey = plan ? groupLabels(plan).join(',') : '';
  const hoverTargets = useMemo(() => groupStaticTraces(labelKey ? labelKey.split(',') : []), [labelKey]);
  const hovered = clip && plan && hoverTime !== null ? groupAt(clip, plan.groups, hoverTime) : -1;
  const selected = clip && plan ? groupAt(clip, plan.groups, selectedTime) : -1;
  // The layout is rebuilt only when the axes' inputs change (grouping, ratio clamps), not per replan.
  const shownFrame = useRef<GroupFrame | null>(null);
  if (plan) shownFrame.current = steadyFrame(groupFrame(plan), shownFrame.current);
  const frameKey = plan && shownFrame.current ? JSON.stringify(shownFrame.current) : '';
  // The timeline's zoom (linked range) narrows the chart to the groups in view.
  const inView = clip && plan && viewRange ? groupsInView(clip, plan.groups, viewRange) : null;
  const inViewKey = inView ? inView.join('-') : '';
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
      <table className="group-table" data-testid="group-table">
        <thead><tr><th>group</th><th>audio</th><th>video</th><th>S</th><th>r0</th><th>final</th><th>kept</th><th>pinned</th></tr></thead>
        <tbody>
          {plan.groups.map((g, i) => (
            <tr key={i} className={i === hovered ? 'hovered' : i === selected ? 'selected' : ''}>
              <td>g{i}{g.guided ? '' : ' (tail)'}</td>
              <td>{g.audio_range ? `${g.audio_range[0]}–${g.audio_range[1]}` : '—'}</td>
              <td>{g.video_range ? `${g.video_range[0]}–${g.video_range[1]}` : '—'}</td>
              <td>{g.audio_retention?.toFixed(3) ?? '—'}</td>
              <td>{g.ratio_initial?.toFixed(3) ?? '—'}</td>
              <td data-testid={`group-final-${i}`}>{g.ratio_final?.toFixed(3) ?? 'whole'}</td>
              <td>{g.video_kept}</td>
              <td>{g.pinned ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
