import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../core/config/schema.js';
import type { StudioEvent } from '../../../core/protocol/contract.js';
import type { FastvDecoderInfo } from '../../../core/protocol/fastv-contract.js';
import { useStudio } from '../store/index.js';
import type { StudioClient } from '../transport/client.js';
import { chooseManifestWithDialog, fastvDecoderChoice, useFastv } from './fastv-decoder.js';
import { fastvInfoLine } from './FastvDecoderPicker.js';
import { refreshBaselines } from './refresh.js';

const info = (extra: Partial<FastvDecoderInfo>): FastvDecoderInfo => ({ name: 'demo decoder (d=512, 4 layers)', numLayers: 4, requestedLayer: 3, layer: 3, clampNote: null, unavailable: null, ...extra });

describe('FastV decoder choice', () => {
  it('says what the chosen decoder gives: unavailable, clamped, or the layer it ranks by', () => {
    expect(fastvInfoLine(info({ name: 'my decoder', layer: null, unavailable: 'no attention_output' }))).toEqual({ kind: 'unavailable', text: 'my decoder cannot give FastV its layer-3 attention: no attention_output' });
    expect(fastvInfoLine(info({ requestedLayer: 5, layer: 4, clampNote: 'fastv_layer K=5 clamped to 4 of a 4-layer decoder' })).kind).toBe('clamped');
    expect(fastvInfoLine(info({})).text).toBe('FastV ranks by layer-3 attention of the demo decoder (d=512, 4 layers).');
    expect(fastvInfoLine(info({ name: 'my decoder', numLayers: 28 })).text).toBe('FastV ranks by layer-3 attention of the my decoder (28 layers).');
  });

  it('a manifest choice without a path is still the demo decoder', () => {
    expect(fastvDecoderChoice({ kind: 'manifest', manifestPath: '  ' })).toEqual({ kind: 'demo', manifestPath: null });
    expect(fastvDecoderChoice({ kind: 'manifest', manifestPath: ' /m.json ' })).toEqual({ kind: 'manifest', manifestPath: '/m.json' });
    expect(fastvDecoderChoice({ kind: 'demo', manifestPath: '/m.json' })).toEqual({ kind: 'demo', manifestPath: null });
  });

  it('the desktop app takes the manifest from the shell\'s open dialog (a path the user chose); a cancelled dialog changes nothing', async () => {
    const asked: string[] = [];
    let answer: string | null = null;
    const client = { mode: 'electron', call: async (method: string) => (asked.push(method), { path: answer }) } as unknown as StudioClient;
    useFastv.setState({ kind: 'demo', manifestPath: '' });
    await chooseManifestWithDialog(client);
    expect(useFastv.getState()).toMatchObject({ kind: 'demo', manifestPath: '' });
    answer = '/home/u/models/thinker.json';
    await chooseManifestWithDialog(client);
    expect(asked).toEqual(['shell.openDialog', 'shell.openDialog']);
    expect(fastvDecoderChoice()).toEqual({ kind: 'manifest', manifestPath: '/home/u/models/thinker.json' });
    useFastv.setState({ kind: 'demo', manifestPath: '' });
  });
});

describe('Compare rows while FastV computes', () => {
  it('shows every other method at once; FastV after its decoder job, which reports progress', async () => {
    const listeners: ((e: StudioEvent) => void)[] = [];
    let finishScores: (() => void) | null = null;
    const calls: string[] = [];
    const client = {
      mode: 'web',
      onEvent(listener: (e: StudioEvent) => void) {
        listeners.push(listener);
        return () => listeners.splice(listeners.indexOf(listener), 1);
      },
      async call(method: string, params: { jobId?: string; config?: { method: string } }) {
        calls.push(method === 'plan.run' ? `plan ${params.config?.method}` : method);
        if (method === 'fastv.scores') {
          for (const l of listeners) l({ type: 'job.progress', jobId: params.jobId as string, fraction: 0.1, stage: 'computing layer-5 attention' });
          await new Promise<void>((resolve) => (finishScores = resolve));
          return { info: info({}), cached: false, notes: [] };
        }
        const m = params.config?.method as string;
        return { planKey: `k-${m}`, clipId: 'c1', method: m };
      },
    } as unknown as StudioClient;
    useStudio.setState({ clip: { clipId: 'c1' } as never, compareMethods: ['uniform', 'fastv', 'random'], baselinePlanKeys: {}, baselineErrors: { fastv: 'an earlier error' } });
    const done = refreshBaselines(client, 'c1', { ...DEFAULT_CONFIG });
    await new Promise((r) => setTimeout(r, 10));
    expect(useStudio.getState().baselinePlanKeys).toEqual({ uniform: 'k-uniform', random: 'k-random' });
    expect(useStudio.getState().baselineErrors).toEqual({});
    expect(useFastv.getState().job).toMatchObject({ fraction: 0.1, stage: 'computing layer-5 attention' });
    (finishScores as unknown as () => void)();
    await done;
    expect(useStudio.getState().baselinePlanKeys).toEqual({ uniform: 'k-uniform', random: 'k-random', fastv: 'k-fastv' });
    expect(useFastv.getState().job).toBeNull();
    expect(calls.indexOf('plan fastv')).toBeGreaterThan(calls.indexOf('fastv.scores'));
  });
});
