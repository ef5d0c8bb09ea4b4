import type { OmniZipConfig } from '../config/schema.js';
import type { PlanCounts, PlanGroup } from './types.js';

/**
 * Target vs realised discard per modality and over the whole sequence, and the plain-language
 * reason when the two differ by more than half a percentage point.
 */

export interface DiscardReport {
  /** Fraction of the tokens the config asks to discard. */
  target: number;
  /** Fraction actually discarded. */
  realised: number;
}

export interface BudgetReport {
  audio: DiscardReport;
  video: DiscardReport;
  /** Over the whole sequence (text is never discarded). */
  sequence: DiscardReport;
}

/** A miss larger than this (a fraction) is explained in the plan's notes. */
export const BUDGET_MISS_TOLERANCE = 0.005;

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** Audio discard the config asks for: rho_audio less the anchors kept on top of the top-k. */
export function targetAudioDiscard(config: OmniZipConfig): number {
  const anchorsKept = config.variant === 'official-units' || config.g > 0;
  return Math.max(0, Math.min(1, config.rho_audio - (anchorsKept ? config.contextual_ratio : 0)));
}

export function budgetReport(config: OmniZipConfig, counts: PlanCounts): BudgetReport {
  const discard = (c: { total: number; kept: number }) => (c.total === 0 ? 0 : 1 - c.kept / c.total);
  const audioTarget = counts.audio.total === 0 ? 0 : targetAudioDiscard(config);
  const videoTarget = counts.video.total === 0 ? 0 : config.rho_video;
  const L = counts.sequence.total;
  return {
    audio: { target: audioTarget, realised: discard(counts.audio) },
    video: { target: videoTarget, realised: discard(counts.video) },
    sequence: { target: L === 0 ? 0 : (audioTarget * counts.audio.total + videoTarget * counts.video.total) / L, realised: discard(counts.sequence) },
  };
}

/** Why the realised video discard is away from rho_video, from the groups OmniZip planned. */
function videoMissReasons(config: OmniZipConfig, groups: PlanGroup[], counts: PlanCounts): string[] {
  const reasons: string[] = [];
  const pinned = groups.filter((g) => g.pinned !== null).length;
  if (pinned > 0 && config.budget === 'official') reasons.push(`budget: official pins ${pinned} group${pinned === 1 ? '' : 's'} at its initial ratio and rebalances the rest in one pass`);
  if (config.rho_video > config.ratio_max) {
    reasons.push(`rho_video ${config.rho_video} is above ratio_max ${config.ratio_max}, so no group may discard that much`);
  } else if (config.rho_video < config.ratio_min) {
    reasons.push(`rho_video ${config.rho_video} is below ratio_min ${config.ratio_min}, so every group discards more`);
  } else {
    const clamped = groups.filter((g) => g.ratio_final !== null && (g.ratio_final <= config.ratio_min || g.ratio_final >= config.ratio_max)).length;
    if (clamped > 0) reasons.push(`${clamped} group${clamped === 1 ? '' : 's'} sit at the clamp [${config.ratio_min}, ${config.ratio_max}]`);
  }
  const whole = groups.filter((g) => g.kept_whole).reduce((a, g) => a + g.video_kept, 0);
  if (whole > 0) reasons.push(`${whole} video tokens sit in groups kept whole (shorter than one frame, or the variant's tail)`);
  const framed = groups.reduce((a, g) => a + (g.video_range ? g.video_range[1] - g.video_range[0] : 0), 0);
  if (framed < counts.video.total) reasons.push(`${counts.video.total - framed} video tokens fall outside every group`);
  if (reasons.length === 0) reasons.push('per-frame keep counts are truncated to whole tokens');
  return reasons;
}

/** Notes for every budget missed by more than BUDGET_MISS_TOLERANCE. `groups` are OmniZip's. */
export function budgetNotes(config: OmniZipConfig, report: BudgetReport, groups: PlanGroup[], counts: PlanCounts, basis: 'omnizip' | 'matched' | 'native'): string[] {
  if (basis === 'native') {
    const off = (['audio', 'video'] as const).filter((m) => Math.abs(report[m].realised - report[m].target) > BUDGET_MISS_TOLERANCE);
    return off.length === 0
      ? []
      : [`Budget missed (${off.map((m) => `${m}: target ${pct(report[m].target)}, realised ${pct(report[m].realised)}`).join('; ')}): baseline_budget: native rounds rho the method's own way; baseline_budget: match keeps OmniZip's counts.`];
  }
  const matchedBaseline = basis === 'matched';
  const notes: string[] = [];
  const miss = (d: DiscardReport) => Math.abs(d.realised - d.target) > BUDGET_MISS_TOLERANCE;
  const inherited = matchedBaseline ? ' This baseline keeps OmniZip\'s realised counts (baseline_budget: match), so it misses the target exactly as OmniZip does.' : '';
  if (miss(report.video)) {
    const outside = config.rho_video > config.ratio_max || config.rho_video < config.ratio_min;
    const fix = outside
      ? `widen [ratio_min, ratio_max] to include ${config.rho_video} and set budget: exact to meet it`
      : config.budget === 'exact'
        ? 'budget: exact is on; the rest is whole-token rounding and groups it cannot prune'
        : 'set budget: exact to meet rho_video (one shift of every group\'s ratio within [ratio_min, ratio_max])';
    notes.push(`Video budget missed: target discard ${pct(report.video.target)}, realised ${pct(report.video.realised)}: ${videoMissReasons(config, groups, counts).join('; ')}; ${fix}.${inherited}`);
  }
  if (miss(report.audio)) {
    notes.push(`Audio budget missed: target discard ${pct(report.audio.target)} (rho_audio less the anchors), realised ${pct(report.audio.realised)}: keep counts are rounded per segment and anchors only exist where g > 0 (official-core); budget: exact does not change the audio stage.${inherited}`);
  }
  return notes;
}
