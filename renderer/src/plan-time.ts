/** Time mapping shared by the linked views: audio tokens, temporal patches and groups in seconds. */
import type { ClipSummary, PlanGroupView } from '../../core/protocol/contract.js';

export function audioTime(clip: ClipSummary, index: number): number {
  return clip.audioTokensPerSecond > 0 ? (index + 0.5) / clip.audioTokensPerSecond : index;
}

export function patchStart(clip: ClipSummary, patch: number): number {
  return patch * clip.secondsPerPatch;
}

export function patchAt(clip: ClipSummary, seconds: number): number {
  if (clip.temporalPatches === 0 || clip.secondsPerPatch <= 0) return 0;
  return Math.max(0, Math.min(clip.temporalPatches - 1, Math.floor(seconds / clip.secondsPerPatch)));
}

/** [start, end) of a group in seconds, from its audio run, else its video run. */
export function groupSpan(clip: ClipSummary, g: PlanGroupView): [number, number] | null {
  if (g.audio_range && clip.audioTokensPerSecond > 0) return [g.audio_range[0] / clip.audioTokensPerSecond, g.audio_range[1] / clip.audioTokensPerSecond];
  if (g.video_range && clip.tokensPerFrame > 0) {
    return [(g.video_range[0] / clip.tokensPerFrame) * clip.secondsPerPatch, (g.video_range[1] / clip.tokensPerFrame) * clip.secondsPerPatch];
  }
  return null;
}

export function groupAt(clip: ClipSummary, groups: PlanGroupView[], seconds: number): number {
  for (let i = 0; i < groups.length; i++) {
    const span = groupSpan(clip, groups[i]);
    if (span && seconds >= span[0] && seconds < span[1]) return i;
  }
  return -1;
}
