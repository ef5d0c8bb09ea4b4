import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { thrownBundleError } from '../../test-support/bundle-errors.js';
import { BundleError } from './errors.js';
import { bundleContentHash, parseBundle, parseBundleOutline, readBundle, readBundleOutline, storedValuesFinite } from './reader.js';
import { FinitePrescan } from './finite-prescan.js';
import { parseSafetensors, serializeSafetensors, type SafetensorsTensorInput } from './safetensors.js';
import { makeSyntheticBundle } from '../../test-support/synthetic/index.js';
import { rewriteSafetensorsHeader } from '../../test-support/raw-safetensors.js';
import type { FeatureBundle } from './types.js';
import { serializeBundle, writeBundle } from './writer.js';
import { goldenDir } from '../util/shared-paths.js';

/** A small valid bundle: 4 s, D 8, 4 tokens per temporal patch -> Na 100, Nv 16. */
function smallBundle(overrides: Partial<Parameters<typeof makeSyntheticBundle>[0]> = {}): FeatureBundle {
  return makeSyntheticBundle({ seconds: 4, hiddenSize: 8, tokensPerFrame: 4, seed: 7, ...overrides });
}

/** The tensors a valid writer would store, as editable inputs (no validation). */
function tensorsOf(bundle: FeatureBundle): Map<string, SafetensorsTensorInput> {
  const tensors = new Map<string, SafetensorsTensorInput>();
  tensors.set('audio_embeds', { name: 'audio_embeds', dtype: 'F32', shape: [bundle.numAudio, bundle.hiddenSize], data: bundle.audioEmbeds.slice() });
  tensors.set('video_embeds', { name: 'video_embeds', dtype: 'F32', shape: [bundle.numVideo, bundle.hiddenSize], data: bundle.videoEmbeds.slice() });
  if (bundle.audioScores) tensors.set('audio_scores', { name: 'audio_scores', dtype: 'F32', shape: [bundle.numAudio], data: bundle.audioScores.slice() });
  tensors.set('token_types', { name: 'token_types', dtype: 'U8', shape: [bundle.tokenTypes.length], data: bundle.tokenTypes.slice() });
  return tensors;
}

interface Edit {
  tensors: Map<string, SafetensorsTensorInput>;
  metadata: Record<string, unknown>;
  fileMetadata: Record<string, string>;
}

/** Serialises a deliberately edited copy of `bundle` without the writer's checks. */
function editedFile(bundle: FeatureBundle, edit: (e: Edit) => void): Uint8Array {
  const e: Edit = { tensors: tensorsOf(bundle), metadata: JSON.parse(JSON.stringify(bundle.metadata)) as Record<string, unknown>, fileMetadata: {} };
  edit(e);
  const fileMetadata = { ...e.fileMetadata };
  if (!('omnizip' in fileMetadata) && Object.keys(e.metadata).length > 0) fileMetadata.omnizip = JSON.stringify(e.metadata);
  return serializeSafetensors([...e.tensors.values()], fileMetadata);
}

/** parseBundle's error for `bytes`, after checking that the outline reader (inspect's) refuses them with the same words. */
function readError(bytes: Uint8Array): BundleError {
  const err = thrownBundleError(() => parseBundle(bytes, 'clip.safetensors'), 'parseBundle');
  expect(thrownBundleError(() => parseBundleOutline(bytes, 'clip.safetensors'), 'parseBundleOutline').message).toBe(err.message);
  return err;
}

function f32Data(e: Edit, name: string): Float32Array {
  return e.tensors.get(name)!.data as Float32Array;
}

/** `bundle` written with half embeddings (F16 or BF16), the one at `index` of `tensor` replaced by the bit pattern `bits`. */
function halfBundleWith(bundle: FeatureBundle, dtype: 'F16' | 'BF16', tensor: 'audio_embeds' | 'video_embeds', index: number, bits: number): Uint8Array {
  const bytes = serializeBundle(bundle, { dtype }).slice();
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, { data_offsets: [number, number] }>;
  new DataView(bytes.buffer).setUint16(8 + headerLength + header[tensor].data_offsets[0] + 2 * index, bits, true);
  return bytes;
}

