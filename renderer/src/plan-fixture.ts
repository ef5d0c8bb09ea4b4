/** A two-group plan on a tiny 2x2-grid clip, shared by the renderer's trace tests. */
import { AUDIO_ANCHOR, AUDIO_DOMINANT, AUDIO_DROPPED, AUDIO_MERGED } from '../../core/planner/types.js';
import type { ClipSummary, PlanView } from '../../core/protocol/contract.js';

export const clip: ClipSummary = {
  clipId: 'c1', name: 'x', path: null, model: null, numAudio: 6, numVideo: 16, hiddenSize: 4, sequenceLength: 24,
  tokensPerFrame: 4, temporalPatches: 4, gridRows: 2, gridCols: 2, audioTokensPerSecond: 3, secondsPerPatch: 0.5, durationS: 2,
  hasWaveform: false, images: null, engine: { engine: 't', provider: 'js', device: 'test', wallMs: 1 }, notes: [],
};

export function plan(): PlanView {
  return {
    planKey: 'k', clipId: 'c1', config: { rho_video: 0.6, ratio_min: 0.35, ratio_max: 0.75 },
    counts: { audio: { total: 6, kept: 3 }, video: { total: 16, kept: 7 }, sequence: { total: 24, kept: 12 } },
    groups: [
      { audio_range: [0, 3], video_range: [0, 8], guided: true, audio_retention: 2 / 3, ratio_initial: 0.48, ratio_final: 0.5, frame_keep_counts: [2, 2], frame_modes: ['spatial', 'temporal'], pinned: null, video_kept: 4, kept_whole: false },
      { audio_range: [3, 6], video_range: [8, 16], guided: true, audio_retention: 1 / 3, ratio_initial: 0.62, ratio_final: 0.62, frame_keep_counts: [2, 1], frame_modes: ['spatial', 'temporal'], pinned: 'max', video_kept: 3, kept_whole: false },
    ],
    normalization: { ran: true, scaling: 1.1, after_scaling: [0.528, 0.62] },
    notes: [], planMs: 0.1, dominantCount: 2, anchors: [1],
    audioFate: new Uint8Array([AUDIO_DOMINANT, AUDIO_ANCHOR, AUDIO_MERGED, AUDIO_DOMINANT, AUDIO_DROPPED, AUDIO_MERGED]),
    audioMergedInto: new Int32Array([-1, -1, 1, -1, -1, 1]),
    videoKeep: new Uint8Array([1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0]),
    budget: { audioKept: 3, audioTotal: 6, videoKept: 7, videoTotal: 16, kept: 10, total: 22, retained: 10 / 22, flopsSaved: 0.5, flopsModel: 'm' },
    audioScoreSource: 'attention',
  };
}

export const data = {
  audioScores: new Float32Array([5, 1, 0.5, 4, 0.1, 0.2]),
  waveformMin: new Float32Array(0),
  waveformMax: new Float32Array(0),
  waveformSeconds: 0,
  curves: { attention: new Float32Array([5, 1, 0.5, 4, 0.1, 0.2]), tokenEnergy: new Float32Array([2, 2, 1, 4, 1, 1]), waveformRms: null, speechActivity: null, correlations: [{ a: 'attention', b: 'token_energy', r: 0.7 }] },
};
