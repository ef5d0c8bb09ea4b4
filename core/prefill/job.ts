import { readBundle } from '../bundle/reader.js';
import { fastvDecoderForPrefill } from '../methods/fastv-scores.js';
import { prefillInputFromBundle, type CompressionSetting } from './clip.js';
import { throwIfAborted } from './errors.js';
import { runPrefillBenchmark, type PrefillInput } from './runner.js';
import type { PrefillOptions, PrefillReport } from './types.js';

/**
 * A whole prefill benchmark as plain data, so it can cross a worker boundary: where the
 * sequences come from (ready-made, or a bundle file planned with the given settings) and how
 * to run them.
 */
export type PrefillJobSource = { kind: 'sequences'; input: PrefillInput } | { kind: 'bundle-file'; path: string; settings: CompressionSetting[] };

export interface PrefillJob extends Omit<PrefillOptions, 'signal' | 'onProgress'> {
  source: PrefillJobSource;
}

export async function runPrefillJob(job: PrefillJob, control: Pick<PrefillOptions, 'signal' | 'onProgress'> = {}): Promise<PrefillReport> {
  let input: PrefillInput;
  if (job.source.kind === 'sequences') {
    input = job.source.input;
  } else {
    control.onProgress?.({ fraction: 0, stage: `reading ${job.source.path}` });
    const bundle = await readBundle(job.source.path);
    throwIfAborted(control.signal);
    input = await prefillInputFromBundle(bundle, job.source.settings, {
      signal: control.signal,
      onProgress: (stage) => control.onProgress?.({ fraction: 0, stage }),
      fastvDecoder: fastvDecoderForPrefill(job.model),
    });
  }
  const { source: _source, ...options } = job;
  return runPrefillBenchmark(input, { ...options, ...control });
}
