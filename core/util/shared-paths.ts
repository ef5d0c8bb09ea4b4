/**
 * Where the shared material (docs, golden cases) lives: `../shared` next to the repository root,
 * unless OMNIZIP_SHARED points elsewhere (CI checkouts, packaged builds).
 */
import path from 'node:path';
import { appRoot } from '../runtime/entry-points.js';

/** The repository root (the app root when built). */
export const REPO_ROOT = appRoot();

export function sharedDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.OMNIZIP_SHARED;
  return override !== undefined && override !== '' ? path.resolve(override) : path.resolve(REPO_ROOT, '../shared');
}

export function goldenDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(sharedDir(env), 'golden');
}
