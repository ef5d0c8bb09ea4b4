// The prefill child is a plain `node` process: register tsx's loader, then load the TypeScript entry.
import { register } from 'tsx/esm/api';

register();
await import('./prefill-child.ts');
