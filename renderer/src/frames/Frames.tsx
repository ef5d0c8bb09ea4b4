import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { frameImage } from '../actions.js';
import { frameLayout, frameLegend, frameTraces, hoverTargetTrace, patchKept, patchModes, tokenReadout } from './traces.js';
import { patchAt, patchStart } from '../plan-time.js';
import { dataCache } from '../data-cache.js';
import { useComparison, usePlan } from '../hooks.js';
import { PlotlyChart } from '../plot/PlotlyChart.js';
import { useStudio, useStudioPick } from '../store/index.js';
import type { ClipSummary, PlanView } from '../../../core/protocol/contract.js';
import { scrollToShow, visibleRange, windowIndices } from '../windowing.js';
import type { PlotMouseEvent } from '../plot/plotly.js';

const imageUrls = new Map<string, string>();

function rgbToDataUrl(rgb: Uint8Array, width: number, height: number): string {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  const img = ctx.createImageData(width, height);
  for (let i = 0, j = 0; i < width * height; i++, j += 3) {
    img.data[i * 4] = rgb[j];
    img.data[i * 4 + 1] = rgb[j + 1];
    img.data[i * 4 + 2] = rgb[j + 2];
    img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return canvas.toDataURL('image/png');
}

/** One thumbnail: the frame image when the bundle has one, else the patch's token grid. */
const Thumb = memo(function Thumb({ clip, plan, patch, active, hovered, left, width }: { clip: ClipSummary; plan: PlanView; patch: number; active: boolean; hovered: boolean; left: number; width: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const thumbs = dataCache.getThumbnails(clip.clipId);
  const index = patch * (clip.images?.perPatch ?? 1);
  const hasImage = thumbs !== undefined && index < thumbs.count;
  // An image thumbnail does not change with the plan: only token-grid thumbnails redraw on replans.
  const planDep = hasImage ? null : plan;
  useEffect(() => {
    const canvas = ref.current as HTMLCanvasElement;
    const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
    if (thumbs && hasImage) {
      canvas.width = thumbs.width;
      canvas.height = thumbs.height;
      const img = ctx.createImageData(thumbs.width, thumbs.height);
      const base = index * thumbs.width * thumbs.height * 3;
      for (let i = 0; i < thumbs.width * thumbs.height; i++) {
        img.data[i * 4] = thumbs.rgb[base + i * 3];
        img.data[i * 4 + 1] = thumbs.rgb[base + i * 3 + 1];
        img.data[i * 4 + 2] = thumbs.rgb[base + i * 3 + 2];
        img.data[i * 4 + 3] = 255;
      }
      ctx.putImageData(img, 0, 0);
    } else {
      if (!planDep) return;
      // One pixel per token, scaled up by CSS (pixelated): a replan rewrites a few hundred bytes
      // per thumbnail instead of issuing a fillRect per token.
      const w = Math.max(1, clip.gridCols);
      const h = Math.max(1, clip.gridRows);
      if (canvas.width !== w || canvas.height !== h) {
        canvas.width = w;
        canvas.height = h;
      }
      const img = ctx.createImageData(w, h);
      const basePos = patch * clip.tokensPerFrame;
      for (let i = 0; i < clip.gridRows * clip.gridCols; i++) {
        const kept = planDep.videoKeep[basePos + i] !== 0;
        img.data[i * 4] = kept ? 0x2a : 0xd9;
        img.data[i * 4 + 1] = kept ? 0x9d : 0xd9;
        img.data[i * 4 + 2] = kept ? 0x3a : 0xde;
        img.data[i * 4 + 3] = 255;
      }
      ctx.putImageData(img, 0, 0);
    }
  }, [clip, planDep, patch, thumbs, hasImage, index]);
  const { kept, total } = patchKept(clip, plan, patch);
  return (
    <button
      className={`thumb${active ? ' active' : ''}${hovered ? ' hovered' : ''}`}
      style={{ left }}
      title={`patch ${patch + 1}: ${kept}/${total} kept`}
      onClick={() => useStudio.getState().setSelectedTime(patchStart(clip, patch) + clip.secondsPerPatch / 2)}
      onMouseEnter={() => useStudio.getState().setHoverTime(patchStart(clip, patch) + clip.secondsPerPatch / 2)}
      onMouseLeave={() => useStudio.getState().setHoverTime(null)}
    >
      <canvas ref={ref} style={{ width }} />
      <span className="keepbar" style={{ width: `${total ? (100 * kept) / total : 0}%` }} />
    </button>
  );
});

/** Thumbnails are 40 px tall; their width follows the frame's (or the token grid's) aspect. */
const THUMB_HEIGHT = 40;
/** A thumbnail's padding and border on both sides, and the gap between two (styles.css `.thumb`). */
const THUMB_FRAME = 6;
const THUMB_GAP = 3;

function thumbCanvasWidth(clip: ClipSummary): number {
  const thumbs = dataCache.getThumbnails(clip.clipId);
  const [w, h] = thumbs && thumbs.count > 0 ? [thumbs.width, thumbs.height] : [clip.gridCols, clip.gridRows];
  return Math.max(1, Math.round((THUMB_HEIGHT * Math.max(1, w)) / Math.max(1, h)));
}

/**
 * The strip of patch thumbnails, windowed: only the thumbnails in (or near) the strip's view are
 * in the DOM, placed at their patch's offset on a track as wide as all of them. The active and the
 * hovered patch are always rendered, so the linked views can find them.
 */
function ThumbStrip({ clip, plan, patch, hoveredPatch }: { clip: ClipSummary; plan: PlanView; patch: number; hoveredPatch: number }) {
  const strip = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ scroll: 0, width: 1200 });
  const canvasWidth = thumbCanvasWidth(clip);
  const stride = canvasWidth + THUMB_FRAME + THUMB_GAP;
  const count = clip.temporalPatches;

  useEffect(() => {
    const el = strip.current as HTMLDivElement;
    const update = () => setView((v) => (v.scroll === el.scrollLeft && v.width === el.clientWidth ? v : { scroll: el.scrollLeft, width: el.clientWidth }));
    update();
    const observer = new ResizeObserver(update);
    observer.observe(el);
    el.addEventListener('scroll', update, { passive: true });
    return () => {
      observer.disconnect();
      el.removeEventListener('scroll', update);
    };
  }, []);

  // The strip follows the scrubber: scroll it (only it, not the page) to show the active patch.
  // A layout effect, so the thumbnails of the new position render before the frame is painted.
  useLayoutEffect(() => {
    const el = strip.current;
    if (!el) return;
    const target = scrollToShow(patch, stride, stride - THUMB_GAP, el.scrollLeft, el.clientWidth);
    if (target !== el.scrollLeft) {
      el.scrollLeft = target;
      setView({ scroll: el.scrollLeft, width: el.clientWidth });
    }
  }, [patch, clip, stride]);

  const shown = windowIndices(visibleRange(count, stride, view.scroll, view.width), [patch, hoveredPatch], count);
  return (
    <div className="thumbs" data-testid="thumb-strip" ref={strip}>
      <div className="thumbs-track" style={{ width: Math.max(0, count * stride - THUMB_GAP) }}>
        {shown.map((p) => (
          <Thumb key={p} clip={clip} plan={plan} patch={p} active={p === patch} hovered={p === hoveredPatch} left={p * stride} width={canvasWidth} />
        ))}
      </div>
    </div>
  );
}

