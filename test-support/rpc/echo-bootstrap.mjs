// Worker threads cannot load .ts files: register tsx's loader, then load the test worker.
import { register } from 'tsx/esm/api';

register();
await import(new URL('./echo-worker.ts', import.meta.url).href);
