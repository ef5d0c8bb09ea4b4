/**
 * Where FastV's layer-K scores come from: the demo decoder (with its size) or a user decoder
 * manifest, typed as a path on the server in web mode, chosen in the open dialog in the desktop
 * app. Says at once when the choice clamps K or cannot expose layer-K attention at all.
 */
import { useEffect, useState } from 'react';
import type { FastvDecoderInfo } from '../../../core/protocol/fastv-contract.js';
import { useStudioPick } from '../store/index.js';
import { chooseManifestWithDialog, refreshFastvInfo, setFastvDecoder, useFastv } from './fastv-decoder.js';
import './fastv.css';

/** One line on what the chosen decoder gives FastV (testable without a DOM). */
export function fastvInfoLine(info: FastvDecoderInfo): { kind: 'unavailable' | 'clamped' | 'ok'; text: string } {
  if (info.unavailable) return { kind: 'unavailable', text: `${info.name} cannot give FastV its layer-${info.requestedLayer} attention: ${info.unavailable}` };
  if (info.clampNote) return { kind: 'clamped', text: info.clampNote };
  const depth = info.numLayers !== null && !info.name.includes('layers') ? ` (${info.numLayers} layers)` : '';
  return { kind: 'ok', text: `FastV ranks by layer-${info.layer ?? info.requestedLayer} attention of the ${info.name}${depth}.` };
}

export function FastvInfo({ info, testId }: { info: FastvDecoderInfo | null; testId: string }) {
  if (!info) return null;
  const line = fastvInfoLine(info);
  return (
    <p className={`fastv-info ${line.kind}`} data-testid={testId} data-kind={line.kind} role={line.kind === 'unavailable' ? 'alert' : undefined}>
      {line.kind === 'ok' ? '' : '⚠ '}
      {line.text}
    </p>
  );
}

export function FastvDecoderPicker({ layer, slot, demoLabel, demo }: { layer: number; slot: 'compare' | 'prefill'; demoLabel: string; demo?: { hiddenSize: number; numLayers: number } }) {
  const { mode } = useStudioPick('mode');
  const kind = useFastv((s) => s.kind);
  const manifestPath = useFastv((s) => s.manifestPath);
  const info = useFastv((s) => (slot === 'compare' ? s.info : s.prefillInfo));
  const [draft, setDraft] = useState(manifestPath);
  useEffect(() => setDraft(manifestPath), [manifestPath]);
  const hiddenSize = demo?.hiddenSize;
  const numLayers = demo?.numLayers;
  useEffect(() => {
    void refreshFastvInfo(layer, slot, hiddenSize !== undefined && numLayers !== undefined ? { hiddenSize, numLayers } : undefined);
  }, [layer, slot, kind, manifestPath, hiddenSize, numLayers]);
  const commit = () => setFastvDecoder({ kind: 'manifest', manifestPath: draft.trim() });
  const id = `${slot}-fastv`;
  return (
    <div className="toolbar fastv-decoder" data-testid={`${id}-decoder`}>
      <span>FastV scores (layer-{layer} attention) from</span>
      <label>
        <input type="radio" name={`${id}-decoder`} data-testid={`${id}-demo`} checked={kind === 'demo'} onChange={() => setFastvDecoder({ kind: 'demo' })} /> {demoLabel}
        {kind === 'demo' && info && info.numLayers !== null ? <small data-testid={`${id}-demo-size`}> ({info.name.replace(/^demo decoder \(|\)$/g, '')})</small> : null}
      </label>
      <label>
        <input type="radio" name={`${id}-decoder`} data-testid={`${id}-manifest`} checked={kind === 'manifest'} onChange={() => setFastvDecoder({ kind: 'manifest' })} /> decoder manifest
      </label>
      {kind === 'manifest' &&
        (mode === 'electron' ? (
          <>
            <button data-testid={`${id}-choose`} onClick={() => void chooseManifestWithDialog()}>Choose manifest…</button>
            <code data-testid={`${id}-path`}>{manifestPath || 'none chosen'}</code>
          </>
        ) : (
          <>
            <input
              className="manifest"
              type="text"
              data-testid={`${id}-path`}
              placeholder="/path/on/the/server/model-manifest.json (docs/prefill.md)"
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
              onKeyDown={(e) => e.key === 'Enter' && commit()}
            />
            <button data-testid={`${id}-use`} disabled={draft.trim() === '' || draft.trim() === manifestPath} onClick={commit}>Use</button>
          </>
        ))}
      {kind === 'manifest' && manifestPath === '' ? <p className="fastv-info clamped">Choose a manifest whose model exposes decoder attention (attention_output); until then FastV uses the demo decoder.</p> : <FastvInfo info={info} testId={`${id}-info`} />}
    </div>
  );
}
