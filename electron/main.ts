/**
 * Electron main process: one sandboxed window showing the renderer, a compute host (utility
 * process) running the core, and IPC that accepts only contract calls from our own window.
 */
import { app, BrowserWindow, dialog, ipcMain, net, protocol, session, utilityProcess, type UtilityProcess } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { hostMethods, isHostMethod, isShellMethod, shellMethods, type Params, type Result, type ShellMethod, type StudioErrorPayload } from '../core/protocol/contract.js';
import { errorPayload, type DispatchOutcome } from '../core/studio/dispatch.js';
import { writeFileAtomic } from '../core/util/atomic-write.js';
import { CONTENT_SECURITY_POLICY } from '../core/server/csp.js';
import { ENTRY_POINTS } from '../core/runtime/entry-table.js';
import type { HostMessage, HostRequest } from './host-protocol.js';
import { isAllowedNavigation, isTrustedSender, type TrustedWindow } from './ipc-guard.js';
import { computeHostEnv } from './host-env.js';
import { acceptDroppedPath, DROP_CHANNEL, requestedPaths, UserChosenPaths } from './user-paths.js';

const appRoot = app.getAppPath();
const rendererDir = path.join(appRoot, 'dist', 'renderer');
/**
 * The renderer is served from our own scheme, not file://: the CSP header then applies to it,
 * and the page's origin is not "every file on disk".
 */
