/** Issue 15 item 12: the log-mel stage sees a cancel within 250 ms, with the same features as before. */
import { describe, expect, it } from 'vitest';
import { whisperLogMel, whisperLogMelCancellable } from './log-mel.js';

function tone(seconds: number): Float32Array {
  const out = new Float32Array(seconds * 16000);
  for (let i = 0; i < out.length; i++) out[i] = 0.3 * Math.sin((2 * Math.PI * 440 * i) / 16000) + 0.01 * Math.sin(i * 0.37);
  return out;
}

describe('cancellable log-mel', () => {
  it('computes exactly the features of the one-shot version', async () => {
    const audio = tone(3);
    const a = whisperLogMel(audio);
    const b = await whisperLogMelCancellable(audio, { sliceMs: 1 });
    expect(b.numFrames).toBe(a.numFrames);
    expect(Buffer.from(b.data.buffer).equals(Buffer.from(a.data.buffer))).toBe(true);
  });

  it('stops within 250 ms of a cancel on ten minutes of audio', async () => {
    const audio = tone(600);
    const controller = new AbortController();
    const running = whisperLogMelCancellable(audio, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 150));
    const asked = performance.now();
    controller.abort();
    await expect(running).rejects.toThrow(/was cancelled/);
    expect(performance.now() - asked).toBeLessThan(250);
  }, 60_000);
});
