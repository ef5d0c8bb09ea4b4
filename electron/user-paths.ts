/**
 * Which files the desktop renderer may ask the compute host to open: only paths the user chose
 * (the open dialog, a file dropped on the window, the recent list the host answered). A renderer
 * compromised by a hostile bundle's strings must not turn `clip.openPath` or a prefill
 * `manifestPath` into a read of any file on disk (issue 15 item 15). Pure: unit-tested without
 * Electron.
 */
import path from 'node:path';

export class UserChosenPaths {
  private readonly chosen = new Set<string>();

  constructor(private readonly limit = 1000) {}

  private static key(file: string): string | null {
    if (typeof file !== 'string' || file.length === 0 || file.includes('\0') || !path.isAbsolute(file)) return null;
    return path.resolve(file);
  }

  /** Records a path the user chose; relative paths and odd strings are ignored. */
  add(file: string): void {
    const key = UserChosenPaths.key(file);
    if (key === null) return;
    this.chosen.delete(key);
    this.chosen.add(key);
    // The oldest choices go first once the set is large (a long session of opens).
    while (this.chosen.size > this.limit) this.chosen.delete(this.chosen.values().next().value as string);
  }

  allows(file: string): boolean {
    const key = UserChosenPaths.key(file);
    return key !== null && this.chosen.has(key);
  }
}

/** The paths a request asks the host to read, per method (others read none). */
export function requestedPaths(method: string, params: unknown): string[] {
  type Choice = { kind?: unknown; manifestPath?: unknown };
  const p = params as { path?: unknown; model?: Choice; fastvDecoder?: Choice; decoder?: Choice } | null;
  if (method === 'clip.openPath' && typeof p?.path === 'string') return [p.path];
  const manifest = (c: Choice | undefined) => (c?.kind === 'manifest' && typeof c.manifestPath === 'string' ? [c.manifestPath] : []);
  // FastV's decoder choice: `fastvDecoder` beside a config (plan.run, export.build, prefill.run), `decoder` in fastv.*.
  const fastv = [...manifest(p?.fastvDecoder), ...(method.startsWith('fastv.') ? manifest(p?.decoder) : [])];
  if (method === 'prefill.run') return [...manifest(p?.model), ...fastv];
  return fastv;
}

/**
 * The IPC channel on which the preload reports a file dropped on the window. The preload reads
 * the path with webUtils.getPathForFile() from the File object of the drop, in its isolated
 * world: page script cannot call it with a path of its choice, and a File it constructs itself
 * has no path. So a dropped file becomes user-chosen exactly like a dialog's answer.
 */
export const DROP_CHANNEL = 'omnizip:dropped';

/**
 * Main's answer to a drop report: the checked path, now allowed, or null (nothing recorded) for
 * anything that is not one absolute path.
 */
export function acceptDroppedPath(raw: unknown, paths: UserChosenPaths): string | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 4096 || raw.includes('\0') || !path.isAbsolute(raw)) return null;
  const file = path.resolve(raw);
  paths.add(file);
  return file;
}
