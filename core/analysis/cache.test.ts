import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeSyntheticBundle } from '../../test-support/synthetic/index.js';
import { AnalysisCache, analysisContentHash, analyzeWithCache, decodeAnalysis, encodeAnalysis } from './cache.js';
import { analyzeReference } from './reference.js';
import { ANALYSIS_VERSION, type AnalysisEngine } from './types.js';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'omnizip-cache-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

const bundle = makeSyntheticBundle({ seconds: 4, hiddenSize: 32, tokensPerFrame: 16, seed: 9 });
const geometries = [16, 8];

/** The reference engine, counting how often it really computes. */
function countingEngine(): AnalysisEngine & { calls: number } {
  const engine = {
    name: 'typescript-reference',
    calls: 0,
    async analyze(b: typeof bundle, o: { frameGeometries: number[] }) {
      engine.calls++;
      return analyzeReference(b, o.frameGeometries);
    },
  };
  return engine;
}

describe('analysis cache', () => {
  it('round-trips every array and scalar bit for bit, NaNs included', () => {
    const analysis = analyzeReference(bundle, geometries);
    const decoded = decodeAnalysis(encodeAnalysis(analysis));
    expect(decoded).toEqual(analysis);
    expect(Number.isNaN(decoded.frames[0].temporal[0])).toBe(true);
  });

  it('misses, stores, then hits without recomputing', async () => {
    const cache = new AnalysisCache(path.join(tmp, 'hit-miss'));
    const engine = countingEngine();
    const first = await analyzeWithCache(bundle, engine, { frameGeometries: geometries, cache });
    expect(first.cache).toBe('miss');
    expect(path.basename(first.cacheFile!)).toBe(`${analysisContentHash(bundle)}.v${ANALYSIS_VERSION}.g16-8.ozanalysis`);
    const second = await analyzeWithCache(bundle, engine, { frameGeometries: geometries, cache });
    expect(second.cache).toBe('hit');
    expect(engine.calls).toBe(1);
    expect(second.analysis).toEqual(first.analysis);
    // other geometries are another entry
    expect((await analyzeWithCache(bundle, engine, { frameGeometries: [16], cache })).cache).toBe('miss');
    // no temp files left behind by the atomic writes
    expect((await readdir(cache.dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('detects a corrupted entry (flipped byte, truncation, garbage), recomputes and rewrites it', async () => {
    const cache = new AnalysisCache(path.join(tmp, 'corrupt'));
    const engine = countingEngine();
    const { cacheFile } = await analyzeWithCache(bundle, engine, { frameGeometries: geometries, cache });
    const good = await readFile(cacheFile!);
    const damage = [
      (b: Buffer) => {
        const c = Buffer.from(b);
        c[Math.floor(c.length / 2)] ^= 0x40;
        return c;
      },
      (b: Buffer) => b.subarray(0, b.length - 100),
      () => Buffer.from('not a cache entry at all'),
    ];
    for (const spoil of damage) {
      await writeFile(cacheFile!, spoil(good));
      const again = await analyzeWithCache(bundle, engine, { frameGeometries: geometries, cache });
      expect(again.cache).toBe('corrupt');
      expect(again.cacheProblem).toMatch(/checksum|shorter|magic/);
      const rewritten = decodeAnalysis(await readFile(cacheFile!));
      expect({ ...rewritten, engine: null }).toEqual({ ...decodeAnalysis(good), engine: null });
      expect((await analyzeWithCache(bundle, engine, { frameGeometries: geometries, cache })).cache).toBe('hit');
    }
    expect(engine.calls).toBe(4);
  });

  it('recomputes when the user forced a provider other than the one the entry was computed on', async () => {
    const cache = new AnalysisCache(path.join(tmp, 'provider'));
    const engine = countingEngine();
    await analyzeWithCache(bundle, engine, { frameGeometries: geometries, cache });
    const forced = await analyzeWithCache(bundle, engine, { frameGeometries: geometries, cache, requireProvider: 'cuda' });
    expect(forced.cache).toBe('miss');
    expect(engine.calls).toBe(2);
  });

  it('keys on the reader content hash when the bundle has one', async () => {
    const cache = new AnalysisCache(path.join(tmp, 'hash'));
    expect(analysisContentHash({ ...bundle, contentHash: 'ab'.repeat(32) })).toBe('ab'.repeat(32));
    expect(() => cache.fileFor('../../etc/passwd', [16])).toThrow(/not a hex digest/);
  });

  it('with deferWrite, answers before the entry is on disk, stores the analysis as it was even when the caller then empties its arrays, and hits next time', async () => {
    const cache = new AnalysisCache(path.join(tmp, 'deferred'));
    const engine = countingEngine();
    const writes: Promise<string | null>[] = [];
    const first = await analyzeWithCache(bundle, engine, { frameGeometries: geometries, cache, deferWrite: (w) => writes.push(w) });
    expect(first.cache).toBe('miss');
    expect(first.cacheFile).toBeUndefined();
    expect(writes).toHaveLength(1);
    const expected = decodeAnalysis(encodeAnalysis(first.analysis));
    // What the compute worker does next: its arrays move to the host (here: are overwritten).
    first.analysis.audioVideoMax.fill(0);
    first.analysis.audioSelfSimilarity.fill(0);
    expect(await writes[0]).toBeNull();
    const second = await analyzeWithCache(bundle, engine, { frameGeometries: geometries, cache });
    expect(second.cache).toBe('hit');
    expect(engine.calls).toBe(1);
    expect(second.analysis).toEqual(expected);
    expect((await readdir(cache.dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('with deferWrite, a write that fails answers its warning and never rejects', async () => {
    const notADir = path.join(tmp, 'deferred-file');
    await writeFile(notADir, 'in the way');
    const cache = new AnalysisCache(path.join(notADir, 'cache'));
    let written: Promise<string | null> | null = null;
    const out = await analyzeWithCache(bundle, countingEngine(), { frameGeometries: geometries, cache, deferWrite: (w) => (written = w) });
    expect(out.cache).toBe('miss');
    expect(await written).toMatch(/^the analysis was not cached \(ENOTDIR writing under .*\); the result is complete, later runs recompute it$/);
  });

  it('is skipped entirely with cache: null', async () => {
    const engine = countingEngine();
    const out = await analyzeWithCache(bundle, engine, { frameGeometries: geometries, cache: null });
    expect(out.cache).toBe('disabled');
  });
});
