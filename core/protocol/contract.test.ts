import { describe, expect, it } from 'vitest';
import { array, ContractError, number, object, string, tuple } from './check.js';
import { hostMethods, isHostMethod, isShellMethod, planViewCheck, shellMethods } from './contract.js';

describe('studio contract', () => {
  it('accepts well-formed params and rejects unknown keys, wrong types and bad ids', () => {
    expect(hostMethods['plan.run'].params.parse({ clipId: 'abc123', config: { rho_audio: 0.4 } })).toEqual({ clipId: 'abc123', config: { rho_audio: 0.4 } });
    expect(() => hostMethods['plan.run'].params.parse({ clipId: 'abc', config: {}, extra: 1 })).toThrow(/unexpected key 'extra'/);
    expect(() => hostMethods['plan.run'].params.parse({ clipId: 7, config: {} })).toThrow(ContractError);
    expect(() => hostMethods['clip.data'].params.parse({ clipId: '../../etc' })).toThrow(/does not match/);
    expect(() => hostMethods['clip.openBytes'].params.parse({ jobId: 'j1', name: 'a.safetensors', bytes: [1, 2] })).toThrow(/Uint8Array/);
    expect(() => hostMethods['export.build'].params.parse({ clipId: 'a', config: {}, kind: 'exe' })).toThrow(/one of/);
  });

  it('names host and shell methods apart (the main process only forwards host methods)', () => {
    expect(isHostMethod('plan.run')).toBe(true);
    expect(isHostMethod('shell.saveFile')).toBe(false);
    expect(isHostMethod('__proto__')).toBe(false);
    expect(isShellMethod('shell.saveFile')).toBe(true);
    expect(Object.keys(shellMethods).every((m) => m.startsWith('shell.'))).toBe(true);
  });

  it('reports the path of a malformed field in a plan view', () => {
    const bad = { planKey: 'k', clipId: 'c', config: {}, counts: { audio: { total: 1, kept: 1 }, video: { total: 0, kept: 0 }, sequence: { total: 1, kept: 1 } }, groups: [{}], normalization: {}, notes: [], planMs: 1, dominantCount: 1, anchors: [], audioFate: new Uint8Array(1), audioMergedInto: new Int32Array(1), videoKeep: new Uint8Array(0), budget: {} };
    expect(() => planViewCheck.parse(bad, 'result')).toThrow(/result\.groups\[0\]\.audio_range/);
  });

  it('names the exact element that fails deep inside arrays of objects, and forwards fresh copies of what passed', () => {
    const check = object({ groups: array(object({ counts: array(number({ integer: true })), pair: tuple(number(), string()) })) });
    const good = { groups: [{ counts: [1, 2], pair: [1, 'a'] as [number, string] }, { counts: [3], pair: [2, 'b'] as [number, string] }] };
    const parsed = check.parse(good, 'result');
    expect(parsed).toEqual(good);
    expect(parsed.groups).not.toBe(good.groups);
    expect(parsed.groups[1].counts).not.toBe(good.groups[1].counts);
    expect(() => check.parse({ groups: [good.groups[0], { counts: [3, 4.5], pair: [2, 'b'] }] }, 'result')).toThrow(/^result\.groups\[1\]\.counts\[1\]: expected an integer, got 4\.5$/);
    expect(() => check.parse({ groups: [{ counts: [], pair: [2, 3] }] })).toThrow(/^groups\[0\]\.pair\[1\]: expected a string, got number$/);
  });
});
