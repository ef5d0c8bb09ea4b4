import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseSafetensors, toFloat32 } from '../core/bundle/safetensors.js';
import { goldenDir } from '../core/util/shared-paths.js';

export { goldenDir, sharedDir } from '../core/util/shared-paths.js';

/**
 * Access to the golden cases produced by the official implementation (shared/golden). Tests and
 * benchmarks locate them beside the repository (../shared/golden) or through OMNIZIP_SHARED.
 */

export function goldenAvailable(): boolean {
  return existsSync(goldenDir());
}

export interface GoldenGroup {
  video_range: [number, number] | null;
  audio_range: [number, number] | null;
  guided: boolean;
  audio_retention?: number | null;
  ratio_initial?: number | null;
  ratio_final: number | null;
  frame_keep_counts: number[];
}

export interface GoldenExpected {
  case: string;
  description: string;
  config: Record<string, unknown>;
  tie_sensitive: boolean;
  counts: { audio: { total: number; kept: number }; video: { total: number; kept: number }; sequence: { total: number; kept: number } };
  audio: { kept: number[]; dominant_count: number; anchors: number[]; merges: [number, number[]][] };
  video: { kept: number[] };
  groups: GoldenGroup[];
  sequence_kept: number[];
  normalization: Record<string, unknown>;
  official_units_variant: { num_input_frames: number; audio_kept: number[]; video_kept: number[]; counts: Record<string, number> };
  tie_free_checks?: {
    audio_dominant_count: number;
    audio_kept_count: number;
    audio_must_keep: number[];
    audio_tied_at_threshold: number;
    group_ranges: [[number, number], [number, number] | null][];
  };
}

export function goldenCaseNames(): string[] {
  return readdirSync(goldenDir())
    .filter((f) => f.endsWith('.expected.json'))
    .map((f) => f.replace(/\.expected\.json$/, ''))
    .sort();
}

export function goldenBundlePath(name: string): string {
  return path.join(goldenDir(), `${name}.safetensors`);
}

export function readGoldenExpected(name: string): GoldenExpected {
  return JSON.parse(readFileSync(path.join(goldenDir(), `${name}.expected.json`), 'utf8')) as GoldenExpected;
}

/** The merged anchor rows the official code wrote, or null where the case merged nothing. */
export function readGoldenAnchors(name: string): { index: number[]; rows: Float32Array; dim: number } | null {
  const file = path.join(goldenDir(), `${name}.expected-anchors.safetensors`);
  if (!existsSync(file)) return null;
  const parsed = parseSafetensors(new Uint8Array(readFileSync(file)), file);
  const embeds = parsed.tensors.get('anchor_embeds');
  const index = parsed.tensors.get('anchor_index');
  if (!embeds || !index) throw new Error(`${file}: missing anchor_embeds or anchor_index`);
  const view = new DataView(index.bytes.buffer, index.bytes.byteOffset, index.bytes.byteLength);
  const idx: number[] = [];
  for (let i = 0; i < index.elementCount; i++) idx.push(Number(view.getBigInt64(i * 8, true)));
  return { index: idx, rows: toFloat32(embeds), dim: embeds.shape[1] };
}
