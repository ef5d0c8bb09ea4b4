import { planGroupRatios } from '../planner/groups.js';
import { planVideoGroups, videoContextFor } from '../planner/omnizip.js';
import type { PlanGroup } from '../planner/types.js';
import { frameRanking, keepTopOfFrame, type FrameTrace } from '../planner/video.js';
import { largestRemainder, matchedBaseline, type BaselineOutcome } from './shared.js';
import type { MethodContext } from './types.js';

/**
 * Uniform: OmniZip without audio guidance (the paper's ablation "DP✗ AC✓", Table 5). Audio is
 * exactly OmniZip's; every group's video is pruned at rho_video by the same ISTC (variant, frame
 * geometry, density-peak flavour).
 */

interface IstcFrame {
  group: number;
  start: number;
  size: number;
  spatial: boolean;
}

/**
 * Matched budget: what the variant keeps whole counts first, tokens it always drops stay dropped,
 * and the rest of OmniZip's realised video count is shared over the ISTC frames ∝ size.
 */
function planMatched(ctx: MethodContext, target: number, notes: string[]): { keep: Uint8Array; groups: PlanGroup[]; trace: FrameTrace } {
  const { bundle, analysis, config, reference } = ctx;
  const units = reference.time.variant === 'units';
  const numVideo = bundle.numVideo;
  const totalForBudget = units ? numVideo : reference.layout.temporalPatches * reference.layout.tokensPerFrame;
  const groupPlan = planGroupRatios(reference.time, reference.audio.keep, totalForBudget, config, 'uniform');
  const keep = new Uint8Array(numVideo);
  const trace: FrameTrace = { ties: new Uint8Array(numVideo), score: new Float32Array(numVideo).fill(NaN) };
  const frames: IstcFrame[] = [];
  let whole = 0;
  const groups: PlanGroup[] = groupPlan.groups.map((g, gi) => {
    const out: PlanGroup = {
      audio_range: g.audioRange,
      video_range: g.videoRange,
      guided: false,
      audio_retention: null,
      ratio_initial: null,
      ratio_final: g.ratio,
      frame_keep_counts: [],
      frame_modes: [],
      pinned: null,
      video_kept: 0,
      kept_whole: false,
    };
    if (!g.videoRange) return out;
    const [s, e] = g.videoRange;
    if (g.ratio === null) {
      keep.fill(1, s, e);
      whole += e - s;
      out.kept_whole = true;
      out.video_kept = e - s;
      return out;
    }
    const count = Math.floor((e - s) / g.tokensPerFrame);
    for (let t = 0; t < count; t++) frames.push({ group: gi, start: s + t * g.tokensPerFrame, size: g.tokensPerFrame, spatial: t % 2 === 0 });
    return out;
  });
  const capacity = frames.reduce((a, f) => a + f.size, 0);
  let rest = target - whole;
  if (rest < 0) {
    notes.push(`baseline_budget: match unreachable (uniform, video): target ${target}, realised ${whole}, the groups the variant keeps whole already hold ${whole} tokens`);
    rest = 0;
  } else if (rest > capacity) {
    notes.push(`baseline_budget: match unreachable (uniform, video): target ${target}, realised ${whole + capacity}, tokens past the last whole frame are always dropped`);
    rest = capacity;
  }
  const alloc = largestRemainder(rest, frames.map((f) => f.size));
  const vctx = videoContextFor(bundle, analysis, config, units);
  frames.forEach((f, k) => {
    const { ranking, mode } = frameRanking(vctx, f.start, f.size, f.spatial);
    keepTopOfFrame(ranking, keep, f.start, alloc[k], trace);
    const g = groups[f.group];
    g.frame_keep_counts.push(alloc[k]);
    g.frame_modes.push(f.spatial ? 'spatial' : mode);
    g.video_kept += alloc[k];
  });
  return { keep, groups, trace };
}

export const uniformMethod = matchedBaseline({
  id: 'uniform',
  label: 'Uniform',
  paper: 'OmniZip ablation without audio guidance (arXiv 2511.14582, Table 5 "DP✗ AC✓")',
  summary: 'uniform: every group at the same ratio, no audio guidance; audio as OmniZip.',
  inputs: ['audio_scores', 'embeddings'],
  knobs: ['variant', 'dpc_k', 'dpc'],
  plan(ctx, budget): BaselineOutcome {
    const { bundle, analysis, config, reference } = ctx;
    const notes: string[] = [];
    let video: { keep: Uint8Array; groups: PlanGroup[]; trace: FrameTrace };
    if (budget.match) {
      video = planMatched(ctx, budget.video, notes);
      notes.push('Uniform baseline: no audio guidance, OmniZip\'s realised video count shared over the frames by size; audio as OmniZip.');
    } else {
      const units = reference.time.variant === 'units';
      const totalForBudget = units ? bundle.numVideo : reference.layout.temporalPatches * reference.layout.tokensPerFrame;
      const groupPlan = planGroupRatios(reference.time, reference.audio.keep, totalForBudget, config, 'uniform');
      const trace: FrameTrace = { ties: new Uint8Array(bundle.numVideo), score: new Float32Array(bundle.numVideo).fill(NaN) };
      const planned = planVideoGroups(videoContextFor(bundle, analysis, config, units), groupPlan, bundle.numVideo, trace);
      video = { keep: planned.keep, groups: planned.groups, trace };
      notes.push('Uniform baseline: every video group pruned at rho_video, no audio guidance; audio as OmniZip.');
    }
    return { videoKeep: video.keep, groups: video.groups, notes, videoTies: video.trace.ties, videoScore: video.trace.score };
  },
});
