#!/usr/bin/env node
// Runs the TypeScript CLI straight from the checkout (tsx compiles on the fly), so
// `npx omnizip-studio` works right after `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../core/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
