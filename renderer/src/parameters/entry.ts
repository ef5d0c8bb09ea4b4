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

/**
 * group_seconds is valid anywhere in its range, but the planner merges whole chunks of the layout
 * (core/planner/groups.ts), so e.g. 3 s over 2-s chunks plans 4-s groups. Says so next to the field
 * rather than letting the value silently mean something else; null when the groups are as asked.
 */
export function groupSecondsNote(groupSeconds: number | null, firstGroupSpan: [number, number] | null): string | null {
  if (groupSeconds === null || !firstGroupSpan) return null;
  const realised = firstGroupSpan[1] - firstGroupSpan[0];
  if (Math.abs(realised - groupSeconds) < 1e-6 * Math.max(1, groupSeconds)) return null;
  const shown = Number(realised.toFixed(3));
  return `group_seconds ${groupSeconds} is not a whole number of the layout's chunks: the planner merges whole chunks, so the groups are ${shown} s long`;
}
