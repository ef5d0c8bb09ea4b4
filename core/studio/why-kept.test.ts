import { describe, expect, it } from 'vitest';
import type { PlanView } from '../protocol/contract.js';
import { explainAudio, explainVideo } from './why-kept.js';

const plan = {
  audioFate: Uint8Array.from([1, 1, 3, 2, 0]),
  audioMergedInto: Int32Array.from([-1, -1, 3, -1, -1]),
  audioScore: Float32Array.from([0.9, 0.5, 0.5, 0.1, 0.2]),
  audioTies: Uint8Array.from([0, 1, 1, 0, 0]),
  videoKeep: Uint8Array.from([1, 0, 1, 0, 1, 1, 0, 0]),
  videoScore: Float32Array.from([3, 1, 2, 0.5, 0.9, 0.1, 0.8, 0.95]),
  videoTies: new Uint8Array(8),
  groups: [
    { video_range: [0, 8], kept_whole: false, frame_modes: ['spatial', 'temporal'], ratio_final: 0.5, frame_keep_counts: [2, 2] },
  ],
} as unknown as PlanView;

describe('why a token was kept', () => {
  it('audio: rank, score, the top-k cut, anchor and merges, and the tie flag', () => {
    const tied = explainAudio(plan, 2);
    expect(tied).toMatchObject({ fate: 'merged into an anchor', rank: 3, threshold: 0.5, mergedInto: 3, tie: true });
    expect(tied.score).toBeCloseTo(0.5, 6);
    expect(explainAudio(plan, 3)).toMatchObject({ fate: 'kept: anchor', merges: [2], rank: 5 });
  });

  it('video: frame mode, ranking value, the frame cut and the group ratio', () => {
    expect(explainVideo(plan, 2, 4)).toMatchObject({ kept: true, group: 0, frame: 0, mode: 'spatial', score: 2, frameThreshold: 2, groupRatio: 0.5 });
    const temporal = explainVideo(plan, 6, 4);
    expect(temporal).toMatchObject({ kept: false, frame: 1, mode: 'temporal' });
    // Temporal frames keep the LOWEST similarity: the cut is the highest kept value.
    expect(temporal.frameThreshold).toBeCloseTo(0.9, 6);
  });
});
