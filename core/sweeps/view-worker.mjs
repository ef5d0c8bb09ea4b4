// Worker-thread entry that reads sweep directories for the studio (core/sweeps/view-in-worker.ts).
import { register } from 'tsx/esm/api';

register();
await import('./view-worker-main.ts');
