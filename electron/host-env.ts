/**
 * The environment the compute host gets: what the core reads and what the OS, ffmpeg and the GPU
 * runtimes need, and nothing else from the user's shell (tokens, proxies, NODE_OPTIONS,
 * ELECTRON_RUN_AS_NODE...). Pure: unit-tested without Electron.
 */

const PASSED = new Set([
  'PATH',
  'HOME',
  'USERPROFILE',
  'APPDATA',
  'LOCALAPPDATA',
  'TMPDIR',
  'TMP',
  'TEMP',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'SystemRoot',
  'SYSTEMROOT',
  'WINDIR',
  'ComSpec',
  'PATHEXT',
  'XDG_CACHE_HOME',
  'XDG_RUNTIME_DIR',
  'LD_LIBRARY_PATH',
  'DYLD_LIBRARY_PATH',
  'CUDA_VISIBLE_DEVICES',
  'CUDA_PATH',
]);

export function computeHostEnv(env: NodeJS.ProcessEnv, extra: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (PASSED.has(key) || key.startsWith('OMNIZIP_')) out[key] = value;
  }
  return { ...out, ...extra };
}
