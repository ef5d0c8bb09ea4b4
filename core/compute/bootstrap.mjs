// Worker threads cannot load .ts files: register tsx's loader in this thread, then load the worker.
// A packaged build that compiles the worker to .js spawns that file instead (ComputeClient's entry).
import { register } from 'tsx/esm/api';

register();
await import(new URL('./worker.ts', import.meta.url).href);
