import type { FeatureBundle } from '../core/bundle/types.js';
import { mulberry32 } from '../core/util/numeric.js';

/** Small random clips in the Qwen2.5-Omni interleaved layout. */
export interface ClipShape {
  videoChunks: number;
  audioChunks: number;
  gridH: number;
  gridW: number;
  framesPerChunk: number;
  audioPerChunk: number;
  dim: number;
  seed: number;
}

export function randomBundle(shape: ClipShape): FeatureBundle {
  const rand = mulberry32(shape.seed);
  const tpf = (shape.gridH / 2) * (shape.gridW / 2);
  const types: number[] = [0, 0, 0];
  const chunks = Math.max(shape.videoChunks, shape.audioChunks);
  for (let c = 0; c < chunks; c++) {
    if (c < shape.videoChunks) for (let i = 0; i < tpf * shape.framesPerChunk; i++) types.push(2);
    if (c < shape.audioChunks) for (let i = 0; i < shape.audioPerChunk; i++) types.push(1);
  }
  types.push(0, 0);
  const na = shape.audioChunks * shape.audioPerChunk;
  const nv = shape.videoChunks * shape.framesPerChunk * tpf;
  const fill = (n: number) => Float32Array.from({ length: n * shape.dim }, () => rand() * 2 - 1);
  return {
    audioEmbeds: fill(na),
    videoEmbeds: fill(nv),
    numAudio: na,
    numVideo: nv,
    hiddenSize: shape.dim,
    audioScores: na > 0 ? Float32Array.from({ length: na }, () => rand()) : null,
    tokenTypes: Uint8Array.from(types),
    waveform: null,
    frames: null,
    metadata: {
      format: 'omnizip-feature-bundle',
      version: 1,
      grid_thw: [shape.videoChunks * shape.framesPerChunk, shape.gridH, shape.gridW],
      spatial_merge_size: 2,
      frames_per_temporal_patch: 2,
    },
    storedDType: { audio: 'F32', video: 'F32' },
  };
}

