import { BundleError } from '../core/bundle/errors.js';

/** The BundleError `run` throws; any other error is rethrown, and not throwing at all is an error. */
export function thrownBundleError(run: () => unknown, what: string): BundleError {
  try {
    run();
  } catch (err) {
    if (err instanceof BundleError) return err;
    throw err;
  }
  throw new Error(`expected ${what} to throw a BundleError`);
}
