/** RGB frames for a synthetic clip, rasterising the same clusters, face and moving object as its tokens. */
import { FRAMES_PER_TEMPORAL_PATCH } from './options.js';
import { mix32 } from './random.js';
import { Scene, inFace } from './scenes.js';
import { SpeechSegment, speakerAt } from './speech.js';

/** RGB frames (2 per temporal patch) drawing the same clusters, face and moving object as the tokens. */
export function makeFrames(scenes: readonly Scene[], segments: readonly SpeechSegment[], temporalPatches: number, patchesPerSecond: number, rows: number, cols: number, pixelsPerToken: number) {
  const height = rows * pixelsPerToken;
  const width = cols * pixelsPerToken;
  const count = temporalPatches * FRAMES_PER_TEMPORAL_PATCH;
  const frameBytes = height * width * 3;
  const data = new Uint8Array(count * frameBytes);
  const tokenOfPixel = new Int32Array(height * width);
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) tokenOfPixel[py * width + px] = Math.floor(py / pixelsPerToken) * cols + Math.floor(px / pixelsPerToken);
  }
  const tokenColors = new Int16Array(rows * cols * 3);
  const grain = new Int8Array(height * width);
  for (const scene of scenes) {
    // Film grain fixed per scene, like the token texture: static detail, not flicker.
    for (let i = 0; i < grain.length; i++) grain[i] = (mix32(scene.textureSeed ^ Math.imul(i, 0x9e3779b1)) & 15) - 8;
    for (let t = scene.startPatch; t < scene.endPatch; t++) {
      const inScene = t - scene.startPatch;
      const brightness = Math.min(40, 2 * inScene);
      for (let sub = 0; sub < FRAMES_PER_TEMPORAL_PATCH; sub++) {
        const frame = t * FRAMES_PER_TEMPORAL_PATCH + sub;
        const speaking = speakerAt(segments, (t + sub / FRAMES_PER_TEMPORAL_PATCH) / patchesPerSecond) >= 0;
        for (let y = 0; y < rows; y++) {
          for (let x = 0; x < cols; x++) {
            const color = inFace(scene, x, y) ? (speaking ? FACE_SPEAKING : FACE_SILENT) : scene.clusterColors[scene.assignment[y * cols + x]];
            const base = (y * cols + x) * 3;
            tokenColors[base] = color[0] + brightness;
            tokenColors[base + 1] = color[1] + brightness;
            tokenColors[base + 2] = color[2];
          }
        }
        const out = data.subarray(frame * frameBytes, (frame + 1) * frameBytes);
        for (let pixel = 0, index = 0; pixel < tokenOfPixel.length; pixel++) {
          const base = tokenOfPixel[pixel] * 3;
          const g = grain[pixel];
          out[index++] = clampByte(tokenColors[base] + g);
          out[index++] = clampByte(tokenColors[base + 1] + g);
          out[index++] = clampByte(tokenColors[base + 2] + g);
        }
        if (scene.objectVector !== null) {
          // The object moves between the two frames of a patch, like the real sampled frames.
          const current = scene.objectPath[inScene];
          const next = scene.objectPath[Math.min(inScene + 1, scene.objectPath.length - 1)];
          const fraction = sub / FRAMES_PER_TEMPORAL_PATCH;
          drawDisc(out, width, height, (current[0] + (next[0] - current[0]) * fraction) * pixelsPerToken, (current[1] + (next[1] - current[1]) * fraction) * pixelsPerToken, scene.objectRadius * pixelsPerToken, scene.objectColor);
        }
      }
    }
  }
  return { data, count, height, width };
}

export const FACE_SPEAKING: [number, number, number] = [235, 190, 160];
export const FACE_SILENT: [number, number, number] = [205, 165, 140];

export function drawDisc(out: Uint8Array, width: number, height: number, cx: number, cy: number, radius: number, color: readonly [number, number, number]): void {
  const top = Math.max(0, Math.floor(cy - radius));
  const bottom = Math.min(height - 1, Math.ceil(cy + radius));
  const left = Math.max(0, Math.floor(cx - radius));
  const right = Math.min(width - 1, Math.ceil(cx + radius));
  for (let py = top; py <= bottom; py++) {
    for (let px = left; px <= right; px++) {
      if ((px + 0.5 - cx) ** 2 + (py + 0.5 - cy) ** 2 >= radius * radius) continue;
      const index = (py * width + px) * 3;
      out[index] = color[0];
      out[index + 1] = color[1];
      out[index + 2] = color[2];
    }
  }
}

export function clampByte(value: number): number {
  return value < 0 ? 0 : value > 255 ? 255 : value;
}
