import { createElement, memo, useMemo, type ComponentType } from 'react';
import type { OmniZipConfig } from '../../core/config/schema.js';
import { comparePlans, type PlanComparison } from '../../core/studio/compare.js';
import type { PlanView } from '../../core/protocol/contract.js';
import { dataCache } from './data-cache.js';
import { useStudio, useStudioPick } from './store/index.js';
import { useSettledConfig } from './store/settled-config.js';

/**
 * A view that shows the setting but is not where it is edited (Compare, Inference, Export), given
 * the config once its plan has been drawn (store/settled-config.ts): a slider's input renders only
 * what shows the value, and neither the input's frame nor the wait for the replan's reply carries
 * this view's render. The memo is what keeps it out of the input's render: React re-commits every
 * <input> a re-rendered component holds (name, type), which restyled and repainted the page
 * inside the input's frame while the replan's reply waited behind it.
 */
export function withSettledConfig(View: ComponentType<{ config: OmniZipConfig }>): ComponentType {
  const Memoised = memo(View);
  return function SettledConfig() {
    const config = useSettledConfig((s) => s.config);
    return createElement(Memoised, { config });
  };
}

/** The plan every view shows (from the data cache, by the store's key). */
export function usePlan(): PlanView | undefined {
  const key = useStudio((s) => s.planKey);
  const revision = useStudio((s) => s.planRevision);
  // The revision: the cached object under the same key was replaced (an identical copy, redraw-rehearsal.ts).
  return useMemo(() => dataCache.getPlan(key), [key, revision]);
}

export interface ActiveComparison {
  a: PlanView;
  b: PlanView;
  labelA: string;
  labelB: string;
  result: PlanComparison;
}

/** A vs B when compare mode is on: pinned A vs live B, or live OmniZip vs the chosen baseline. */
interface ComparisonKeys {
  planKey: string | null;
  compareMode: string;
  comparePlanKey: string | null;
  baselinePlanKeys: Record<string, string | null | undefined>;
  baseline: string;
}

/** The comparison the Compare view shows for these store keys (null when compare is off or stale). */
export function comparisonFor(k: ComparisonKeys): ActiveComparison | null {
  const live = dataCache.getPlan(k.planKey);
  if (!live || k.compareMode === 'off') return null;
  if (k.compareMode === 'pinned') {
    const pinned = dataCache.getPlan(k.comparePlanKey);
    if (!pinned || pinned.clipId !== live.clipId) return null;
    return { a: pinned, b: live, labelA: 'A (pinned)', labelB: 'B (live)', result: comparePlans(pinned, live) };
  }
  const other = dataCache.getPlan(k.baselinePlanKeys[k.baseline] ?? null);
  if (!other || other.clipId !== live.clipId) return null;
  return { a: live, b: other, labelA: 'OmniZip', labelB: k.baseline, result: comparePlans(live, other) };
}

export function useComparison(): ActiveComparison | null {
  const { planKey, planRevision, compareMode, comparePlanKey, baselinePlanKeys, baseline } = useStudioPick('planKey', 'planRevision', 'compareMode', 'comparePlanKey', 'baselinePlanKeys', 'baseline');
  // planRevision: the live plan's object may have been replaced under the same key, and views compare it by identity with usePlan's.
  return useMemo(
    () => comparisonFor({ planKey, compareMode, comparePlanKey, baselinePlanKeys, baseline }),
    [planKey, planRevision, compareMode, comparePlanKey, baselinePlanKeys, baseline],
  );
}
