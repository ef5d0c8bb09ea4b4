#!/usr/bin/env node
// `npm start`: brings the compiled app and the renderer up to date (`-- --rebuild` forces both),
// then runs the launcher (electron/launch.ts): the desktop window, or web mode saying why not.
import { ensureBuilt } from './ensure-built.mjs';

const force = process.argv.includes('--rebuild');
for (const name of /** @type {const} */ (['dist', 'renderer'])) {
  if (ensureBuilt(name, { force }) === 'fresh') console.log(`${name} build is up to date (npm start -- --rebuild forces a build)`);
}
await import('../dist/launch.mjs');