export function Frames() {
  const { clip, planSeq: seq, selectedTime, hoverTime } = useStudioPick('clip', 'planSeq', 'selectedTime', 'hoverTime');
  const plan = usePlan();
  const comparison = useComparison();
  const patch = clip ? patchAt(clip, selectedTime) : 0;
  const hoveredPatch = clip && hoverTime !== null ? patchAt(clip, hoverTime) : -1;
  const [imageUrl, setImageUrl] = useState<string | null>(null);
  const [hoverCell, setHoverCell] = useState<{ row: number; col: number } | null>(null);

  useEffect(() => {
    if (!clip?.images) {
      setImageUrl(null);
      return;
    }
    const index = Math.min(clip.images.count - 1, patch * clip.images.perPatch);
    const key = `${clip.clipId}#${index}`;
    const cached = imageUrls.get(key);
    if (cached) {
      setImageUrl(cached);
      return;
    }
    let live = true;
    void frameImage(clip.clipId, index).then(
      (f) => {
        const url = rgbToDataUrl(f.rgb, f.width, f.height);
        imageUrls.set(key, url);
        if (live) setImageUrl(url);
      },
      (err: unknown) => useStudio.getState().pushError(`cannot load frame ${index}: ${err instanceof Error ? err.message : String(err)}`),
    );
    return () => {
      live = false;
    };
  }, [clip, patch]);

  const info = clip && plan ? patchModes(clip, plan, patch) : null;
  const diff = comparison ? comparison.result.video.diff : null;
  const data = useMemo(() => (clip && plan && clip.tokensPerFrame > 0 ? frameTraces(clip, plan, patch, diff, imageUrl !== null) : []), [clip, plan, patch, diff, imageUrl]);
  const hoverData = useMemo(() => (clip && clip.tokensPerFrame > 0 ? [hoverTargetTrace(clip)] : []), [clip]);
  const onHover = (e: PlotMouseEvent) => {
    const pt = e.points?.[0] as unknown as { x?: unknown; y?: unknown } | undefined;
    if (pt && typeof pt.x === 'number' && typeof pt.y === 'number') setHoverCell({ row: pt.y, col: pt.x });
  };
  const readout = clip && plan && hoverCell ? tokenReadout(clip, plan.videoKeep, patch, hoverCell.row, hoverCell.col, diff, comparison ?? undefined) : null;
  const legend = frameLegend(comparison, imageUrl !== null);
  // One numbering everywhere (header, scrubber, thumbnails): patches count from 1.
  const title = info ? `patch ${patch + 1}/${clip?.temporalPatches ?? 0} · ${info.modes.length ? info.modes.join(' / ') : 'no pruning'} · ${info.kept}/${info.total} kept${comparison ? ` · red: only ${comparison.labelA}, blue: only ${comparison.labelB}` : ''}` : '';
  // The layout (axes, the frame image) changes only with the patch; the token grid is the overlay.
  const layout = useMemo(() => (clip ? frameLayout(clip, patch, '', imageUrl) : {}), [clip, patch, imageUrl]);

  if (!clip || !plan) return <section className="view" data-testid="view-frames"><h2>Frames</h2><p className="empty">No clip open.</p></section>;
  if (clip.tokensPerFrame === 0) return <section className="view" data-testid="view-frames"><h2>Frames</h2><p className="empty">This clip has no video tokens.</p></section>;
  return (
    <section className="view" data-testid="view-frames">
      <h2>
        Frames <small data-testid="frame-mode">{info?.modes.includes('spatial') ? 'spatial (density peaks)' : ''}{info?.modes.includes('spatial') && info.modes.includes('temporal') ? ' + ' : ''}{info?.modes.includes('temporal') ? 'temporal (change vs previous frame)' : ''}{info && info.modes.length === 0 ? 'not pruned' : ''}</small>
      </h2>
      <div className="readout" data-testid="frame-title">{title}</div>
      <div className="frame-legend" data-testid="frame-legend">
        {legend.map((entry) => (
          <span key={entry.label} className="frame-legend-item">
            <span className="swatch" style={{ background: entry.color }} /> {entry.label}
          </span>
        ))}
      </div>
      <PlotlyChart id="frames" title="Frames" data={hoverData} overlay={data} layout={layout} exportTitle={title} seq={seq} height={310} onHover={onHover} onUnhover={() => setHoverCell(null)} />
      <div className="readout" data-testid="frame-hover">{readout ?? 'hover a token for its row, column, index and fate'}</div>
      <div className="scrubber">
        <input
          type="range"
          aria-label="frame scrubber"
          data-testid="frame-scrubber"
          min={0}
          max={Math.max(0, clip.temporalPatches - 1)}
          value={patch}
          onChange={(e) => useStudio.getState().setSelectedTime(patchStart(clip, Number(e.target.value)) + clip.secondsPerPatch / 2)}
        />
        <span>
          patch {patch + 1}/{clip.temporalPatches} · {patchStart(clip, patch).toFixed(1)} s
        </span>
      </div>
      <ThumbStrip clip={clip} plan={plan} patch={patch} hoveredPatch={hoveredPatch} />
    </section>
  );
}
