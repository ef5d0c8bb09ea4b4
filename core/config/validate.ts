import { CONFIG_KEYS, CONFIG_KEY_NAMES, DEFAULT_CONFIG, type ConfigKeyDescriptor, type OmniZipConfig } from './schema.js';
import { OmniZipError } from '../protocol/errors.js';

/** A config that cannot be used; the message names the key and says what is wrong. */
export class ConfigError extends OmniZipError {
  constructor(
    message: string,
    readonly key?: string,
  ) {
    super('bad-config', message);
  }
}

const DESCRIPTORS = new Map<string, ConfigKeyDescriptor>(CONFIG_KEYS.map((d) => [d.key, d]));

/** Informative keys that exported or golden configs carry; accepted and ignored. */
const IGNORED_KEYS = new Set(['format', 'version']);

function checkValue(desc: ConfigKeyDescriptor, value: unknown): unknown {
  const { key, spec } = desc;
  if (spec.kind === 'boolean') {
    if (typeof value !== 'boolean') throw new ConfigError(`config key '${key}' must be true or false (got ${JSON.stringify(value)})`, key);
    return value;
  }
  if (spec.kind === 'enum') {
    if (typeof value !== 'string' || !spec.values.includes(value)) {
      throw new ConfigError(`config key '${key}' must be one of ${spec.values.join(', ')} (got ${JSON.stringify(value)})`, key);
    }
    return value;
  }
  if (value === null) {
    if (spec.nullable) return null;
    throw new ConfigError(`config key '${key}' cannot be null`, key);
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ConfigError(`config key '${key}' must be a finite number (got ${JSON.stringify(value)})`, key);
  }
  if (spec.integer && !Number.isInteger(value)) {
    throw new ConfigError(`config key '${key}' must be an integer (got ${value})`, key);
  }
  if (value < spec.min || value > spec.max) {
    throw new ConfigError(`config key '${key}' must be within [${spec.min}, ${spec.max}] (got ${value})`, key);
  }
  return value;
}

/**
 * Merges `overrides` over the defaults (or over `base`) and validates the result.
 * Unknown keys are an error: a misspelt key silently ignored would make a sweep lie.
 */
export function resolveConfig(overrides: Record<string, unknown> = {}, base: OmniZipConfig = DEFAULT_CONFIG): OmniZipConfig {
  if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) {
    throw new ConfigError('a config must be an object of key: value pairs');
  }
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (IGNORED_KEYS.has(key)) continue;
    const desc = DESCRIPTORS.get(key);
    if (!desc) {
      const known = [...CONFIG_KEY_NAMES].join(', ');
      throw new ConfigError(`unknown config key '${key}' (known keys: ${known})`, key);
    }
    out[key] = checkValue(desc, value);
  }
  const config = out as unknown as OmniZipConfig;
  if (config.ratio_min > config.ratio_max) {
    throw new ConfigError(`ratio_min (${config.ratio_min}) must not exceed ratio_max (${config.ratio_max})`, 'ratio_min');
  }
  return config;
}

/** Parses one `--set key=value` string; values are JSON where they parse, else plain strings. */
export function parseSetting(text: string): [string, unknown] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new ConfigError(`--set expects key=value (got '${text}')`);
  const key = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1).trim();
  if (raw === '' || raw === 'null' || raw === 'none' || raw === 'None') return [key, null];
  const num = Number(raw);
  if (Number.isFinite(num) && /^[-+0-9.eE]+$/.test(raw)) return [key, num];
  if (raw === 'true' || raw === 'false') return [key, raw === 'true'];
  return [key, raw];
}
