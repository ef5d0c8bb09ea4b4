/**
 * A config value the planner or validator refuses, naming the key where one is to blame. Its own
 * module, free of the schema, so planner code that the schema's method registry imports can throw it
 * without an import cycle.
 */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly key?: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}
