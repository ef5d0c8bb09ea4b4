/**
 * Export files of the inference panel's kept runs: JSON (every run with its whole core report)
 * and CSV (one line per measured sequence). The renderer saves the bytes through the studio's
 * export path (atomic write behind Electron's save dialog, a download in web mode).
 *
 * No Node imports: the renderer bundles this file.
 */
import type { PrefillResultView, PrefillRow } from '../protocol/prefill-contract.js';

export const PREFILL_RUNS_FORMAT = 'omnizip-prefill-runs';

export function prefillRunsJson(results: readonly PrefillResultView[]): string {
  const runs = results.map((r, i) => {
    const { reportJson, ...view } = r;
    // A run restored from a saved session kept its table rows but not the core report (null here).
    return { run: i + 1, ...view, report: reportJson ? (JSON.parse(reportJson) as unknown) : null };
  });
  return `${JSON.stringify({ format: PREFILL_RUNS_FORMAT, version: 1, runs }, null, 1)}\n`;
}

type Column = [string, (r: PrefillResultView, row: PrefillRow, run: number) => string | number | null];

const COLUMNS: Column[] = [
  ['run', (_r, _row, run) => run],
  ['clip', (r) => r.clipName],
  ['model', (r) => r.model.name],
  ['provider', (r) => r.provider.name],
  ['timed_runs', (r) => r.runs],
  ['warmup_runs', (r) => r.warmupRuns],
  ['setting', (_r, row) => row.label],
  ['tokens_in', (_r, row) => row.tokens],
  ['audio_video_tokens', (_r, row) => row.audioVideoTokens],
  ['retention_sequence', (_r, row) => row.retentionSequence],
  ['retention_audio_video', (_r, row) => row.retentionAudioVideo],
  ['median_ms', (_r, row) => row.medianMs],
  ['p95_ms', (_r, row) => row.p95Ms],
  ['min_ms', (_r, row) => row.minMs],
  ['max_ms', (_r, row) => row.maxMs],
  ['speedup_median', (_r, row) => row.speedupMedian],
  ['speedup_p95', (_r, row) => row.speedupP95],
  ['flops_speedup_prefill', (_r, row) => row.flopsSpeedup],
  ['flops_speedup_prefill_audio_video', (_r, row) => row.flopsSpeedupAudioVideo],
  ['peak_memory_bytes', (_r, row) => row.peakMemoryBytes],
  ['memory_increase_bytes', (_r, row) => row.memoryIncreaseBytes],
  ['memory_ratio', (_r, row) => row.memoryRatio],
  ['peak_counter', (_r, row) => row.peakCounter],
  ['device_bytes', (_r, row) => row.deviceBytes],
  ['kv_cache_bytes', (_r, row) => row.kvCacheBytes],
  ['kl_divergence', (_r, row) => row.klDivergence],
  ['top1_agreement', (_r, row) => row.top1Agreement],
  ['top5_overlap', (_r, row) => row.top5Overlap],
  ['hidden_cosine', (_r, row) => row.hiddenCosine],
  ['caveat', (r) => r.model.caveat],
];

/** RFC 4180 field: quoted when it holds a comma, quote or line break; null is empty. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function prefillRunsCsv(results: readonly PrefillResultView[]): string {
  const lines = [COLUMNS.map(([name]) => name).join(',')];
  results.forEach((r, i) => {
    for (const row of r.rows) lines.push(COLUMNS.map(([, get]) => csvField(get(r, row, i + 1))).join(','));
  });
  return `${lines.join('\r\n')}\r\n`;
}
