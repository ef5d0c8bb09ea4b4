/**
 * Errors raised while reading media. Each names the file (or the tool) and says what to do, because
 * the studio shows the message as is.
 */
export class MediaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MediaError';
  }
}

/** ffmpeg / ffprobe could not be found or does not run. */
export class FfmpegUnavailableError extends MediaError {
  constructor(message: string) {
    super(message);
    this.name = 'FfmpegUnavailableError';
  }
}

/** The file is not readable media (not media at all, unknown format, no streams). */
export class MediaProbeError extends MediaError {
  constructor(readonly file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'MediaProbeError';
  }
}

/** ffmpeg failed or stopped early while decoding (corrupt or truncated file). */
export class MediaDecodeError extends MediaError {
  constructor(readonly file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'MediaDecodeError';
  }
}

/** The caller aborted a long decode or encode. */
export class OperationCancelledError extends Error {
  constructor(what: string) {
    super(`${what} was cancelled`);
    this.name = 'OperationCancelledError';
  }
}

export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new OperationCancelledError(what);
}
