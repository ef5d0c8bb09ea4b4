import { loadConfigFile } from '../config/load.js';
import { DEFAULT_CONFIG, type OmniZipConfig } from '../config/schema.js';
import { parseSetting, resolveConfig } from '../config/validate.js';
import { single, type ParsedArgs } from './args.js';

/** The config a command runs with: `--config FILE` (or the defaults), then every `--set key=value` over it. */
export async function configFromArgs(args: ParsedArgs): Promise<OmniZipConfig> {
  const file = single(args, 'config');
  const base = file ? await loadConfigFile(file) : { ...DEFAULT_CONFIG };
  return resolveConfig(Object.fromEntries((args.values.get('set') ?? []).map(parseSetting)), base);
}
