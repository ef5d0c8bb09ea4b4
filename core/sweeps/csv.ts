/** The trials table as CSV: one row per trial, config keys and metrics as columns. */
import { CONFIG_KEYS } from '../config/schema.js';
import type { TrialRecord } from './store.js';

/** Config keys as columns; `method` has its own column already. */
const CONFIG_COLUMNS = CONFIG_KEYS.map((d) => d.key).filter((k) => k !== 'method');

const cell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : typeof v === 'number' ? String(v) : typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function trialsCsv(records: TrialRecord[], metricIds: string[]): string {
  const metrics = [...metricIds];
  for (const r of records) for (const k of Object.keys(r.metrics)) if (!metrics.includes(k)) metrics.push(k);
  const header = [
    'trial',
    'clip_path',
    'content_hash',
    'method',
    ...CONFIG_COLUMNS,
    'audio_kept',
    'audio_total',
    'video_kept',
    'video_total',
    'sequence_kept',
    'sequence_total',
    ...metrics,
    'wall_ms',
    'host',
  ];
  const rows = records.map((r) =>
    [
      r.trial,
      r.clip.path,
      r.clip.content_hash,
      r.method,
      ...CONFIG_COLUMNS.map((k) => r.config[k]),
      r.counts.audio.kept,
      r.counts.audio.total,
      r.counts.video.kept,
      r.counts.video.total,
      r.counts.sequence.kept,
      r.counts.sequence.total,
      ...metrics.map((m) => r.metrics[m]),
      r.wall_ms,
      r.host,
    ]
      .map(cell)
      .join(','),
  );
  return `${[header.join(','), ...rows].join('\n')}\n`;
}
