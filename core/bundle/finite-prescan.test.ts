import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSyntheticBundle } from '../../test-support/synthetic/index.js';
import { FinitePrescan } from './finite-prescan.js';
import { parseBundle, readBundle } from './reader.js';
import { parseSafetensors } from './safetensors.js';
import { serializeBundle } from './writer.js';

// ~6 MB: the reader's 4 MB chunks split it, so the scan crosses a chunk boundary.
const clip = serializeBundle(makeSyntheticBundle({ seconds: 20, hiddenSize: 512, tokensPerFrame: 128, seed: 7 }));
let dir = '';

/** A copy of `bytes` with `value` written over element `index` of an F32 tensor. */
function withValue(bytes: Uint8Array, tensor: string, index: number, value: number): Uint8Array {
  const copy = bytes.slice();
  const target = parseSafetensors(copy, 'x').tensors.get(tensor)!.bytes;
  new DataView(target.buffer, target.byteOffset + index * 4, 4).setFloat32(0, value, true);
  return copy;
}

/** Feeds `bytes` to a prescan in chunks of the given sizes (cycled), as the reader would. */
function prescanInChunks(bytes: Uint8Array, sizes: number[]): Map<string, [number, number]> {
  const prescan = new FinitePrescan();
  const out = new Uint8Array(bytes.length);
  let at = 0;
  for (let k = 0; at < bytes.length; k++) {
    const to = Math.min(bytes.length, at + sizes[k % sizes.length]);
    out.set(bytes.subarray(at, to), at);
    prescan.take(out, to);
    at = to;
  }
  return prescan.finiteRanges();
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'omz-prescan-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('FinitePrescan', () => {
  it('is given a clip larger than one read chunk', () => {
    expect(clip.length).toBeGreaterThan(4 * 1024 * 1024);
  });

  it('vouches for every clean float32 tensor whatever the chunk sizes, at the bytes the parser finds', () => {
    const tensors = parseSafetensors(clip, 'x').tensors;
    for (const sizes of [[clip.length], [4099], [3, 4093, 65536], [8 + 1, 1 << 20]]) {
      const ranges = prescanInChunks(clip, sizes);
      expect([...ranges.keys()].sort()).toEqual(['audio_embeds', 'audio_scores', 'video_embeds']);
      for (const [name, [start, end]] of ranges) {
        const bytes = tensors.get(name)!.bytes;
        expect([start, end]).toEqual([bytes.byteOffset - clip.byteOffset, bytes.byteOffset - clip.byteOffset + bytes.length]);
      }
    }
  });

  it('does not vouch for a tensor holding NaN or an infinity, nor for anything under an unreadable header', () => {
    const numVideo = parseSafetensors(clip, 'x').tensors.get('video_embeds')!.shape[0];
    const nan = prescanInChunks(withValue(clip, 'video_embeds', (numVideo - 1) * 512 + 5, NaN), [1 << 20]);
    expect(nan.has('video_embeds')).toBe(false);
    expect(nan.has('audio_embeds')).toBe(true);
    expect(prescanInChunks(withValue(clip, 'audio_embeds', 0, -Infinity), [1 << 20]).has('audio_embeds')).toBe(false);
    const garbage = clip.slice();
    garbage[9] = 0x7b; // '{{' - not JSON
    expect(prescanInChunks(garbage, [1 << 20]).size).toBe(0);
  });
});

describe('readBundle with the prescan', () => {
  it('reads the same bundle as parseBundle on the same bytes', async () => {
    const file = path.join(dir, 'clean.safetensors');
    await writeFile(file, clip);
    const read = await readBundle(file);
    const parsed = parseBundle(clip, file);
    const bytesOf = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    expect(bytesOf(read.videoEmbeds).equals(bytesOf(parsed.videoEmbeds))).toBe(true);
    expect(bytesOf(read.audioEmbeds).equals(bytesOf(parsed.audioEmbeds))).toBe(true);
    expect(read.contentHash).toBe(parsed.contentHash);
    expect(read.metadata).toEqual(parsed.metadata);
  });

  it('refuses a non-finite value past the first chunk with the message the full check gives', async () => {
    const numVideo = parseSafetensors(clip, 'x').tensors.get('video_embeds')!.shape[0];
    const bytes = withValue(clip, 'video_embeds', (numVideo - 2) * 512 + 7, Infinity);
    const file = path.join(dir, 'inf.safetensors');
    await writeFile(file, bytes);
    const expected = (() => {
      try {
        parseBundle(bytes, file);
      } catch (err) {
        return (err as Error).message;
      }
      return 'no error';
    })();
    expect(expected).toMatch(new RegExp(`tensor 'video_embeds': contains Infinity at row ${numVideo - 2} \\(column 7\\)`));
    await expect(readBundle(file)).rejects.toThrow(expected);
  });
});
