/**
 * Start-up hygiene for a studio host (web mode and Electron's compute host): what a host killed
 * with -9 leaves behind is removed the next time one starts, and the per-clip session folder is
 * kept bounded (issue 15 item 4).
 *
 * - Private temp directories (`omnizip-upload-<pid>-…` of web uploads, `omnizip-prefill-<pid>-…`
 *   of prefill runs, `omnizip-prefill-mem-…` of a memory pass) whose process is gone; directories without a live owner's pid (older names)
 *   once nothing in them changed for STALE_TEMP_AGE_MS.
 * - Temp files of atomic writes in the state folder and its sessions folder (writeFileAtomic).
 * - Per-clip sessions beyond the newest `keep`, and any not saved for `maxAgeDays`.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { processAlive, removeStaleTempFiles } from '../util/atomic-write.js';
export { ownedTempPrefix, PREFILL_DIR_PREFIX, UPLOAD_DIR_PREFIX } from '../util/owned-temp.js';

const TEMP_DIR = /^omnizip-(?:upload|prefill(?:-mem)?)-(?:(\d+)-)?[A-Za-z0-9]+$/;

/** A temp directory with no recorded owner is left alone while it changed within this time (an upload in flight elsewhere). */
export const STALE_TEMP_AGE_MS = 60 * 60 * 1000;

export const DEFAULT_SESSIONS_KEPT = 500;
export const DEFAULT_SESSION_MAX_AGE_DAYS = 180;

/** The entries of a folder, none when it is missing or unreadable (nothing to clean there). */
async function namesIn(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

export interface Removed {
  files: number;
  bytes: number;
}

/**
 * In one walk: the bytes of the files under `dir`, and the newest modification time of `dir` and
 * of the entries directly in it (a live upload writes there).
 */
async function tempDirSummary(dir: string): Promise<{ bytes: number; newestChangeMs: number }> {
  let bytes = 0;
  let newestChangeMs = (await stat(dir)).mtimeMs;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    try {
      const info = await stat(path.join(entry.parentPath, entry.name));
      if (entry.isFile()) bytes += info.size;
      if (entry.parentPath === dir) newestChangeMs = Math.max(newestChangeMs, info.mtimeMs);
    } catch {
      // removed meanwhile
    }
  }
  return { bytes, newestChangeMs };
}

/** Removes the studio's private temp directories under `tmpRoot` whose owner is gone. */
export async function removeStaleTempDirs(tmpRoot = os.tmpdir(), now = Date.now()): Promise<Removed> {
  const removed: Removed = { files: 0, bytes: 0 };
  const names = await namesIn(tmpRoot);
  for (const name of names) {
    const m = TEMP_DIR.exec(name);
    if (!m) continue;
    const dir = path.join(tmpRoot, name);
    try {
      if (!(await stat(dir)).isDirectory()) continue;
      const owner = m[1] === undefined ? null : Number(m[1]);
      if (owner !== null && processAlive(owner)) continue;
      const { bytes, newestChangeMs } = await tempDirSummary(dir);
      if (owner === null && now - newestChangeMs <= STALE_TEMP_AGE_MS) continue;
      await rm(dir, { recursive: true, force: true });
      removed.files++;
      removed.bytes += bytes;
    } catch {
      // not ours to read, or removed meanwhile
    }
  }
  return removed;
}

export interface SessionPruneOptions {
  /** Sessions kept at most, newest first (OMNIZIP_SESSIONS_KEPT). */
  keep: number;
  /** Sessions not saved for this many days are removed (OMNIZIP_SESSION_MAX_AGE_DAYS). */
  maxAgeDays: number;
}

function positiveSetting(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value.trim() !== '' && Number.isFinite(n) && n >= 0 ? n : fallback;
}

export function sessionPruneOptions(env: NodeJS.ProcessEnv = process.env): SessionPruneOptions {
  return {
    keep: Math.floor(positiveSetting(env.OMNIZIP_SESSIONS_KEPT, DEFAULT_SESSIONS_KEPT)),
    maxAgeDays: positiveSetting(env.OMNIZIP_SESSION_MAX_AGE_DAYS, DEFAULT_SESSION_MAX_AGE_DAYS),
  };
}

const SESSION_FILE = /^[0-9a-f]{16,128}\.json$/;

/** Removes per-clip session files (`<content hash>.json`) beyond the newest `keep` or older than `maxAgeDays`. */
export async function pruneSessions(sessionsDir: string, options: SessionPruneOptions, now = Date.now()): Promise<Removed> {
  const removed: Removed = { files: 0, bytes: 0 };
  const names = await namesIn(sessionsDir);
  const sessions: { file: string; mtimeMs: number; size: number }[] = [];
  for (const name of names) {
    if (!SESSION_FILE.test(name)) continue;
    const file = path.join(sessionsDir, name);
    try {
      const info = await stat(file);
      if (info.isFile()) sessions.push({ file, mtimeMs: info.mtimeMs, size: info.size });
    } catch {
      // removed meanwhile
    }
  }
  sessions.sort((a, b) => b.mtimeMs - a.mtimeMs);
  const oldest = now - options.maxAgeDays * 24 * 3600 * 1000;
  for (const [rank, s] of sessions.entries()) {
    if (rank < options.keep && s.mtimeMs >= oldest) continue;
    try {
      await rm(s.file, { force: true });
      removed.files++;
      removed.bytes += s.size;
    } catch {
      // cannot remove: left for the next start
    }
  }
  return removed;
}

export interface HygieneReport {
  tempDirs: Removed;
  tempFiles: Removed;
  sessions: Removed;
}

/**
 * Everything above, for the state folder `stateDir` (null: in-memory state, temp dirs only).
 * Never throws: a host starts even when a folder cannot be read.
 */
export async function cleanUpAtStart(stateDir: string | null, options: { tmpRoot?: string; env?: NodeJS.ProcessEnv; now?: number } = {}): Promise<HygieneReport> {
  const tempDirs = await removeStaleTempDirs(options.tmpRoot, options.now);
  const tempFiles: Removed = { files: 0, bytes: 0 };
  let sessions: Removed = { files: 0, bytes: 0 };
  if (stateDir) {
    for (const dir of [stateDir, path.join(stateDir, 'sessions')]) {
      const r = await removeStaleTempFiles(dir).catch(() => ({ files: 0, bytes: 0 }));
      tempFiles.files += r.files;
      tempFiles.bytes += r.bytes;
    }
    sessions = await pruneSessions(path.join(stateDir, 'sessions'), sessionPruneOptions(options.env), options.now).catch(() => ({ files: 0, bytes: 0 }));
  }
  return { tempDirs, tempFiles, sessions };
}

/** One line saying what was removed, or '' when nothing was. */
export function describeCleanUp(report: HygieneReport): string {
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  const parts: string[] = [];
  if (report.tempDirs.files > 0) parts.push(`${report.tempDirs.files} stale temp folder(s) of uploads or prefill runs (${mb(report.tempDirs.bytes)})`);
  if (report.tempFiles.files > 0) parts.push(`${report.tempFiles.files} unfinished write(s) in the state folder (${mb(report.tempFiles.bytes)})`);
  if (report.sessions.files > 0) parts.push(`${report.sessions.files} old clip session(s) beyond the cap (OMNIZIP_SESSIONS_KEPT, OMNIZIP_SESSION_MAX_AGE_DAYS)`);
  return parts.length > 0 ? `removed ${parts.join(', ')}` : '';
}
