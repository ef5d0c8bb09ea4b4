// Worker-thread entry of the sweep pool. Workers cannot load .ts files by themselves: register
// tsx's loader in this thread, then load the real worker module.
import { register } from 'tsx/esm/api';

register();
await import('./sweep-worker-main.ts');