describe('golden bundles', () => {
  const dir = goldenDir();
  const cases = existsSync(dir)
    ? readdirSync(dir).filter((f) => f.endsWith('.safetensors') && !f.includes('expected-anchors')).map((f) => f.replace(/\.safetensors$/, ''))
    : [];

  it('are present', () => {
    expect(cases.length).toBeGreaterThanOrEqual(17);
  });

  it.each(cases)('%s reads with the counts of its expected.json', async (name) => {
    const file = path.join(dir, `${name}.safetensors`);
    const bundle = await readBundle(file);
    const expected = JSON.parse(readFileSync(path.join(dir, `${name}.expected.json`), 'utf8')) as {
      counts: { audio: { total: number }; video: { total: number }; sequence: { total: number } };
    };
    expect(bundle.numAudio).toBe(expected.counts.audio.total);
    expect(bundle.numVideo).toBe(expected.counts.video.total);
    expect(bundle.tokenTypes.length).toBe(expected.counts.sequence.total);
    expect(bundle.audioEmbeds.length).toBe(bundle.numAudio * bundle.hiddenSize);
    expect(bundle.audioScores?.length).toBe(bundle.numAudio);
    expect(bundle.metadata.format).toBe('omnizip-feature-bundle');
    expect(bundle.metadata.grid_thw).toHaveLength(3);
    expect(bundle.storedDType).toEqual({ audio: 'F32', video: 'F32' });
    expect(bundle.contentHash).toBe(createHash('sha256').update(await readFile(file)).digest('hex'));
    // Golden files are 8-byte aligned, so the embeddings are views, not copies.
    expect(bundle.videoEmbeds.buffer).toBe(bundle.audioEmbeds.buffer);
    expect(bundle.tokenTypes.buffer).toBe(bundle.audioEmbeds.buffer);
  });

  it.each(cases)('%s: the outline reader (inspect) gives the bundle less its embeddings', async (name) => {
    const file = path.join(dir, `${name}.safetensors`);
    const { audioEmbeds: _audio, videoEmbeds: _video, contentHash: _hash, ...whole } = await readBundle(file);
    expect(await readBundleOutline(file)).toEqual(whole);
  });
});

describe('the outline reader', () => {
  const bundle = smallBundle({ withWaveform: true, withFrames: true, framePixelsPerToken: 3, sampleRate: 800 });
  const outlineOf = ({ audioEmbeds: _audio, videoEmbeds: _video, contentHash: _hash, ...rest }: FeatureBundle) => rest;

  it.each(['F32', 'F16', 'BF16'] as const)('reads a %s bundle as parseBundle does, less its embeddings', (dtype) => {
    const bytes = serializeBundle(bundle, { dtype });
    expect(parseBundleOutline(bytes, 'clip.safetensors')).toEqual(outlineOf(parseBundle(bytes, 'clip.safetensors')));
    // Without a prescan, float32 embeddings go through parseBundle's path; half ones are checked on their bits still.
    expect(parseBundleOutline(bytes, 'clip.safetensors', new Map())).toEqual(outlineOf(parseBundle(bytes, 'clip.safetensors')));
  });

  it.each([
    ['F16', 0x7c00, 'Infinity'],
    ['F16', 0xfe00, 'NaN'],
    ['BF16', 0xff80, '-Infinity'],
  ] as const)('refuses a non-finite %s value (bits %s) with the row parseBundle names', (dtype, bits, what) => {
    const bytes = halfBundleWith(bundle, dtype, 'video_embeds', 6 * 8 + 2, bits);
    expect(storedValuesFinite(bytes, parseSafetensors(bytes, 'x').tensors.get('video_embeds')!, new Map())).toBe(false);
    expect(readError(bytes).message).toContain(`tensor 'video_embeds': contains ${what} at row 6 (column 2)`);
  });

  it.each(['F32', 'F16', 'BF16'] as const)('vouches for finite %s embeddings without widening them (its fast path)', (dtype) => {
    const bytes = serializeBundle(bundle, { dtype });
    const tensors = parseSafetensors(bytes, 'x').tensors;
    const prescan = new FinitePrescan();
    prescan.take(bytes, bytes.length);
    for (const name of ['audio_embeds', 'video_embeds']) {
      expect(storedValuesFinite(bytes, tensors.get(name)!, prescan.finiteRanges())).toBe(true);
      // Float32 values need the prescan's word; half ones are read from their bits.
      expect(storedValuesFinite(bytes, tensors.get(name)!, new Map())).toBe(dtype !== 'F32');
    }
  });
});

