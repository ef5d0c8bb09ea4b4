/**
 * Measures "slider move to every chart redrawn": each config change from a control notes the time;
 * once the plan carrying that change has been drawn by every mounted chart, a performance measure
 * `omz:slider-to-redraw` is recorded (and kept on window.__omzPerf for `npm run bench:ui`).
 *
 * Each sample is also split into stages (window.__omzPerf.stages), so a regression can be placed:
 * input → request sent (the control, the store, the replan queue, encoding) → response (the host's
 * handling from its Server-Timing header, of which the planner's own planMs, and the transport
 * around it) → decoded (body read, frame decode, contract check) → store updated → React committed
 * (render) → every chart drawn (Plotly.react / canvas repaints in the layout effects) → the next
 * animation frame. That is the figure `bench:ui` and design.md's target read. The pixels come a
 * little later: that frame's style, layout, paint and commit run on the main thread after its
 * animation frame callbacks, so each sample also records when that main-thread rendering was done
 * (`painted`, and the `afterFrame` part of each stage sample; raster and compositing follow on
 * other threads, unmeasured).
 */
interface PendingInput {
  version: number;
  at: number;
}

/** What the transport measured about one call (performance.now() times; server figures in ms). */
export interface CallTiming {
  sent?: number;
  responded?: number;
  decoded?: number;
  /** The host's handling of the call (dispatch: config check, planner, plan view, result check). */
  hostMs?: number;
  /** The host's encoding of the answer frame. */
  hostEncodeMs?: number;
}

/** One sample's time in each stage, ms (they add up to `total`). */
export interface StageSample {
  total: number;
  /** Input event to the request leaving (store update, replan queue, params encoding). */
  toRequest: number;
  /** The planner (plan.planMs). */
  planner: number;
  /** The host's handling minus the planner: config resolution, plan view, result check, answer encoding. */
  hostOther: number;
  /** Round trip minus the host's handling: HTTP/IPC, copies. */
  transport: number;
  /** Response to a checked value: body read, frame decode, contract check. */
  decode: number;
  /** Data cache and store update. */
  store: number;
  /** Store update to React's commit (render of the views that subscribed). */
  react: number;
  /** Commit to the last chart drawn (Plotly.react or canvas repaint, every chart). */
  draw: number;
  /** Last chart drawn to the next animation frame (the wait for the frame to begin). */
  frame: number;
  /**
   * Not in `total`: the next animation frame to its style, layout, paint and commit done (the
   * layout and paint of what the charts and readouts changed).
   */
  afterFrame: number;
}

export interface Trace {
  timing?: CallTiming;
  planMs?: number;
  stored?: number;
  committed?: number;
}
const traces = new Map<number, Trace>();
const seqTrace = new Map<number, Trace>();

const pending: PendingInput[] = [];
const charts = new Set<string>();
const drawnSeq = new Map<string, number>();
/** Config version each committed plan seq carries. */
const seqVersion = new Map<number, number>();
let configVersion = 0;

export interface PerfSink {
  /** Input to the animation frame after the last chart's draw (the figure the targets read). */
  samples: number[];
  /** Input to that frame's main-thread rendering done (style, layout, paint, commit), in the order of `samples`. */
  painted: number[];
  stages: StageSample[];
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
  window.__omzPerf ??= { samples: [], painted: [], stages: [], planMs: [], chartSync: {} };
  window.__omzPerf.painted ??= [];
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

/** The replan of config `version` got its answer: what the transport measured, and the planner's time. */
export function notePlanReceived(version: number, timing: CallTiming, planMs: number): void {
  traces.set(version, { timing, planMs });
}

/** The plan of `version` is in the store as plan `seq`. */
export function notePlanCommitted(seq: number, version: number, planMs: number): void {
  seqVersion.set(seq, version);
  sink().planMs.push(planMs);
  const trace = traces.get(version) ?? {};
  trace.stored = performance.now();
  seqTrace.set(seq, trace);
  traces.clear();
}

/** React committed the views of plan `seq` (the first chart's layout effect sees it). */
export function noteCommitted(seq: number): void {
  const trace = seqTrace.get(seq);
  if (trace && trace.committed === undefined) trace.committed = performance.now();
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
  const drawn = performance.now();
  const trace = seqTrace.get(minSeq);
  for (const old of seqTrace.keys()) if (old < minSeq) seqTrace.delete(old);
  afterNextFrame(
    (frameStarted) => {
      const done: [PendingInput, Omit<StageSample, 'afterFrame'> | null, number][] = [];
      while (pending.length > 0 && pending[0].version <= version) {
        const input = pending.shift() as PendingInput;
        performance.measure('omz:slider-to-redraw', { start: input.at, end: frameStarted });
        sink().samples.push(frameStarted - input.at);
        // Stages of the input that the plan answered (earlier inputs it absorbed only waited longer).
        done.push([input, input.version === version && trace ? stagesOf(input.at, trace, drawn, frameStarted) : null, frameStarted]);
      }
      return done;
    },
    (done, rendered) => {
      for (const [input, stages, frameStarted] of done) {
        performance.measure('omz:slider-to-painted', { start: input.at, end: rendered });
        sink().painted.push(rendered - input.at);
        if (stages) sink().stages.push({ ...stages, afterFrame: rendered - frameStarted });
      }
    },
  );
}

/**
 * Calls `atFrame` in the next animation frame's callbacks, then `rendered` once the main thread has
 * rendered that frame: a callback of requestAnimationFrame runs before the frame's style,
 * layout, paint and commit, and a message posted from it is a task that runs after them (measured
 * at 6-12 ms on the 5-minute clip's `rho_audio` moves, most of it layout and paint of the readouts).
 */
function afterNextFrame<T>(atFrame: (now: number) => T, rendered: (value: T, now: number) => void): void {
  requestAnimationFrame(() => {
    const value = atFrame(performance.now());
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      rendered(value, performance.now());
    };
    channel.port2.postMessage(null);
  });
}

/** True while the views re-render an identical plan (redraw-rehearsal.ts): those draws are not slider moves. */
let rehearsing = false;

/** Runs `render` as a rehearsal: the charts' draw times it causes are not recorded. */
export function duringRehearsal(render: () => void): void {
  rehearsing = true;
  try {
    render();
  } finally {
    rehearsing = false;
  }
}

export function noteChartSync(id: string, ms: number): void {
  if (rehearsing) return;
  (sink().chartSync[id] ??= []).push(ms);
}

/** Splits input → frame into stages; null when a mark is missing (e.g. a plan answered from the host's last-plan memo without timing). */
export function stagesOf(input: number, trace: Trace, drawn: number, end: number): Omit<StageSample, 'afterFrame'> | null {
  const t = trace.timing;
  if (!t || t.sent === undefined || t.responded === undefined || t.decoded === undefined || trace.stored === undefined) return null;
  const committed = Math.min(trace.committed ?? drawn, drawn);
  const planner = trace.planMs ?? 0;
  const roundTrip = t.responded - t.sent;
  const host = t.hostMs === undefined ? planner : Math.min(roundTrip, t.hostMs + (t.hostEncodeMs ?? 0));
  return {
    total: end - input,
    toRequest: t.sent - input,
    planner: Math.min(planner, host),
    hostOther: Math.max(0, host - planner),
    transport: roundTrip - host,
    decode: t.decoded - t.responded,
    store: trace.stored - t.decoded,
    react: committed - trace.stored,
    draw: drawn - committed,
    frame: end - drawn,
  };
}
