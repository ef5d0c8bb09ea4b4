/** An error the CLI reports as one line without a stack trace (bad input, not a bug). */
import { OmniZipError } from '../protocol/errors.js';
export class UsageError extends OmniZipError {
  constructor(message: string) {
    super('usage', message);
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
