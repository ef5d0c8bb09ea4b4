/**
 * Where the shared material (docs, golden cases) lives: `../shared` next to the repository root,
 * unless OMNIZIP_SHARED points elsewhere (CI checkouts, packaged builds).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file sits at core/util/). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function sharedDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.OMNIZIP_SHARED;
  return override !== undefined && override !== '' ? path.resolve(override) : path.resolve(REPO_ROOT, '../shared');
}

export function goldenDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(sharedDir(env), 'golden');
}
