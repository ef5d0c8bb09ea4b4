import { createHash } from 'node:crypto';
import { readdir, readFile, rm, stat, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FeatureBundle } from '../bundle/types.js';
import { removeStaleTempFiles, writeFileAtomic } from '../util/atomic-write.js';
import { ANALYSIS_VERSION, type AnalysisEngine, type AnalyzeOptions, type ClipAnalysis, type FrameAnalysis } from './types.js';
import { OmniZipError } from '../protocol/errors.js';

/**
 * On-disk cache of clip analyses, keyed by the bundle's content hash, ANALYSIS_VERSION and the
 * frame geometries, so reopening a clip skips the expensive similarity work entirely.
 *
 * File layout: "OZANLYS1" | u32 header length | header JSON | zero padding to 8 bytes | arrays
 * (each 8-byte aligned, little-endian) | sha256 of everything before it. A file whose checksum,
 * size or header does not hold up is treated as absent (and removed), never trusted.
 */

const MAGIC = 'OZANLYS1';
const CHECKSUM_BYTES = 32;

export type CacheStatus = 'hit' | 'miss' | 'corrupt' | 'disabled';

export function defaultAnalysisCacheDir(): string {
  return process.env.OMNIZIP_CACHE_DIR || path.join(os.homedir(), '.cache', 'omnizip-studio', 'analysis');
}

/** Default cap of the analysis cache; OMNIZIP_CACHE_MAX_MB changes it. */
export const DEFAULT_CACHE_MAX_BYTES = 2048 * 1024 * 1024;

export function defaultAnalysisCacheMaxBytes(env: NodeJS.ProcessEnv = process.env): number {
  const mb = Number(env.OMNIZIP_CACHE_MAX_MB);
  return env.OMNIZIP_CACHE_MAX_MB !== undefined && Number.isFinite(mb) && mb >= 0 ? mb * 1024 * 1024 : DEFAULT_CACHE_MAX_BYTES;
}

export interface CacheUsage {
  dir: string;
  entries: number;
  bytes: number;
  maxBytes: number;
}

/** Directories already swept of stale temp files by this process. */
const swept = new Set<string>();

type ArrayKind = 'f32' | 'i32';
interface ArrayEntry {
  name: string;
  kind: ArrayKind;
  offset: number;
  length: number;
}
interface CacheHeader {
  analysisVersion: number;
  numAudio: number;
  numVideo: number;
  hiddenSize: number;
  primaryTokensPerFrame: number;
  engine: ClipAnalysis['engine'];
  frames: Array<{ tokensPerFrame: number; frameCount: number }>;
  arrays: ArrayEntry[];
}

class CacheFormatError extends OmniZipError {
  constructor(message: string) {
    super('corrupt-cache', message);
  }
}

function namedArrays(a: ClipAnalysis): Array<[string, Float32Array | Int32Array]> {
  const out: Array<[string, Float32Array | Int32Array]> = [
    ['audioOrder', a.audioOrder],
    ['audioSelfSimilarity', a.audioSelfSimilarity],
    ['audioVideoMax', a.audioVideoMax],
    ['audioFrameMax', a.audioFrameMax],
  ];
  a.frames.forEach((f, k) => {
    out.push([`frames.${k}.cosine`, f.cosine], [`frames.${k}.squaredDistance`, f.squaredDistance], [`frames.${k}.temporal`, f.temporal]);
  });
  return out;
}

const align8 = (n: number) => (n + 7) & ~7;