describe('round trip through the writer', () => {
  const bundle = smallBundle({ withWaveform: true, withFrames: true, framePixelsPerToken: 3, sampleRate: 800 });

  it('F32 is exact and keeps every field', () => {
    const back = parseBundle(serializeBundle(bundle), 'rt.safetensors');
    expect(back.audioEmbeds).toEqual(bundle.audioEmbeds);
    expect(back.videoEmbeds).toEqual(bundle.videoEmbeds);
    expect(back.audioScores).toEqual(bundle.audioScores);
    expect(back.tokenTypes).toEqual(bundle.tokenTypes);
    expect(back.waveform).toEqual(bundle.waveform);
    expect(back.frames).toEqual(bundle.frames);
    expect(back.metadata).toEqual(bundle.metadata);
    expect(back.storedDType).toEqual({ audio: 'F32', video: 'F32' });
  });

  it.each([
    ['F16', 2 ** -11, 2 ** -25],
    ['BF16', 2 ** -8, 0],
  ] as const)('%s stays within half precision and is widened to float32', (dtype, relative, absolute) => {
    const bytes = serializeBundle(bundle, { dtype });
    const back = parseBundle(bytes, 'rt.safetensors');
    expect(back.storedDType).toEqual({ audio: dtype, video: dtype });
    expect(back.audioEmbeds).toBeInstanceOf(Float32Array);
    for (const [original, read] of [[bundle.audioEmbeds, back.audioEmbeds], [bundle.videoEmbeds, back.videoEmbeds]] as const) {
      let worst = 0;
      for (let i = 0; i < original.length; i++) {
        worst = Math.max(worst, Math.abs(read[i] - original[i]) - (Math.abs(original[i]) * relative + absolute));
      }
      expect(worst).toBeLessThanOrEqual(0);
    }
    expect(back.audioScores).toEqual(bundle.audioScores); // scores stay F32
    // Re-encoding already-rounded values is exact.
    expect(parseBundle(serializeBundle(back, { dtype }), 'again').audioEmbeds).toEqual(back.audioEmbeds);
    expect(bytes.length).toBeLessThan(serializeBundle(bundle).length);
  });

  it('keeps unknown metadata keys and other __metadata__ entries', () => {
    const bytes = editedFile(bundle, (e) => {
      e.metadata.custom_note = { any: ['thing'] };
      e.fileMetadata.format = 'pt';
    });
    const back = parseBundle(bytes, 'k.safetensors');
    expect(back.metadata.custom_note).toEqual({ any: ['thing'] });
    expect(back.extraFileMetadata).toEqual({ format: 'pt' });
    const again = parseBundle(serializeBundle(back), 'k2.safetensors');
    expect(again.metadata.custom_note).toEqual({ any: ['thing'] });
    expect(again.extraFileMetadata).toEqual({ format: 'pt' });
  });

  it('attaches the sha256 of the bytes unless told not to', () => {
    const bytes = serializeBundle(bundle);
    expect(parseBundle(bytes, 'h').contentHash).toBe(bundleContentHash(bytes));
    expect(bundleContentHash(bytes)).toMatch(/^[0-9a-f]{64}$/);
    expect(parseBundle(bytes, 'h', { computeHash: false }).contentHash).toBeUndefined();
  });
});

