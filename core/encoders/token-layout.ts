import { TOKEN_AUDIO, TOKEN_OTHER, TOKEN_VIDEO } from '../bundle/types.js';

/**
 * token_types of Qwen2.5-Omni's prompt with use_audio_in_video=True: per 2-s chunk the chunk's video
 * tokens (2 temporal patches at 1 patch/s) then its 50 audio tokens; the longer modality's extra
 * chunks follow back to back; text and special tokens around.
 */
export const AUDIO_TOKENS_PER_CHUNK = 50;
export const TEMPORAL_PATCHES_PER_CHUNK = 2;

export interface LayoutInput {
  numTemporalPatches: number;
  tokensPerPatch: number;
  numAudio: number;
}

/**
 * Text around the media: `<|im_start|>user\n` (3) plus one `<|vision_bos|>` / `<|audio_bos|>` per
 * present modality before, the matching eos tokens plus `<|im_end|>\n<|im_start|>assistant\n` (5)
 * after. The exact count only shifts positions; OmniZip never prunes these.
 */
const TEXT_BEFORE = 3;
const TEXT_AFTER = 5;

export function qwenOmniTokenTypes({ numTemporalPatches, tokensPerPatch, numAudio }: LayoutInput): Uint8Array {
  const numVideo = numTemporalPatches * tokensPerPatch;
  const modalities = (numVideo > 0 ? 1 : 0) + (numAudio > 0 ? 1 : 0);
  const length = TEXT_BEFORE + modalities + numVideo + numAudio + modalities + TEXT_AFTER;
  const types = new Uint8Array(length).fill(TOKEN_OTHER);
  let at = TEXT_BEFORE + modalities;
  const videoPerChunk = TEMPORAL_PATCHES_PER_CHUNK * tokensPerPatch;
  const videoChunks = videoPerChunk > 0 ? Math.ceil(numVideo / videoPerChunk) : 0;
  const audioChunks = Math.ceil(numAudio / AUDIO_TOKENS_PER_CHUNK);
  for (let c = 0; c < Math.max(videoChunks, audioChunks); c++) {
    const v = Math.max(0, Math.min(videoPerChunk, numVideo - c * videoPerChunk));
    types.fill(TOKEN_VIDEO, at, at + v);
    at += v;
    const a = Math.max(0, Math.min(AUDIO_TOKENS_PER_CHUNK, numAudio - c * AUDIO_TOKENS_PER_CHUNK));
    types.fill(TOKEN_AUDIO, at, at + a);
    at += a;
  }
  return types;
}
