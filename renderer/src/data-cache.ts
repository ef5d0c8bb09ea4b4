/**
 * Large arrays live here, never in the zustand store: a plain, non-reactive cache keyed by clip
 * and plan ids. The store only holds the keys; components read the arrays when a key changes.
 */
import type { PlanView, Result } from '../../core/protocol/contract.js';

export type ClipData = Result<'clip.data'>;
export type Thumbnails = Result<'clip.thumbnails'>;
export type FrameImage = Result<'clip.frame'>;

const MAX_PLANS = 16;

class DataCache {
  private readonly clipData = new Map<string, ClipData>();
  private readonly thumbs = new Map<string, Thumbnails>();
  private readonly frames = new Map<string, FrameImage>();
  private readonly plans = new Map<string, PlanView>();

  setClipData(clipId: string, data: ClipData): void {
    this.clipData.set(clipId, data);
  }
  getClipData(clipId: string | null): ClipData | undefined {
    return clipId ? this.clipData.get(clipId) : undefined;
  }
  setThumbnails(clipId: string, t: Thumbnails): void {
    this.thumbs.set(clipId, t);
  }
  getThumbnails(clipId: string | null): Thumbnails | undefined {
    return clipId ? this.thumbs.get(clipId) : undefined;
  }
  setFrame(clipId: string, f: FrameImage): void {
    this.frames.set(`${clipId}#${f.index}`, f);
  }
  getFrame(clipId: string | null, index: number): FrameImage | undefined {
    return clipId ? this.frames.get(`${clipId}#${index}`) : undefined;
  }
  setPlan(plan: PlanView): void {
    this.plans.delete(plan.planKey);
    this.plans.set(plan.planKey, plan);
    while (this.plans.size > MAX_PLANS) this.plans.delete(this.plans.keys().next().value as string);
  }
  getPlan(key: string | null): PlanView | undefined {
    return key ? this.plans.get(key) : undefined;
  }
  dropClip(clipId: string): void {
    this.clipData.delete(clipId);
    this.thumbs.delete(clipId);
    for (const key of [...this.frames.keys()]) if (key.startsWith(`${clipId}#`)) this.frames.delete(key);
    for (const [key, plan] of [...this.plans]) if (plan.clipId === clipId) this.plans.delete(key);
  }
}

export const dataCache = new DataCache();
