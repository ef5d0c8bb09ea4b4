/**
 * What the UI does, in one place: open clips, replan on every config change (latest wins, one
 * request in flight), keep comparison plans current, export. Components call these; the store
 * and the data cache hold the outcome.
 */
import type { AnalysisProviderChoice, ExportKind, StudioEvent } from '../../core/protocol/contract.js';
import { fastvDecoderParam, useFastv } from './compare/fastv-decoder.js';
import { refreshBaselines } from './compare/refresh.js';
import { dataCache } from './data-cache.js';
import { currentConfigVersion, notePlanCommitted, notePlanReceived, type CallTiming } from './perf.js';
import { followClip, restoreSession, startAutosave } from './session-autosave.js';
import { setReplanBusy, whenReplansIdle } from './replan-idle.js';
import { armRehearsal, REHEARSALS, studioRehearsalHost } from './redraw-rehearsal.js';
import { loadPlotly } from './plot/plotly.js';
import { useRecentUploads } from './shell/recent-uploads.js';
import { useStudio } from './store/index.js';
import type { StudioClient } from './transport/client.js';
import { errorText } from './error-text.js';

let client: StudioClient | null = null;
let planSeq = 0;
/** The clip whose redraw was last rehearsed (a re-opened or re-analysed clip is a new object). */
let rehearsedClip: unknown = null;
let inFlight = false;
let dirty = false;

/**
 * Resolves once the charts can have drawn the current plan: plotly has loaded (or failed to), no
 * replan is in flight, and the page has gone idle after drawing. On a cold start the first plan
 * often arrives while plotly is still compiling; work meant to follow the first draw (the speech
 * reference's VAD on the host, the redraw rehearsal) would otherwise run beside plotly's load
 * and first draw on the 2-core machines, or rehearse charts that cannot draw yet.
 */
async function afterChartsDraw(): Promise<void> {
  await loadPlotly().catch(() => undefined);
  await whenReplansIdle();
  if (typeof requestIdleCallback === 'function') await new Promise<void>((resolve) => requestIdleCallback(() => resolve(), { timeout: 1000 }));
}

function studio(): StudioClient {
  if (!client) throw new Error('the studio is not connected');
  return client;
}

/** The connected client, for panels with their own jobs (the inference panel). */
export const connectedClient = (): StudioClient => studio();


export async function init(c: StudioClient): Promise<void> {
  // Start-up stages for `npm run bench:ui`: the bundle is parsed and evaluated once init runs.
  performance.mark('omz:init');
  client = c;
  useStudio.setState({ mode: c.mode });
  c.onEvent((event: StudioEvent) => {
    const job = useStudio.getState().job;
    if (event.type === 'job.progress' && job && job.jobId === event.jobId) useStudio.getState().setJob({ ...job, fraction: event.fraction, stage: event.stage });
  });
  try {
    useStudio.getState().setInfo(await c.call('app.info', {}));
  } catch (err) {
    useStudio.getState().pushError(`cannot reach the studio host: ${errorText(err)}`);
    return;
  }
  useStudio.subscribe((s, prev) => {
    if (s.config !== prev.config) void replan();
    if (s.compareMode !== prev.compareMode || s.pinnedConfig !== prev.pinnedConfig || (s.compareMode === 'baselines' && (s.config !== prev.config || s.compareMethods !== prev.compareMethods))) void refreshCompare();
  });
  // Another FastV decoder: FastV plans (the live one, Compare's column) rank by it from now on.
  useFastv.subscribe((s, prev) => {
    if (s.kind === prev.kind && s.manifestPath === prev.manifestPath) return;
    if (useStudio.getState().config.method === 'fastv') void replan();
    void refreshCompare();
  });
  startAutosave(c);
  const open = c.mode === 'web' ? new URLSearchParams(window.location.search).get('open') : null;
  if (open) await openPath(open);
  else await openDemo();
}

type OpenRequest = { kind: 'demo' } | { kind: 'path'; path: string } | { kind: 'bytes'; name: string; bytes: Uint8Array } | { kind: 'reanalyze'; clipId: string; provider: AnalysisProviderChoice };

