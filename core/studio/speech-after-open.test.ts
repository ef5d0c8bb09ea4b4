import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { SpeechActivityRequest } from '../analysis/speech-activity.js';
import { createDefaultDeps } from './deps.js';
import { dispatch } from './dispatch.js';
import { RecentFiles } from './recent.js';
import { StudioSession, type StudioDeps } from './session.js';
import type { ClipSummary, PlanView, Result } from '../protocol/contract.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function call<T>(session: StudioSession, method: string, params: unknown): Promise<T> {
  const outcome = await dispatch(session, method, params, () => undefined);
  if (!outcome.ok) throw new Error(`${outcome.error.kind}: ${outcome.error.message}`);
  return outcome.result as T;
}

/** A speech reference that is answered only when the test says so (a stand-in for Silero VAD in the worker). */
function heldSpeech() {
  let answer!: (result: Float32Array | Error) => void;
  let asked!: () => void;
  const requested = new Promise<void>((resolve) => (asked = resolve));
  const reply = new Promise<Float32Array | Error>((resolve) => (answer = resolve));
  const speechActivity = async (request: SpeechActivityRequest): Promise<Float32Array> => {
    asked();
    const r = await reply;
    if (r instanceof Error) throw r;
    return r.length === request.numAudio ? r : Float32Array.from({ length: request.numAudio }, (_, i) => ((i * 7) % 11) / 10);
  };
  return { speechActivity, requested, succeed: () => answer(new Float32Array(0)), fail: (message: string) => answer(new Error(message)) };
}

function sessionWith(speech: ReturnType<typeof heldSpeech>, speechStartAfterMs?: number) {
  const deps: StudioDeps = { ...createDefaultDeps({ appRoot: repoRoot, version: 'test' }), speechActivity: speech.speechActivity, speechStartAfterMs };
  return new StudioSession(deps, new RecentFiles(null));
}

/** Whether a promise has settled within a few turns of the loop. */
async function settledSoon(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 20 && !done; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  return done;
}

describe('an open answers before its speech reference (issue 16 goal 5)', () => {
  it('the page asks first: clip.speechReference waits for the VAD, then clip.data has the curve', async () => {
    const speech = heldSpeech();
    const session = sessionWith(speech);
    const clip = await call<ClipSummary>(session, 'clip.openDemo', { jobId: 'o1' });
    // Nothing runs the VAD until it is asked for (core/studio/lazy-speech.ts).
    expect(await settledSoon(speech.requested)).toBe(false);
    expect(clip.speechPending).toBe(true);
    expect(clip.notes).toEqual([]);
    const before = await call<Result<'clip.data'>>(session, 'clip.data', { clipId: clip.clipId });
    expect(before.curves.speechActivity).toBeNull();
    expect(before.curves.correlations.map((c) => c.b)).not.toContain('speech_activity');

    const waiting = call<Result<'clip.speechReference'>>(session, 'clip.speechReference', { clipId: clip.clipId });
    await speech.requested;
    expect(await settledSoon(waiting)).toBe(false);
    speech.succeed();
    expect(await waiting).toEqual({ notes: [] });
    const after = await call<Result<'clip.data'>>(session, 'clip.data', { clipId: clip.clipId });
    expect(after.curves.speechActivity).toHaveLength(clip.numAudio);
    expect(after.curves.correlations.some((c) => c.b === 'speech_activity')).toBe(true);
  }, 60_000);

  it('the speech reference is done first (nobody asked; it started by itself): clip.speechReference answers at once', async () => {
    const speech = heldSpeech();
    const session = sessionWith(speech, 20);
    session.prepareDemo(); // the web mode path: the open takes the demo prepared ahead
    const clip = await call<ClipSummary>(session, 'clip.openDemo', { jobId: 'o2' });
    expect(clip.speechPending).toBe(true);
    speech.succeed();
    await speech.requested;
    await new Promise((resolve) => setTimeout(resolve, 10));
    const answer = call<Result<'clip.speechReference'>>(session, 'clip.speechReference', { clipId: clip.clipId });
    expect(await settledSoon(answer)).toBe(true);
    expect(await answer).toEqual({ notes: [] });
    expect((await call<Result<'clip.data'>>(session, 'clip.data', { clipId: clip.clipId })).curves.speechActivity).toHaveLength(clip.numAudio);
  }, 60_000);

  it('a VAD that fails: the open has answered; its note comes with clip.speechReference, first among the notes', async () => {
    const speech = heldSpeech();
    const session = sessionWith(speech);
    const clip = await call<ClipSummary>(session, 'clip.openDemo', { jobId: 'o3' });
    expect(clip.notes).toEqual([]);
    const waiting = call<Result<'clip.speechReference'>>(session, 'clip.speechReference', { clipId: clip.clipId });
    speech.fail('the Silero VAD model is missing');
    expect(await waiting).toEqual({ notes: ['No speech reference: the Silero VAD model is missing.'] });
    expect((await call<Result<'clip.data'>>(session, 'clip.data', { clipId: clip.clipId })).curves.speechActivity).toBeNull();
    // Plans still run; speech_activity falls back as on any clip without the reference, and says so.
    const plan = await call<PlanView>(session, 'plan.run', { clipId: clip.clipId, config: { audio_score: 'speech_activity' } });
    expect(plan.audioScoreSource).toBe('token_energy');
  }, 60_000);

  it('plans that rank by speech_activity wait for it (never the token-energy fallback); other plans do not', async () => {
    const speech = heldSpeech();
    const session = sessionWith(speech);
    const clip = await call<ClipSummary>(session, 'clip.openDemo', { jobId: 'o4' });
    const attention = call<PlanView>(session, 'plan.run', { clipId: clip.clipId, config: { rho_audio: 0.4 } });
    expect(await settledSoon(attention)).toBe(true);
    const bySpeech = call<PlanView>(session, 'plan.run', { clipId: clip.clipId, config: { rho_audio: 0.4, audio_score: 'speech_activity' } });
    const budgets = call<Result<'plan.budgets'>>(session, 'plan.budgets', { clipId: clip.clipId, configs: [{ rho_audio: 0.5, audio_score: 'speech_activity' }] });
    const exported = call<Result<'export.build'>>(session, 'export.build', { clipId: clip.clipId, config: { audio_score: 'speech_activity' }, kind: 'plan-json' });
    expect(await settledSoon(bySpeech)).toBe(false);
    expect(await settledSoon(budgets)).toBe(false);
    expect(await settledSoon(exported)).toBe(false);
    speech.succeed();
    const plan = await bySpeech;
    expect(plan.audioScoreSource).toBe('speech_activity');
    expect((await budgets).budgets[0].error).toBeNull();
    await exported;
    // The same plan as on a clip whose reference was there before the plan was asked for.
    const ready = heldSpeech();
    const other = sessionWith(ready);
    const otherClip = await call<ClipSummary>(other, 'clip.openDemo', { jobId: 'o5' });
    ready.succeed();
    await call(other, 'clip.speechReference', { clipId: otherClip.clipId });
    const expected = await call<PlanView>(other, 'plan.run', { clipId: otherClip.clipId, config: { rho_audio: 0.4, audio_score: 'speech_activity' } });
    expect(plan.audioFate).toEqual(expected.audioFate);
    expect(plan.counts).toEqual(expected.counts);
  }, 60_000);
});