export function encodeAnalysis(analysis: ClipAnalysis): Uint8Array {
  const arrays = namedArrays(analysis);
  const entries: ArrayEntry[] = [];
  let payloadSize = 0;
  for (const [name, data] of arrays) {
    entries.push({ name, kind: data instanceof Int32Array ? 'i32' : 'f32', offset: payloadSize, length: data.length });
    payloadSize = align8(payloadSize + data.byteLength);
  }
  const header: CacheHeader = {
    analysisVersion: analysis.analysisVersion,
    numAudio: analysis.numAudio,
    numVideo: analysis.numVideo,
    hiddenSize: analysis.hiddenSize,
    primaryTokensPerFrame: analysis.primaryTokensPerFrame,
    engine: analysis.engine,
    frames: analysis.frames.map((f) => ({ tokensPerFrame: f.tokensPerFrame, frameCount: f.frameCount })),
    arrays: entries,
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const payloadStart = align8(MAGIC.length + 4 + headerBytes.length);
  const total = payloadStart + payloadSize + CHECKSUM_BYTES;
  const out = new Uint8Array(total);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, headerBytes.length, true);
  out.set(headerBytes, MAGIC.length + 4);
  arrays.forEach(([, data], k) => {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), payloadStart + entries[k].offset);
  });
  const body = out.subarray(0, total - CHECKSUM_BYTES);
  out.set(createHash('sha256').update(body).digest(), total - CHECKSUM_BYTES);
  return out;
}

export function decodeAnalysis(bytes: Uint8Array): ClipAnalysis {
  const minimum = MAGIC.length + 4 + CHECKSUM_BYTES;
  if (bytes.length < minimum) throw new CacheFormatError(`file is ${bytes.length} bytes, shorter than any cache entry`);
  if (new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) throw new CacheFormatError('wrong magic bytes');
  const body = bytes.subarray(0, bytes.length - CHECKSUM_BYTES);
  const stored = bytes.subarray(bytes.length - CHECKSUM_BYTES);
  if (!createHash('sha256').update(body).digest().equals(stored)) throw new CacheFormatError('checksum mismatch');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(MAGIC.length, true);
  const headerEnd = MAGIC.length + 4 + headerLength;
  if (headerEnd > body.length) throw new CacheFormatError('header runs past the end of the file');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(MAGIC.length + 4, headerEnd))) as CacheHeader;
  const payloadStart = align8(headerEnd);

  const arrays = new Map<string, Float32Array | Int32Array>();
  for (const entry of header.arrays) {
    const start = payloadStart + entry.offset;
    const end = start + entry.length * 4;
    if (entry.offset % 8 !== 0 || end > body.length) throw new CacheFormatError(`array '${entry.name}' lies outside the file`);
    // Copy into a fresh buffer: the file buffer's alignment is not guaranteed. (Not `.slice`:
    // on a Node Buffer it returns a view of the whole pooled buffer.)
    const copy = new Uint8Array(bytes.subarray(start, end)).buffer;
    arrays.set(entry.name, entry.kind === 'i32' ? new Int32Array(copy) : new Float32Array(copy));
  }
  const get = <T extends Float32Array | Int32Array>(name: string, kind: new (...args: never[]) => T): T => {
    const a = arrays.get(name);
    if (!(a instanceof kind)) throw new CacheFormatError(`array '${name}' is missing`);
    return a;
  };
  const frames: FrameAnalysis[] = header.frames.map((f, k) => ({
    tokensPerFrame: f.tokensPerFrame,
    frameCount: f.frameCount,
    cosine: get(`frames.${k}.cosine`, Float32Array),
    squaredDistance: get(`frames.${k}.squaredDistance`, Float32Array),
    temporal: get(`frames.${k}.temporal`, Float32Array),
  }));
  return {
    analysisVersion: header.analysisVersion,
    numAudio: header.numAudio,
    numVideo: header.numVideo,
    hiddenSize: header.hiddenSize,
    audioOrder: get('audioOrder', Int32Array),
    audioSelfSimilarity: get('audioSelfSimilarity', Float32Array),
    audioVideoMax: get('audioVideoMax', Float32Array),
    audioFrameMax: get('audioFrameMax', Float32Array),
    primaryTokensPerFrame: header.primaryTokensPerFrame,
    frames,
    engine: header.engine,
  };
}

export interface CacheLookup {
  status: 'hit' | 'miss' | 'corrupt';
  analysis: ClipAnalysis | null;
  file: string;
  /** Why a corrupt entry was rejected. */
  reason?: string;
}

