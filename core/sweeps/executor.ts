/**
 * Runs a planned sweep's unfinished trials on a pool of compute workers (core/rpc's RpcPool, the
 * workers' `sweep.evaluate` method) and appends each result as it arrives. Used by `sweep run` (all trials, DIR/trials.jsonl), by each Slurm task through
 * `sweep run-shard` (its slice, its own shard file) and by the studio. Resumable: trials whose
 * key already has a record are skipped; a stop loses only the trials in flight.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ComputeApi } from '../compute/api.js';
import { errorKind } from '../protocol/errors.js';
import { RpcPool } from '../rpc/pool.js';
import { entryUrl } from '../runtime/entry-points.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { TrialJob, TrialOutcome } from './evaluate.js';
import { readPlan, type PlannedTrial, type SweepPlan } from './plan.js';
import {
  FAILURES_FILE,
  type FailureRecord,
  hostName,
  JsonlAppender,
  readResults,
  shardFailureFile,
  shardResultFile,
  SHARDS_DIR,
  TRIALS_FILE,
  type TrialRecord,
} from './store.js';

export interface SweepProgress {
  total: number;
  /** Finished before this run started (resumed). */
  alreadyDone: number;
  done: number;
  failed: number;
  inFlight: number;
  elapsedMs: number;
  /** Trials per second over this run. */
  rate: number;
  /** Estimated time left, ms; null until the first trial finishes. */
  etaMs: number | null;
  lastError?: string;
}

export interface RunOptions {
  workers: number;
  /** Run only this slice of the plan, writing shard files (Slurm tasks). */
  shard?: { index: number; count: number };
  signal?: AbortSignal;
  onProgress?: (p: SweepProgress) => void;
  onRecord?: (r: TrialRecord) => void;
  provider?: string;
}

/**
 * Trials go to workers in batches sized to about this much work: a plan-only trial takes a few
 * milliseconds, and a thread hop per trial would cost more than the trial on a busy machine.
 */
const TARGET_BATCH_MS = 100;
const MAX_BATCH = 64;

export interface RunSummary extends SweepProgress {
  stopped: boolean;
}

export const RUNS_DIR = 'runs';
/**
 * How long a stopping worker may take to finish its trial's current step and release onnxruntime
 * before it is terminated (terminating inside a native call can abort the whole process).
 */
const WORKER_SHUTDOWN_GRACE_MS = 15_000;

/** The contiguous slice of the plan's trials shard `index` of `count` owns. */
export function shardSlice<T>(trials: T[], index: number, count: number): T[] {
  const per = Math.ceil(trials.length / count);
  return trials.slice(index * per, (index + 1) * per);
}

export function trialJob(plan: SweepPlan, t: PlannedTrial, provider?: string): TrialJob {
  const clip = plan.clips[t.clip];
  return {
    trial: t.trial,
    key: t.key,
    clipPath: clip.path,
    contentHash: clip.content_hash,
    config: t.config,
    metrics: plan.metricSet,
    flopsModel: plan.spec.flopsModel,
    evalCommand: plan.spec.evalCommand,
    prefillModel: plan.spec.prefillModel,
    provider,
  };
}

/** Heartbeat of a run, so `sweep status` can tell running trials from pending ones. */
export interface RunHeartbeat {
  host: string;
  pid: number;
  shard: number | null;
  state: 'running' | 'finished' | 'stopped';
  inFlight: string[];
  updatedAt: string;
}

