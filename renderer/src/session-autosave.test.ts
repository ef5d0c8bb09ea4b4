import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../core/config/schema.js';
import type { ClipSummary } from '../../core/protocol/contract.js';
import { hostMethods } from '../../core/protocol/contract.js';
import type { PrefillResultView } from '../../core/protocol/prefill-contract.js';
import { usePrefill, type PrefillEntry } from './prefill/store.js';
import { isPristine, resetSession, restoreSession, sessionStateOf, startAutosave } from './session-autosave.js';
import { useStudio } from './store/index.js';
import type { StudioClient } from './transport/client.js';

function result(clipId: string): PrefillResultView {
  return {
    clipId, clipName: 'demo.safetensors',
    model: { name: 'demo decoder', source: 'demo', hiddenSize: 256, numLayers: 2, inputProjection: null, caveat: null },
    provider: { name: 'cpu', device: 'cpu' }, runs: 1, warmupRuns: 0,
    settings: [{ label: 'current', config: { rho_video: 0.6 } }],
    rows: [], notes: [], wallMs: 10, reportJson: '{"format":"omnizip-prefill","big":true}',
  };
}
const entry = (id: number, clipId: string): PrefillEntry => ({ id, finishedAt: '2026-01-01T00:00:00.000Z', result: result(clipId) });

const clip = (clipId: string, restored?: ClipSummary['restored']) => ({ clipId, name: 'demo', restored } as unknown as ClipSummary);

describe('session autosave (renderer side)', () => {
  it('keeps the config, pinned A and this clip\'s result rows without the big report, in a shape the contract accepts', () => {
    const state = sessionStateOf({ clipId: 'c1', config: { ...DEFAULT_CONFIG, rho_video: 0.8 }, pinnedConfig: { ...DEFAULT_CONFIG }, compareMode: 'pinned', results: [entry(1, 'c1'), entry(2, 'other')] });
    expect(state.prefill).toHaveLength(1);
    expect(state.prefill[0].result).not.toHaveProperty('reportJson');
    expect(hostMethods['session.save'].params.parse({ clipId: 'c1', state })).toEqual({ clipId: 'c1', state });
    expect(isPristine(state)).toBe(false);
    expect(isPristine(sessionStateOf({ clipId: 'c1', config: { ...DEFAULT_CONFIG }, pinnedConfig: null, compareMode: 'off', results: [] }))).toBe(true);
  });

  it('restores a saved session onto a fresh undo history and the panel, then saves changes coalesced, and Reset clears', async () => {
    const calls: { method: string; params: unknown }[] = [];
    let release: () => void = () => undefined;
    const client = {
      mode: 'web',
      onEvent: () => () => undefined,
      call: async (method: string, params: unknown) => {
        calls.push({ method, params });
        if (calls.length === 1) await new Promise<void>((r) => (release = r));
        return method === 'session.reset' ? { cleared: true } : { saved: true };
      },
    } as unknown as StudioClient;
    startAutosave(client);
    useStudio.setState({ past: [{ ...DEFAULT_CONFIG }] });
    useStudio.getState().setClip(clip('c2', {
      savedAt: '2026-01-01T00:00:00.000Z',
      state: { config: { rho_video: 0.8 }, pinnedConfig: { rho_video: 0.5 }, compareMode: 'pinned', prefill: [{ id: 3, finishedAt: 'x', result: (({ reportJson: _r, clipId: _c, ...rest }) => rest)(result('old')) }] },
    }));
    restoreSession(useStudio.getState().clip as ClipSummary);
    const s = useStudio.getState();
    expect(s.config.rho_video).toBe(0.8);
    expect(s.config.rho_audio).toBe(DEFAULT_CONFIG.rho_audio);
    expect(s.past).toEqual([]);
    expect(s.pinnedConfig?.rho_video).toBe(0.5);
    expect(s.compareMode).toBe('pinned');
    expect(s.sessionRestored?.clipId).toBe('c2');
    expect(usePrefill.getState().results.map((e) => [e.id, e.result.clipId])).toEqual([[3, 'c2']]);

    // Restoring sent one save; while it is in flight, a burst of changes collapses into one more.
    for (const v of [0.61, 0.62, 0.63]) useStudio.getState().setConfig({ rho_video: v });
    expect(calls).toHaveLength(1);
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toHaveLength(2);
    expect(calls[1]).toMatchObject({ method: 'session.save', params: { clipId: 'c2', state: { config: { rho_video: 0.63 } } } });

    // A finished prefill run is saved at once.
    usePrefill.setState((p) => ({ results: [...p.results, entry(4, 'c2')] }));
    await new Promise((r) => setTimeout(r, 0));
    expect((calls.at(-1)?.params as { state: { prefill: unknown[] } }).state.prefill).toHaveLength(2);

    await resetSession();
    expect(useStudio.getState().config).toEqual(DEFAULT_CONFIG);
    expect(useStudio.getState().pinnedConfig).toBeNull();
    expect(useStudio.getState().sessionRestored).toBeNull();
    expect(usePrefill.getState().results).toEqual([]);
    expect(calls.at(-1)).toEqual({ method: 'session.reset', params: { clipId: 'c2' } });
    expect(calls.some((c, i) => i > 2 && c.method === 'session.save')).toBe(false);
  });
});
