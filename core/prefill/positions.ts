import { TOKEN_AUDIO, TOKEN_OTHER, TOKEN_VIDEO, type FeatureBundle } from '../bundle/types.js';

/**
 * Position ids of the full, uncompressed sequence, computed once before pruning as the
 * Qwen2.5-Omni thinker does (`get_rope_index` with use_audio_in_video, omnizip-algorithm.md §1).
 * Pruned tokens then simply leave gaps: a kept token keeps its original position.
 *
 * M-RoPE, per block of consecutive audio/video tokens starting at position s:
 * - audio token j of the block: (s + j, s + j, s + j);
 * - video token in temporal patch t, merged row r, merged column c: (s + t·step, s + r, s + c),
 *   step = audio_tokens_per_second · frames_per_temporal_patch / video_fps (25 for Qwen2.5-Omni);
 * - after the block, and for text tokens, positions continue from the block's largest + 1.
 * Text/special tokens get (p, p, p) with p counting up.
 */
export interface SequencePositions {
  /** Original sequence index of each position (what a 1-D RoPE model uses). [L] */
  linear: Int32Array;
  /** M-RoPE (temporal, height, width) ids, [3, L] row-major. */
  mrope: Int32Array;
}

export function sequencePositions(bundle: FeatureBundle): SequencePositions {
  const types = bundle.tokenTypes;
  const L = types.length;
  const linear = Int32Array.from({ length: L }, (_, i) => i);
  const mrope = new Int32Array(3 * L);
  const meta = bundle.metadata;
  const sms = meta.spatial_merge_size ?? 2;
  const mergedWidth = meta.grid_thw ? Math.max(1, Math.floor(meta.grid_thw[2] / sms)) : 1;
  const mergedHeight = meta.grid_thw ? Math.max(1, Math.floor(meta.grid_thw[1] / sms)) : 1;
  const tokensPerFrame = mergedWidth * mergedHeight;
  const perSecond = meta.audio_tokens_per_second ?? 25;
  const framesPerPatch = meta.frames_per_temporal_patch ?? 2;
  const fps = meta.video_fps ?? 2;
  const temporalStep = (perSecond * framesPerPatch) / fps;

  let next = 0;
  let p = 0;
  while (p < L) {
    if (types[p] === TOKEN_OTHER) {
      mrope[p] = mrope[L + p] = mrope[2 * L + p] = next++;
      p++;
      continue;
    }
    const start = next;
    let maxUsed = start - 1;
    let audioInBlock = 0;
    let videoInBlock = 0;
    while (p < L && types[p] !== TOKEN_OTHER) {
      let t: number;
      let h: number;
      let w: number;
      if (types[p] === TOKEN_AUDIO) {
        t = h = w = start + audioInBlock++;
      } else if (types[p] === TOKEN_VIDEO) {
        const v = videoInBlock++;
        const within = v % tokensPerFrame;
        t = start + Math.round(Math.floor(v / tokensPerFrame) * temporalStep);
        h = start + Math.floor(within / mergedWidth);
        w = start + (within % mergedWidth);
      } else {
        // Unknown type codes are positioned like text inside the block.
        t = h = w = start + audioInBlock;
      }
      mrope[p] = t;
      mrope[L + p] = h;
      mrope[2 * L + p] = w;
      maxUsed = Math.max(maxUsed, t, h, w);
      p++;
    }
    next = maxUsed + 1;
  }
  return { linear, mrope };
}
