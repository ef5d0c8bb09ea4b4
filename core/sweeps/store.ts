/**
 * The results store: append-only JSON-lines files, one complete line per finished trial.
 *
 * Each record is written with one write() on a file opened in append mode, so concurrent
 * appenders never interleave inside a line and a killed process leaves at most an unterminated
 * last line; readers ignore such a line and the next appender cuts it off before writing, so a
 * truncated record never survives. Data is flushed to disk at most every `syncMs`.
 *
 * Files: DIR/trials.jsonl (local runs), DIR/shards/shard-N.jsonl (one per Slurm task: no shared
 * locks on a cluster filesystem), and the matching *failures.jsonl for trials that raised.
 */
import { open, readdir, readFile, stat, truncate, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { OmniZipConfig } from '../config/schema.js';
import type { PlanCounts } from '../planner/types.js';

export interface TrialRecord {
  trial: number;
  key: string;
  clip: { path: string; content_hash: string };
  method: string;
  config: OmniZipConfig;
  counts: PlanCounts;
  metrics: Record<string, number>;
  wall_ms: number;
  host: string;
}

export interface FailureRecord {
  trial: number;
  key: string;
  /** The error's kind (core/protocol/errors.ts), e.g. 'worker-failed'; absent in records of older runs. */
  kind?: string;
  error: string;
  host: string;
  at: string;
}

export const TRIALS_FILE = 'trials.jsonl';
export const FAILURES_FILE = 'failures.jsonl';
export const SHARDS_DIR = 'shards';

export const shardResultFile = (dir: string, shard: number) => path.join(dir, SHARDS_DIR, `shard-${shard}.jsonl`);
export const shardFailureFile = (dir: string, shard: number) => path.join(dir, SHARDS_DIR, `shard-${shard}.failures.jsonl`);

/** Cuts an unterminated last line (a record a killed writer left half-written). */
async function dropPartialTail(file: string): Promise<void> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    return;
  }
  if (size === 0) return;
  const handle = await open(file, 'r');
  try {
    // Walk back in blocks to the last newline.
    const block = Buffer.alloc(64 * 1024);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - block.length);
      const { bytesRead } = await handle.read(block, 0, end - start, start);
      const at = block.subarray(0, bytesRead).lastIndexOf(10);
      if (at >= 0) {
        const keep = start + at + 1;
        if (keep < size) await truncate(file, keep);
        return;
      }
      end = start;
    }
    await truncate(file, 0);
  } finally {
    await handle.close();
  }
}

export class JsonlAppender {
  private lastSync = 0;
  private constructor(
    private readonly handle: FileHandle,
    private readonly syncMs: number,
  ) {}

  static async open(file: string, syncMs = 500): Promise<JsonlAppender> {
    await dropPartialTail(file);
    return new JsonlAppender(await open(file, 'a'), syncMs);
  }

  async append(record: unknown): Promise<void> {
    await this.handle.write(`${JSON.stringify(record)}\n`);
    const now = Date.now();
    if (now - this.lastSync >= this.syncMs) {
      this.lastSync = now;
      await this.handle.datasync();
    }
  }

  async close(): Promise<void> {
    await this.handle.datasync();
    await this.handle.close();
  }
}

/** Complete lines of a JSON-lines file; an unterminated or unparsable line is skipped and counted. */
export async function readJsonl<T>(file: string): Promise<{ records: T[]; skipped: number }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { records: [], skipped: 0 };
  }
  const lines = text.split('\n');
  let skipped = lines.pop() === '' ? 0 : 1;
  const records: T[] = [];
  for (const line of lines) {
    if (line === '') continue;
    try {
      records.push(JSON.parse(line) as T);
    } catch {
      skipped++;
    }
  }
  return { records, skipped };
}

async function shardFiles(dir: string, suffix: '.failures.jsonl' | '.jsonl'): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(path.join(dir, SHARDS_DIR));
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith('shard-') && n.endsWith(suffix) && (suffix === '.failures.jsonl' || !n.endsWith('.failures.jsonl')))
    .sort((a, b) => parseInt(a.slice(6), 10) - parseInt(b.slice(6), 10))
    .map((n) => path.join(dir, SHARDS_DIR, n));
}

export interface StoredResults {
  /** One record per trial key (the first written wins; a key can repeat when two runs overlapped). */
  trials: TrialRecord[];
  /** Failures of trials that have no successful record. */
  failures: FailureRecord[];
  skippedLines: number;
}

export async function readResults(dir: string): Promise<StoredResults> {
  const byKey = new Map<string, TrialRecord>();
  let skippedLines = 0;
  for (const file of [path.join(dir, TRIALS_FILE), ...(await shardFiles(dir, '.jsonl'))]) {
    const { records, skipped } = await readJsonl<TrialRecord>(file);
    skippedLines += skipped;
    for (const r of records) if (!byKey.has(r.key)) byKey.set(r.key, r);
  }
  const failed = new Map<string, FailureRecord>();
  for (const file of [path.join(dir, FAILURES_FILE), ...(await shardFiles(dir, '.failures.jsonl'))]) {
    const { records, skipped } = await readJsonl<FailureRecord>(file);
    skippedLines += skipped;
    for (const r of records) if (!byKey.has(r.key)) failed.set(r.key, r);
  }
  return { trials: [...byKey.values()].sort((a, b) => a.trial - b.trial), failures: [...failed.values()], skippedLines };
}

export const hostName = () => os.hostname();
