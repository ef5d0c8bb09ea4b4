import type { ConfigKeyDescriptor, OmniZipConfig } from '../../../core/config/schema.js';
import { ConfigError, resolveConfig } from '../../../core/config/validate.js';

/** What a typed number entry means: a valid value to apply, still being typed, or a problem to show. */
export type EntryVerdict = { kind: 'valid'; value: number | null } | { kind: 'incomplete' } | { kind: 'invalid'; message: string };

/**
 * Judges a typed entry of a number key against the current config with the same validator the CLI
 * uses (resolveConfig), so the panel rejects exactly what `--set` rejects, with the same message,
 * instead of clamping or rounding it. An empty box is only a value for nullable keys ("auto").
 */
export function judgeEntry(d: ConfigKeyDescriptor, text: string, config: OmniZipConfig): EntryVerdict {
  if (d.spec.kind !== 'number') return { kind: 'invalid', message: `config key '${d.key}' is not a number` };
  const trimmed = text.trim();
  if (trimmed === '') return d.spec.nullable ? { kind: 'valid', value: null } : { kind: 'incomplete' };
  if (trimmed === '-' || trimmed === '.' || trimmed === '-.') return { kind: 'incomplete' };
  const n = Number(trimmed);
  try {
    const resolved = resolveConfig({ [d.key]: n }, config);
    return { kind: 'valid', value: resolved[d.key] as number };
  } catch (err) {
    if (err instanceof ConfigError) return { kind: 'invalid', message: err.message };
    throw err;
  }
}
