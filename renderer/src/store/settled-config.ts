/**
 * The config as of the last drawn plan, for the views that show the setting but are not where it
 * is edited (Compare, Inference, Export). They follow a slider once its plan has been drawn: a
 * deferred React render (useDeferredValue) ran in the scheduler task right after the input, i.e.
 * on the UI thread while the replan's reply waited behind it (2.5–3 ms a move on the 60-s clip).
 */
import { create } from 'zustand';
import type { OmniZipConfig } from '../../../core/config/schema.js';
import { isReplanBusy, whenReplansIdle } from '../replan-idle.js';
import { useStudio } from './index.js';

export const useSettledConfig = create<{ config: OmniZipConfig }>(() => ({ config: useStudio.getState().config }));

let settling = false;

/** Publishes the live config once no replan is in flight and the frame that drew its plan has passed. */
async function settle(): Promise<void> {
  if (settling) return; // the running one publishes the config as it is when it ends
  settling = true;
  try {
    // The store's replan subscriber marks its replan in flight in this same notification: let it.
    await Promise.resolve();
    do await whenReplansIdle();
    while (isReplanBusy());
  } finally {
    settling = false;
  }
  const config = useStudio.getState().config;
  if (useSettledConfig.getState().config !== config) useSettledConfig.setState({ config });
}

useStudio.subscribe((s, prev) => {
  if (s.config !== prev.config) void settle();
});
