import { OmniZipError } from '../protocol/errors.js';
export type StudioErrorKind = 'bad-file' | 'cancelled' | 'unknown-clip' | 'bad-config' | 'unsupported' | 'analysis-failed' | 'bad-request' | 'prefill-failed' | 'provider-unavailable' | 'save-failed';

/** A user-facing failure (bad file, cancelled job, unknown clip); the message is shown as is. */
export class StudioError extends OmniZipError {
  constructor(
    override readonly kind: StudioErrorKind,
    message: string,
  ) {
    super(kind, message);
  }
}
