/**
 * Session autosave on the renderer's side: every change of the config, the pinned compare A or
 * the inference panel's kept results is handed to the host (`session.save`), which writes it per
 * clip once changes pause; an open that answers a saved session puts it back. Requests are
 * coalesced like replans (one in flight, the latest state wins), so a slider drag does not queue
 * one request per pixel, and each waits until the replan in flight is drawn.
 */
import { DEFAULT_CONFIG, type OmniZipConfig } from '../../core/config/schema.js';
import type { ClipSummary } from '../../core/protocol/contract.js';
import { MAX_SAVED_PREFILL_RUNS, type SavedPrefillRun, type SavedSession } from '../../core/protocol/session-contract.js';
import type { StudioClient } from './transport/client.js';
import { isReplanBusy, whenReplansIdle } from './replan-idle.js';
import { usePrefill, type PrefillEntry } from './prefill/store.js';
import { useStudio, type CompareMode } from './store/index.js';
import { errorText } from './error-text.js';

let client: StudioClient | null = null;
let inFlight = false;
/** Clip whose state changed since the last save was sent (null: nothing to send). */
let pendingClipId: string | null = null;
/** Set while Reset puts the defaults back: its own `session.reset` replaces the saves those changes would send. */
let resetting = false;


/** The part of the studio's state a clip's session keeps. */
export function sessionStateOf(view: { clipId: string; config: OmniZipConfig; pinnedConfig: OmniZipConfig | null; compareMode: CompareMode; results: readonly PrefillEntry[] }): SavedSession {
  const prefill: SavedPrefillRun[] = view.results
    .filter((e) => e.result.clipId === view.clipId)
    .slice(-MAX_SAVED_PREFILL_RUNS)
    .map((e) => {
      // The core report is large and only the JSON export needs it; the table rows are what the user sees.
      const { reportJson: _report, clipId: _clip, ...result } = e.result;
      return { id: e.id, finishedAt: e.finishedAt, result };
    });
  return { config: { ...view.config }, pinnedConfig: view.pinnedConfig ? { ...view.pinnedConfig } : null, compareMode: view.compareMode, prefill };
}

/** Nothing worth keeping: the defaults, nothing pinned or compared, no results (the saved file is removed instead). */
export function isPristine(state: SavedSession): boolean {
  return JSON.stringify({ ...DEFAULT_CONFIG, ...state.config }) === JSON.stringify(DEFAULT_CONFIG) && state.pinnedConfig === null && state.compareMode === 'off' && state.prefill.length === 0;
}

function currentState(clipId: string): SavedSession {
  const { config, pinnedConfig, compareMode } = useStudio.getState();
  return sessionStateOf({ clipId, config, pinnedConfig, compareMode, results: usePrefill.getState().results });
}

async function flushSaves(): Promise<void> {
  if (inFlight || !client) return;
  inFlight = true;
  try {
    // A save waits for the replan a slider move started to be drawn, so it never shares its round trip.
    if (isReplanBusy()) await whenReplansIdle();
    while (pendingClipId !== null) {
      const clipId = pendingClipId;
      pendingClipId = null;
      // A change made for a clip that is no longer open belongs to no file.
      if (useStudio.getState().clip?.clipId !== clipId) continue;
      const state = currentState(clipId);
      try {
        if (isPristine(state)) await client.call('session.reset', { clipId });
        else await client.call('session.save', { clipId, state });
      } catch (err) {
        useStudio.getState().pushError(`cannot save this clip's settings: ${errorText(err)}`);
      }
    }
  } finally {
    inFlight = false;
  }
}

function noteChange(): void {
  const clip = useStudio.getState().clip;
  if (!clip || resetting) return;
  pendingClipId = clip.clipId;
  void flushSaves();
}

/** Starts saving on every change of what a session keeps. */
export function startAutosave(c: StudioClient): void {
  client = c;
  useStudio.subscribe((s, prev) => {
    if (s.config !== prev.config || s.pinnedConfig !== prev.pinnedConfig || s.compareMode !== prev.compareMode) noteChange();
  });
  // Prefill results are saved as each run completes (or is cleared), not only with the next config change.
  usePrefill.subscribe((s, prev) => {
    if (s.results !== prev.results) noteChange();
  });
}

/** Puts back what the open found saved for this clip; undo history starts fresh. */
export function restoreSession(summary: ClipSummary): void {
  const restored = summary.restored;
  if (!restored) {
    // Another clip's prefill results say nothing about this one: they go (they stay saved with theirs).
    usePrefill.setState((s) => (s.results.some((e) => e.result.clipId !== summary.clipId) ? { results: s.results.filter((e) => e.result.clipId === summary.clipId), outcome: null } : {}));
    return;
  }
  const { state } = restored;
  const config = { ...DEFAULT_CONFIG, ...state.config } as OmniZipConfig;
  const pinnedConfig = state.pinnedConfig ? ({ ...DEFAULT_CONFIG, ...state.pinnedConfig } as OmniZipConfig) : null;
  useStudio.setState({
    config,
    past: [],
    future: [],
    pinnedConfig,
    compareMode: state.compareMode === 'pinned' && !pinnedConfig ? 'off' : state.compareMode,
    sessionRestored: { clipId: summary.clipId, savedAt: restored.savedAt },
  });
  const results: PrefillEntry[] = state.prefill.map((run) => ({ id: run.id, finishedAt: run.finishedAt, result: { ...run.result, clipId: summary.clipId, reportJson: '' } }));
  usePrefill.setState({ results, outcome: null });
}

/** A re-analysis answers the same clip under a new id: its kept results follow it. */
export function followClip(oldClipId: string, newClipId: string): void {
  usePrefill.setState((s) => ({ results: s.results.map((e) => (e.result.clipId === oldClipId ? { ...e, result: { ...e.result, clipId: newClipId } } : e)) }));
}

/** The restored line's "Reset": back to the defaults, and the clip's saved state is cleared. */
export async function resetSession(): Promise<void> {
  const clip = useStudio.getState().clip;
  if (!clip || !client) return;
  resetting = true;
  try {
    useStudio.setState({ config: { ...DEFAULT_CONFIG }, past: [], future: [], pinnedConfig: null, compareMode: 'off', comparePlanKey: null, baselinePlanKeys: {}, sessionRestored: null });
    usePrefill.setState((s) => ({ results: s.results.filter((e) => e.result.clipId !== clip.clipId), outcome: null }));
  } finally {
    resetting = false;
  }
  if (pendingClipId === clip.clipId) pendingClipId = null;
  try {
    await client.call('session.reset', { clipId: clip.clipId });
  } catch (err) {
    useStudio.getState().pushError(`cannot clear this clip's saved settings: ${errorText(err)}`);
  }
}
