import type { PrefillReport } from './types.js';

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : 'n/a');
const times = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}x` : 'n/a');
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/** Columns padded to their widest cell; numbers right-aligned, the first column left-aligned. */
function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd()).join('\n');
}

/** The `prefill` command's readable output: model, provider, one row per sequence, then the notes. */
export function prefillSummary(report: PrefillReport): string {
  const m = report.model;
  const lines = [
    `model: ${m.name}${m.inputProjection ? ` (inputs projected ${m.inputProjection.from} -> ${m.inputProjection.to})` : ''}`,
    `provider: ${report.provider.name} (${report.provider.device}); ${report.settings.warmupRuns} warm-up + ${report.settings.runs} timed runs per sequence, interleaved (seed ${report.settings.timingOrderSeed}); ${(report.wallMs / 1000).toFixed(1)} s`,
    '',
  ];
  const header = ['sequence', 'tokens', 'retained a+v', 'median ms', 'p95 ms', 'speed-up', 'FLOPs speed-up', 'run memory', 'KV cache', 'KL', 'top-1'];
  const rows = report.runs.map((run, k) => {
    const c = k === 0 ? null : report.comparisons[k - 1];
    return [
      run.label,
      String(run.tokens),
      c ? pct(c.retention.audioVideo) : '100.0%',
      ms(run.latency.medianMs),
      ms(run.latency.p95Ms),
      c ? `${times(c.speedup.median)}${c.timing.reliable ? '' : ' !'}` : '1.00x',
      c ? times(c.flops.wholeSequence.prefillSpeedup) : '1.00x',
      `+${mb(run.memory.rssIncreaseBytes)}`,
      mb(run.kvCache.bytes),
      c ? c.fidelity.klDivergence.toFixed(4) : '-',
      c ? (c.fidelity.top1Agreement === 1 ? 'same' : 'differs') : '-',
    ];
  });
  lines.push(table([header, ...rows]));
  const unreliable = report.comparisons.filter((c) => !c.timing.reliable);
  if (unreliable.length > 0) lines.push('', ...unreliable.map((c) => `! ${c.timing.note}`));
  const notes = [...(m.caveat ? [m.caveat] : []), ...report.notes];
  if (notes.length > 0) lines.push('', ...notes.map((n) => `note: ${n}`));
  return `${lines.join('\n')}\n`;
}
