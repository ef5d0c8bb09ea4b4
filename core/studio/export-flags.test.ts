import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../config/schema.js';
import { resolveConfig } from '../config/validate.js';
import { keysNotInScripts, officialFlags } from './export.js';

// Issue 14, defect 3: with budget: exact, audio_score or a repair switch on, the NOTE named only
// method and group_seconds, and sat below the visible part of the preview.
describe('official flags / env export', () => {
  it('lists every setting the official scripts cannot express, first', () => {
    const config = resolveConfig({ budget: 'exact', audio_score: 'token_energy', dpc: 'paper', group_seconds: 4 });
    expect(keysNotInScripts(config)).toEqual(expect.arrayContaining(['budget', 'audio_score', 'dpc', 'group_seconds']));
    const text = officialFlags(config);
    const first = text.split('\n')[0];
    expect(first).toMatch(/^# NOTE: the official scripts cannot express /);
    for (const k of ['budget (here "exact")', 'audio_score (here "token_energy")', 'dpc (here "paper")', 'group_seconds (here 4)']) expect(first).toContain(k);
    expect(first).not.toContain('rho_video');
  });

  it('has no note at the official defaults, and flags for the four keys the scripts take', () => {
    const text = officialFlags(resolveConfig({ ...DEFAULT_CONFIG, rho_video: 0.7 }));
    expect(text).not.toContain('NOTE');
    expect(text.split('\n')[0]).toBe('# demo_3_omni.py (Qwen3-Omni demo)');
    expect(text).toContain('--rho_video 0.7');
    expect(keysNotInScripts(resolveConfig({}))).toEqual([]);
  });
});
