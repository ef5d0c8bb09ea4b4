import os from 'node:os';
import path from 'node:path';

/** Prefixes of the private temp directories hosts create under os.tmpdir() (state-hygiene.ts removes a dead owner's). */
export const UPLOAD_DIR_PREFIX = 'omnizip-upload-';
export const PREFILL_DIR_PREFIX = 'omnizip-prefill-';

/** `mkdtemp` prefix for a private temp directory of this process: its pid tells a later start whether the owner still runs. */
export function ownedTempPrefix(prefix: string): string {
  return path.join(os.tmpdir(), `${prefix}${process.pid}-`);
}
