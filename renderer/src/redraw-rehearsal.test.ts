import { describe, expect, it } from 'vitest';
import { armRehearsal, copyPlan, type RehearsalHost, type ShownState } from './redraw-rehearsal.js';
import { plan as planFixture } from './plan-fixture.js';

/** A host whose idle callbacks run when the test says so. */
function fakeHost(initial: ShownState) {
  const idle: Array<() => void> = [];
  const state = { shown: initial, interrupted: false, renders: 0 };
  const host: RehearsalHost = {
    shown: () => state.shown,
    interrupted: () => state.interrupted,
    rerender: () => {
      state.renders++;
    },
    whenIdle: (task) => idle.push(task),
  };
  const runIdle = () => {
    let ran = 0;
    while (idle.length > 0) {
      (idle.shift() as () => void)();
      ran++;
    }
    return ran;
  };
  return { host, state, idle, runIdle };
}

describe('redraw rehearsal', () => {
  it('renders the shown plan the given number of times, one per idle period, and then stops', () => {
    const { host, state, idle, runIdle } = fakeHost({ clip: {}, config: {} });
    const r = armRehearsal(host, 4);
    expect(state.renders).toBe(0); // nothing before the page is idle
    expect(idle).toHaveLength(1);
    idle.shift()?.();
    expect(state.renders).toBe(1);
    expect(idle).toHaveLength(1); // the next one waits for the next idle period
    runIdle();
    expect(state.renders).toBe(4);
    expect(r.ran()).toBe(4);
    expect(idle).toHaveLength(0);
  });

  it('stops for good at a config change, another clip, or an interruption (a replan in flight, a hidden page)', () => {
    for (const change of ['config', 'clip', 'interrupted'] as const) {
      const clip = {};
      const config = {};
      const { host, state, idle, runIdle } = fakeHost({ clip, config });
      armRehearsal(host, 6);
      idle.shift()?.();
      expect(state.renders).toBe(1);
      if (change === 'config') state.shown = { clip, config: {} };
      else if (change === 'clip') state.shown = { clip: {}, config };
      else state.interrupted = true;
      runIdle();
      expect(state.renders, change).toBe(1);
      // Putting things back does not restart it: the first real move has come and gone.
      state.shown = { clip, config };
      state.interrupted = false;
      expect(runIdle()).toBe(0);
      expect(state.renders, change).toBe(1);
    }
  });

  it('keeps going over a later plan of the same clip and config (it rehearses whatever is shown)', () => {
    const clip = {};
    const config = {};
    const { host, state, runIdle } = fakeHost({ clip, config });
    armRehearsal(host, 3);
    runIdle();
    expect(state.renders).toBe(3);
  });

  it('rehearses nothing when armed for a state that is no longer shown (a move made before it was armed)', () => {
    const clip = {};
    const { host, state, runIdle } = fakeHost({ clip, config: { rho_video: 0.6 } });
    const planned = host.shown();
    state.shown = { clip, config: { rho_video: 0.62 } };
    const r = armRehearsal(host, 3, planned);
    runIdle();
    expect(r.ran()).toBe(0);
    expect(state.renders).toBe(0);
  });

  it('copies a plan view field by field, typed arrays on their own (not the frame buffer they view), equal to the original', () => {
    const plan = planFixture();
    // A decoded frame's arrays view one shared buffer.
    const frame = new ArrayBuffer(1024);
    const fate = new Uint8Array(frame, 16, plan.audioFate.length);
    fate.set(plan.audioFate);
    const withViews = { ...plan, audioFate: fate };
    const copy = copyPlan(withViews);
    expect(copy).toEqual(withViews);
    expect(copy).not.toBe(withViews);
    expect(copy.groups).not.toBe(withViews.groups);
    expect(copy.groups[0]).not.toBe(withViews.groups[0]);
    expect(copy.audioFate).toBeInstanceOf(Uint8Array);
    expect(copy.audioFate).not.toBe(fate);
    expect(copy.audioFate.buffer.byteLength).toBe(fate.length);
    expect(Object.keys(copy)).toEqual(Object.keys(withViews));
  });
});
