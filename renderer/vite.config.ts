import { defineConfig, type Plugin } from 'vite';
import { fileURLToPath } from 'node:url';
import { writeBuildManifest } from '../bin/build-freshness.mjs';

const outDir = fileURLToPath(new URL('../dist/renderer', import.meta.url));

/** Lists every module the bundle read, so `npm start` can tell whether this build is still current. */
function recordBuildInputs(): Plugin {
  let inputs: string[] = [];
  return {
    name: 'omnizip-record-build-inputs',
    apply: 'build',
    generateBundle() {
      inputs = [...this.getModuleIds()].filter((id) => !id.startsWith('\0'));
    },
    writeBundle() {
      writeBuildManifest(outDir, inputs);
    },
  };
}

// The renderer is served from a file:// URL (Electron) or the loopback server (web mode): relative base.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  build: {
    outDir,
    emptyOutDir: true,
    chunkSizeWarningLimit: 6000,
    sourcemap: false,
    target: 'es2022',
  },
  esbuild: { jsx: 'automatic' },
  plugins: [recordBuildInputs()],
});
