/**
 * Rehearses a slider move's redraw while the page sits idle after a clip's first plan: the views
 * render an identical copy of the plan a few times, so the first real moves find the redraw path
 * (trace building, the overlay rasteriser, React's reconciliation of the views) already compiled.
 *
 * Why: on the 2-core machines the first ten slider moves after opening the 300-s clip took about
 * twice as long as later ones (CPU profile, same run: 60-90 ms against 35-45 ms), and V8's
 * background compiler threads used 34 ms of CPU per move over those ten moves against 14 ms
 * later, on the cores the page and the host share. Those slow first moves were the slider's p95.
 *
 * What the user sees does not change: the copy is equal to the plan it replaces, the charts keep
 * their plan sequence number (tests and `bench:ui` wait on it), and the perf sink does not count
 * these draws. It stops for good at the first config change, a replan in flight, another clip, or
 * a hidden page; each rehearsal is one synchronous render, so an input that arrives meanwhile waits for at
 * most one of them.
 */
import { flushSync } from 'react-dom';
import type { PlanView } from '../../core/protocol/contract.js';
import { dataCache } from './data-cache.js';
import { duringRehearsal } from './perf.js';
import { isReplanBusy } from './replan-idle.js';
import { useStudio } from './store/index.js';

/** Renders per clip: enough for V8 to optimise the redraw path's hot functions (they tier up after a few calls of their loops). */
export const REHEARSALS = 6;

/**
 * What a rehearsal checks before it runs: the clip and the config must still be the objects they
 * were when it was armed (the user has changed nothing). A later plan of the same config (a
 * speech reference that arrived) is rehearsed as it is.
 */
export interface ShownState {
  clip: unknown;
  config: unknown;
}

export interface RehearsalHost {
  shown(): ShownState;
  /** A replan in flight (the user has moved something) or a hidden page: the rehearsals stop. */
  interrupted(): boolean;
  /** Renders the views on an identical copy of the shown plan, charts included, before returning. */
  rerender(): void;
  /** Runs `task` once the page is idle. */
  whenIdle(task: () => void): void;
}

const sameShown = (a: ShownState, b: ShownState) => a.clip === b.clip && a.config === b.config;

/**
 * Starts the rehearsals of `armed` (by default what is shown now): none runs once the clip or the
 * config shown is no longer that. Returns how many ran so far (for tests).
 */
export function armRehearsal(host: RehearsalHost, count = REHEARSALS, armed: ShownState = host.shown()): { ran: () => number } {
  let ran = 0;
  const step = () => {
    if (ran >= count || host.interrupted() || !sameShown(host.shown(), armed)) return;
    ran++;
    host.rerender();
    if (ran < count) host.whenIdle(step);
  };
  host.whenIdle(step);
  return { ran: () => ran };
}

/** A copy of a plan view: the same fields in the same order, each typed array copied on its own (not the whole frame buffer it views). */
export function copyPlan<T>(value: T): T {
  if (ArrayBuffer.isView(value)) return (value as unknown as { slice(): T }).slice();
  if (Array.isArray(value)) return value.map((v: unknown) => copyPlan(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = copyPlan(v);
    return out as T;
  }
  return value;
}

/** The studio's own host: the zustand store, the data cache, React's synchronous flush and the browser's idle callbacks. */
export const studioRehearsalHost: RehearsalHost = {
  shown() {
    const s = useStudio.getState();
    return { clip: s.clip, config: s.config };
  },
  interrupted: () => isReplanBusy() || (typeof document !== 'undefined' && document.visibilityState === 'hidden'),
  rerender() {
    const plan: PlanView | undefined = dataCache.getPlan(useStudio.getState().planKey);
    if (!plan) return;
    dataCache.setPlan(copyPlan(plan));
    // `bench:ui` reports how many ran before the first slider move.
    performance.mark('omz:redraw-rehearsal');
    duringRehearsal(() => flushSync(() => useStudio.getState().touchPlan()));
  },
  whenIdle(task) {
    if (typeof requestIdleCallback === 'function') requestIdleCallback(() => task(), { timeout: 2000 });
    else setTimeout(task, 50);
  },
};
