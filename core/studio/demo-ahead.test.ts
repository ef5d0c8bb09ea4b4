import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createDefaultDeps } from './deps.js';
import { dispatch } from './dispatch.js';
import { RecentFiles } from './recent.js';
import { StudioSession, type StudioDeps } from './session.js';
import type { ClipSummary, PlanView, ProgressEvent } from '../protocol/contract.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function call<T>(session: StudioSession, method: string, params: unknown, events: ProgressEvent[] = []): Promise<T> {
  const outcome = await dispatch(session, method, params, (e) => events.push(e));
  if (!outcome.ok) throw new Error(`${outcome.error.kind}: ${outcome.error.message}`);
  return outcome.result as T;
}

/** The real dependencies, counting demo loads and analyses; `hold` (when given) delays each analysis until it resolves. */
function counted(hold?: Promise<void>) {
  const real = createDefaultDeps({ appRoot: repoRoot, version: 'test' });
  const counts = { loads: 0, analyses: 0 };
  let failNextLoad = false;
  const deps: StudioDeps = {
    ...real,
    loadDemo: async () => {
      counts.loads++;
      if (failNextLoad) {
        failNextLoad = false;
        throw new Error('the disk hiccuped');
      }
      return real.loadDemo();
    },
    engine: {
      name: real.engine.name,
      analyze: async (bundle, options) => {
        counts.analyses++;
        await hold;
        return real.engine.analyze(bundle, options);
      },
    },
  };
  return { deps, counts, failNextLoad: () => (failNextLoad = true) };
}

/** A summary without what differs between two opens of the same clip: its id and the analysis' wall time. */
const comparable = ({ clipId: _clipId, engine: { wallMs: _wallMs, ...engine }, ...rest }: ClipSummary) => ({ ...rest, engine });

describe('the demo opened ahead of the page (web mode start-up)', () => {
  it('is taken by the first clip.openDemo: one load and one analysis, the same clip and plan as an ordinary open', async () => {
    const ahead = counted();
    const session = new StudioSession(ahead.deps, new RecentFiles(null));
    session.prepareDemo();
    session.prepareDemo(); // a second call while one is pending starts nothing more
    const events: ProgressEvent[] = [];
    const clip = await call<ClipSummary>(session, 'clip.openDemo', { jobId: 'd1' }, events);
    expect(ahead.counts).toEqual({ loads: 1, analyses: 1 });
    expect(events.at(-1)).toMatchObject({ type: 'job.progress', jobId: 'd1', fraction: 1 });

    const ordinary = counted();
    const reference = new StudioSession(ordinary.deps, new RecentFiles(null));
    const expected = await call<ClipSummary>(reference, 'clip.openDemo', { jobId: 'r1' });
    expect(comparable(clip)).toEqual(comparable(expected));
    const config = { rho_audio: 0.4, rho_video: 0.7, audio_score: 'speech_activity' };
    const plan = await call<PlanView>(session, 'plan.run', { clipId: clip.clipId, config });
    const expectedPlan = await call<PlanView>(reference, 'plan.run', { clipId: expected.clipId, config });
    expect(plan.counts).toEqual(expectedPlan.counts);
    expect(plan.audioFate).toEqual(expectedPlan.audioFate);

    // Taken once: opening the demo again runs in full.
    await call<ClipSummary>(session, 'clip.openDemo', { jobId: 'd2' });
    expect(ahead.counts).toEqual({ loads: 2, analyses: 2 });
  }, 60_000);

  it('a failed preparation is met again by the request, on the ordinary path', async () => {
    const ahead = counted();
    ahead.failNextLoad();
    const session = new StudioSession(ahead.deps, new RecentFiles(null));
    session.prepareDemo();
    const clip = await call<ClipSummary>(session, 'clip.openDemo', { jobId: 'd3' });
    expect(clip.numAudio).toBeGreaterThan(0);
    expect(ahead.counts).toEqual({ loads: 2, analyses: 1 });
  }, 60_000);

  it('cancelling the request while the preparation runs reports a cancel worded as an ordinary open', async () => {
    let release!: () => void;
    const ahead = counted(new Promise<void>((resolve) => (release = resolve)));
    const session = new StudioSession(ahead.deps, new RecentFiles(null));
    session.prepareDemo();
    const opening = dispatch(session, 'clip.openDemo', { jobId: 'slow' }, () => {});
    while (ahead.counts.analyses === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await call(session, 'job.cancel', { jobId: 'slow' })).toEqual({ cancelled: true });
    expect(await opening).toMatchObject({ ok: false, error: { kind: 'cancelled', message: 'opening demo.safetensors was cancelled' } });
    release();
  }, 60_000);
});
