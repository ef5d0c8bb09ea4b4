/**
 * Qwen2.5-Omni's video geometry, reimplemented from its documented behaviour
 * (qwen_omni_utils: smart_resize and smart_nframes).
 */

import { roundHalfEven } from '../util/numeric.js';
import { OmniZipError } from '../protocol/errors.js';

export { roundHalfEven };

/** One LLM video token covers a 28x28 pixel cell (14-px ViT patch, 2x2 spatial merge). */
export const IMAGE_FACTOR = 28;
export const VIDEO_FPS = 2;
/** Frames come in pairs: one temporal patch holds 2 frames. */
export const FRAME_FACTOR = 2;
export const FPS_MIN_FRAMES = 4;
export const FPS_MAX_FRAMES = 768;
/** The paper's setting (README: "We use 128*28*28 in the paper"). */
export const DEFAULT_MAX_PIXELS = 128 * 28 * 28;
export const DEFAULT_MIN_PIXELS = 4 * 28 * 28;
/** Qwen refuses images more elongated than this. */
export const MAX_ASPECT_RATIO = 200;

export class ResizeError extends OmniZipError {
  constructor(message: string) {
    super('bad-input', message);
  }
}

const roundByFactor = (n: number, f: number): number => roundHalfEven(n / f) * f;
const floorByFactor = (n: number, f: number): number => Math.floor(n / f) * f;
const ceilByFactor = (n: number, f: number): number => Math.ceil(n / f) * f;

export interface ResizeBounds {
  minPixels?: number;
  maxPixels?: number;
  factor?: number;
}

/**
 * Target size for a height x width picture: both sides multiples of `factor`, aspect kept as well as
 * rounding allows, area scaled down to at most maxPixels or up to at least minPixels.
 */
export function smartResize(height: number, width: number, bounds: ResizeBounds = {}): { height: number; width: number } {
  const factor = bounds.factor ?? IMAGE_FACTOR;
  const minPixels = bounds.minPixels ?? DEFAULT_MIN_PIXELS;
  const maxPixels = bounds.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (!(height > 0 && width > 0)) throw new ResizeError(`picture size ${width}x${height} is empty`);
  if (minPixels > maxPixels) throw new ResizeError(`min_pixels ${minPixels} exceeds max_pixels ${maxPixels}`);
  if (Math.max(height, width) / Math.min(height, width) > MAX_ASPECT_RATIO) {
    throw new ResizeError(`aspect ratio of ${width}x${height} exceeds ${MAX_ASPECT_RATIO}:1`);
  }
  let h = Math.max(factor, roundByFactor(height, factor));
  let w = Math.max(factor, roundByFactor(width, factor));
  if (h * w > maxPixels) {
    const beta = Math.sqrt((height * width) / maxPixels);
    h = Math.max(factor, floorByFactor(height / beta, factor));
    w = Math.max(factor, floorByFactor(width / beta, factor));
  } else if (h * w < minPixels) {
    const beta = Math.sqrt(minPixels / (height * width));
    h = ceilByFactor(height * beta, factor);
    w = ceilByFactor(width * beta, factor);
  }
  return { height: h, width: w };
}

/**
 * How many frames to sample from a clip of `durationS` seconds: 2 per second, an even number,
 * at least 4, at most maxFrames (rounded down to even).
 */
export function sampledFrameCount(durationS: number, maxFrames = FPS_MAX_FRAMES): number {
  const minFrames = ceilByFactor(FPS_MIN_FRAMES, FRAME_FACTOR);
  const cap = Math.max(minFrames, floorByFactor(maxFrames, FRAME_FACTOR));
  const wanted = Math.min(Math.max(durationS * VIDEO_FPS, minFrames), cap);
  return floorByFactor(wanted, FRAME_FACTOR);
}
