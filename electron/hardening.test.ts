/** Issue 15 item 15: the pure parts of the desktop app's hardening, checked without Electron. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { computeHostEnv } from './host-env.js';
import { acceptDroppedPath, DROP_CHANNEL, requestedPaths, UserChosenPaths } from './user-paths.js';
import { isAllowedNavigation, isTrustedSender } from './ipc-guard.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('user-chosen paths', () => {
  it('allows only paths the user chose, normalised, never relative or odd ones', () => {
    const paths = new UserChosenPaths();
    paths.add('/home/u/clips/a.safetensors');
    expect(paths.allows('/home/u/clips/a.safetensors')).toBe(true);
    expect(paths.allows('/home/u/clips/../clips/a.safetensors')).toBe(true);
    expect(paths.allows('/etc/passwd')).toBe(false);
    expect(paths.allows('a.safetensors')).toBe(false);
    paths.add('relative.safetensors');
    expect(paths.allows('relative.safetensors')).toBe(false);
    expect(paths.allows('/home/u/clips/a.safetensors\0x')).toBe(false);
  });

  it('forgets the oldest choices beyond its limit', () => {
    const paths = new UserChosenPaths(2);
    paths.add('/a');
    paths.add('/b');
    paths.add('/c');
    expect([paths.allows('/a'), paths.allows('/b'), paths.allows('/c')]).toEqual([false, true, true]);
  });

  it('a file dropped on the window becomes user-chosen like a dialog answer; nothing else does', () => {
    const paths = new UserChosenPaths();
    const wouldRead = (file: string) => requestedPaths('clip.openPath', { jobId: 'j', path: file });
    expect(wouldRead('/home/u/Downloads/clip.mp4').every((f) => paths.allows(f))).toBe(false);
    expect(acceptDroppedPath('/home/u/Downloads/../Downloads/clip.mp4', paths)).toBe('/home/u/Downloads/clip.mp4');
    expect(wouldRead('/home/u/Downloads/clip.mp4').every((f) => paths.allows(f))).toBe(true);
    expect(paths.allows('/home/u/Downloads/other.mp4')).toBe(false);
    for (const odd of ['', 'clip.mp4', '/x\0y', 42, null, ['/a'], { path: '/a' }, `/${'a'.repeat(5000)}`]) {
      expect(acceptDroppedPath(odd, paths)).toBeNull();
    }
    expect(paths.allows('/x')).toBe(false);
  });

  it('names the paths each request would read', () => {
    expect(requestedPaths('clip.openPath', { jobId: 'j', path: '/x' })).toEqual(['/x']);
    expect(requestedPaths('prefill.run', { model: { kind: 'manifest', manifestPath: '/m.json' } })).toEqual(['/m.json']);
    expect(requestedPaths('prefill.run', { model: { kind: 'demo', manifestPath: '/m.json' } })).toEqual([]);
    expect(requestedPaths('plan.run', { path: '/x' })).toEqual([]);
    // FastV's decoder choice carries a manifest path too, beside a config or in fastv.*.
    expect(requestedPaths('plan.run', { fastvDecoder: { kind: 'manifest', manifestPath: '/d.json' } })).toEqual(['/d.json']);
    expect(requestedPaths('prefill.run', { model: { kind: 'manifest', manifestPath: '/m.json' }, fastvDecoder: { kind: 'manifest', manifestPath: '/d.json' } })).toEqual(['/m.json', '/d.json']);
    expect(requestedPaths('fastv.scores', { decoder: { kind: 'manifest', manifestPath: '/d.json' } })).toEqual(['/d.json']);
    expect(requestedPaths('fastv.decoder', { decoder: { kind: 'demo', manifestPath: '/d.json' } })).toEqual([]);
  });
});

describe('compute host environment', () => {
  it('passes what the core and the OS need and drops the rest', () => {
    const env = computeHostEnv(
      { PATH: '/bin', HOME: '/home/u', OMNIZIP_CACHE_DIR: '/c', NODE_OPTIONS: '--require evil.js', ELECTRON_RUN_AS_NODE: '1', AWS_SECRET_ACCESS_KEY: 'x', GITHUB_TOKEN: 'y' },
      { OMNIZIP_APP_ROOT: '/app' },
    );
    expect(env).toEqual({ PATH: '/bin', HOME: '/home/u', OMNIZIP_CACHE_DIR: '/c', OMNIZIP_APP_ROOT: '/app' });
  });
});

describe('custom protocol origin', () => {
  it('the IPC guard and navigation rule work with the omnizip:// renderer URL', () => {
    const rendererUrl = 'omnizip://app/index.html';
    const trusted = { webContentsId: 1, rendererUrl };
    expect(isTrustedSender({ senderId: 1, frameUrl: 'omnizip://app/index.html?x=1', isMainFrame: true }, trusted)).toBe(true);
    expect(isTrustedSender({ senderId: 1, frameUrl: 'file:///app/index.html', isMainFrame: true }, trusted)).toBe(false);
    expect(isAllowedNavigation('https://evil.example/', rendererUrl)).toBe(false);
  });
});

describe('electron-builder fuses', () => {
  it('turns off NODE_OPTIONS and inspect flags, encrypts cookies, checks asar integrity, loads only from asar; keeps RunAsNode for the prefill memory child', () => {
    const config = YAML.parse(readFileSync(path.join(repoRoot, 'electron-builder.yml'), 'utf8')) as { electronFuses: Record<string, boolean> };
    expect(config.electronFuses).toMatchObject({
      runAsNode: true,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });
});

describe('main process wiring (read from the source, Electron cannot start here)', () => {
  const main = readFileSync(path.join(repoRoot, 'electron', 'main.ts'), 'utf8');
  it('uses the custom protocol, permission checks, frame navigation guard, devtools off when packaged and a filtered host env', () => {
    expect(main).toContain("protocol.handle(RENDERER_SCHEME");
    expect(main).not.toMatch(/loadFile\(/);
    expect(main).toContain('setPermissionCheckHandler');
    expect(main).toContain("'will-frame-navigate'");
    expect(main).toContain('devTools: !app.isPackaged');
    expect(main).toContain('computeHostEnv(process.env');
    expect(main).toContain('userPaths.allows');
  });

  it('records a dropped file only from the studio window, with the path the preload read from the File', () => {
    expect(main).toContain('ipcMain.handle(DROP_CHANNEL, (event, raw: unknown): string | null => (fromStudioWindow(event) ? acceptDroppedPath(raw, userPaths) : null));');
    expect(main).toMatch(/ipcMain\.handle\('omnizip:call'[^]*?if \(!fromStudioWindow\(event\)\)/);
    const preload = readFileSync(path.join(repoRoot, 'electron', 'preload.ts'), 'utf8');
    expect(preload).toContain('webUtils.getPathForFile(file)');
    expect(preload).toContain(`ipcRenderer.invoke('${DROP_CHANNEL}', chosen)`);
  });
});
