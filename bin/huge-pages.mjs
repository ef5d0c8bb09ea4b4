// @ts-check
/**
 * Transparent huge pages for the commands that hold whole bundles in memory (a 60-s clip is a
 * 130 MB buffer). Node allocates large ArrayBuffers with glibc's malloc, which maps them in 4 KB
 * pages: the first touch of a fresh 130 MB buffer (reading the bundle into it) then costs ~32,000
 * page faults, several times the copy itself on the machines measured (issue 16: 240 ms against
 * 100 ms into an already touched buffer), and the exit frees them one by one again. glibc asks the
 * kernel for 2 MB pages for its mappings (MADV_HUGEPAGE) when the tunable glibc.malloc.hugetlb=1
 * is set, but reads tunables only when a process starts: so the process replaces itself, once,
 * with the same command under that setting (process.execve keeps the pid, stdio and signals).
 * Measured with `npm run bench:startup`: minor page faults of `analyze` 80,000 -> 15,000.
 *
 * Skipped where it cannot help or cannot be done: not Linux, huge pages off ("[never]"), a Node
 * without process.execve (before 22.15), or GLIBC_TUNABLES already naming the tunable (a user's
 * own choice, or the process after its replacement). OMNIZIP_HUGE_PAGES=0 turns it off.
 */
import { readFileSync } from 'node:fs';

const TUNABLE = 'glibc.malloc.hugetlb';

/** Whether this process should replace itself with one that has huge pages for its large buffers. */
export function wantsHugePages(env = process.env) {
  if (process.platform !== 'linux' || typeof process.execve !== 'function') return false;
  if (env.OMNIZIP_HUGE_PAGES === '0' || (env.GLIBC_TUNABLES ?? '').includes(TUNABLE)) return false;
  try {
    // "always [madvise] never": madvise is what glibc's tunable uses; always needs no help.
    return /\[madvise\]/.test(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'));
  } catch {
    return false;
  }
}

/** The environment of the replacement process: the caller's, with the tunable added. */
export function hugePagesEnv(env = process.env) {
  const tunables = env.GLIBC_TUNABLES ? `${env.GLIBC_TUNABLES}:${TUNABLE}=1` : `${TUNABLE}=1`;
  return { ...env, GLIBC_TUNABLES: tunables };
}

/** Replaces this process with the same command line under huge pages when that helps; returns otherwise. */
export function reexecWithHugePages() {
  if (!wantsHugePages()) return;
  /** @type {Record<string, string>} */
  const env = {};
  for (const [key, value] of Object.entries(hugePagesEnv())) if (value !== undefined) env[key] = value;
  try {
    process.execve?.(process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], env);
  } catch {
    // execve refused (a sandbox, a vanished binary): carry on in this process with small pages.
  }
}
