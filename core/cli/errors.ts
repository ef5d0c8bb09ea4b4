/** An error the CLI reports as one line without a stack trace (bad input, not a bug). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Errors whose message is meant for the user. Any Error subclass whose name ends in 'Error' and
 * is not a plain TypeError/RangeError etc. raised by a bug is reported as one line; bugs still
 * get one line plus a hint to rerun with OMNIZIP_DEBUG=1 for the stack.
 */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
