import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// The renderer is served from a file:// URL (Electron) or the loopback server (web mode): relative base.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 6000,
    sourcemap: false,
    target: 'es2022',
  },
  esbuild: { jsx: 'automatic' },
});
