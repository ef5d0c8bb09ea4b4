/**
 * A web-mode server in its own process for tests that measure it from outside (its RSS after
 * uploads and prefill runs): prints one JSON line {port, token, pid} once listening.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDefaultDeps } from '../studio/deps.js';
import { RecentFiles } from '../studio/recent.js';
import { StudioSession } from '../studio/session.js';
import { startStudioServer } from './server.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const staticDir = await mkdtemp(path.join(os.tmpdir(), 'omz-static-'));
await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>studio</title>');
const session = new StudioSession(createDefaultDeps({ appRoot: repoRoot, version: 'test' }), new RecentFiles(null));
const server = await startStudioServer({ session, staticDir });
console.log(JSON.stringify({ port: server.port, token: server.token, pid: process.pid }));
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
