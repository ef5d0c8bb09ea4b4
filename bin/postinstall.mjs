#!/usr/bin/env node
// @ts-check
// After `npm install` in a checkout: fetch the CUDA provider where it can help (best-effort,
// never fails the install), then compile every entry point into dist/ so that the CLI and
// `npm start` run JavaScript from the first command on.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { canBuild, ensureBuilt } from './ensure-built.mjs';

spawnSync(process.execPath, [fileURLToPath(new URL('./onnxruntime-cuda.mjs', import.meta.url)), '--auto'], { stdio: 'inherit' });
if (canBuild('dist')) ensureBuilt('dist');
