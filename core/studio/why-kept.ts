/**
 * "Why was this token kept?": the facts the planner decided one token on, read from a plan view.
 * Plain TypeScript for the renderer's token inspector.
 */
import type { PlanView } from '../protocol/contract.js';

const FATES = ['dropped', 'kept: dominant', 'kept: anchor', 'merged into an anchor'] as const;

export interface AudioWhy {
  index: number;
  fate: (typeof FATES)[number];
  score: number | null;
  /** 1-based rank by score (ties: lower index first), among all audio tokens. */
  rank: number | null;
  /** Score of the weakest token the top-k kept (the cut); null when nothing was kept by score. */
  threshold: number | null;
  /** The anchor this token merges into, or -1. */
  mergedInto: number;
  /** Tokens merged into this one when it is an anchor. */
  merges: number[];
  tie: boolean;
}

export function explainAudio(plan: PlanView, index: number): AudioWhy {
  const fate = FATES[plan.audioFate[index]] ?? 'dropped';
  const scores = plan.audioScore ?? null;
  let rank: number | null = null;
  let threshold: number | null = null;
  if (scores && scores.length === plan.audioFate.length) {
    const s = scores[index];
    rank = 1;
    for (let i = 0; i < scores.length; i++) if (scores[i] > s || (scores[i] === s && i < index)) rank++;
    for (let i = 0; i < scores.length; i++) if (plan.audioFate[i] === 1 && (threshold === null || scores[i] < threshold)) threshold = scores[i];
  }
  const merges: number[] = [];
  for (let i = 0; i < plan.audioMergedInto.length; i++) if (plan.audioMergedInto[i] === index) merges.push(i);
  return {
    index,
    fate,
    score: scores ? scores[index] : null,
    rank,
    threshold,
    mergedInto: plan.audioMergedInto[index] ?? -1,
    merges,
    tie: plan.audioTies?.[index] === 1,
  };
}

export interface VideoWhy {
  index: number;
  kept: boolean;
  group: number;
  /** Frame within the group and its pruning mode, or null when the group was kept whole / not pruned by ISTC. */
  frame: number | null;
  mode: 'spatial' | 'temporal' | null;
  /** The value the frame ranked this token by: density-peak score (spatial, higher kept) or similarity to the previous frame (temporal, lower kept). */
  score: number | null;
  /** The cut in this token's frame: the weakest kept token's value. */
  frameThreshold: number | null;
  groupRatio: number | null;
  keptWhole: boolean;
  tie: boolean;
}

export function explainVideo(plan: PlanView, index: number, tokensPerFrame: number): VideoWhy {
  const group = plan.groups.findIndex((g) => g.video_range !== null && index >= g.video_range[0] && index < g.video_range[1]);
  const g = group >= 0 ? plan.groups[group] : null;
  const raw = plan.videoScore?.[index];
  const score = raw === undefined || Number.isNaN(raw) ? null : raw;
  let frame: number | null = null;
  let mode: VideoWhy['mode'] = null;
  let frameThreshold: number | null = null;
  if (g && g.video_range && !g.kept_whole && g.frame_modes.length > 0 && tokensPerFrame > 0) {
    const t = Math.floor((index - g.video_range[0]) / tokensPerFrame);
    if (t < g.frame_modes.length) {
      frame = t;
      mode = g.frame_modes[t];
      const start = g.video_range[0] + t * tokensPerFrame;
      for (let i = start; i < start + tokensPerFrame; i++) {
        const v = plan.videoScore?.[i];
        if (!plan.videoKeep[i] || v === undefined || Number.isNaN(v)) continue;
        if (frameThreshold === null || (mode === 'spatial' ? v < frameThreshold : v > frameThreshold)) frameThreshold = v;
      }
    }
  }
  return {
    index,
    kept: plan.videoKeep[index] === 1,
    group,
    frame,
    mode,
    score,
    frameThreshold,
    groupRatio: g?.ratio_final ?? null,
    keptWhole: g?.kept_whole ?? false,
    tie: plan.videoTies?.[index] === 1,
  };
}
