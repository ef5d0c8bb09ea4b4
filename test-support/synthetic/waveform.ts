/** A mono waveform for a synthetic clip: speech-like tones in the bursts, faint noise in silences. */
import { hashInts } from './random.js';
import { AudioTrack } from './speech.js';

/** Speech-like tones (speaker pitch + syllable formant) in the bursts, faint noise in silences. */
export function makeWaveform(track: AudioTrack, seconds: number, tokensPerSecond: number, sampleRate: number, seed: number): Float32Array {
  const samples = new Float32Array(Math.round(seconds * sampleRate));
  const pitch = [118, 185, 232];
  let noise = hashInts(seed, 40) || 1;
  let phase0 = 0;
  let phase1 = 0;
  let phase2 = 0;
  for (let n = 0; n < samples.length; n++) {
    noise ^= noise << 13;
    noise ^= noise >>> 17;
    noise ^= noise << 5;
    const hiss = 0.004 * noise * 2 ** -31;
    const token = Math.min(track.level.length - 1, Math.floor((n * tokensPerSecond) / sampleRate));
    const speaker = track.speaker[token];
    if (speaker < 0) {
      samples[n] = hiss;
      continue;
    }
    const f0 = pitch[speaker];
    const formant = 500 + 110 * track.phone[token];
    phase0 += (2 * Math.PI * f0) / sampleRate;
    phase1 += (2 * Math.PI * formant) / sampleRate;
    phase2 += (2 * Math.PI * (formant * 2.3)) / sampleRate;
    const amplitude = 0.3 * track.level[token];
    samples[n] = amplitude * (0.6 * Math.sin(phase0) + 0.3 * Math.sin(phase1) + 0.1 * Math.sin(phase2)) + hiss;
  }
  return samples;
}
