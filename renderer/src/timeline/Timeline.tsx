import { useMemo, useRef, useState } from 'react';
import { AUDIO_ANCHOR, AUDIO_DOMINANT, AUDIO_DROPPED, AUDIO_MERGED } from '../../../core/planner/types.js';
import type { ClipSummary, PlanView } from '../../../core/protocol/contract.js';
import { dataCache, type ClipData } from '../data-cache.js';
import { useComparison, usePlan } from '../hooks.js';
import { PlotlyChart } from '../plot/PlotlyChart.js';
import { useStudio, useStudioPick } from '../store/index.js';
import { TokenInspector } from '../compare/TokenInspector.js';
import { firstPatchInView, relayoutXRange } from './linked-range.js';
import { patchStart } from '../plan-time.js';
import { CURVE_STYLE, FATE_STYLE, correlationLabels, sameAudioOutcome, timelineAudioTraces, timelineLayout, timelineStaticTraces, timelineVideoTraces } from './traces.js';

const FATE_NAME: Record<number, string> = {
  [AUDIO_DOMINANT]: FATE_STYLE[AUDIO_DOMINANT].name,
  [AUDIO_ANCHOR]: FATE_STYLE[AUDIO_ANCHOR].name,
  [AUDIO_MERGED]: FATE_STYLE[AUDIO_MERGED].name,
  [AUDIO_DROPPED]: FATE_STYLE[AUDIO_DROPPED].name,
};

/** What sits under the pointer: the audio token at that time, its fate and its three raw scores. */
function tokenReadout(clip: ClipSummary, data: ClipData | undefined, plan: PlanView, seconds: number): string {
  if (clip.numAudio === 0 || clip.audioTokensPerSecond <= 0) return `t=${seconds.toFixed(2)} s`;
  const i = Math.min(clip.numAudio - 1, Math.max(0, Math.floor(seconds * clip.audioTokensPerSecond)));
  const fate = plan.audioFate[i];
  const into = fate === AUDIO_MERGED && plan.audioMergedInto[i] >= 0 ? ` into anchor #${plan.audioMergedInto[i]}` : '';
  const raw = (a: Float32Array | null | undefined) => (a && i < a.length ? a[i].toPrecision(4) : '—');
  return `t=${seconds.toFixed(2)} s · audio token #${i}: ${FATE_NAME[fate] ?? '?'}${into} · attention ${raw(data?.curves.attention)} · token energy ${raw(data?.curves.tokenEnergy)} · waveform RMS ${raw(data?.curves.waveformRms)}`;
}

export function Timeline() {
  // clipDataSeq: the clip's data was fetched again (the speech curve, after the open): read it anew.
  const { clip, planSeq: seq, hoverTime, selectedTime, viewRange } = useStudioPick('clip', 'planSeq', 'hoverTime', 'selectedTime', 'viewRange', 'clipDataSeq');
  const plan = usePlan();
  const comparison = useComparison();
  const [readout, setReadout] = useState('');
  const data = clip ? dataCache.getClipData(clip.clipId) : undefined;
  const rankedBy = plan?.audioScoreSource ?? 'attention';
  // Plotly only redraws when the clip or the ranked curve changes; replans repaint the canvas.
  const fixed = useMemo(() => (clip ? timelineStaticTraces(clip, data, rankedBy) : []), [clip, data, rankedBy]);
  // The audio traces stay the same objects while a replan keeps every audio fate (a video slider),
  // so the overlay repaints only the video part (plot/overlay.ts reuses the unchanged prefix).
  const audioPlan = useRef<PlanView | undefined>(undefined);
  if (plan && (!audioPlan.current || !sameAudioOutcome(audioPlan.current, plan))) audioPlan.current = plan;
  const audioSource = plan ? audioPlan.current : undefined;
  const audioTraces = useMemo(
    () => (clip && audioSource ? timelineAudioTraces(clip, data, audioSource, comparison ? { audioDiff: comparison.result.audio.diff, labelA: comparison.labelA, labelB: comparison.labelB } : null) : []),
    [clip, data, audioSource, comparison],
  );
  const overlay = useMemo(() => (clip && plan ? [...audioTraces, ...timelineVideoTraces(clip, plan)] : []), [clip, plan, audioTraces]);
  // Only the group boundaries in the layout depend on the plan: key the layout on them, so a replan
  // that keeps the grouping does not make plotly redraw.
  const boundaryKey = plan ? plan.groups.map((g) => `${g.audio_range?.join('-')}/${g.video_range?.join('-')}`).join(',') : '';
  const planForLayout = useRef(plan);
  planForLayout.current = plan;
  const layout = useMemo(
    () => (clip && planForLayout.current ? timelineLayout(clip, planForLayout.current, hoverTime, selectedTime, viewRange) : {}),
    [clip, boundaryKey, hoverTime, selectedTime, viewRange],
  );
  const correlations = useMemo(() => correlationLabels(data), [data]);
  if (!clip || !plan) return <section className="view" data-testid="view-timeline"><h2>Timeline</h2><p className="empty">No clip open.</p></section>;
  const requested = String(plan.config.audio_score ?? 'attention');
  return (
    <section className="view" data-testid="view-timeline">
      <h2>Timeline <small>audio curves (each ÷ its own max) and each audio token's fate; dotted lines are time-group boundaries; drag to zoom, double-click to reset</small></h2>
      <div className="correlations" data-testid="correlations">
        {clip.numAudio > 0 ? (
          <span className="ranked-by" data-testid="ranked-by" data-source={plan.audioScoreSource}>
            audio top-k ranked by: <b>{CURVE_STYLE[plan.audioScoreSource].short}</b>
            {requested !== plan.audioScoreSource ? ` (requested ${requested}, unavailable)` : ''}
          </span>
        ) : (
          // A video-only clip ranks nothing; naming a score source would suggest it did.
          <span className="ranked-by" data-testid="ranked-by" data-source="none">no audio track: nothing to rank</span>
        )}
        {correlations.map((c) => <span key={c.key} data-testid={`corr-${c.key}`} data-r={c.r}>{c.text}</span>)}
      </div>
      <PlotlyChart
        id="timeline"
        title="Timeline"
        data={fixed}
        overlay={overlay}
        layout={layout}
        seq={seq}
        height={340}
        onHover={(e) => {
          const x = e.points?.[0]?.x;
          if (typeof x !== 'number') return;
          useStudio.getState().setHoverTime(x);
          setReadout(tokenReadout(clip, data, plan, x));
        }}
        onUnhover={() => useStudio.getState().setHoverTime(null)}
        onClick={(e) => {
          const x = e.points?.[0]?.x;
          if (typeof x === 'number') useStudio.getState().setSelectedTime(x);
        }}
        onRelayout={(e) => {
          // A zoom (or pan) of the time axis is the linked range: Groups zoom to it, Frames moves to
          // its first patch. A reset shows the whole clip again and leaves the selection alone.
          const zoom = relayoutXRange(e);
          if (zoom === undefined) return;
          // A double-click resets to the layout's range (the whole clip): that is no zoom.
          const range = zoom && (zoom[0] > 0 || zoom[1] < clip.durationS) ? zoom : null;
          const store = useStudio.getState();
          store.setViewRange(range);
          if (range) store.setSelectedTime(patchStart(clip, firstPatchInView(clip, range)) + clip.secondsPerPatch / 2);
        }}
      />
      <div className="readout" data-testid="timeline-readout">{readout || 'hover a curve for the audio token under the pointer: its fate and its three raw scores'}</div>
      <TokenInspector />
    </section>
  );
}
