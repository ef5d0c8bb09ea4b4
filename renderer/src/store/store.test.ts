import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../core/config/schema.js';
import { useStudio } from './index.js';

describe('config slice: undo and redo', () => {
  beforeEach(() => useStudio.setState({ config: { ...DEFAULT_CONFIG }, past: [], future: [] }));

  it('undoes and redoes whole changes', () => {
    const s = useStudio.getState();
    s.setConfig({ rho_audio: 0.4 });
    s.setConfig({ rho_video: 0.7 });
    expect(useStudio.getState().past).toHaveLength(2);
    useStudio.getState().undo();
    expect(useStudio.getState().config.rho_video).toBe(DEFAULT_CONFIG.rho_video);
    expect(useStudio.getState().config.rho_audio).toBe(0.4);
    useStudio.getState().redo();
    expect(useStudio.getState().config.rho_video).toBe(0.7);
  });

  it('makes one slider drag one undo step, and ignores no-op changes', () => {
    const s = useStudio.getState();
    s.setConfig({ rho_video: 0.61 }, 'rho_video');
    s.setConfig({ rho_video: 0.62 }, 'rho_video');
    s.setConfig({ rho_video: 0.63 }, 'rho_video');
    s.setConfig({ rho_video: 0.63 }, 'rho_video');
    expect(useStudio.getState().past).toHaveLength(1);
    useStudio.getState().undo();
    expect(useStudio.getState().config.rho_video).toBe(DEFAULT_CONFIG.rho_video);
  });

  it('drops the redo branch after a new change', () => {
    const s = useStudio.getState();
    s.setConfig({ g: 5 });
    useStudio.getState().undo();
    useStudio.getState().setConfig({ g: 7 });
    expect(useStudio.getState().future).toHaveLength(0);
  });
});
