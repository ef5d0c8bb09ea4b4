#!/usr/bin/env node
// The CLI, run from its compiled bundle (dist/cli.mjs, made by `npm install` or the first run).
// In a checkout the bundle is rebuilt first when a source changed since its build (about a
// second), and `serve` builds the renderer when it is missing or stale.
import { reexecWithHugePages } from './huge-pages.mjs';

const argv = process.argv.slice(2);
const BUNDLE_HOLDERS = new Set(['analyze', 'plan', 'prefill', 'serve', 'sweep', 'report', 'encode']);
// Commands that hold whole bundles in memory first replace the process with one that maps its
// large buffers in huge pages (bin/huge-pages.mjs); `inspect` and `help` are too small to gain.
if (BUNDLE_HOLDERS.has(argv[0])) reexecWithHugePages();
const { ensureBuilt } = await import('./ensure-built.mjs');
ensureBuilt('dist');
if (argv[0] === 'serve') ensureBuilt('renderer');
const { runCli } = await import('../dist/cli.mjs');
process.exitCode = await runCli(argv);
