import { useMemo } from 'react';
import { comparePlans, type PlanComparison } from '../../core/studio/compare.js';
import type { PlanView } from '../../core/protocol/contract.js';
import { dataCache } from './data-cache.js';
import { useStudio } from './store/index.js';

/** The plan every view shows (from the data cache, by the store's key). */
export function usePlan(): PlanView | undefined {
  const key = useStudio((s) => s.planKey);
  return useMemo(() => dataCache.getPlan(key), [key]);
}

export interface ActiveComparison {
  a: PlanView;
  b: PlanView;
  labelA: string;
  labelB: string;
  result: PlanComparison;
}

/** A vs B when compare mode is on: pinned A vs live B, or live OmniZip vs the chosen baseline. */
export function useComparison(): ActiveComparison | null {
  const planKey = useStudio((s) => s.planKey);
  const mode = useStudio((s) => s.compareMode);
  const compareKey = useStudio((s) => s.comparePlanKey);
  const baselineKeys = useStudio((s) => s.baselinePlanKeys);
  const baseline = useStudio((s) => s.baseline);
  return useMemo(() => {
    const live = dataCache.getPlan(planKey);
    if (!live || mode === 'off') return null;
    if (mode === 'pinned') {
      const pinned = dataCache.getPlan(compareKey);
      if (!pinned || pinned.clipId !== live.clipId) return null;
      return { a: pinned, b: live, labelA: 'A (pinned)', labelB: 'B (live)', result: comparePlans(pinned, live) };
    }
    const other = dataCache.getPlan(baselineKeys[baseline] ?? null);
    if (!other || other.clipId !== live.clipId) return null;
    return { a: live, b: other, labelA: 'OmniZip', labelB: baseline, result: comparePlans(live, other) };
  }, [planKey, mode, compareKey, baselineKeys, baseline]);
}