const RENDERER_SCHEME = 'omnizip';
const rendererUrl = `${RENDERER_SCHEME}://app/index.html`;
protocol.registerSchemesAsPrivileged([{ scheme: RENDERER_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

/** Files the user chose (dialog, drop, recent list): the only ones the renderer may name (user-paths.ts). */
const userPaths = new UserChosenPaths();

let mainWindow: BrowserWindow | null = null;
let trusted: TrustedWindow | null = null;
let host: UtilityProcess | null = null;
let nextId = 1;
const pending = new Map<number, (outcome: DispatchOutcome) => void>();

function fail(kind: string, message: string): { ok: false; error: StudioErrorPayload } {
  return { ok: false, error: { kind, message } };
}

function startHost(): UtilityProcess {
  // Packaged, the Node-side bundles are unpacked beside the asar archive (electron-builder.yml
  // asarUnpack): starting from the real file lets its chunks, workers and onnxruntime load from disk.
  const entry = path.join(appRoot, 'dist', ENTRY_POINTS['compute-host'].built).replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`);
  const child = utilityProcess.fork(entry, [], {
    serviceName: 'OmniZip compute host',
    env: computeHostEnv(process.env, { OMNIZIP_APP_ROOT: appRoot, OMNIZIP_STATE_DIR: app.getPath('userData'), OMNIZIP_APP_VERSION: app.getVersion() }),
  });
  child.on('message', (message: HostMessage) => {
    if (message.kind === 'reply') {
      pending.get(message.id)?.(message.outcome);
      pending.delete(message.id);
    } else if (message.kind === 'event') {
      mainWindow?.webContents.send('omnizip:event', message.event);
    } else if (message.kind === 'shut-down') {
      child.kill();
    }
  });
  child.on('exit', (code) => {
    for (const resolve of pending.values()) resolve(fail('internal', `the compute host stopped (exit ${code}); the next request restarts it`));
    pending.clear();
    host = null;
  });
  return child;
}

function callHost(method: string, params: unknown): Promise<DispatchOutcome> {
  host ??= startHost();
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    host?.postMessage({ kind: 'call', id, method, params } satisfies HostRequest);
  });
}

/**
 * Asks the compute host to shut down (it writes pending session saves first) and waits for it to
 * exit; a host that does not answer within `graceMs` is killed.
 */
function stopHost(graceMs = 5000): Promise<void> {
  const child = host;
  if (!child) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill(), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.postMessage({ kind: 'shutdown' } satisfies HostRequest);
  });
}

/** What the window may ask of the shell (dialogs, saving files); params arrive checked by the contract. */
const shellHandlers: { [M in ShellMethod]: (params: Params<M>) => Promise<Result<M>> } = {
  'shell.openDialog': async () => {
    const picked = await dialog.showOpenDialog(mainWindow as BrowserWindow, {
      properties: ['openFile'],
      filters: [
        { name: 'Feature bundles and media', extensions: ['safetensors', 'mp4', 'mkv', 'mov', 'webm', 'wav', 'mp3', 'flac'] },
        { name: 'All files', extensions: ['*'] },
      ],
    });
    const chosen = picked.canceled ? null : (picked.filePaths[0] ?? null);
    if (chosen) userPaths.add(chosen);
    return { path: chosen };
  },
  'shell.saveFile': async (p) => {
    const saved = await dialog.showSaveDialog(mainWindow as BrowserWindow, { defaultPath: path.basename(p.suggestedName) });
    if (saved.canceled || !saved.filePath) return { path: null };
    await writeFileAtomic(saved.filePath, p.bytes);
    return { path: saved.filePath };
  },
};

async function handleShell<M extends ShellMethod>(method: M, params: unknown): Promise<DispatchOutcome> {
  const spec = shellMethods[method];
  const checked = spec.params.parse(params, 'params') as Params<M>;
  const result = await (shellHandlers[method] as (p: Params<M>) => Promise<Result<M>>)(checked);
  return { ok: true, result: spec.result.parse(result, 'result') };
}

function fromStudioWindow(event: Electron.IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  const main = event.sender.mainFrame;
  const isMainFrame = frame !== null && frame.processId === main.processId && frame.routingId === main.routingId;
  return isTrustedSender({ senderId: event.sender.id, frameUrl: frame?.url ?? null, isMainFrame }, trusted);
}

// A file dropped on the window, its path read by the preload from the drop's File (user-paths.ts).
ipcMain.handle(DROP_CHANNEL, (event, raw: unknown): string | null => (fromStudioWindow(event) ? acceptDroppedPath(raw, userPaths) : null));

ipcMain.handle('omnizip:call', async (event, method: unknown, params: unknown): Promise<DispatchOutcome> => {
  if (!fromStudioWindow(event)) {
    return fail('forbidden', 'request refused: it did not come from the studio window');
  }
  try {
    if (isShellMethod(method)) return await handleShell(method, params);
    if (isHostMethod(method)) {
      // Checked here too, so a malformed message never even reaches the compute host.
      const checked = hostMethods[method].params.parse(params, 'params');
      const refused = requestedPaths(method, checked).find((file) => !userPaths.allows(file));
      if (refused !== undefined) return fail('forbidden', `request refused: ${path.basename(refused)} was not chosen in this app (open it with the Open dialog, by dropping it on the window or from the recent list)`);
      const outcome = await callHost(method, checked);
      // Files on the recent list were chosen by the user in an earlier session.
      if (method === 'app.info' && outcome.ok) for (const r of (outcome.result as { recent: { path: string }[] }).recent) userPaths.add(r.path);
      return outcome;
    }
    return fail('bad-request', `request refused: unknown method ${JSON.stringify(method)}`);
  } catch (err) {
    return { ok: false, error: errorPayload(err) };
  }
});

app.enableSandbox();

app.on('web-contents-created', (_e, contents) => {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (e, url) => {
    if (!isAllowedNavigation(url, rendererUrl)) e.preventDefault();
  });
  contents.on('will-frame-navigate', (e) => {
    if (!isAllowedNavigation(e.url, rendererUrl)) e.preventDefault();
  });
  contents.on('will-redirect', (e) => e.preventDefault());
  contents.on('will-attach-webview', (e) => e.preventDefault());
});

async function createWindow(): Promise<void> {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  protocol.handle(RENDERER_SCHEME, async (request) => {
    const url = new URL(request.url);
    const file = path.resolve(rendererDir, decodeURIComponent(url.pathname).replace(/^\/+/, '') || 'index.html');
    if (url.host !== 'app' || (file !== rendererDir && !file.startsWith(rendererDir + path.sep))) return new Response('not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });
  mainWindow = new BrowserWindow({
    width: 1600,
    height: 1000,
    title: 'OmniZip Studio',
    show: false,
    webPreferences: {
      preload: path.join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      devTools: !app.isPackaged,
    },
  });
  trusted = { webContentsId: mainWindow.webContents.id, rendererUrl };
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.on('closed', () => {
    mainWindow = null;
    trusted = null;
  });
  host ??= startHost();
  await mainWindow.loadURL(rendererUrl);
}

app.whenReady().then(createWindow, (err: unknown) => {
  console.error(`omnizip-studio: Electron failed to start: ${err instanceof Error ? err.message : String(err)}`);
  app.exit(1);
});
app.on('window-all-closed', () => app.quit());

// Quitting waits for the compute host to write the last, still debounced, session save.
let hostStopped = false;
app.on('before-quit', (e) => {
  if (hostStopped || !host) return;
  e.preventDefault();
  void stopHost().finally(() => {
    hostStopped = true;
    app.quit();
  });
});
