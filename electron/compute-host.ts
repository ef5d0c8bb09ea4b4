/**
 * The compute host: an Electron utility process that runs the core (bundle reading, analysis,
 * planning, exports) off the main process, so neither the window nor the main process ever
 * blocks on a long analysis. It answers the same contract as the web server, through dispatch().
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDefaultDeps } from '../core/studio/deps.js';
import { dispatch } from '../core/studio/dispatch.js';
import { SessionStore } from '../core/studio/session-store.js';
import { RecentFiles } from '../core/studio/recent.js';
import { StudioSession } from '../core/studio/session.js';
import type { HostMessage, HostRequest } from './host-protocol.js';

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (!parentPort) throw new Error('compute-host must run as an Electron utility process');

const appRoot = process.env.OMNIZIP_APP_ROOT ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stateDir = process.env.OMNIZIP_STATE_DIR ?? null;
const session = new StudioSession(
  createDefaultDeps({ appRoot, version: process.env.OMNIZIP_APP_VERSION ?? '0.0.0' }),
  new RecentFiles(stateDir ? path.join(stateDir, 'recent.json') : null),
  new SessionStore(stateDir ? path.join(stateDir, 'sessions') : null),
);
const send = (message: HostMessage) => parentPort.postMessage(message);

parentPort.on('message', (e) => {
  const request = e.data as Partial<HostRequest>;
  if (typeof request?.id !== 'number') return;
  void dispatch(session, request.method, request.params, (event) => send({ kind: 'event', event })).then((outcome) => send({ kind: 'reply', id: request.id as number, outcome }));
});
send({ kind: 'ready' });
