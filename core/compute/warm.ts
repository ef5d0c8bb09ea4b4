/**
 * The compute worker's start-up warm-up (`analysis.warm`): opens the analysis sessions a host's
 * first clip will need, unless that clip's analysis is cached already. On a warm start the first
 * analysis is a cache read that needs no session; creating five of them beside it on the 2-core
 * machines only held that read back (issue 16 goal 5).
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { AnalysisCache } from '../analysis/cache.js';
import { parseBundle } from '../bundle/reader.js';
import { requiredFrameGeometries } from '../planner/plan.js';

/** Whether the bundle file `file` has an analysis entry in the default cache (any provider); false on any doubt. */
export async function cachedAnalysisExists(file: string): Promise<boolean> {
  try {
    const bundle = parseBundle(await readFile(file), path.basename(file));
    if (!bundle.contentHash) return false;
    return (await stat(new AnalysisCache().fileFor(bundle.contentHash, requiredFrameGeometries(bundle)))).isFile();
  } catch {
    return false;
  }
}
