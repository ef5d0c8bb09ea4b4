import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, DEFAULT_CONFIG, type ConfigKeyDescriptor } from '../../../core/config/schema.js';
import { parseSetting, resolveConfig } from '../../../core/config/validate.js';
import { groupSecondsNote, judgeEntry } from './entry.js';

const key = (k: string): ConfigKeyDescriptor => CONFIG_KEYS.find((d) => d.key === k)!;

/** The CLI's own answer to `--set key=text`: the error message, or null when accepted. */
function cliMessage(k: string, text: string): string | null {
  try {
    const [name, value] = parseSetting(`${k}=${text}`);
    resolveConfig({ [name]: value });
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

describe('judgeEntry', () => {
  it.each([
    ['rho_video', '1.5'],
    ['rho_video', '-0.2'],
    ['g', '2.5'],
    ['dpc_k', '0'],
    ['num_input_frames', '1.5'],
  ])('rejects %s = %s with the message the CLI gives, never clamping or rounding', (k, text) => {
    const verdict = judgeEntry(key(k), text, DEFAULT_CONFIG);
    const cli = cliMessage(k, text);
    expect(cli).not.toBeNull();
    expect(verdict).toEqual({ kind: 'invalid', message: cli });
  });

  it('accepts in-range values unchanged', () => {
    expect(judgeEntry(key('rho_video'), '0.73', DEFAULT_CONFIG)).toEqual({ kind: 'valid', value: 0.73 });
    expect(judgeEntry(key('g'), '15', DEFAULT_CONFIG)).toEqual({ kind: 'valid', value: 15 });
  });

  it('checks the value against the rest of the config (ratio_min <= ratio_max)', () => {
    const verdict = judgeEntry(key('ratio_min'), '0.8', DEFAULT_CONFIG);
    expect(verdict.kind).toBe('invalid');
    expect(verdict.kind === 'invalid' && verdict.message).toMatch(/ratio_min \(0.8\) must not exceed ratio_max \(0.75\)/);
  });

  it('treats an empty box as auto only for nullable keys, and half-typed numbers as incomplete', () => {
    expect(judgeEntry(key('group_seconds'), '', DEFAULT_CONFIG)).toEqual({ kind: 'valid', value: null });
    expect(judgeEntry(key('rho_video'), '', DEFAULT_CONFIG)).toEqual({ kind: 'incomplete' });
    expect(judgeEntry(key('rho_video'), '-', DEFAULT_CONFIG)).toEqual({ kind: 'incomplete' });
  });
});

describe('groupSecondsNote', () => {
  it('says when the planned groups are not the asked length (3 s over 2-s chunks -> 4 s)', () => {
    expect(groupSecondsNote(3, [0, 4])).toBe("group_seconds 3 is not a whole number of the layout's chunks: the planner merges whole chunks, so the groups are 4 s long");
    expect(groupSecondsNote(4, [0, 4])).toBeNull();
    expect(groupSecondsNote(null, [0, 2])).toBeNull();
    expect(groupSecondsNote(3, null)).toBeNull();
  });
});
