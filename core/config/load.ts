import { readFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { ConfigError, resolveConfig } from './validate.js';
import type { OmniZipConfig } from './schema.js';

/**
 * Reads a config file (YAML or JSON, by extension; unknown extensions are tried as YAML, which
 * also accepts JSON). A plan or golden file can be passed too: its `config` object is used.
 */
export async function loadConfigFile(file: string, base?: OmniZipConfig): Promise<OmniZipConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseConfigText(text, file, base);
}

export function parseConfigText(text: string, name: string, base?: OmniZipConfig): OmniZipConfig {
  let doc: unknown;
  try {
    doc = path.extname(name).toLowerCase() === '.json' ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    throw new ConfigError(`config file ${name} is not valid ${path.extname(name).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc && typeof doc === 'object' && !Array.isArray(doc) && 'config' in doc && typeof (doc as { config: unknown }).config === 'object') {
    doc = (doc as { config: unknown }).config;
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError(`config file ${name} must hold a mapping of key: value pairs`);
  }
  try {
    return resolveConfig(doc as Record<string, unknown>, base);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`${name}: ${err.message}`, err.key);
    throw err;
  }
}
