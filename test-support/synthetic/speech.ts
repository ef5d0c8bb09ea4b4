/** The synthetic speech timeline: silences and bursts, speakers, and the audio tokens' track. */
import { Rng } from './random.js';

export interface SpeechSegment {
  start: number;
  end: number;
  speaker: number;
}

export const SPEAKER_COUNT = 3;
export const PHONE_COUNT = 16;

/** Alternating silences and speech bursts (seconds) covering [0, duration). */
export function speechSegments(rng: Rng, duration: number): SpeechSegment[] {
  const segments: SpeechSegment[] = [];
  let time = rng.uniform(0.3, 1.0);
  let speaker = rng.int(SPEAKER_COUNT);
  while (time < duration) {
    const end = Math.min(duration, time + rng.uniform(0.6, 3.2));
    segments.push({ start: time, end, speaker });
    const longPause = rng.chance(0.15);
    time = end + (longPause ? rng.uniform(2, 4) : rng.uniform(0.2, 1.2));
    if (rng.chance(0.4)) speaker = (speaker + 1 + rng.int(SPEAKER_COUNT - 1)) % SPEAKER_COUNT;
  }
  return segments;
}

export function speakerAt(segments: readonly SpeechSegment[], time: number): number {
  for (const segment of segments) {
    if (time < segment.start) return -1;
    if (time < segment.end) return segment.speaker;
  }
  return -1;
}

export interface AudioTrack {
  /** Per audio token: 0 in silence, else the syllable envelope in (0, 1]. */
  level: Float32Array;
  /** Per audio token: speaker index, -1 in silence. */
  speaker: Int8Array;
  phone: Int16Array;
  /** Per audio token: 1 on the first tokens of a burst (attention peaks at onsets). */
  onset: Uint8Array;
}

export function audioTrack(rng: Rng, segments: readonly SpeechSegment[], numAudio: number, tokensPerSecond: number): AudioTrack {
  const track: AudioTrack = {
    level: new Float32Array(numAudio),
    speaker: new Int8Array(numAudio).fill(-1),
    phone: new Int16Array(numAudio),
    onset: new Uint8Array(numAudio),
  };
  let syllableLeft = 0;
  let syllableLength = 1;
  let syllableStrength = 1;
  let phone = 0;
  let previousSpeaker = -1;
  for (let i = 0; i < numAudio; i++) {
    const speaker = speakerAt(segments, (i + 0.5) / tokensPerSecond);
    if (speaker < 0) {
      previousSpeaker = -1;
      syllableLeft = 0;
      continue;
    }
    if (previousSpeaker < 0) track.onset[i] = 1;
    if (syllableLeft === 0) {
      syllableLength = 3 + rng.int(4);
      syllableLeft = syllableLength;
      syllableStrength = rng.uniform(0.5, 1);
      phone = rng.int(PHONE_COUNT);
    }
    const k = syllableLength - syllableLeft;
    const envelope = Math.sin((Math.PI * (k + 0.5)) / syllableLength);
    track.level[i] = 0.35 + 0.65 * envelope * syllableStrength;
    track.speaker[i] = speaker;
    track.phone[i] = phone;
    syllableLeft--;
    previousSpeaker = speaker;
  }
  // The token right after an onset is part of the attention peak too.
  for (let i = numAudio - 1; i > 0; i--) if (track.onset[i - 1] === 1 && track.speaker[i] >= 0) track.onset[i] = 1;
  return track;
}
