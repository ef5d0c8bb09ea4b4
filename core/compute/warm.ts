/**
 * The compute worker's start-up warm-up (`analysis.warm`): opens the analysis sessions a host's
 * first clip will need, unless that clip's analysis is cached already. On a warm start the first
 * analysis is a cache read that needs no session; creating five of them beside it on the 2-core
 * machines only held that read back (issue 16 goal 5).
 */
import { readFile } from 'node:fs/promises';
import { AnalysisCache } from '../analysis/cache.js';
import { bundleContentHash } from '../bundle/reader.js';

/**
 * Whether the default cache holds an analysis of the bundle file `file`, for any frame geometry
 * and provider: the file's hash names its entries, so neither a parse nor the geometries are
 * needed. False on any doubt; a wrong guess only costs time (an entry for other geometries: the
 * analysis then opens the sessions itself).
 */
export async function cachedAnalysisExists(file: string): Promise<boolean> {
  try {
    return await new AnalysisCache().hasEntryFor(bundleContentHash(await readFile(file)));
  } catch {
    return false;
  }
}
