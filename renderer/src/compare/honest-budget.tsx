/**
 * Honest budgets in the parameter panel: target vs realised discard of the live plan, and each
 * preset's realised retention on the open clip (planned by the host, cheap: milliseconds each).
 */
import { useEffect, useState } from 'react';
import { methodDescriptors } from '../../../core/methods/registry.js';
import { PRESETS, type ConfigKey } from '../../../core/config/schema.js';
import type { PlanView } from '../../../core/protocol/contract.js';
import { connectedClient } from '../actions.js';
import { fastvDecoderParam } from './fastv-decoder.js';
import { useStudioPick } from '../store/index.js';
import { whenReplansIdle } from '../replan-idle.js';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** Config keys only baselines read: shown in the parameter panel only while such a method is chosen. */
const BASELINE_ONLY_KEYS: ReadonlySet<ConfigKey> = (() => {
  const descriptors = methodDescriptors();
  const omnizip = new Set(descriptors.find((m) => m.id === 'omnizip')?.knobs ?? []);
  return new Set(descriptors.filter((m) => m.id !== 'omnizip').flatMap((m) => m.knobs.filter((k) => !omnizip.has(k))));
})();

export function keyShownFor(key: ConfigKey, method: string): boolean {
  if (!BASELINE_ONLY_KEYS.has(key)) return true;
  return methodDescriptors().some((m) => m.id === method && m.knobs.includes(key));
}

export function DiscardSummary({ plan }: { plan: PlanView }) {
  const d = plan.discard;
  if (!d) return null;
  const line = (label: string, x: { target: number; realised: number }) => {
    const missed = Math.abs(x.realised - x.target) > 0.005;
    return (
      <span className={missed ? 'missed' : ''} data-testid={`discard-${label}`} title={missed ? 'realised misses the target by more than half a percentage point: see the notes' : 'on target'}>
        {label} {pct(x.target)} → <b>{pct(x.realised)}</b>{missed ? ' ⚠' : ''}
      </span>
    );
  };
  return (
    <div data-testid="discard-summary">
      <span>discard target → realised</span> {line('audio', d.audio)} · {line('video', d.video)} · {line('sequence', d.sequence)}
      {plan.tiesDecided !== undefined && plan.tiesDecided > 0 && <small data-testid="ties-decided"> · {plan.tiesDecided} tokens decided by exact ties</small>}
    </div>
  );
}

/**
 * Each preset's realised audio+video retention on the open clip with the current config
 * underneath: one small `plan.budgets` call, sent once the slider's own replan has been drawn so
 * it never shares that round trip.
 */
export function usePresetRetention(): Record<string, number> {
  const { clip, config } = useStudioPick('clip', 'config');
  const [retention, setRetention] = useState<Record<string, number>>({});
  useEffect(() => {
    if (!clip) return;
    let live = true;
    const timer = setTimeout(() => {
      void (async () => {
        await whenReplansIdle();
        if (!live) return;
        const { budgets } = await connectedClient().call('plan.budgets', { clipId: clip.clipId, configs: PRESETS.map((p) => ({ ...config, ...p.values })), ...fastvDecoderParam() });
        if (!live) return;
        const out: Record<string, number> = {};
        budgets.forEach((b, k) => {
          if (b.budget) out[PRESETS[k].id] = b.budget.retained;
        });
        setRetention(out);
      })().catch(() => {
        // The labels are a hint: a closed clip or a lost host leaves them as they were.
      });
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [clip, config]);
  return retention;
}

export function presetRetentionLabel(retained: number | undefined): string {
  return retained === undefined ? '' : ` · ${pct(retained)} here`;
}
