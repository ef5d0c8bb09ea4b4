/**
 * Many methods at once: which tokens each plan keeps, where they agree, the tokens only one method
 * keeps, and per time bin how much they disagree. Plain TypeScript for the Compare view.
 */
import { audioKeepOf } from './compare.js';
import type { PlanView } from '../protocol/contract.js';

export interface LabelledPlan {
  label: string;
  plan: PlanView;
}

export interface MethodRow {
  label: string;
  method: string;
  audioKept: number;
  videoKept: number;
  sequenceKept: number;
  /** Target vs realised discard (fractions); null for plans made before the studio reported them. */
  videoTarget: number | null;
  videoRealised: number | null;
  sequenceTarget: number | null;
  sequenceRealised: number | null;
  tiesDecided: number | null;
  /** The paper's FLOPs formula for the clip's LLM, 1 − compressed / full (FastV: first K layers over every token). */
  flopsSaved: number;
  flopsModel: string;
  planMs: number;
  /** Tokens (audio + video) this method keeps and no other compared method does. */
  onlyThis: number;
  /** |kept ∩ first plan's kept| / |kept ∪ first plan's kept| over audio + video. */
  agreementWithFirst: number;
}

export interface ManyComparison {
  rows: MethodRow[];
  /** Per token: how many of the plans keep it. */
  audioKeptBy: Uint8Array;
  videoKeptBy: Uint8Array;
  /** Whether every plan keeps the same audio / video counts (baselines matched to OmniZip). */
  sameCounts: boolean;
}

function masks(p: PlanView): [Uint8Array, Uint8Array] {
  return [audioKeepOf(p.audioFate), p.videoKeep];
}

export function compareMany(plans: readonly LabelledPlan[]): ManyComparison {
  if (plans.length === 0) return { rows: [], audioKeptBy: new Uint8Array(0), videoKeptBy: new Uint8Array(0), sameCounts: true };
  const all = plans.map(({ plan }) => masks(plan));
  const [na, nv] = [all[0][0].length, all[0][1].length];
  for (const [a, v] of all) if (a.length !== na || v.length !== nv) throw new RangeError('cannot compare plans of different clips');
  const audioKeptBy = new Uint8Array(na);
  const videoKeptBy = new Uint8Array(nv);
  for (const [a, v] of all) {
    for (let i = 0; i < na; i++) audioKeptBy[i] += a[i];
    for (let i = 0; i < nv; i++) videoKeptBy[i] += v[i];
  }
  const [firstA, firstV] = all[0];
  const rows = plans.map(({ label, plan }, k): MethodRow => {
    const [a, v] = all[k];
    let only = 0;
    let inter = 0;
    let union = 0;
    const tally = (mask: Uint8Array, keptBy: Uint8Array, first: Uint8Array) => {
      for (let i = 0; i < mask.length; i++) {
        if (mask[i] && keptBy[i] === 1) only++;
        if (mask[i] && first[i]) inter++;
        if (mask[i] || first[i]) union++;
      }
    };
    tally(a, audioKeptBy, firstA);
    tally(v, videoKeptBy, firstV);
    return {
      label,
      method: plan.method ?? String(plan.config.method),
      audioKept: plan.counts.audio.kept,
      videoKept: plan.counts.video.kept,
      sequenceKept: plan.counts.sequence.kept,
      videoTarget: plan.discard?.video.target ?? null,
      videoRealised: plan.discard?.video.realised ?? null,
      sequenceTarget: plan.discard?.sequence.target ?? null,
      sequenceRealised: plan.discard?.sequence.realised ?? null,
      tiesDecided: plan.tiesDecided ?? null,
      flopsSaved: plan.budget.flopsSaved,
      flopsModel: plan.budget.flopsModel,
      planMs: plan.planMs,
      onlyThis: plans.length > 1 ? only : 0,
      agreementWithFirst: union === 0 ? 1 : inter / union,
    };
  });
  const sameCounts = rows.every((r) => r.audioKept === rows[0].audioKept && r.videoKept === rows[0].videoKept);
  return { rows, audioKeptBy, videoKeptBy, sameCounts };
}

/**
 * Disagreement per time bin: for each plan, the fraction of the bin's tokens where it decides
 * against the majority of the plans; the last row is the fraction of tokens the plans do not all
 * agree on. `tokenTime` maps (modality, index) to seconds.
 */
export function disagreementBins(
  plans: readonly LabelledPlan[],
  many: ManyComparison,
  tokenTime: (modality: 'audio' | 'video', index: number) => number,
  durationS: number,
  binS: number,
): { binStarts: number[]; perPlan: number[][]; split: number[] } {
  const bins = Math.max(1, Math.ceil(durationS / binS));
  const totals = new Float64Array(bins);
  const split = new Float64Array(bins);
  const against = plans.map(() => new Float64Array(bins));
  const n = plans.length;
  const all = plans.map(({ plan }) => masks(plan));
  const visit = (modality: 'audio' | 'video', keptBy: Uint8Array, pick: (k: number) => Uint8Array) => {
    for (let i = 0; i < keptBy.length; i++) {
      const b = Math.min(bins - 1, Math.max(0, Math.floor(tokenTime(modality, i) / binS)));
      totals[b]++;
      const kept = keptBy[i];
      if (kept !== 0 && kept !== n) split[b]++;
      const majorityKeeps = 2 * kept > n;
      for (let k = 0; k < n; k++) if ((pick(k)[i] === 1) !== majorityKeeps && 2 * kept !== n) against[k][b]++;
    }
  };
  visit('audio', many.audioKeptBy, (k) => all[k][0]);
  visit('video', many.videoKeptBy, (k) => all[k][1]);
  const frac = (x: Float64Array) => Array.from(x, (v, b) => (totals[b] === 0 ? 0 : v / totals[b]));
  return { binStarts: Array.from({ length: bins }, (_, b) => b * binS), perPlan: against.map(frac), split: frac(split) };
}
