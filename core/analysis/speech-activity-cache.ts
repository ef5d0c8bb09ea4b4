/**
 * The speech reference (Silero VAD per audio token) kept on disk beside the analysis cache, so a
 * clip opened again does not run the VAD again: 0.5-1 s of the demo's opening, on every start of
 * the studio (issue 16 goal 5's warm start). One small file per clip and VAD model:
 * 'OZSP', a format version, the token count, then the float32 probabilities. An entry that does
 * not read back whole and in [0, 1] is ignored and replaced.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';

const MAGIC = 0x50535a4f; // 'OZSP' little-endian
const FORMAT_VERSION = 1;
const HEADER_BYTES = 12;

/**
 * The entry's file: the waveform itself (what the VAD hears), the rates its tokens are read at, the
 * token count, and the model file's identity (path, size, mtime), so another VAD model never reads
 * this one's answer.
 */
export async function speechCacheFile(dir: string, waveform: Float32Array, numAudio: number, modelPath: string, rate: number, tokensPerSecond: number): Promise<string> {
  const model = await stat(modelPath);
  const h = createHash('sha256');
  h.update(JSON.stringify({ rate, tokensPerSecond, numAudio, samples: waveform.length, model: [path.resolve(modelPath), model.size, model.mtimeMs] }));
  h.update(new Uint8Array(waveform.buffer, waveform.byteOffset, waveform.byteLength));
  return path.join(dir, `${h.digest('hex').slice(0, 40)}.speech.v${FORMAT_VERSION}.ozspeech`);
}

/** The cached per-token probabilities, or null when there is no valid entry for `numAudio` tokens. */
export async function readSpeechCache(file: string, numAudio: number): Promise<Float32Array | null> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch {
    return null;
  }
  if (bytes.byteLength !== HEADER_BYTES + 4 * numAudio) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC || view.getUint32(4, true) !== FORMAT_VERSION || view.getUint32(8, true) !== numAudio) return null;
  const out = new Float32Array(numAudio);
  for (let i = 0; i < numAudio; i++) {
    const p = view.getFloat32(HEADER_BYTES + 4 * i, true);
    if (!(p >= 0 && p <= 1)) return null;
    out[i] = p;
  }
  return out;
}

/** Stores the probabilities (atomically: a killed write leaves no entry, never half of one). */
export async function writeSpeechCache(file: string, activity: Float32Array): Promise<void> {
  const bytes = new Uint8Array(HEADER_BYTES + 4 * activity.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, FORMAT_VERSION, true);
  view.setUint32(8, activity.length, true);
  for (let i = 0; i < activity.length; i++) view.setFloat32(HEADER_BYTES + 4 * i, activity[i], true);
  await writeFileAtomic(file, bytes);
}
