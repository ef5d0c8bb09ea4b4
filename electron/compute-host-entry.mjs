// Entry of the compute host utility process. The core runs as TypeScript through tsx, exactly as
// the CLI and the core's own workers do, so every module keeps its import.meta.url (worker and
// probe scripts are located relative to their modules).
import { register } from 'tsx/esm/api';

register();
await import(new URL('./compute-host.ts', import.meta.url).href);