/** An entry's file name up to its frame geometries: the content hash and the analysis format version. */
function entryPrefix(contentHash: string): string {
  if (!/^[0-9a-f]{16,128}$/i.test(contentHash)) throw new Error(`content hash '${contentHash}' is not a hex digest`);
  return `${contentHash.toLowerCase()}.v${ANALYSIS_VERSION}.g`;
}

export class AnalysisCache {
  constructor(
    readonly dir: string = defaultAnalysisCacheDir(),
    /** Entries beyond this many bytes are removed least recently used first after each write. */
    readonly maxBytes: number = defaultAnalysisCacheMaxBytes(),
  ) {}

  /** Once per process: removes temp files of writes that were killed (they are never reused). */
  async sweepOnce(): Promise<{ files: number; bytes: number }> {
    if (swept.has(this.dir)) return { files: 0, bytes: 0 };
    swept.add(this.dir);
    return removeStaleTempFiles(this.dir);
  }

  private async entries(): Promise<{ file: string; bytes: number; usedMs: number }[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const out: { file: string; bytes: number; usedMs: number }[] = [];
    for (const name of names) {
      if (!name.endsWith('.ozanalysis')) continue;
      try {
        const info = await stat(path.join(this.dir, name));
        if (info.isFile()) out.push({ file: path.join(this.dir, name), bytes: info.size, usedMs: info.mtimeMs });
      } catch {
        // removed meanwhile
      }
    }
    return out;
  }

  /** The cache's size readout. */
  async usage(): Promise<CacheUsage> {
    const entries = await this.entries();
    return { dir: this.dir, entries: entries.length, bytes: entries.reduce((a, e) => a + e.bytes, 0), maxBytes: this.maxBytes };
  }

  /** Removes least recently used entries until the cache fits its cap; `keep` is never removed. */
  async prune(keep?: string): Promise<number> {
    const entries = (await this.entries()).sort((a, b) => a.usedMs - b.usedMs);
    let total = entries.reduce((a, e) => a + e.bytes, 0);
    let removed = 0;
    for (const e of entries) {
      if (total <= this.maxBytes) break;
      if (e.file === keep) continue;
      await rm(e.file, { force: true });
      total -= e.bytes;
      removed++;
    }
    return removed;
  }

  fileFor(contentHash: string, frameGeometries: number[]): string {
    const geometry = frameGeometries.length ? frameGeometries.join('-') : 'none';
    return path.join(this.dir, `${entryPrefix(contentHash)}${geometry}.ozanalysis`);
  }

  /** Whether an entry of this content hash exists, for any frame geometry and provider (no entry is read). */
  async hasEntryFor(contentHash: string): Promise<boolean> {
    const prefix = entryPrefix(contentHash);
    try {
      return (await readdir(this.dir)).some((name) => name.startsWith(prefix) && name.endsWith('.ozanalysis'));
    } catch {
      return false;
    }
  }

  async read(contentHash: string, frameGeometries: number[]): Promise<CacheLookup> {
    const file = this.fileFor(contentHash, frameGeometries);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch {
      return { status: 'miss', analysis: null, file };
    }
    try {
      const analysis = decodeAnalysis(bytes);
      if (analysis.analysisVersion !== ANALYSIS_VERSION) throw new CacheFormatError(`analysis version ${analysis.analysisVersion}`);
      // The mtime is the entry's last use: the LRU cap removes the oldest first.
      const now = new Date();
      await utimes(file, now, now).catch(() => undefined);
      return { status: 'hit', analysis, file };
    } catch (err) {
      await rm(file, { force: true });
      return { status: 'corrupt', analysis: null, file, reason: err instanceof Error ? err.message : String(err) };
    }
  }

  async write(contentHash: string, frameGeometries: number[], analysis: ClipAnalysis): Promise<string> {
    const file = this.fileFor(contentHash, frameGeometries);
    await this.store(file, encodeAnalysis(analysis));
    return file;
  }

