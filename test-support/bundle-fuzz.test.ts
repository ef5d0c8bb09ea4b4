import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fuzzCases, runFuzzCase, tally } from './bundle-fuzz.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = process.env.OMNIZIP_SHARED ?? path.resolve(repoRoot, '../shared');

// The short form of `npm run fuzz` (which runs 600 flips under a time budget): every malformed
// class and a few flips, so a regression shows in `npm test` too.
describe('bundle fuzz (short)', () => {
  it('refuses every malformed class with one line and never crashes on flips', async () => {
    const golden = new Uint8Array(readFileSync(path.join(shared, 'golden', 'default_params.safetensors')));
    const cases = fuzzCases(golden, 16);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'omz-fuzz-test-'));
    const outcomes = [];
    for (const c of cases) outcomes.push(await runFuzzCase(c, dir, 10_000));
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    const counts = tally(outcomes);
    for (const category of ['truncated', 'header-length', 'trailing-bytes', 'hole', 'duplicate-key', 'absurd-shape', 'not-a-regular-file'] as const) {
      expect(counts.get(category)?.tried).toBeGreaterThan(0);
      // Every malformed case is refused: none may slip through as 'accepted'.
      expect(outcomes.filter((o) => o.category === category && o.detail === 'accepted')).toEqual([]);
    }
  }, 120_000);
});
