/** Issue 15 items 5 and 14: bounded, linear config parsing and clear one-line messages. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfigText } from './load.js';
import { resolveConfig } from './validate.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'omz-config-hardening-'));

describe('item 5: config size and key count are capped, parsing is linear', () => {
  it('refuses a 300k-key YAML config at once with the size limit', async () => {
    const file = path.join(dir, 'huge.yaml');
    writeFileSync(file, Array.from({ length: 300_000 }, (_, i) => `k${i}: ${i}`).join('\n'));
    const started = performance.now();
    await expect(loadConfigFile(file)).rejects.toThrow(/huge\.yaml: the config file is \d+ bytes, more than the 262144-byte limit/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses too many keys in a config that fits the size limit, quickly', () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `k${i}: 1`).join('\n');
    const started = performance.now();
    expect(() => parseConfigText(text, 'many.yaml')).toThrow(/many\.yaml has 20000 keys; a config has at most 1000/);
    // yaml's own duplicate-key check made 20k keys take ~15 s; linear parsing takes well under that.
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('still rejects duplicate YAML keys, naming the key', () => {
    expect(() => parseConfigText('rho_audio: 0.3\nrho_audio: 0.4\n', 'dup.yaml')).toThrow(/dup\.yaml is not valid YAML: key 'rho_audio' appears twice/);
  });
});

describe('item 14: messages', () => {
  it('NaN and Infinity are shown as such, not as null', () => {
    expect(() => resolveConfig({ rho_audio: Number.NaN })).toThrow(/got NaN\)/);
    expect(() => resolveConfig({ rho_video: Number.POSITIVE_INFINITY })).toThrow(/got Infinity\)/);
  });

  it('deeply nested JSON names the file instead of overflowing the stack', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(() => parseConfigText(deep, 'deep.json')).toThrow(/config file deep\.json nests 100000 levels deep/);
    expect(() => parseConfigText(`a: ${deep}`, 'deep.yaml')).toThrow(/deep\.yaml nests/);
  });

  it('an unknown YAML tag is one error line, with nothing printed', () => {
    const warn = console.warn;
    const printed: unknown[] = [];
    console.warn = (...a: unknown[]) => printed.push(a);
    try {
      expect(() => parseConfigText('rho_audio: !evil 0.3\n', 'tag.yaml')).toThrow(/tag\.yaml is not valid YAML \(line 1\): unknown tag/);
    } finally {
      console.warn = warn;
    }
    expect(printed).toEqual([]);
  });

  it('duplicate JSON keys are refused like duplicate YAML keys', () => {
    expect(() => parseConfigText('{"rho_audio": 0.3, "rho_audio": 0.9}', 'dup.json')).toThrow(/dup\.json is not valid JSON: key 'rho_audio' appears twice/);
  });

  it('a config file that is a FIFO or a directory is refused, not waited on', async () => {
    await expect(loadConfigFile(dir)).rejects.toThrow(/cannot read config file .*: it is a directory/);
  });

  it('ordinary configs and plan documents still load', () => {
    expect(parseConfigText('rho_audio: 0.3\nrho_video: 0.6\n', 'ok.yaml').rho_audio).toBe(0.3);
    expect(parseConfigText('{"config": {"rho_audio": 0.2}, "counts": {}}', 'plan.json').rho_audio).toBe(0.2);
  });
});

describe('item 14: the studio and CLI name what is wrong', () => {
  it('an empty bundle names the file', async () => {
    const { readBundle } = await import('../bundle/reader.js');
    const empty = path.join(dir, 'empty.safetensors');
    writeFileSync(empty, '');
    await expect(readBundle(empty)).rejects.toThrow(/bundle .*empty\.safetensors: header: file is 0 bytes long/);
  });

  it('a session path that is a directory does not promise a replacement', async () => {
    const { mkdirSync } = await import('node:fs');
    const { SessionStore } = await import('../studio/session-store.js');
    const sessions = path.join(dir, 'sessions');
    const hash = 'ab'.repeat(32);
    mkdirSync(path.join(sessions, `${hash}.json`), { recursive: true });
    const loaded = await new SessionStore(sessions).load(hash);
    expect(loaded.problem).toMatch(/cannot be saved: .* is a directory; remove it/);
    expect(loaded.problem).not.toMatch(/replaced/);
  });
});
