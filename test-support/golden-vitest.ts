/**
 * Tests that need the official golden cases (the shared folder beside the repository, or
 * OMNIZIP_SHARED) skip where they are absent, and say so in the test title.
 */
import { describe, it } from 'vitest';
import { goldenAvailable, goldenDir } from './golden.js';

export const GOLDEN_SKIP_REASON: string | null = goldenAvailable()
  ? null
  : `skipped: no golden cases at ${goldenDir()}; put the shared folder beside the repository or set OMNIZIP_SHARED`;

export function describeWithGolden(title: string, body: () => void): void {
  if (GOLDEN_SKIP_REASON) describe.skip(`${title} (${GOLDEN_SKIP_REASON})`, body);
  else describe(title, body);
}

export function itWithGolden(title: string, body: () => Promise<void> | void, timeout?: number): void {
  if (GOLDEN_SKIP_REASON) it.skip(`${title} (${GOLDEN_SKIP_REASON})`, body, timeout);
  else it(title, body, timeout);
}