describe('writeBundle / readBundle on disk', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'omnizip-bundle-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes atomically and reads back', async () => {
    const bundle = smallBundle();
    const file = path.join(dir, 'sub', 'clip.safetensors');
    await writeBundle(file, bundle, { dtype: 'BF16' });
    const back = await readBundle(file);
    expect(back.numAudio).toBe(100);
    expect(back.storedDType.audio).toBe('BF16');
    expect(await readdir(path.dirname(file))).toEqual(['clip.safetensors']);
  });

  it('refuses to write an invalid bundle and leaves nothing behind', async () => {
    const bundle = smallBundle();
    const broken: FeatureBundle = { ...bundle, audioEmbeds: bundle.audioEmbeds.slice() };
    broken.audioEmbeds[3 * bundle.hiddenSize + 1] = NaN;
    const file = path.join(dir, 'broken.safetensors');
    await expect(writeBundle(file, broken)).rejects.toThrow(/broken\.safetensors: tensor 'audio_embeds': contains NaN at row 3/);
    expect(existsSync(file)).toBe(false);
  });

  it('reports a missing file as a BundleError', async () => {
    const missing = path.join(dir, 'nope.safetensors');
    await expect(readBundle(missing)).rejects.toThrow(BundleError);
    await expect(readBundle(missing)).rejects.toThrow(/nope\.safetensors: cannot read: no such file/);
  });
});

describe('the writer validates like the reader', () => {
  const bundle = smallBundle();

  it('refuses token_types that disagree with the embeddings', () => {
    const tokenTypes = bundle.tokenTypes.slice();
    tokenTypes[tokenTypes.indexOf(1)] = 0;
    expect(() => serializeBundle({ ...bundle, tokenTypes })).toThrow(/tensor 'token_types': marks 99 audio positions/);
  });

  it('refuses embeddings whose length is not N x D', () => {
    expect(() => serializeBundle({ ...bundle, videoEmbeds: bundle.videoEmbeds.subarray(1) })).toThrow(/tensor 'video_embeds': holds 127 values, expected Nv x D = 16 x 8/);
  });

  it('refuses values that overflow F16', () => {
    const audioEmbeds = bundle.audioEmbeds.slice();
    audioEmbeds[2 * 8 + 5] = 1e5;
    expect(() => serializeBundle({ ...bundle, audioEmbeds }, { dtype: 'F16' })).toThrow(/tensor 'audio_embeds': value 100000 at row 2 \(column 5\) does not fit in F16/);
    expect(() => serializeBundle({ ...bundle, audioEmbeds }, { dtype: 'BF16' })).not.toThrow();
  });

  it('refuses missing metadata when there is video', () => {
    const { grid_thw: _grid, ...metadata } = bundle.metadata;
    expect(() => serializeBundle({ ...bundle, metadata })).toThrow(/metadata key 'grid_thw': missing; required when the bundle has video tokens/);
  });
});

