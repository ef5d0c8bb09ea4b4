/**
 * The per-clip speech probability once Silero VAD has run (./speech-activity.ts). Kept apart from
 * the model runner so the planner can read it without pulling onnxruntime into every module that
 * plans (the renderer included).
 */
import type { FeatureBundle } from '../bundle/types.js';

const activityByBundle = new WeakMap<FeatureBundle, Float32Array>();

/** Per-audio-token speech probability once computed for this bundle (ensureSpeechActivity), else null. */
export function speechActivityOf(bundle: FeatureBundle): Float32Array | null {
  return activityByBundle.get(bundle) ?? null;
}

export function rememberSpeechActivity(bundle: FeatureBundle, activity: Float32Array): void {
  activityByBundle.set(bundle, activity);
}
