/** Issue 15 item 4: killed writes leave no temp files behind for good, and the cache has a cap. */
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeSyntheticBundle } from '../../test-support/synthetic/index.js';
import { AnalysisCache, analyzeWithCache, defaultAnalysisCacheMaxBytes } from './cache.js';
import { analyzeReference } from './reference.js';
import type { AnalysisEngine } from './types.js';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'omnizip-cache-bounds-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

const engine: AnalysisEngine = { name: 'typescript-reference', analyze: async (b, o) => analyzeReference(b, o.frameGeometries) };
const bundleFor = (seed: number) => makeSyntheticBundle({ seconds: 4, hiddenSize: 32, tokensPerFrame: 16, seed });

describe('analysis cache bounds', () => {
  it('removes temp files of killed writers on first use, keeping a live writer\'s', async () => {
    const dir = path.join(tmp, 'stale');
    await mkdir(dir, { recursive: true });
    const dead = `.abc.v1.g16.ozanalysis.999999999.deadbeef.tmp`;
    const live = `.abc.v1.g16.ozanalysis.${process.pid}.cafef00d.tmp`;
    await writeFile(path.join(dir, dead), new Uint8Array(1000));
    await writeFile(path.join(dir, live), new Uint8Array(10));
    await writeFile(path.join(dir, 'unrelated.txt'), 'x');
    await analyzeWithCache(bundleFor(1), engine, { frameGeometries: [16], cache: new AnalysisCache(dir) });
    const names = await readdir(dir);
    expect(names).not.toContain(dead);
    expect(names).toContain(live);
    expect(names).toContain('unrelated.txt');
  });

  it('keeps the cache under its cap, least recently used out first, and reads out its size', async () => {
    const dir = path.join(tmp, 'lru');
    const probe = new AnalysisCache(path.join(tmp, 'size-probe'));
    await analyzeWithCache(bundleFor(2), engine, { frameGeometries: [16], cache: probe });
    const entryBytes = (await probe.usage()).bytes;
    const cache = new AnalysisCache(dir, Math.floor(entryBytes * 2.5));
    const a = await analyzeWithCache(bundleFor(2), engine, { frameGeometries: [16], cache });
    const b = await analyzeWithCache(bundleFor(3), engine, { frameGeometries: [16], cache });
    // Use a again, older on disk than b: the hit makes it the most recent.
    const past = new Date(Date.now() - 60_000);
    await utimes(a.cacheFile as string, past, past);
    expect((await analyzeWithCache(bundleFor(2), engine, { frameGeometries: [16], cache })).cache).toBe('hit');
    await analyzeWithCache(bundleFor(4), engine, { frameGeometries: [16], cache });
    const names = await readdir(dir);
    expect(names).toContain(path.basename(a.cacheFile as string));
    expect(names).not.toContain(path.basename(b.cacheFile as string));
    const usage = await cache.usage();
    expect(usage.entries).toBe(2);
    expect(usage.bytes).toBeLessThanOrEqual(cache.maxBytes);
  });

  it('takes its cap from OMNIZIP_CACHE_MAX_MB', () => {
    expect(defaultAnalysisCacheMaxBytes({ OMNIZIP_CACHE_MAX_MB: '10' })).toBe(10 * 1024 * 1024);
    expect(defaultAnalysisCacheMaxBytes({})).toBe(2048 * 1024 * 1024);
  });
});
