import { useMemo } from 'react';
import { dataCache } from '../data-cache.js';
import { useComparison, usePlan } from '../hooks.js';
import { PlotlyChart } from '../plot/PlotlyChart.js';
import { useStudio } from '../store/index.js';
import { timelineLayout, timelinePlanTraces, timelineStaticTraces } from '../charts/timeline.js';

export function Timeline() {
  const clip = useStudio((s) => s.clip);
  const seq = useStudio((s) => s.planSeq);
  const hoverTime = useStudio((s) => s.hoverTime);
  const selectedTime = useStudio((s) => s.selectedTime);
  const plan = usePlan();
  const comparison = useComparison();
  const fixed = useMemo(() => (clip ? timelineStaticTraces(clip, dataCache.getClipData(clip.clipId)) : []), [clip]);
  const data = useMemo(
    () => (clip && plan ? [...fixed, ...timelinePlanTraces(clip, dataCache.getClipData(clip.clipId), plan, comparison ? { audioDiff: comparison.result.audio.diff, labelA: comparison.labelA, labelB: comparison.labelB } : null)] : []),
    [clip, plan, comparison, fixed],
  );
  const layout = useMemo(() => (clip && plan ? timelineLayout(clip, plan, hoverTime, selectedTime) : {}), [clip, plan, hoverTime, selectedTime]);
  if (!clip || !plan) return <section className="view" data-testid="view-timeline"><h2>Timeline</h2><p className="empty">No clip open.</p></section>;
  return (
    <section className="view" data-testid="view-timeline">
      <h2>Timeline <small>audio importance and each audio token's fate; dotted lines are time-group boundaries; drag to zoom, double-click to reset</small></h2>
      <PlotlyChart
        id="timeline"
        title="Timeline"
        data={data}
        layout={layout}
        seq={seq}
        height={340}
        onHover={(e) => {
          const x = e.points?.[0]?.x;
          if (typeof x === 'number') useStudio.getState().setHoverTime(x);
        }}
        onUnhover={() => useStudio.getState().setHoverTime(null)}
        onClick={(e) => {
          const x = e.points?.[0]?.x;
          if (typeof x === 'number') useStudio.getState().setSelectedTime(x);
        }}
      />
    </section>
  );
}
