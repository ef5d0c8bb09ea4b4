import { describe, expect, it } from 'vitest';
import { clip, plan } from './plan-fixture.js';
import { groupAt, patchAt } from './plan-time.js';

describe('time links', () => {
  it('maps a time to its patch and group', () => {
    expect(patchAt(clip, 0.74)).toBe(1);
    expect(patchAt(clip, 99)).toBe(3);
    expect(groupAt(clip, plan().groups, 0.5)).toBe(0);
    expect(groupAt(clip, plan().groups, 1.5)).toBe(1);
    expect(groupAt(clip, plan().groups, 5)).toBe(-1);
  });
});
