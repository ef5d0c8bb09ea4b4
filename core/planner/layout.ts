import { TOKEN_AUDIO, TOKEN_VIDEO, type FeatureBundle } from '../bundle/types.js';

/** A half-open range of indices within one modality's tokens. */
export type Range = [number, number];

/** Where each modality's tokens sit in the LLM sequence, and their time chunks. */
export interface ClipLayout {
  sequenceLength: number;
  /** Sequence position of each audio / video token, ascending. */
  audioPositions: Int32Array;
  videoPositions: Int32Array;
  /** Runs of consecutive sequence positions, as ranges within each modality, in order. */
  audioRuns: Range[];
  videoRuns: Range[];
  /** Tokens per temporal patch, (h / sms) * (w / sms) from grid_thw; 0 without video. */
  tokensPerFrame: number;
  /** grid_t: temporal patches of the (single) video. */
  temporalPatches: number;
  /** Seconds one chunk (one run pair) covers; from metadata, default 2. */
  secondsPerChunk: number;
}

function runsOf(positions: Int32Array): Range[] {
  const runs: Range[] = [];
  let start = 0;
  for (let i = 1; i <= positions.length; i++) {
    if (i === positions.length || positions[i] - positions[i - 1] > 1) {
      if (i > start) runs.push([start, i]);
      start = i;
    }
  }
  return runs;
}

const layoutMemo = new WeakMap<FeatureBundle, { tokenTypes: Uint8Array; metadata: FeatureBundle['metadata']; layout: ClipLayout }>();

/**
 * The layout of a bundle, computed once per bundle (every replan reads it: ~46,000 token types on a
 * 5-minute clip). A bundle whose token types or metadata were replaced gets a fresh one.
 */
export function clipLayout(bundle: FeatureBundle): ClipLayout {
  const memo = layoutMemo.get(bundle);
  if (memo && memo.tokenTypes === bundle.tokenTypes && memo.metadata === bundle.metadata) return memo.layout;
  const layout = detectLayout(bundle);
  layoutMemo.set(bundle, { tokenTypes: bundle.tokenTypes, metadata: bundle.metadata, layout });
  return layout;
}

/**
 * The official core variant detects time chunks from `input_ids`: each run of consecutive audio
 * (video) positions is one chunk, and runs are paired by order. `token_types` plays that role here.
 */
export function detectLayout(bundle: Pick<FeatureBundle, 'tokenTypes' | 'numAudio' | 'numVideo' | 'metadata'>): ClipLayout {
  const types = bundle.tokenTypes;
  const audioPositions = new Int32Array(bundle.numAudio);
  const videoPositions = new Int32Array(bundle.numVideo);
  let a = 0;
  let v = 0;
  for (let p = 0; p < types.length; p++) {
    if (types[p] === TOKEN_AUDIO) audioPositions[a++] = p;
    else if (types[p] === TOKEN_VIDEO) videoPositions[v++] = p;
  }
  const meta = bundle.metadata;
  let tokensPerFrame = 0;
  let temporalPatches = 0;
  if (bundle.numVideo > 0 && meta.grid_thw) {
    const sms = meta.spatial_merge_size ?? 2;
    const [t, h, w] = meta.grid_thw;
    tokensPerFrame = Math.floor(h / sms) * Math.floor(w / sms);
    temporalPatches = t;
  }
  return {
    sequenceLength: types.length,
    audioPositions,
    videoPositions,
    audioRuns: runsOf(audioPositions),
    videoRuns: runsOf(videoPositions),
    tokensPerFrame,
    temporalPatches,
    secondsPerChunk: typeof meta.seconds_per_chunk === 'number' && meta.seconds_per_chunk > 0 ? meta.seconds_per_chunk : 2,
  };
}
