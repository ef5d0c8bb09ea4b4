import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../core/config/schema.js';
import { setReplanBusy } from '../replan-idle.js';
import { useStudio } from './index.js';
import { useSettledConfig } from './settled-config.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('settled config: the config as of the last drawn plan', () => {
  beforeEach(async () => {
    setReplanBusy(false);
    useStudio.setState({ config: { ...DEFAULT_CONFIG }, past: [], future: [] });
    await tick();
  });

  it('follows a change only once the replan it started has answered', async () => {
    const before = useSettledConfig.getState().config;
    // What the store's replan subscriber does in the same notification.
    const stop = useStudio.subscribe((s, prev) => {
      if (s.config !== prev.config) setReplanBusy(true);
    });
    useStudio.getState().setConfig({ rho_video: 0.71 }, 'rho_video');
    stop();
    await tick();
    expect(useSettledConfig.getState().config).toBe(before);
    useStudio.getState().setConfig({ rho_video: 0.72 }, 'rho_video');
    await tick();
    expect(useSettledConfig.getState().config).toBe(before);
    setReplanBusy(false);
    await tick();
    expect(useSettledConfig.getState().config.rho_video).toBe(0.72);
    expect(useSettledConfig.getState().config).toBe(useStudio.getState().config);
  });

  it('follows at once when no replan is in flight (no clip open)', async () => {
    useStudio.getState().setConfig({ rho_audio: 0.33 });
    await tick();
    expect(useSettledConfig.getState().config.rho_audio).toBe(0.33);
  });
});
