/**
 * The compute host: an Electron utility process that runs the core (bundle reading, planning,
 * exports; analysis and encoding in its compute worker) off the main process, so neither the
 * window nor the main process ever blocks on a long job. It answers the same contract as the web
 * server, through dispatch(), and shuts down (flushing pending session saves) when main asks.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dispatch } from '../core/studio/dispatch.js';
import { cleanUpAtStart, describeCleanUp } from '../core/server/state-hygiene.js';
import { createStudioHost } from '../core/studio/host.js';
import { studioStateDir } from '../core/studio/paths.js';
import { parseHostRequest, type HostMessage } from './host-protocol.js';

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (!parentPort) throw new Error('compute-host must run as an Electron utility process');

const appRoot = process.env.OMNIZIP_APP_ROOT ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stateDir = studioStateDir();
const host = createStudioHost({ appRoot, version: process.env.OMNIZIP_APP_VERSION ?? '0.0.0', stateDir });
// What a host killed with -9 left behind, and sessions beyond the cap (core/server/state-hygiene.ts);
// in the background: nothing it removes belongs to this run.
void cleanUpAtStart(stateDir).then((report) => {
  const cleaned = describeCleanUp(report);
  if (cleaned) console.error(`omnizip-studio: ${cleaned}`);
});
const send = (message: HostMessage) => parentPort.postMessage(message);

parentPort.on('message', (e) => {
  const request = parseHostRequest(e.data);
  if (!request) return;
  if (request.kind === 'shutdown') {
    void host.shutdown().finally(() => send({ kind: 'shut-down' }));
    return;
  }
  void dispatch(host.session, request.method, request.params, (event) => send({ kind: 'event', event })).then((outcome) => send({ kind: 'reply', id: request.id, outcome }));
});
