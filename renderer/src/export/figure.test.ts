import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../core/config/schema.js';
import { groupFrame, groupLayout } from '../groups/traces.js';
import { clip, plan } from '../plan-fixture.js';
import { timelineLayout } from '../timeline/traces.js';
import { configLine, exportableFigure } from './figure.js';

// Issue 14, defect 9: exported figures carried no clip name or config and kept the hover highlight.
describe('exported figures', () => {
  it('name the clip and the setting, and leave out the hover highlight and the selection cursor', () => {
    const live = timelineLayout(clip, plan(), 0.7, 1.2) as { shapes: { name?: string }[] };
    expect(live.shapes.filter((s) => s.name === 'hover' || s.name === 'selection')).toHaveLength(2);
    const out = exportableFigure({ data: [], layout: live }, 'Timeline', 'clip.safetensors', { ...DEFAULT_CONFIG, rho_video: 0.7 });
    const layout = out.layout as { shapes: { name?: string }[]; title: { text: string } };
    expect(layout.shapes.some((s) => s.name === 'hover' || s.name === 'selection')).toBe(false);
    expect(layout.shapes.length).toBe(live.shapes.length - 2); // group boundaries stay
    expect(layout.title.text).toContain('clip.safetensors · Timeline');
    expect(layout.title.text).toContain('rho_video 0.7');
    const groups = groupLayout(groupFrame(plan()), 1, 0) as { shapes: { name?: string }[] };
    expect((exportableFigure({ data: [], layout: groups }, 'Group ratios', 'c', {}).layout as { shapes: unknown[] }).shapes).toHaveLength(1); // the clamp band only
    expect(configLine({ rho_audio: 0.3, g: 3 })).toBe('rho_audio 0.3 · g 3');
  });
});
