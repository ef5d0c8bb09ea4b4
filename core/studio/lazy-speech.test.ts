import { describe, expect, it } from 'vitest';
import { LazySpeech } from './lazy-speech.js';

const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

describe('LazySpeech', () => {
  it('runs only when asked for, once, however many ask', async () => {
    let runs = 0;
    const speech = new LazySpeech(async () => {
      runs++;
      return 'note';
    }, 60_000);
    await tick();
    expect(runs).toBe(0);
    const [a, b] = await Promise.all([speech.wait(), speech.wait()]);
    expect([a, b, runs]).toEqual(['note', 'note', 1]);
    expect(await speech.settled).toBe('note');
    speech.start();
    await tick();
    expect(runs).toBe(1);
  });

  it('starts by itself after the delay when nobody asks', async () => {
    let runs = 0;
    const speech = new LazySpeech(async () => {
      runs++;
      return null;
    }, 10);
    await tick(2);
    expect(runs).toBe(0);
    expect(await speech.settled).toBeNull();
    expect(runs).toBe(1);
  });

  it('passes on what the run settles with (a failed VAD is a note, decided by the caller)', async () => {
    const speech = new LazySpeech(() => Promise.resolve('No speech reference: no model.'), 60_000);
    expect(await speech.wait()).toBe('No speech reference: no model.');
  });
});
