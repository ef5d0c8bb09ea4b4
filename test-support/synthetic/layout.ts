/** Token layout of a synthetic clip: the merged grid per temporal patch and the interleaved sequence. */
import { TOKEN_AUDIO, TOKEN_VIDEO } from '../../core/bundle/types.js';

/** [rows, cols] of merged tokens per temporal patch: rows*cols = tpf, landscape about 1:2. */
export function mergedGridFor(tokensPerFrame: number): [number, number] {
  for (let rows = Math.floor(Math.sqrt(tokensPerFrame / 2)); rows >= 1; rows--) {
    if (tokensPerFrame % rows === 0) return [rows, tokensPerFrame / rows];
  }
  return [1, tokensPerFrame];
}

export interface Layout {
  numAudio: number;
  temporalPatches: number;
  tokensPerFrame: number;
  tokenTypes: Uint8Array;
}

/**
 * Qwen2.5-Omni's `use_audio_in_video` order: text, then per chunk that chunk's video tokens and
 * then its audio tokens, the longer modality's extra chunks back to back, then text again.
 */
export function buildLayout(numAudio: number, temporalPatches: number, tokensPerFrame: number, audioPerChunk: number, patchesPerChunk: number, lead: number, trail: number): Layout {
  const numVideo = temporalPatches * tokensPerFrame;
  const tokenTypes = new Uint8Array(lead + numAudio + numVideo + trail);
  const videoPerChunk = patchesPerChunk * tokensPerFrame;
  const audioChunks = Math.ceil(numAudio / audioPerChunk);
  const videoChunks = Math.ceil(numVideo / videoPerChunk);
  let position = lead;
  const emit = (kind: number, count: number) => {
    tokenTypes.fill(kind, position, position + count);
    position += count;
  };
  for (let chunk = 0; chunk < Math.max(audioChunks, videoChunks); chunk++) {
    if (chunk < videoChunks) emit(TOKEN_VIDEO, Math.min(videoPerChunk, numVideo - chunk * videoPerChunk));
    if (chunk < audioChunks) emit(TOKEN_AUDIO, Math.min(audioPerChunk, numAudio - chunk * audioPerChunk));
  }
  return { numAudio, temporalPatches, tokensPerFrame, tokenTypes };
}
