/**
 * Measures "slider move to every chart redrawn": each config change from a control notes the time;
 * once the plan carrying that change has been drawn by every mounted chart, a performance measure
 * `omz:slider-to-redraw` is recorded (and kept on window.__omzPerf for `npm run bench:ui`).
 */
interface PendingInput {
  version: number;
  at: number;
}

const pending: PendingInput[] = [];
const charts = new Set<string>();
const drawnSeq = new Map<string, number>();
/** Config version each committed plan seq carries. */
const seqVersion = new Map<number, number>();
let configVersion = 0;

export interface PerfSink {
  samples: number[];
  planMs: number[];
  /** Synchronous part of each chart's Plotly.react, ms, by chart id. */
  chartSync: Record<string, number[]>;
}

declare global {
  interface Window {
    __omzPerf?: PerfSink;
  }
}

function sink(): PerfSink {
  window.__omzPerf ??= { samples: [], planMs: [], chartSync: {} };
  return window.__omzPerf;
}

export function nextConfigVersion(): number {
  return ++configVersion;
}

export function currentConfigVersion(): number {
  return configVersion;
}

/** A control changed the config (the change becomes `version`). */
export function noteInput(version: number): void {
  pending.push({ version, at: performance.now() });
  performance.mark(`omz:input:${version}`);
}

export function notePlanCommitted(seq: number, version: number, planMs: number): void {
  seqVersion.set(seq, version);
  sink().planMs.push(planMs);
}

export function registerChart(id: string): () => void {
  charts.add(id);
  return () => {
    charts.delete(id);
    drawnSeq.delete(id);
  };
}

export function noteChartDrawn(id: string, seq: number): void {
  drawnSeq.set(id, Math.max(seq, drawnSeq.get(id) ?? 0));
  let minSeq = Infinity;
  for (const c of charts) minSeq = Math.min(minSeq, drawnSeq.get(c) ?? 0);
  const version = seqVersion.get(minSeq);
  if (version === undefined || pending.length === 0) return;
  // Let the browser lay out and paint what the charts produced before stopping the clock.
  requestAnimationFrame(() => {
    const end = performance.now();
    while (pending.length > 0 && pending[0].version <= version) {
      const input = pending.shift() as PendingInput;
      performance.measure('omz:slider-to-redraw', { start: input.at, end });
      sink().samples.push(end - input.at);
    }
  });
}

export function noteChartSync(id: string, ms: number): void {
  (sink().chartSync[id] ??= []).push(ms);
}
