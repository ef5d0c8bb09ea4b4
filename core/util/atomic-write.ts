import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Writes `data` to `file` so that a reader (or a crash) never sees a half-written file: the bytes
 * go to a temporary file in the same directory, are flushed to disk, then renamed over the target.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** Whether a process with this pid runs (EPERM: it does, but belongs to someone else). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, but someone else's
  }
}

/**
 * Removes the temporary files writeFileAtomic leaves when its process is killed mid-write: those
 * of processes no longer running, and any older than `maxAgeMs` (a reused pid). Answers what it
 * removed; a directory that does not exist has nothing to remove.
 */
export async function removeStaleTempFiles(dir: string, maxAgeMs = 24 * 3600 * 1000): Promise<{ files: number; bytes: number }> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return { files: 0, bytes: 0 };
  }
  let files = 0;
  let bytes = 0;
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m) continue;
    const file = path.join(dir, name);
    try {
      const info = await stat(file);
      if (!info.isFile()) continue;
      if (processAlive(Number(m[1])) && Date.now() - info.mtimeMs < maxAgeMs) continue;
      await rm(file, { force: true });
      files++;
      bytes += info.size;
    } catch {
      // Gone already (another process swept it): nothing to do.
    }
  }
  return { files, bytes };
}
