/** Errors of the prefill benchmark; each message names the file, tensor or key at fault. */
import { CancelledError, OmniZipError } from '../protocol/errors.js';

/** A model manifest that is unreadable, malformed or inconsistent. */
export class ModelManifestError extends OmniZipError {
  constructor(message: string) {
    super('bad-manifest', message);
  }
}

/** The ONNX model's inputs/outputs do not match what the manifest promises. */
export class ModelSignatureError extends OmniZipError {
  constructor(message: string) {
    super('model-mismatch', message);
  }
}

/** Bad request (sequence shapes, run counts, missing outputs at run time). */
export class PrefillError extends OmniZipError {
  constructor(message: string) {
    super('prefill-failed', message);
  }
}

/** The caller cancelled the benchmark (AbortSignal). */
export class PrefillCancelledError extends CancelledError {
  constructor(message = 'prefill benchmark cancelled') {
    super(message);
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new PrefillCancelledError();
}
