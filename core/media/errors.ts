/**
 * Errors raised while reading media. Each names the file (or the tool) and says what to do, because
 * the studio shows the message as is.
 */
import { CancelledError, OmniZipError } from '../protocol/errors.js';

export class MediaError extends OmniZipError {
  constructor(message: string, kind = 'bad-media') {
    super(kind, message);
  }
}

/** ffmpeg / ffprobe could not be found or does not run. */
export class FfmpegUnavailableError extends MediaError {
  constructor(message: string) {
    super(message, 'ffmpeg-unavailable');
  }
}

/** The file is not readable media (not media at all, unknown format, no streams). */
export class MediaProbeError extends MediaError {
  constructor(readonly file: string, reason: string) {
    super(`${file}: ${reason}`);
  }
}

/** ffmpeg failed or stopped early while decoding (corrupt or truncated file). */
export class MediaDecodeError extends MediaError {
  constructor(readonly file: string, reason: string) {
    super(`${file}: ${reason}`);
  }
}

/** The caller aborted a long decode or encode. */
export class OperationCancelledError extends CancelledError {
  constructor(what: string) {
    super(`${what} was cancelled`);
  }
}

export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new OperationCancelledError(what);
}
