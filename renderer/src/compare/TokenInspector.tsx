/**
 * Why was this token kept: the audio token under the hovered (or selected) time and one video
 * token of the patch there, with the facts the planner decided them on. Exact-tie decisions are
 * flagged (the lower index won).
 */
import { useState } from 'react';
import { explainAudio, explainVideo } from '../../../core/studio/why-kept.js';
import { patchAt } from '../plan-time.js';
import { usePlan } from '../hooks.js';
import { useStudioPick } from '../store/index.js';

const num = (x: number | null, digits = 4) => (x === null ? '—' : x.toPrecision(digits));

export function TokenInspector() {
  const { clip, hoverTime, selectedTime } = useStudioPick('clip', 'hoverTime', 'selectedTime');
  const plan = usePlan();
  const [offset, setOffset] = useState(0);
  if (!clip || !plan) return null;
  const t = hoverTime ?? selectedTime;
  const numAudio = plan.audioFate.length;
  const audioIndex = numAudio > 0 ? Math.max(0, Math.min(numAudio - 1, Math.floor(t * clip.audioTokensPerSecond))) : -1;
  const tpf = clip.gridRows * clip.gridCols;
  const patch = patchAt(clip, t);
  const videoIndex = tpf > 0 ? Math.min(plan.videoKeep.length - 1, patch * tpf + Math.min(offset, tpf - 1)) : -1;
  const a = audioIndex >= 0 ? explainAudio(plan, audioIndex) : null;
  const v = videoIndex >= 0 ? explainVideo(plan, videoIndex, tpf) : null;
  return (
    <div className="readout token-why" data-testid="token-why">
      {a && (
        <div data-testid="why-audio">
          <b>audio #{a.index}</b> at {t.toFixed(2)} s: {a.fate}
          {a.rank !== null && <> · rank {a.rank}/{numAudio} by score {num(a.score)} (top-k cut {num(a.threshold)})</>}
          {a.mergedInto >= 0 && <> · merges into anchor #{a.mergedInto}</>}
          {a.merges.length > 0 && <> · absorbs {a.merges.map((m) => `#${m}`).join(', ')}</>}
          {a.tie && <b className="tie" data-testid="why-audio-tie"> · decided by an exact tie (lower index kept)</b>}
        </div>
      )}
      {v && (
        <div data-testid="why-video">
          <b>video #{v.index}</b> (patch {patch}, token{' '}
          <input type="number" min={0} max={tpf - 1} value={Math.min(offset, tpf - 1)} onChange={(e) => setOffset(Math.max(0, Number(e.target.value) || 0))} data-testid="why-video-token" style={{ width: '4em' }} />
          ): {v.kept ? 'kept' : 'dropped'}
          {v.keptWhole && <> · its group is kept whole</>}
          {v.mode && <> · {v.mode} frame {v.frame}, {v.mode === 'spatial' ? 'density-peak score' : 'similarity to the previous frame'} {num(v.score)} (frame cut {num(v.frameThreshold)}, {v.mode === 'spatial' ? 'higher kept' : 'lower kept'})</>}
          {!v.mode && v.score !== null && <> · ranking value {num(v.score)}</>}
          {v.groupRatio !== null && <> · group {v.group} discard ratio {v.groupRatio.toFixed(3)}</>}
          {v.tie && <b className="tie" data-testid="why-video-tie"> · decided by an exact tie (lower index kept)</b>}
        </div>
      )}
    </div>
  );
}
