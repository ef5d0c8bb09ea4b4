import { OmniZipError } from '../protocol/errors.js';

/** A sweep that cannot run as written: one line naming the spec key (or file) at fault. */
export class SweepSpecError extends OmniZipError {
  constructor(
    message: string,
    readonly key?: string,
  ) {
    super('bad-config', message);
  }
}

/** The kind of a SweepDirError, also when it comes back from a worker as an RpcError. */
export const SWEEP_DIR_KIND = 'bad-sweep-dir';

/** A sweep directory that cannot be read or resumed (missing plan, mismatched spec, bad shard). */
export class SweepDirError extends OmniZipError {
  constructor(message: string) {
    super(SWEEP_DIR_KIND, message);
  }
}
