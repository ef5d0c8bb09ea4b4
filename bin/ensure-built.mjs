// @ts-check
/**
 * Makes sure the compiled app in dist/ is current before the CLI or `npm start` runs it.
 * In a checkout (sources and dev tools present) a build is redone when any file it read changed
 * since (bin/build-freshness.mjs), so running an edited source never runs a stale bundle; an
 * installed package without sources just uses what it ships.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { staleReason } from './build-freshness.mjs';

export const appRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(appRoot, 'dist');

/** @typedef {{ outDir: string; outputs: string[]; extraInputs: string[]; source: string; command: string[] }} Build */

/** @type {Record<'dist' | 'renderer', Build>} */
export const BUILDS = {
  // Every process entry point (core/runtime/entry-points.ts), compiled by tools/build-dist.ts.
  dist: {
    outDir: dist,
    outputs: [path.join(dist, 'cli.mjs')],
    extraInputs: [path.join(appRoot, 'bin', 'build-freshness.mjs')],
    source: path.join(appRoot, 'tools', 'build-dist.ts'),
    command: [path.join(appRoot, 'bin', 'run-ts.mjs'), path.join(appRoot, 'tools', 'build-dist.ts')],
  },
  // The renderer (React UI), built by vite for web mode and the Electron window.
  renderer: {
    outDir: path.join(dist, 'renderer'),
    outputs: [path.join(dist, 'renderer', 'index.html')],
    extraInputs: [path.join(appRoot, 'renderer', 'vite.config.ts'), path.join(appRoot, 'bin', 'build-freshness.mjs')],
    source: path.join(appRoot, 'renderer', 'vite.config.ts'),
    command: [path.join(appRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn', '--config', path.join(appRoot, 'renderer', 'vite.config.ts')],
  },
};

/**
 * Whether this install has what `name`'s build needs: its sources and the dev dependencies
 * (an installed package without sources just uses the dist/ it ships).
 * @param {keyof typeof BUILDS} name
 */
export function canBuild(name) {
  const build = BUILDS[name];
  return existsSync(build.source) && existsSync(build.command[0]) && existsSync(path.join(appRoot, 'node_modules', 'tsx'));
}

/**
 * Builds `name` when it is missing or stale; returns what it did, exits the process on a failed build.
 * Progress goes to stderr: the CLI's stdout is kept for the command's own output.
 * @param {keyof typeof BUILDS} name
 * @param {{ force?: boolean }} [options]
 * @returns {'fresh' | 'built'}
 */
export function ensureBuilt(name, options = {}) {
  const build = BUILDS[name];
  const reason = options.force ? 'a rebuild was asked for' : staleReason(build.outDir, { outputs: build.outputs, extraInputs: build.extraInputs }, appRoot);
  if (reason === null) return 'fresh';
  if (!canBuild(name)) {
    if (build.outputs.every((file) => existsSync(file))) return 'fresh';
    process.stderr.write(`omnizip-studio: the ${name} build is missing (${reason}) and this install cannot build it (no sources or dev dependencies)\n`);
    process.exit(1);
  }
  process.stderr.write(`omnizip-studio: building ${name} (${reason}) ...\n`);
  // Loaded only to build: child_process drags in net, dgram and streams, a few ms of every CLI start.
  const { spawnSync } = process.getBuiltinModule('node:child_process');
  const run = spawnSync(process.execPath, build.command, { cwd: appRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  if (run.status !== 0) {
    process.stderr.write(`omnizip-studio: building ${name} failed (exit ${run.status ?? run.signal})\n`);
    process.exit(1);
  }
  return 'built';
}