export async function runSweep(dir: string, options: RunOptions): Promise<RunSummary> {
  const plan = await readPlan(dir);
  const existing = await readResults(dir);
  const doneKeys = new Set(existing.trials.map((t) => t.key));
  const mine = options.shard ? shardSlice(plan.trials, options.shard.index, options.shard.count) : plan.trials;
  const todo = mine.filter((t) => !doneKeys.has(t.key));
  const alreadyDone = mine.length - todo.length;

  await mkdir(path.join(dir, SHARDS_DIR), { recursive: true });
  await mkdir(path.join(dir, RUNS_DIR), { recursive: true });
  const resultFile = options.shard ? shardResultFile(dir, options.shard.index) : path.join(dir, TRIALS_FILE);
  const failureFile = options.shard ? shardFailureFile(dir, options.shard.index) : path.join(dir, FAILURES_FILE);
  const heartbeatFile = path.join(dir, RUNS_DIR, `${hostName()}-${process.pid}${options.shard ? `-shard${options.shard.index}` : ''}.json`);
  const results = await JsonlAppender.open(resultFile);
  const failures = await JsonlAppender.open(failureFile);

  const started = performance.now();
  const inFlight = new Set<string>();
  let done = 0;
  let failed = 0;
  let lastError: string | undefined;
  let lastBeat = 0;
  // Heartbeats go through their own chain so a late 'running' never lands after 'finished'.
  let beats: Promise<void> = Promise.resolve();
  const beat = (state: RunHeartbeat['state'], force = false): Promise<void> => {
    const now = Date.now();
    if (!force && now - lastBeat < 1000) return beats;
    lastBeat = now;
    const hb: RunHeartbeat = { host: hostName(), pid: process.pid, shard: options.shard?.index ?? null, state, inFlight: [...inFlight], updatedAt: new Date().toISOString() };
    beats = beats.then(() => writeFileAtomic(heartbeatFile, JSON.stringify(hb))).catch(() => undefined);
    return beats;
  };
  const progress = (): SweepProgress => {
    const elapsedMs = performance.now() - started;
    const finished = done + failed;
    const rate = finished > 0 ? finished / (elapsedMs / 1000) : 0;
    const left = todo.length - finished;
    return { total: mine.length, alreadyDone, done, failed, inFlight: inFlight.size, elapsedMs, rate, etaMs: rate > 0 ? (left / rate) * 1000 : null, lastError };
  };

  const pool = new RpcPool<ComputeApi>({ entry: entryUrl('compute-worker'), name: 'sweep', size: Math.max(1, Math.min(options.workers, todo.length || 1)) });
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) stop.abort();
  // Writes go through one chain so records land whole and in completion order.
  let writes: Promise<void> = Promise.resolve();
  options.onProgress?.(progress());
  await beat('running', true);

  // Keep just enough jobs queued to feed every worker, so a stop drops the rest untouched. Records
  // are written through one chain (whole lines, completion order) that the feeders do not wait
  // on: a slow fsync on a shared disk must not idle the workers.
  let writeError: Error | null = null;
  const write = (appender: JsonlAppender, record: unknown) => {
    writes = writes.then(() => appender.append(record)).catch((err: Error) => {
      writeError ??= err;
      stop.abort();
    });
  };
  let next = 0;
  // Running estimate of one trial's time, for the batch size (the first batch is one trial).
  let trialMs = 0;
  const workers = Math.max(1, options.workers);
  const batchSize = () => {
    if (trialMs <= 0) return 1;
    const fair = Math.max(1, Math.floor((todo.length - next) / workers));
    return Math.max(1, Math.min(MAX_BATCH, fair, Math.round(TARGET_BATCH_MS / Math.max(trialMs, 0.01))));
  };
  const onOutcome = (o: TrialOutcome) => {
    if (o.ok) {
      write(results, o.record);
      done++;
      trialMs = trialMs === 0 ? o.record.wall_ms : 0.8 * trialMs + 0.2 * o.record.wall_ms;
      inFlight.delete(o.record.key);
      options.onRecord?.(o.record);
    } else {
      failed++;
      lastError = `trial ${o.trial}: ${o.message}`;
      write(failures, { trial: o.trial, key: o.key, kind: o.kind, error: o.message, host: hostName(), at: new Date().toISOString() } satisfies FailureRecord);
      inFlight.delete(o.key);
    }
    options.onProgress?.(progress());
    void beat('running');
  };
  const feed = async (): Promise<void> => {
    while (next < todo.length && !stop.signal.aborted) {
      const batch = todo.slice(next, next + batchSize());
      next += batch.length;
      for (const t of batch) inFlight.add(t.key);
      try {
        await pool.call(
          'sweep.evaluate',
          batch.map((t) => trialJob(plan, t, options.provider)),
          { signal: stop.signal, onProgress: onOutcome },
        );
      } catch (err) {
        if (stop.signal.aborted) break;
        // The worker died mid-batch (kind 'worker-failed'): the trials it did not report fail with its error.
        const kind = errorKind(err);
        const message = err instanceof Error ? err.message : String(err);
        for (const t of batch) if (inFlight.has(t.key)) onOutcome({ ok: false, trial: t.trial, key: t.key, kind, message });
      } finally {
        for (const t of batch) inFlight.delete(t.key);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: workers }, feed));
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await pool.close(WORKER_SHUTDOWN_GRACE_MS);
    await writes;
    await results.close();
    await failures.close();
    await beat(stop.signal.aborted ? 'stopped' : 'finished', true);
  }
  if (writeError) throw writeError;
  return { ...progress(), stopped: stop.signal.aborted };
}