describe('parseBundle enforces every rule of feature-bundle.md', () => {
  const bundle = smallBundle();

  it('accepts the unedited file', () => {
    expect(parseBundle(editedFile(bundle, () => {}), 'ok').numVideo).toBe(16);
  });

  it('truncated file', () => {
    const bytes = serializeBundle(bundle);
    const err = readError(bytes.subarray(0, bytes.length - 10));
    expect(err.message).toMatch(/^bundle clip\.safetensors: tensor '\w+': data_offsets .* lie outside/);
  });

  it('file shorter than the header length field', () => {
    expect(readError(new Uint8Array(5)).message).toBe('bundle clip.safetensors: header: file is 5 bytes long, too short to hold the 8-byte header length (truncated file?)');
  });

  it('header length beyond the file', () => {
    const bytes = serializeBundle(bundle).slice();
    new DataView(bytes.buffer).setBigUint64(0, 1n << 40n, true);
    expect(readError(bytes).message).toMatch(/^bundle clip\.safetensors: header: header length \d+ runs past the end/);
  });

  it('garbage header', () => {
    const bytes = serializeBundle(bundle).slice();
    bytes.fill(0x41, 8, 20);
    const err = readError(bytes);
    expect(err.subject).toBe('header');
    expect(err.message).toMatch(/header is not valid JSON/);
  });

  it('overlapping ranges and byte counts that disagree with dtype x shape', () => {
    const overlapping = rewriteSafetensorsHeader(serializeBundle(bundle), (header) => {
      const audio = header.audio_embeds.data_offsets;
      header.video_embeds.data_offsets = [audio[0] + 4, audio[0] + 4 + 16 * 8 * 4];
    });
    expect(readError(overlapping).message).toMatch(/^bundle clip\.safetensors: tensor '\w+_embeds': byte range .* overlaps tensor/);
    const mismatch = rewriteSafetensorsHeader(serializeBundle(bundle), (header) => {
      header.audio_scores.shape = [50];
    });
    expect(readError(mismatch).message).toBe("bundle clip.safetensors: tensor 'audio_scores': holds 400 bytes but F32 [50] needs 200");
  });

  it('missing required tensor', () => {
    expect(readError(editedFile(bundle, (e) => e.tensors.delete('video_embeds'))).message).toMatch(/tensor 'video_embeds': missing/);
    expect(readError(editedFile(bundle, (e) => e.tensors.delete('token_types'))).message).toMatch(/tensor 'token_types': missing/);
  });

  it('wrong dtype: token_types stored as F32', () => {
    const err = readError(editedFile(bundle, (e) => {
      const types = e.tensors.get('token_types')!;
      e.tensors.set('token_types', { ...types, dtype: 'F32', data: Float32Array.from(types.data as Uint8Array) });
    }));
    expect(err.subject).toBe('token_types');
    expect(err.message).toMatch(/tensor 'token_types': dtype F32, expected U8/);
  });

  it('wrong dtype: embeddings as I32, scores as F16', () => {
    expect(readError(editedFile(bundle, (e) => {
      const audio = e.tensors.get('audio_embeds')!;
      e.tensors.set('audio_embeds', { ...audio, dtype: 'I32', data: new Int32Array(audio.data.byteLength / 4) });
    })).message).toMatch(/tensor 'audio_embeds': dtype I32, expected F32 or F16 or BF16/);
    expect(readError(editedFile(bundle, (e) => {
      e.tensors.set('audio_scores', { name: 'audio_scores', dtype: 'F16', shape: [100], data: new Uint16Array(100) });
    })).message).toMatch(/tensor 'audio_scores': dtype F16, expected F32/);
  });

  it('wrong rank', () => {
    expect(readError(editedFile(bundle, (e) => {
      e.tensors.get('audio_embeds')!.shape = [100 * 8];
    })).message).toMatch(/tensor 'audio_embeds': shape \[800\] has rank 1, expected \[Na, D\]/);
    expect(readError(editedFile(bundle, (e) => {
      e.tensors.get('token_types')!.shape = [1, bundle.tokenTypes.length];
    })).message).toMatch(/tensor 'token_types': .* rank 2, expected \[L\]/);
  });

  it('counts in token_types disagree with Na and Nv', () => {
    expect(readError(editedFile(bundle, (e) => {
      const types = e.tensors.get('token_types')!.data as Uint8Array;
      types[types.indexOf(2)] = 0;
    })).message).toMatch(/tensor 'token_types': marks 15 video positions \(value 2\) but video_embeds has 16 rows/);
    expect(readError(editedFile(bundle, (e) => {
      const types = e.tensors.get('token_types')!.data as Uint8Array;
      types[0] = 1;
    })).message).toMatch(/tensor 'token_types': marks 101 audio positions \(value 1\) but audio_embeds has 100 rows/);
  });

  it('token_types value 3', () => {
    const err = readError(editedFile(bundle, (e) => {
      (e.tensors.get('token_types')!.data as Uint8Array)[2] = 3;
    }));
    expect(err.message).toBe("bundle clip.safetensors: tensor 'token_types': value 3 at position 2 (allowed: 0 other, 1 audio, 2 video)");
  });

  it('NaN in audio embeddings names the row', () => {
    const err = readError(editedFile(bundle, (e) => {
      f32Data(e, 'audio_embeds')[12 * 8 + 3] = NaN;
    }));
    expect(err.subject).toBe('audio_embeds');
    expect(err.message).toBe("bundle clip.safetensors: tensor 'audio_embeds': contains NaN at row 12 (column 3)");
  });

  it('Infinity in video embeddings names the row', () => {
    expect(readError(editedFile(bundle, (e) => {
      f32Data(e, 'video_embeds')[9 * 8] = -Infinity;
    })).message).toMatch(/tensor 'video_embeds': contains -Infinity at row 9 \(column 0\)/);
  });

  it('Infinity in F16 embeddings is caught after widening', () => {
    expect(parseBundle(serializeBundle(bundle, { dtype: 'F16' }), 'x', { computeHash: false }).numVideo).toBe(16);
    expect(readError(halfBundleWith(bundle, 'F16', 'video_embeds', 5 * 8 + 1, 0x7c00)).message).toMatch(/tensor 'video_embeds': contains Infinity at row 5 \(column 1\)/);
  });

  it('NaN in BF16 audio embeddings names the row, and finite half embeddings pass', () => {
    expect(parseBundle(serializeBundle(bundle, { dtype: 'BF16' }), 'x', { computeHash: false }).audioEmbeds.every(Number.isFinite)).toBe(true);
    expect(readError(halfBundleWith(bundle, 'BF16', 'audio_embeds', 3 * 8 + 7, 0x7fc0)).message).toMatch(/tensor 'audio_embeds': contains NaN at row 3 \(column 7\)/);
  });

  it('NaN and Infinity in audio scores', () => {
    expect(readError(editedFile(bundle, (e) => {
      f32Data(e, 'audio_scores')[42] = NaN;
    })).message).toBe("bundle clip.safetensors: tensor 'audio_scores': contains NaN at row 42");
    expect(readError(editedFile(bundle, (e) => {
      f32Data(e, 'audio_scores')[7] = Infinity;
    })).message).toMatch(/tensor 'audio_scores': contains Infinity at row 7/);
  });

  it('grid_thw inconsistent with Nv', () => {
    const err = readError(editedFile(bundle, (e) => {
      e.metadata.grid_thw = [5, 4, 4];
    }));
    expect(err.subject).toBe('grid_thw');
    expect(err.message).toMatch(/metadata key 'grid_thw': \[5, 4, 4\] implies 5 x \(4\/2\) x \(4\/2\) = 20 video tokens, but video_embeds has 16 rows/);
  });

  it('grid_thw not divisible by the spatial merge size', () => {
    expect(readError(editedFile(bundle, (e) => {
      e.metadata.grid_thw = [4, 2, 4];
      e.metadata.spatial_merge_size = 4;
    })).message).toMatch(/metadata key 'grid_thw': \[4, 2, 4\]: h and w must be divisible by spatial_merge_size 4/);
    expect(readError(editedFile(bundle, (e) => {
      e.metadata.grid_thw = [4, 4];
    })).message).toMatch(/metadata key 'grid_thw': is \[4,4\], expected \[t, h, w\]/);
  });

  it('metadata missing when Nv > 0', () => {
    const err = readError(editedFile(bundle, (e) => {
      e.metadata = {};
    }));
    expect(err.subject).toBe('omnizip');
    expect(err.message).toMatch(/metadata key 'omnizip': missing; .* required when the bundle has video tokens \(Nv = 16\)/);
  });

  it('format or version missing or wrong, metadata not JSON', () => {
    expect(readError(editedFile(bundle, (e) => {
      delete e.metadata.format;
    })).message).toMatch(/metadata key 'format': missing/);
    expect(readError(editedFile(bundle, (e) => {
      e.metadata.format = 'something-else';
    })).message).toMatch(/metadata key 'format': is "something-else"/);
    expect(readError(editedFile(bundle, (e) => {
      e.metadata.version = 2;
    })).message).toMatch(/metadata key 'version': unsupported version 2/);
    expect(readError(editedFile(bundle, (e) => {
      e.fileMetadata.omnizip = '{not json';
    })).message).toMatch(/metadata key 'omnizip': is not valid JSON/);
    expect(readError(editedFile(bundle, (e) => {
      e.metadata.video_fps = -2;
    })).message).toMatch(/metadata key 'video_fps': is -2, expected a positive number/);
  });

  it('audio_scores of the wrong length is refused; missing scores are accepted (planned by token energy)', () => {
    const withoutScores = parseBundle(editedFile(bundle, (e) => e.tensors.delete('audio_scores')), 'clip.safetensors');
    expect(withoutScores.audioScores).toBeNull();
    expect(withoutScores.numAudio).toBe(100);
    expect(readError(editedFile(bundle, (e) => {
      e.tensors.set('audio_scores', { name: 'audio_scores', dtype: 'F32', shape: [99], data: new Float32Array(99) });
    })).message).toMatch(/tensor 'audio_scores': shape \[99\], expected \[100\]/);
  });

  it('D differs between the modalities', () => {
    const err = readError(editedFile(bundle, (e) => {
      e.tensors.set('video_embeds', { name: 'video_embeds', dtype: 'F32', shape: [16, 4], data: new Float32Array(64) });
    }));
    expect(err.message).toMatch(/tensor 'video_embeds': hidden size D = 4 differs from audio_embeds' D = 8/);
  });

  it('optional tensors with the wrong dtype or shape', () => {
    expect(readError(editedFile(bundle, (e) => {
      e.tensors.set('waveform', { name: 'waveform', dtype: 'F64', shape: [4], data: new Float64Array(4) });
    })).message).toMatch(/tensor 'waveform': dtype F64, expected F32/);
    expect(readError(editedFile(bundle, (e) => {
      e.tensors.set('frames', { name: 'frames', dtype: 'U8', shape: [2, 3, 3, 4], data: new Uint8Array(72) });
    })).message).toMatch(/tensor 'frames': .* last dimension must be 3/);
  });
});

describe('bundles with one modality are valid', () => {
  it('video only (Na = 0, no audio_scores)', () => {
    const videoOnly = makeSyntheticBundle({ seconds: 4, audioSeconds: 0, hiddenSize: 8, tokensPerFrame: 4 });
    expect(videoOnly.numAudio).toBe(0);
    const bytes = editedFile(videoOnly, (e) => e.tensors.delete('audio_scores'));
    const back = parseBundle(bytes, 'v.safetensors');
    expect(back.numAudio).toBe(0);
    expect(back.audioScores).toBeNull();
    expect(back.numVideo).toBe(16);
    expect(parseBundle(serializeBundle(back), 'v2').numVideo).toBe(16);
  });

  it('audio only (Nv = 0), even without any metadata and with a [0, 0] video placeholder', () => {
    const audioOnly = makeSyntheticBundle({ seconds: 2, videoSeconds: 0, hiddenSize: 8, tokensPerFrame: 4 });
    expect(audioOnly.numVideo).toBe(0);
    expect(audioOnly.metadata.grid_thw).toBeUndefined();
    expect(parseBundle(serializeBundle(audioOnly), 'a').numAudio).toBe(50);
    const bare = editedFile(audioOnly, (e) => {
      e.metadata = {};
      e.tensors.set('video_embeds', { name: 'video_embeds', dtype: 'F32', shape: [0, 0], data: new Float32Array(0) });
    });
    const back = parseBundle(bare, 'bare.safetensors');
    expect(back.hiddenSize).toBe(8);
    expect(back.metadata).toEqual({ format: 'omnizip-feature-bundle', version: 1 });
  });
});
