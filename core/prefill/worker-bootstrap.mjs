// Worker threads cannot load TypeScript by themselves: register tsx's loader in this thread,
// then load the real worker module.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
