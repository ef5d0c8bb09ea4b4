/**
 * What the inference panel does: run `prefill.run` for the current setting (and the Compare
 * view's other side when asked) as its own job with progress and cancel, keep every result, and
 * export them through the studio's save path.
 */
import type { OmniZipConfig } from '../../../core/config/schema.js';
import { StudioRemoteError } from '../../../core/protocol/contract.js';
import { prefillRunsCsv, prefillRunsJson } from '../../../core/studio/prefill-export.js';
import { connectedClient, saveBytes } from '../actions.js';
import { useStudio, type CompareMode } from '../store/index.js';
import { usePrefill } from './store.js';
import { fastvDecoderParam } from '../compare/fastv-decoder.js';
import { cancelPanelJob, followJobProgress } from '../compare/panel-job.js';
import { errorText } from '../error-text.js';

export interface PrefillSettingRequest {
  label: string;
  config: OmniZipConfig;
}

/**
 * The settings one run measures against the full sequence: the live one, plus the Compare view's
 * other side(s) when asked: pinned A (the live one is B), or OmniZip vs the two baselines.
 */
export function prefillSettings(view: { config: OmniZipConfig; compareMode: CompareMode; pinnedConfig: OmniZipConfig | null; compareMethods?: readonly string[] }, includeCompare: boolean): PrefillSettingRequest[] {
  const { config, compareMode, pinnedConfig } = view;
  if (includeCompare && compareMode === 'pinned' && pinnedConfig) {
    return [
      { label: 'A (pinned)', config: { ...pinnedConfig } },
      { label: 'B (live)', config: { ...config } },
    ];
  }
  if (includeCompare && compareMode === 'baselines') {
    // Every baseline the Compare view plans, each at OmniZip's realised counts (baseline_budget: match).
    return [
      { label: 'OmniZip', config: { ...config, method: 'omnizip' } },
      ...(view.compareMethods ?? ['uniform', 'random']).map((method) => ({ label: method, config: { ...config, method } as OmniZipConfig })),
    ];
  }
  return [{ label: 'current', config: { ...config } }];
}


export async function runPrefill(): Promise<void> {
  const { clip, config, compareMode, pinnedConfig, compareMethods, baselineErrors } = useStudio.getState();
  const { form, job } = usePrefill.getState();
  if (!clip || job) return;
  const client = connectedClient();
  const jobId = `prefill${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  usePrefill.setState({ job: { jobId, fraction: 0, stage: 'starting', cancelling: false }, outcome: null });
  const stopListening = followJobProgress(client, usePrefill, jobId);
  const started = performance.now();
  try {
    const result = await client.call('prefill.run', {
      jobId,
      clipId: clip.clipId,
      settings: prefillSettings({ config, compareMode, pinnedConfig, compareMethods: compareMethods.filter((m) => !baselineErrors[m]) }, form.includeCompare).map((s) => ({ label: s.label, config: { ...s.config } })),
      model: { kind: form.modelKind, manifestPath: form.modelKind === 'manifest' ? form.manifestPath.trim() : null, demoHiddenSize: form.demoHiddenSize, demoLayers: form.demoLayers },
      provider: form.provider,
      runs: form.runs,
      warmupRuns: form.warmupRuns,
      // FastV settings rank by the chosen decoder manifest, else by the demo decoder being measured.
      ...fastvDecoderParam(),
    });
    usePrefill.setState((s) => {
      const id = (s.results.at(-1)?.id ?? 0) + 1;
      return {
        results: [...s.results, { id, finishedAt: new Date().toISOString(), result }],
        outcome: { kind: 'done', text: `run #${id} finished in ${((performance.now() - started) / 1000).toFixed(1)} s` },
      };
    });
  } catch (err) {
    const cancelled = err instanceof StudioRemoteError && err.kind === 'cancelled';
    usePrefill.setState({ outcome: { kind: cancelled ? 'cancelled' : 'failed', text: cancelled ? 'cancelled: no result was kept' : errorText(err) } });
  } finally {
    stopListening();
    usePrefill.setState((s) => (s.job?.jobId === jobId ? { job: null } : {}));
  }
}

export function cancelPrefill(): Promise<void> {
  return cancelPanelJob(connectedClient(), usePrefill, (text) => usePrefill.setState({ outcome: { kind: 'failed', text } }));
}

export function clearPrefillResults(): void {
  usePrefill.setState({ results: [], outcome: null });
}

/** File-name stem from the clip name (letters, digits, dot, dash, underscore). */
function stem(name: string): string {
  return name.replace(/\.[A-Za-z0-9]+$/, '').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '') || 'clip';
}

export async function exportPrefill(format: 'json' | 'csv'): Promise<void> {
  const results = usePrefill.getState().results.map((e) => e.result);
  if (results.length === 0) return;
  const names = [...new Set(results.map((r) => r.clipName))];
  const base = names.length === 1 ? stem(names[0]) : 'clips';
  const body = format === 'json' ? prefillRunsJson(results) : prefillRunsCsv(results);
  try {
    await saveBytes(`${base}.prefill.${format}`, format === 'json' ? 'application/json' : 'text/csv', new TextEncoder().encode(body));
  } catch (err) {
    useStudio.getState().pushError(`prefill export failed: ${errorText(err)}`);
  }
}
