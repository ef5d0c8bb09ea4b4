/**
 * Plans every selected baseline for the Compare table, each row as soon as its plan arrives: the
 * plan-only methods in milliseconds, FastV after its decoder scores, which run as their own
 * cancellable job (fastv-decoder.ts). A newer refresh (another config, clip or method set)
 * supersedes an older one: late answers of the older one are dropped.
 */
import type { OmniZipConfig } from '../../../core/config/schema.js';
import type { StudioClient } from '../transport/client.js';
import { dataCache } from '../data-cache.js';
import { useStudio } from '../store/index.js';
import { ensureFastvScores, fastvDecoderParam, useFastv } from './fastv-decoder.js';
import { errorText } from '../error-text.js';

let generation = 0;


/** One method's outcome into the store: its plan key, why it is unavailable (never both), or neither while it waits. */
function record(method: string, outcome: { key: string } | { error: string } | { pending: true }): void {
  const { baselinePlanKeys, baselineErrors } = useStudio.getState();
  const keys: Record<string, string> = {};
  for (const [id, key] of Object.entries(baselinePlanKeys)) if (id !== method && key) keys[id] = key;
  const errors = Object.fromEntries(Object.entries(baselineErrors).filter(([id]) => id !== method));
  if ('key' in outcome) keys[method] = outcome.key;
  else if ('error' in outcome) errors[method] = outcome.error;
  useStudio.getState().setComparePlans({ baselines: keys, errors });
}

export async function refreshBaselines(client: StudioClient, clipId: string, config: OmniZipConfig): Promise<void> {
  const gen = ++generation;
  const live = () => gen === generation && useStudio.getState().clip?.clipId === clipId;
  const base: OmniZipConfig = { ...config, method: 'omnizip' };
  const methods = [...useStudio.getState().compareMethods];
  const planOne = async (method: string) => {
    try {
      const plan = await client.call('plan.run', { clipId, config: { ...base, method }, ...(method === 'fastv' ? fastvDecoderParam() : {}) });
      if (!live()) return;
      dataCache.setPlan(plan);
      record(method, { key: plan.planKey });
    } catch (err) {
      if (live()) record(method, { error: errorText(err) });
    }
  };
  await Promise.all(
    methods.map(async (method) => {
      if (method !== 'fastv') return planOne(method);
      // The decoder run takes seconds: the other rows are already drawn while it goes.
      if (useStudio.getState().baselineErrors[method]) record(method, { pending: true });
      const ready = await ensureFastvScores(clipId, base.fastv_layer, client);
      if (!live()) return;
      if (ready) return planOne(method);
      record(method, { error: useFastv.getState().failure?.text ?? 'FastV\u2019s layer-K attention was not computed' });
    }),
  );
}
