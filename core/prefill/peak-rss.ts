import { readFileSync, writeFileSync } from 'node:fs';

/**
 * The operating system's peak resident-set counter for this process, read in the memory child
 * (memory-child.ts), where one prefill run is the only thing that happens after the model loads.
 *
 * `process.resourceUsage().maxRSS` (getrusage's ru_maxrss, kB) is the portable counter. On Linux
 * it has a catch that matters for a child process: the kernel carries the high-water mark across
 * fork + exec, so a child spawned by a studio holding 800 MB reads maxRSS >= 800 MB before it has
 * done anything (measured: a fresh `node -e` child of an 840 MB parent reads 804 MB). Linux's
 * /proc/self/status `VmHWM` is the same high-water mark for the child's own address space only,
 * and writing "5" to /proc/self/clear_refs resets it to the current RSS, which lets the child
 * separate the run's peak from the model load's. So: VmHWM where it exists, maxRSS elsewhere
 * (macOS posix_spawn and Windows start a process with fresh counters).
 */

export type PeakCounter = 'VmHWM' | 'maxRSS';

const STATUS_FILE = '/proc/self/status';
const CLEAR_REFS_FILE = '/proc/self/clear_refs';

/** VmHWM in bytes from a /proc/<pid>/status text; null when the line is missing. */
export function parseVmHwm(status: string): number | null {
  const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) * 1024 : null;
}

function readVmHwm(): number | null {
  if (process.platform !== 'linux') return null;
  try {
    return parseVmHwm(readFileSync(STATUS_FILE, 'utf8'));
  } catch {
    return null;
  }
}

export interface PeakReading {
  bytes: number;
  counter: PeakCounter;
  /** getrusage's maxRSS in bytes, always reported beside the counter used. */
  maxRssBytes: number;
}

/** The process's peak RSS so far (since the last successful reset, for VmHWM). */
export function readPeakRss(): PeakReading {
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  const hwm = readVmHwm();
  return hwm === null ? { bytes: maxRssBytes, counter: 'maxRSS', maxRssBytes } : { bytes: hwm, counter: 'VmHWM', maxRssBytes };
}

/**
 * Resets the peak counter to the current RSS where the OS allows it (Linux >= 4.0). Returns
 * whether it did: without a reset, a later peak reading also covers everything before it
 * (model load included).
 */
export function resetPeakRss(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    writeFileSync(CLEAR_REFS_FILE, '5');
    return true;
  } catch {
    return false;
  }
}
