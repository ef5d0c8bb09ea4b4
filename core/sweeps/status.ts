/** Where a sweep stands: done / running / failed / pending, from the plan, the results and the run heartbeats. */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { RUNS_DIR, type RunHeartbeat } from './executor.js';
import { readPlan, type SweepPlan } from './plan.js';
import { hostName, readResults, type StoredResults } from './store.js';

export interface SweepStatus {
  name: string;
  total: number;
  done: number;
  running: number;
  failed: number;
  pending: number;
  clips: number;
  objectives: string[];
  /** Most recent failure messages (at most 5). */
  recentFailures: string[];
  skippedLines: number;
}

/** A heartbeat older than this is from a run that died without saying so. */
const STALE_MS = 10 * 60 * 1000;

function alive(hb: RunHeartbeat): boolean {
  if (hb.state !== 'running') return false;
  if (hb.host === hostName()) {
    try {
      process.kill(hb.pid, 0);
    } catch {
      return false;
    }
    return true;
  }
  return Date.now() - Date.parse(hb.updatedAt) < STALE_MS;
}

export async function readHeartbeats(dir: string): Promise<RunHeartbeat[]> {
  let names: string[];
  try {
    names = await readdir(path.join(dir, RUNS_DIR));
  } catch {
    return [];
  }
  const out: RunHeartbeat[] = [];
  for (const n of names.filter((f) => f.endsWith('.json'))) {
    try {
      out.push(JSON.parse(await readFile(path.join(dir, RUNS_DIR, n), 'utf8')) as RunHeartbeat);
    } catch {
      // A heartbeat is rewritten atomically; an unreadable one is from another tool: ignore it.
    }
  }
  return out;
}

export async function sweepStatus(dir: string): Promise<SweepStatus> {
  return sweepStatusOf(dir, await readPlan(dir), await readResults(dir));
}

/** The status from a plan and results already read (the studio reads them once for everything). */
export async function sweepStatusOf(dir: string, plan: SweepPlan, results: StoredResults): Promise<SweepStatus> {
  const planned = new Set(plan.trials.map((t) => t.key));
  const done = new Set(results.trials.map((t) => t.key).filter((k) => planned.has(k)));
  const failed = new Set(results.failures.map((f) => f.key).filter((k) => planned.has(k) && !done.has(k)));
  const running = new Set<string>();
  for (const hb of await readHeartbeats(dir)) if (alive(hb)) for (const k of hb.inFlight) if (planned.has(k) && !done.has(k)) running.add(k);
  for (const k of running) failed.delete(k);
  return {
    name: plan.name,
    total: plan.trials.length,
    done: done.size,
    running: running.size,
    failed: failed.size,
    pending: plan.trials.length - done.size - running.size - failed.size,
    clips: plan.clips.length,
    objectives: plan.spec.objectives,
    recentFailures: results.failures.filter((f) => failed.has(f.key)).slice(-5).map((f) => `trial ${f.trial}: ${f.error}`),
    skippedLines: results.skippedLines,
  };
}
