import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { makeSyntheticBundle } from '../../test-support/synthetic/index.js';
import { resolveConfig } from '../config/validate.js';
import { audioCurves } from '../planner/audio-energy.js';
import { toPlanDocument } from '../planner/document.js';
import { planClip, requiredFrameGeometries } from '../planner/plan.js';
import { analyzeReference } from './reference.js';
import { writeSpeechCache } from './speech-activity-cache.js';
import { ensureSpeechActivity, perTokenActivity, resampleTo16k, sileroModelPath, speechActivityOf, speechProbabilities } from './speech-activity.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** 16-bit mono PCM WAV: 1 s silence, a synthesised sentence (espeak-ng) from 1.0 s to ~3.3 s, 1 s silence. */
function readWav(file: string): { rate: number; wave: Float32Array } {
  const buf = readFileSync(file);
  const rate = buf.readUInt32LE(24);
  let offset = 12;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    if (id === 'data') {
      const n = Math.floor(size / 2);
      const wave = new Float32Array(n);
      for (let i = 0; i < n; i++) wave[i] = buf.readInt16LE(offset + 8 + 2 * i) / 32768;
      return { rate, wave };
    }
    offset += 8 + size + (size % 2);
  }
  throw new Error(`${file}: no data chunk`);
}

const speech = readWav(path.join(repoRoot, 'e2e/fixtures/speech-16k.wav'));
const SPEECH_FROM_S = 1.05;
const SPEECH_TO_S = 3.2;

describe('Silero VAD speech reference', () => {
  it('loads the v5 model from the @ricky0123/vad-web package with the inputs it is fed', async () => {
    const modelPath = sileroModelPath({});
    expect(modelPath).toMatch(/@ricky0123[/\\]vad-web[/\\]dist[/\\]silero_vad_v5\.onnx$/);
    const session = await ort.InferenceSession.create(modelPath);
    expect(session.inputNames).toEqual(['input', 'state', 'sr']);
    expect(session.outputNames).toEqual(['output', 'stateN']);
    await session.release();
  });

  it('hears the sentence and not the silence around it', async () => {
    expect(speech.rate).toBe(16000);
    const p = await speechProbabilities(speech.wave);
    const frameS = 512 / 16000;
    const at = (t0: number, t1: number) => Array.from(p).filter((_, f) => f * frameS >= t0 && (f + 1) * frameS <= t1);
    const silence = [...at(0, 0.95), ...at(SPEECH_TO_S + 0.3, 99)];
    const voiced = at(SPEECH_FROM_S + 0.1, SPEECH_TO_S - 0.1);
    expect(Math.max(...silence)).toBeLessThan(0.2);
    expect(voiced.filter((v) => v > 0.5).length / voiced.length).toBeGreaterThan(0.8);
  });

  it('averages frames onto audio tokens by overlap, and resamples other rates to 16 kHz', () => {
    // 32 ms frames, 40 ms tokens: token 1 covers [40, 80) ms = frame 1 [32, 64) for 24 ms and frame 2 for 16 ms.
    expect(Array.from(perTokenActivity(Float32Array.from([0, 1, 0.5]), 2, 0.04)).map((v) => Number(v.toFixed(4)))).toEqual([0.2, 0.8]);
    const tone = Float32Array.from({ length: 48000 }, (_, i) => Math.sin((2 * Math.PI * 440 * i) / 48000));
    const down = resampleTo16k(tone, 48000);
    expect(down.length).toBe(16000);
    expect(down[3]).toBeCloseTo(tone[9], 6);
  });

  it('lets audio_score: speech_activity rank the tokens under speech first, and draws it with its correlations', async () => {
    const base = makeSyntheticBundle({ seconds: 4, hiddenSize: 16, tokensPerFrame: 16, seed: 3, withWaveform: true });
    const bundle = { ...base, waveform: speech.wave, metadata: { ...base.metadata, sample_rate: 16000 } };
    const analysis = analyzeReference(bundle, requiredFrameGeometries(bundle));
    const config = resolveConfig({ audio_score: 'speech_activity', rho_audio: 0.5 });

    const before = planClip(bundle, analysis, config);
    expect(before.audioScoreSource).toBe('token_energy');
    expect(before.notes.join(' ')).toContain('speech_activity was requested but the Silero VAD speech probability was not computed');

    const activity = await ensureSpeechActivity(bundle);
    expect(activity).toHaveLength(bundle.numAudio);
    expect(speechActivityOf(bundle)).toBe(activity);
    const doc = toPlanDocument(bundle, planClip(bundle, analysis, config));
    expect(doc.audio.score_source).toBe('speech_activity');
    const tokensPerSecond = Number(bundle.metadata.audio_tokens_per_second ?? 25);
    const dominant = doc.audio.kept.slice(0, doc.audio.dominant_count);
    const inSpeech = doc.audio.kept.filter((i) => i / tokensPerSecond >= SPEECH_FROM_S - 0.1 && (i + 1) / tokensPerSecond <= SPEECH_TO_S + 0.1);
    expect(dominant.length).toBeGreaterThan(0);
    expect(inSpeech.length / doc.audio.kept.length).toBeGreaterThan(0.9);

    const curves = audioCurves(bundle);
    expect(curves.speechActivity).toBe(activity);
    expect(curves.correlations.map((c) => c.pair.join('/'))).toEqual(expect.arrayContaining(['attention/speech_activity', 'token_energy/speech_activity', 'waveform_rms/speech_activity']));
    expect(curves.correlations.find((c) => c.pair.join('/') === 'waveform_rms/speech_activity')?.r).toBeGreaterThan(0.3);
  });

  it('keeps its answer in a cache folder: the same clip opened again reads it back instead of running the VAD', async () => {
    const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'omz-speech-'));
    try {
      const base = makeSyntheticBundle({ seconds: 4, hiddenSize: 16, tokensPerFrame: 16, seed: 3, withWaveform: true });
      const open = () => ({ ...base, waveform: speech.wave, metadata: { ...base.metadata, sample_rate: 16000 } });
      const first = (await ensureSpeechActivity(open(), undefined, { cacheDir }))!;
      const [entry] = (await readdir(cacheDir)).filter((n) => n.endsWith('.ozspeech'));
      expect(entry).toBeTruthy();
      expect(Array.from((await ensureSpeechActivity(open(), undefined, { cacheDir }))!)).toEqual(Array.from(first));
      // Proof that the second open read the entry: an entry changed on disk is what it returns.
      await writeSpeechCache(path.join(cacheDir, entry), new Float32Array(first.length).fill(0.5));
      expect(Array.from((await ensureSpeechActivity(open(), undefined, { cacheDir }))!).every((p) => p === 0.5)).toBe(true);
      // Without a cache folder the VAD runs, as before.
      expect(Array.from((await ensureSpeechActivity(open()))!)).toEqual(Array.from(first));
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  });

  it('is null for a clip without a waveform, and the planner says why it fell back', async () => {
    const bundle = makeSyntheticBundle({ seconds: 2, hiddenSize: 16, tokensPerFrame: 16, seed: 4 });
    expect(await ensureSpeechActivity(bundle)).toBeNull();
    const plan = planClip(bundle, analyzeReference(bundle, requiredFrameGeometries(bundle)), resolveConfig({ audio_score: 'speech_activity' }));
    expect(plan.notes.join(' ')).toContain('speech_activity was requested but the bundle has no waveform');
  });
});