  /** Writes an encoded entry (atomically, flushed to disk), then keeps the cache under its cap. */
  async store(file: string, bytes: Uint8Array): Promise<void> {
    await writeFileAtomic(file, bytes);
    await this.prune(file);
  }
}

/**
 * sha256 identifying the bundle: the reader's hash of the file bytes when it computed one,
 * otherwise a hash of the arrays the analysis reads (bundles built in memory).
 */
export function analysisContentHash(bundle: FeatureBundle): string {
  if (bundle.contentHash) return bundle.contentHash;
  const h = createHash('sha256');
  h.update(JSON.stringify({ na: bundle.numAudio, nv: bundle.numVideo, d: bundle.hiddenSize, scores: bundle.audioScores !== null }));
  for (const a of [bundle.audioEmbeds, bundle.videoEmbeds, bundle.audioScores ?? new Float32Array(0)]) {
    h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
  return h.digest('hex');
}

export interface CachedAnalysis {
  analysis: ClipAnalysis;
  cache: CacheStatus;
  cacheFile?: string;
  /** Set when a corrupt entry was found and recomputed. */
  cacheProblem?: string;
  /** Set when the analysis was computed but could not be stored: a warning, never a failure. */
  cacheWarning?: string;
}

function cacheWarningOf(err: unknown, dir: string): string {
  const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  return `the analysis was not cached (${reason} writing under ${dir}); the result is complete, later runs recompute it`;
}

/** The analysis from the cache when it holds a valid entry, else from `engine` (then stored). */
export async function analyzeWithCache(
  bundle: FeatureBundle,
  engine: AnalysisEngine,
  options: AnalyzeOptions & {
    cache: AnalysisCache | null;
    /** A provider the user forced: an entry computed elsewhere does not count, it is recomputed. */
    requireProvider?: string;
    /**
     * Write a new entry after answering instead of before: the analysis is encoded before this
     * resolves (the caller may then move its arrays away), and the file is written, flushed and
     * renamed into place while the caller goes on. `written` hears that write; it never rejects
     * and answers the cache warning, or null once stored. Whoever passes this waits for it before
     * exiting (the studio's compute worker does at shutdown). The answer then has no `cacheFile`.
     */
    deferWrite?: (written: Promise<string | null>) => void;
  },
): Promise<CachedAnalysis> {
  const { cache, requireProvider, deferWrite, ...analyzeOptions } = options;
  if (!cache) return { analysis: await engine.analyze(bundle, analyzeOptions), cache: 'disabled' };
  const hash = analysisContentHash(bundle);
  await cache.sweepOnce();
  const lookup = await cache.read(hash, options.frameGeometries);
  if (lookup.analysis && (!requireProvider || lookup.analysis.engine.provider === requireProvider)) {
    return { analysis: lookup.analysis, cache: 'hit', cacheFile: lookup.file };
  }
  const analysis = await engine.analyze(bundle, analyzeOptions);
  // An entry from another provider is a miss for this request (and is replaced by this one).
  const status = lookup.status === 'hit' ? 'miss' : lookup.status;
  if (deferWrite) {
    const file = cache.fileFor(hash, options.frameGeometries);
    const bytes = encodeAnalysis(analysis);
    deferWrite(cache.store(file, bytes).then(() => null, (err: unknown) => cacheWarningOf(err, cache.dir)));
    return { analysis, cache: status, cacheProblem: lookup.reason };
  }
  try {
    const file = await cache.write(hash, options.frameGeometries, analysis);
    return { analysis, cache: status, cacheFile: file, cacheProblem: lookup.reason };
  } catch (err) {
    // The cache only saves time: a full disk or a cache path that is not a directory must not
    // throw away the analysis that was just computed.
    return { analysis, cache: status, cacheProblem: lookup.reason, cacheWarning: cacheWarningOf(err, cache.dir) };
  }
}
