/**
 * The one error base of the core. Every failure the core raises on purpose is an OmniZipError with
 * a `kind`: a short stable word that callers (the studio contract, the CLI, the worker RPC) branch
 * on instead of class identity or `name` strings, which do not survive a process or worker boundary.
 * Browser-safe: no Node imports.
 */
export class OmniZipError extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The one "cancelled" of the core: a caller's AbortSignal fired, and the work stopped. */
export class CancelledError extends OmniZipError {
  constructor(message = 'cancelled') {
    super('cancelled', message);
  }
}

export function isCancelled(err: unknown): boolean {
  return err instanceof OmniZipError && err.kind === 'cancelled';
}

/** Throws CancelledError (with `what` in its message) when `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined, what = 'operation'): void {
  if (signal?.aborted) throw new CancelledError(`${what} cancelled`);
}

/** The kind of any thrown value: an OmniZipError's own, else 'internal'. */
export function errorKind(err: unknown): string {
  return err instanceof OmniZipError ? err.kind : 'internal';
}
