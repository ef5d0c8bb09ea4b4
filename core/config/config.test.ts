import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfigText } from './load.js';
import { CONFIG_KEYS, DEFAULT_CONFIG, PRESETS } from './schema.js';
import { ConfigError, parseSetting, resolveConfig } from './validate.js';

describe('config validation', () => {
  it('fills every key from the defaults, which are the official values', () => {
    expect(resolveConfig({})).toEqual(DEFAULT_CONFIG);
    expect(DEFAULT_CONFIG).toMatchObject({ ratio_min: 0.35, ratio_max: 0.75, dpc_k: 5, g: 3, contextual_ratio: 0.05, variant: 'official-core' });
    expect(new Set(CONFIG_KEYS.map((d) => d.key))).toEqual(new Set(Object.keys(DEFAULT_CONFIG)));
  });

  it.each([
    [{ rho_audio: 1.2 }, /rho_audio.*within \[0, 1\]/],
    [{ rho_video: -0.1 }, /rho_video/],
    [{ g: -1 }, /'g'/],
    [{ g: 2.5 }, /'g' must be an integer/],
    [{ ratio_min: 0.8, ratio_max: 0.7 }, /ratio_min \(0.8\) must not exceed ratio_max \(0.7\)/],
    [{ rho_vidoe: 0.5 }, /unknown config key 'rho_vidoe'/],
    [{ variant: 'fast' }, /variant.*official-core, official-units/],
    [{ rho_audio: '0.3' }, /must be a finite number/],
    [{ rho_audio: Number.NaN }, /must be a finite number/],
    [{ anchors_count_in_retention: 'no' }, /true or false/],
    [{ group_seconds: null, num_input_frames: null, rho_audio: null }, /'rho_audio' cannot be null/],
  ])('rejects %j', (overrides, message) => {
    expect(() => resolveConfig(overrides as Record<string, unknown>)).toThrow(ConfigError);
    expect(() => resolveConfig(overrides as Record<string, unknown>)).toThrow(message);
  });

  it('accepts every preset', () => {
    for (const preset of PRESETS) expect(() => resolveConfig(preset.values)).not.toThrow();
  });

  it('parses --set values as numbers, booleans, null or strings', () => {
    expect(parseSetting('rho_audio=0.4')).toEqual(['rho_audio', 0.4]);
    expect(parseSetting('group_seconds=null')).toEqual(['group_seconds', null]);
    expect(parseSetting('anchors_count_in_retention=false')).toEqual(['anchors_count_in_retention', false]);
    expect(parseSetting('variant=official-units')).toEqual(['variant', 'official-units']);
    expect(() => parseSetting('rho_audio')).toThrow(/key=value/);
  });
});

describe('config files', () => {
  it('loads YAML and JSON, and the config object of a plan or golden file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'omnizip-config-'));
    const yaml = path.join(dir, 'a.yaml');
    await writeFile(yaml, '# paper 35%\nrho_audio: 0.4\nrho_video: 0.7\nbudget: exact\n');
    expect(await loadConfigFile(yaml)).toMatchObject({ rho_audio: 0.4, rho_video: 0.7, budget: 'exact', g: 3 });
    const json = path.join(dir, 'b.json');
    await writeFile(json, JSON.stringify({ format: 'omnizip-plan', version: 1, config: { rho_audio: 0.5, rho_video: 0.5 } }));
    expect(await loadConfigFile(json)).toMatchObject({ rho_audio: 0.5, rho_video: 0.5 });
  });

  it('names the file and the problem', async () => {
    expect(() => parseConfigText('rho_audio: [1', 'bad.yaml')).toThrow(/bad\.yaml is not valid YAML/);
    expect(() => parseConfigText('{"rho_audio": }', 'bad.json')).toThrow(/bad\.json is not valid JSON/);
    expect(() => parseConfigText('- 1\n- 2\n', 'list.yaml')).toThrow(/list\.yaml must hold a mapping/);
    expect(() => parseConfigText('rho_audio: 2\n', 'range.yaml')).toThrow(/range\.yaml: config key 'rho_audio'/);
    await expect(loadConfigFile('/nonexistent/omnizip.yaml')).rejects.toThrow(/cannot read config file \/nonexistent\/omnizip\.yaml: ENOENT/);
  });
});
