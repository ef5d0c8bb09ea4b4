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

/**
 * Preloads plotly's lazily imported chunk (plot/plotly.ts) from index.html, so its fetch and
 * compile run alongside the main bundle's instead of starting once the main bundle has evaluated.
 */
function preloadPlotlyChunk(): Plugin {
  return {
    name: 'omnizip-preload-plotly',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const chunk = Object.values(ctx.bundle ?? {}).find(
          (c) => c.type === 'chunk' && c.isDynamicEntry && c.facadeModuleId !== null && /plotly\.js-cartesian-dist-min\/[^?]*\.js$/.test(c.facadeModuleId),
        );
        if (!chunk) throw new Error('no lazily imported plotly chunk in the renderer bundle to preload');
        return [{ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `./${chunk.fileName}` }, injectTo: 'head' }];
      },
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
  plugins: [recordBuildInputs(), preloadPlotlyChunk()],
});
