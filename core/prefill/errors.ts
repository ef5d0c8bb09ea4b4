/** Errors of the prefill benchmark; each message names the file, tensor or key at fault. */

/** A model manifest that is unreadable, malformed or inconsistent. */
export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

/** The ONNX model's inputs/outputs do not match what the manifest promises. */
export class ModelSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelSignatureError';
  }
}

/** Bad request (sequence shapes, run counts, missing outputs at run time). */
export class PrefillError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrefillError';
  }
}

/** The caller cancelled the benchmark (AbortSignal). */
export class PrefillCancelledError extends Error {
  constructor(message = 'prefill benchmark cancelled') {
    super(message);
    this.name = 'PrefillCancelledError';
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new PrefillCancelledError();
}
