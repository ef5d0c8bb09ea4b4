#!/usr/bin/env node
// The CLI, run from its compiled bundle (dist/cli.mjs, made by `npm install` or the first run).
// In a checkout the bundle is rebuilt first when a source changed since its build (about a
// second), and `serve` builds the renderer when it is missing or stale.
import { ensureBuilt } from './ensure-built.mjs';

const argv = process.argv.slice(2);
ensureBuilt('dist');
if (argv[0] === 'serve') ensureBuilt('renderer');
const { runCli } = await import('../dist/cli.mjs');
process.exitCode = await runCli(argv);
