/** A sweep that cannot run as written: one line naming the spec key (or file) at fault. */
export class SweepSpecError extends Error {
  constructor(
    message: string,
    readonly key?: string,
  ) {
    super(message);
    this.name = 'SweepSpecError';
  }
}

/** A sweep directory that cannot be read or resumed (missing plan, mismatched spec, bad shard). */
export class SweepDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SweepDirError';
  }
}