/** Opens a clip; true when it opened (on failure the error is shown and the current clip stays). */
async function openWith(label: string, request: OpenRequest): Promise<boolean> {
  const c = studio();
  const jobId = `job${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  useStudio.getState().setJob({ jobId, label, fraction: 0, stage: 'starting' });
  try {
    const summary =
      request.kind === 'demo'
        ? await c.call('clip.openDemo', { jobId })
        : request.kind === 'path'
          ? await c.call('clip.openPath', { jobId, path: request.path })
          : request.kind === 'reanalyze'
            ? await c.call('clip.reanalyze', { jobId, clipId: request.clipId, provider: request.provider })
            : await c.call('clip.openBytes', { jobId, name: request.name, bytes: request.bytes });
    performance.mark('omz:clip-opened');
    const [data, thumbs] = await Promise.all([
      c.call('clip.data', { clipId: summary.clipId }),
      summary.images ? c.call('clip.thumbnails', { clipId: summary.clipId, maxWidth: 96 }) : Promise.resolve(null),
    ]);
    dataCache.setClipData(summary.clipId, data);
    if (thumbs) dataCache.setThumbnails(summary.clipId, thumbs);
    const previous = useStudio.getState().clip;
    useStudio.getState().setClip(summary);
    if (request.kind === 'reanalyze') {
      useStudio.setState({ provider: request.provider });
      followClip(request.clipId, summary.clipId);
    } else restoreSession(summary);
    if (previous) dataCache.dropClip(previous.clipId);
    // `bench:ui` waits for the clip to be complete (its speech curve too) before moving sliders.
    if (summary.speechPending) performance.mark('omz:speech-pending');
    performance.mark('omz:clip-data');
    await replan();
    performance.mark('omz:first-plan');
    if (summary.speechPending) void followSpeechReference(summary.clipId);
    await refreshCompare();
    useStudio.getState().setInfo(await c.call('app.info', {}));
    return true;
  } catch (err) {
    // The current clip (if any) stays open and usable.
    useStudio.getState().pushError(errorText(err));
    return false;
  } finally {
    if (useStudio.getState().job?.jobId === jobId) useStudio.getState().setJob(null);
  }
}

/**
 * A clip whose open answered before its speech reference was done (summary.speechPending): once
 * the host has it, the clip's data (now with the speech curve) and notes (with the note of a VAD
 * that failed) are fetched again, if the clip is still the open one.
 */
async function followSpeechReference(clipId: string): Promise<void> {
  const c = studio();
  try {
    // Asked once the first plan is drawn: the host starts the VAD on this call (core/studio/
    // lazy-speech.ts), which would otherwise share the cores with this page's first draw.
    await afterChartsDraw();
    const { notes } = await c.call('clip.speechReference', { clipId });
    const data = await c.call('clip.data', { clipId });
    const clip = useStudio.getState().clip;
    if (clip?.clipId !== clipId) return;
    dataCache.setClipData(clipId, data);
    // A new summary object only when the notes changed: the views redraw on a new clip.
    const changed = notes.length !== clip.notes.length || notes.some((n, i) => n !== clip.notes[i]);
    useStudio.setState((s) => ({ clipDataSeq: s.clipDataSeq + 1, ...(changed ? { clip: { ...clip, notes } } : {}) }));
  } catch {
    // The clip was closed meanwhile (unknown-clip) or the host went away: nothing left to update.
  } finally {
    performance.mark('omz:speech-settled');
  }
}

export const openDemo = () => openWith('demo clip', { kind: 'demo' });
export const openPath = (path: string) => openWith(path.split(/[\\/]/).pop() ?? path, { kind: 'path', path });
export async function openFileObject(file: File): Promise<void> {
  // Desktop: a dropped file opens by its path (streamed by the host, not copied through the
  // window), which the preload records as chosen by the user (electron/user-paths.ts).
  const chosen = await window.omnizipBridge?.chooseDroppedFile?.(file).catch(() => null);
  if (chosen) {
    await openPath(chosen);
    return;
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await file.arrayBuffer());
  } catch {
    // A File handle from the Recent menu whose file was moved, deleted or changed on disk since.
    useStudio.getState().pushError(`cannot read ${file.name} again from your disk (moved, deleted or changed since it was opened): open it with Open… instead`);
    return;
  }
  if (await openWith(file.name, { kind: 'bytes', name: file.name, bytes })) useRecentUploads.getState().add(file);
}

/** Analyses the open clip again on `provider`; on failure the error shows and the clip stays as it was. */
export async function reanalyse(provider: AnalysisProviderChoice): Promise<void> {
  const clip = useStudio.getState().clip;
  if (!clip) {
    useStudio.setState({ provider });
    return;
  }
  await openWith(`${clip.name} on ${provider}`, { kind: 'reanalyze', clipId: clip.clipId, provider });
}

export async function openDialog(): Promise<void> {
  try {
    const picked = await studio().call('shell.openDialog', {});
    if (picked.path) await openPath(picked.path);
  } catch (err) {
    useStudio.getState().pushError(errorText(err));
  }
}

export async function cancelJob(): Promise<void> {
  const job = useStudio.getState().job;
  if (!job) return;
  try {
    await studio().call('job.cancel', { jobId: job.jobId });
  } catch (err) {
    useStudio.getState().pushError(errorText(err));
  }
}

/** Plans the current config; while one plan is in flight, later changes collapse into one more. */
export async function replan(): Promise<void> {
  if (inFlight) {
    dirty = true;
    return;
  }
  inFlight = true;
  setReplanBusy(true);
  try {
    let answered: { clip: unknown; config: unknown; decoder: string } | null = null;
    do {
      dirty = false;
      const { clip, config } = useStudio.getState();
      if (!clip) return;
      const decoder = fastvDecoderParam();
      // Opening a clip asks twice (its config is set, then the open plans): the same request again
      // would only draw the same plan a second time.
      const request = { clip, config, decoder: JSON.stringify(decoder) };
      if (answered && answered.clip === request.clip && answered.config === request.config && answered.decoder === request.decoder) continue;
      answered = request;
      const version = currentConfigVersion();
      try {
        const timing: CallTiming = {};
        const plan = await studio().call('plan.run', { clipId: clip.clipId, config: { ...config }, ...decoder }, timing);
        if (useStudio.getState().clip?.clipId !== clip.clipId) return;
        notePlanReceived(version, timing, plan.planMs);
        dataCache.setPlan(plan);
        const seq = ++planSeq;
        notePlanCommitted(seq, version, plan.planMs);
        useStudio.getState().setPlan(plan.planKey, seq);
        // A clip's first plan: rehearse its redraw while the page waits for the first slider move.
        const shownClip = useStudio.getState().clip;
        if (shownClip !== rehearsedClip) {
          rehearsedClip = shownClip;
          // Only what the first plan showed is rehearsed: a config changed meanwhile (the first
          // slider move) stops the rehearsals before they start, and another clip arms its own.
          const planned = studioRehearsalHost.shown();
          void afterChartsDraw().then(() => armRehearsal(studioRehearsalHost, REHEARSALS, planned));
        }
      } catch (err) {
        useStudio.getState().setPlanError(errorText(err));
      }
    } while (dirty);
  } finally {
    inFlight = false;
    setReplanBusy(false);
  }
}

export async function refreshCompare(): Promise<void> {
  const { clip, compareMode, pinnedConfig, config } = useStudio.getState();
  if (!clip || compareMode === 'off') return;
  try {
    if (compareMode === 'pinned' && pinnedConfig) {
      const plan = await studio().call('plan.run', { clipId: clip.clipId, config: { ...pinnedConfig } });
      dataCache.setPlan(plan);
      useStudio.getState().setComparePlans({ compare: plan.planKey });
    } else if (compareMode === 'baselines') {
      // Each row as its plan arrives; FastV's after its decoder run (a cancellable job).
      await refreshBaselines(studio(), clip.clipId, config);
    }
  } catch (err) {
    useStudio.getState().pushError(`comparison failed: ${errorText(err)}`);
  }
}

export async function frameImage(clipId: string, index: number) {
  const cached = dataCache.getFrame(clipId, index);
  if (cached) return cached;
  const frame = await studio().call('clip.frame', { clipId, index });
  dataCache.setFrame(clipId, frame);
  return frame;
}

/** Saves bytes: Electron's save dialog (atomic write in the main process) or a browser download. */
export async function saveBytes(fileName: string, mime: string, bytes: Uint8Array): Promise<string | null> {
  const c = studio();
  if (c.mode === 'electron') {
    const saved = await c.call('shell.saveFile', { suggestedName: fileName, bytes });
    return saved.path;
  }
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return fileName;
}

export async function exportKind(kind: ExportKind): Promise<void> {
  const { clip, config } = useStudio.getState();
  if (!clip) return;
  try {
    const file = await studio().call('export.build', { clipId: clip.clipId, config: { ...config }, kind, ...fastvDecoderParam() });
    await saveBytes(file.fileName, file.mime, file.bytes);
  } catch (err) {
    useStudio.getState().pushError(`export failed: ${errorText(err)}`);
  }
}

export async function buildExportText(kind: ExportKind): Promise<string> {
  const { clip, config } = useStudio.getState();
  if (!clip) return '';
  const file = await studio().call('export.build', { clipId: clip.clipId, config: { ...config }, kind, ...fastvDecoderParam() });
  return new TextDecoder().decode(file.bytes);
}
