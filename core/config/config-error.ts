import { OmniZipError } from '../protocol/errors.js';

/**
 * A config that cannot be used; the message names the key and says what is wrong. Its own module,
 * free of the schema, so planner code that the schema's method registry imports can throw it
 * without an import cycle.
 */
export class ConfigError extends OmniZipError {
  constructor(
    message: string,
    readonly key?: string,
  ) {
    super('bad-config', message);
  }
}
