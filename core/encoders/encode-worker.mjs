// Worker-thread entry for encoding. Workers cannot load .ts files by themselves, so this plain
// module installs tsx's loader first and then imports the TypeScript worker body.
import { register } from 'tsx/esm/api';

register();
await import('./encode-worker-main.ts');
