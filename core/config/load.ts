import { findDuplicateKey } from '../util/json-duplicates.js';
import { FileReadError, readRegularFile } from '../util/regular-file.js';
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
    const json = path.extname(file).toLowerCase() === '.json';
    text = new TextDecoder().decode(await readRegularFile(file, { maxBytes: json ? MAX_JSON_CONFIG_BYTES : MAX_YAML_CONFIG_BYTES, what: 'the config file' }));
  } catch (err) {
    if (err instanceof FileReadError) throw new ConfigError(`cannot read config file ${file}: ${err.code ?? err.reason}`);
    throw new ConfigError(`cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseConfigText(text, file, base);
}

/**
 * Bounds that keep a hostile or mistaken config from hanging the parser (issue 15 item 5). A
 * hand-written YAML config is a few hundred bytes; a plan JSON passed for its `config` can be MBs.
 */
export const MAX_YAML_CONFIG_BYTES = 256 * 1024;
export const MAX_JSON_CONFIG_BYTES = 64 * 1024 * 1024;
export const MAX_CONFIG_KEYS = 1000;
export const MAX_CONFIG_DEPTH = 64;

/** Deepest bracket nesting, counted outside strings: one linear pass, before any recursive parser sees it. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '{' || c === '[') deepest = Math.max(deepest, ++depth);
    else if (c === '}' || c === ']') depth--;
  }
  return deepest;
}

function parseDocumentText(text: string, name: string, json: boolean): unknown {
  const kind = json ? 'JSON' : 'YAML';
  const limit = json ? MAX_JSON_CONFIG_BYTES : MAX_YAML_CONFIG_BYTES;
  if (text.length > limit) throw new ConfigError(`config file ${name} is ${text.length} bytes, more than the ${limit}-byte limit for a ${kind} config`);
  const depth = nestingDepth(text);
  if (depth > MAX_CONFIG_DEPTH) throw new ConfigError(`config file ${name} nests ${depth} levels deep; a config is a flat mapping (at most ${MAX_CONFIG_DEPTH} levels accepted)`);
  if (json) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`config file ${name} is not valid JSON: ${(err as Error).message.split('\n')[0]}`);
    }
    const duplicate = findDuplicateKey(text);
    if (duplicate) throw new ConfigError(`config file ${name} is not valid JSON: key '${duplicate.key}' appears twice${duplicate.path ? ` in '${duplicate.path}'` : ''}`);
    return doc;
  }
  // uniqueKeys off: yaml's own duplicate check is quadratic (40k keys took a minute); ours below is
  // linear. logLevel silent: warnings become one clear error here instead of lines on stderr.
  const document = YAML.parseDocument(text, { uniqueKeys: false, logLevel: 'silent' });
  const problem = document.errors[0] ?? document.warnings[0];
  if (problem) {
    const where = problem.linePos?.[0] ? ` (line ${problem.linePos[0].line})` : '';
    const reason = problem.code === 'TAG_RESOLVE_FAILED' ? `unknown tag: ${problem.message.split('\n')[0]}` : problem.message.split('\n')[0];
    throw new ConfigError(`config file ${name} is not valid YAML${where}: ${reason}`);
  }
  const root = document.contents;
  if (YAML.isMap(root)) {
    const seen = new Set<string>();
    for (const pair of root.items) {
      const key = String(YAML.isScalar(pair.key) ? pair.key.value : pair.key);
      if (seen.has(key)) throw new ConfigError(`config file ${name} is not valid YAML: key '${key}' appears twice`);
      seen.add(key);
    }
  }
  return document.toJS({ maxAliasCount: 100 });
}

export function parseConfigText(text: string, name: string, base?: OmniZipConfig): OmniZipConfig {
  const doc = parseDocumentText(text, name, path.extname(name).toLowerCase() === '.json');
  const mapping = doc && typeof doc === 'object' && !Array.isArray(doc) && 'config' in doc ? (doc as { config: unknown }).config : doc;
  if (mapping && typeof mapping === 'object' && Object.keys(mapping).length > MAX_CONFIG_KEYS) {
    throw new ConfigError(`config file ${name} has ${Object.keys(mapping).length} keys; a config has at most ${MAX_CONFIG_KEYS} (the known keys are a few dozen)`);
  }
  return resolveParsedConfig(doc, name, base);
}

function resolveParsedConfig(parsed: unknown, name: string, base?: OmniZipConfig): OmniZipConfig {
  let doc = parsed;
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
