/** Name of the input manifest each build writes next to its outputs. */
export const BUILD_MANIFEST: string;
/** Records the inputs of a build that just wrote its outputs into `outDir` (the manifest's mtime is the build time). */
export function writeBuildManifest(outDir: string, inputs: Iterable<string>, outputs?: Iterable<string>): void;
/** Why the build in `outDir` must run again, or null when it is current. */
export function staleReason(outDir: string, build: { outputs: string[]; extraInputs: string[] }, relativeTo: string): string | null;
