import { useRef } from 'react';
import { ANALYSIS_PROVIDERS, type AnalysisProviderChoice } from '../../../core/protocol/contract.js';
import { cancelJob, openDemo, openDialog, openFileObject, openPath, reanalyse } from '../actions.js';
import { usePlan } from '../hooks.js';
import { resetSession } from '../session-autosave.js';
import { useStudio, useStudioPick } from '../store/index.js';
import { useRecentUploads } from './recent-uploads.js';
import { useSweeps } from '../sweeps/sweeps-store.js';

export function OpenBar() {
  const { mode, clip } = useStudioPick('mode', 'clip');
  const mediaSupported = useStudio((s) => s.info?.mediaSupported ?? false);
  const fileInput = useRef<HTMLInputElement>(null);
  return (
    <header className="openbar">
      <strong>OmniZip Studio</strong>
      <button data-testid="open-file" onClick={() => (mode === 'electron' ? void openDialog() : fileInput.current?.click())}>Open…</button>
      <input
        ref={fileInput}
        type="file"
        accept={mediaSupported ? ".safetensors,video/*,audio/*" : ".safetensors"}
        hidden
        data-testid="file-input"
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) void openFileObject(file);
          e.target.value = '';
        }}
      />
      <button data-testid="open-demo" onClick={() => void openDemo()}>Demo clip</button>
      <ViewTabs />
      <RecentMenu />
      <span className="clipname" data-testid="clip-name" data-path={clip?.path ?? ""} data-clip-id={clip?.clipId ?? ""}>{clip ? `${clip.name}${clip.model ? ` · ${clip.model}` : ''} · ${clip.durationS.toFixed(1)} s` : 'no clip'}</span>
      <span className="hint">drop a .safetensors bundle anywhere</span>
    </header>
  );
}

/**
 * Recently opened files: paths the host opened (reopened by path) and, in web mode, this visit's
 * uploads, which the server does not keep: they are read again from the user's disk.
 */
function RecentMenu() {
  const recent = useStudio((s) => s.recent);
  const uploads = useRecentUploads((s) => s.uploads);
  const choose = (value: string) => {
    if (value.startsWith('path:')) void openPath(value.slice('path:'.length));
    const upload = uploads.find((u) => `upload:${u.key}` === value);
    if (upload) void openFileObject(upload.file);
  };
  return (
    <select data-testid="recent" value="" onChange={(e) => choose(e.target.value)} disabled={recent.length === 0 && uploads.length === 0}>
      <option value="">Recent files…</option>
      {recent.length > 0 && (
        <optgroup label="Opened by path" data-testid="recent-paths">
          {recent.map((r) => <option key={r.path} value={`path:${r.path}`}>{r.name} — {r.path}</option>)}
        </optgroup>
      )}
      {uploads.length > 0 && (
        <optgroup label="Uploaded in this visit (read again from your disk)" data-testid="recent-uploads">
          {uploads.map((u) => (
            <option key={u.key} value={`upload:${u.key}`} title={`${u.name}: uploaded in this visit; choosing it reads the file again from your disk (the server keeps no copy). After a reload, open it with Open…`}>
              {u.name} — uploaded
            </option>
          ))}
        </optgroup>
      )}
    </select>
  );
}

/** Switches the main area between the clip views and the Sweeps view (the parameter panel stays). */
export function ViewTabs() {
  const sweeps = useSweeps((s) => s.open);
  return (
    <span className="view-tabs" role="tablist">
      <button role="tab" aria-selected={!sweeps} className={sweeps ? '' : 'active'} data-testid="tab-clip" onClick={() => useSweeps.getState().setOpen(false)}>Clip</button>
      <button role="tab" aria-selected={sweeps} className={sweeps ? 'active' : ''} data-testid="tab-sweeps" onClick={() => useSweeps.getState().setOpen(true)}>Sweeps</button>
    </span>
  );
}

export function Errors() {
  const errors = useStudio((s) => s.errors);
  if (errors.length === 0) return null;
  return (
    <div className="errors" role="alert" data-testid="errors">
      {errors.map((e) => (
        <div key={e.id} className="error-item" data-testid="error-message">
          <span>{e.text}</span>
          <button aria-label="dismiss" onClick={() => useStudio.getState().dismissError(e.id)}>×</button>
        </div>
      ))}
    </div>
  );
}

export function StatusBar() {
  const { mode, clip, job, info, provider, sessionRestored: restored } = useStudioPick('mode', 'clip', 'job', 'info', 'provider', 'sessionRestored');
  const plan = usePlan();
  const engine = clip?.engine ?? info?.engine ?? null;
  return (
    <footer className="statusbar" data-testid="statusbar">
      <span>{mode === 'electron' ? 'desktop' : 'web mode'}</span>
      <label title="Execution provider for analysis: auto picks the best that starts; a forced one that cannot start is reported and the current analysis stays">
        provider{' '}
        <select data-testid="provider-select" value={provider} disabled={job !== null} onChange={(e) => void reanalyse(e.target.value as AnalysisProviderChoice)}>
          {ANALYSIS_PROVIDERS.map((p) => <option key={p} value={p}>{p}</option>)}
        </select>
      </label>
      <span data-testid="provider">engine: {engine ? `${engine.engine} · provider ${engine.provider} · ${engine.device} · ${engine.wallMs.toFixed(0)} ms` : '—'}</span>
      {clip && <span>{clip.numAudio} audio · {clip.numVideo} video · D {clip.hiddenSize}</span>}
      {plan && <span data-testid="plan-ms">plan {plan.planMs.toFixed(1)} ms</span>}
      {plan && clip && clip.numAudio > 0 && <span data-testid="status-ranked-by">audio ranked by {plan.audioScoreSource.replace('_', ' ')}</span>}
      {restored && restored.clipId === clip?.clipId && (
        <span className="status-restored" data-testid="session-restored" title={`saved ${new Date(restored.savedAt).toLocaleString()}`}>
          Restored your last settings for this clip ·{' '}
          <button className="link-button" data-testid="session-reset" onClick={() => void resetSession()}>Reset</button>
        </span>
      )}
      {clip?.sessionNote && <span className="status-note" data-testid="session-note" title={clip.sessionNote}>⚠ {clip.sessionNote}</span>}
      {plan && plan.notes.length > 0 && <span className="status-note" data-testid="status-notes" title={plan.notes.join('\n')}>⚠ {plan.notes[0]}{plan.notes.length > 1 ? ` (+${plan.notes.length - 1} more)` : ''}</span>}
      {job && (
        <span className="job" data-testid="job">
          {job.label}: {job.stage} <progress max={1} value={job.fraction} /> <button data-testid="cancel-job" onClick={() => void cancelJob()}>Cancel</button>
        </span>
      )}
    </footer>
  );
}
