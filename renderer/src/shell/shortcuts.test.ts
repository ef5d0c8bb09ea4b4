import { describe, expect, it } from 'vitest';
import { clip, plan } from '../plan-fixture.js';
import { SHORTCUTS, shortcutFor, stepGroup, stepPatch, type KeyLike } from './shortcuts.js';

const key = (k: string, mods: Partial<KeyLike> = {}): KeyLike => ({ key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });

describe('keyboard shortcuts', () => {
  it('maps the frequent moves on the page, and lists every action in the overlay table', () => {
    expect(shortcutFor(key(']'), 'page')).toBe('next-group');
    expect(shortcutFor(key('['), 'page')).toBe('previous-group');
    expect(shortcutFor(key('.'), 'page')).toBe('next-patch');
    expect(shortcutFor(key(','), 'page')).toBe('previous-patch');
    expect(shortcutFor(key('p'), 'page')).toBe('pin-a');
    expect(shortcutFor(key('c'), 'page')).toBe('toggle-compare');
    expect(shortcutFor(key('?', { shiftKey: true }), 'page')).toBe('help');
    expect(shortcutFor(key('Escape'), 'page')).toBe('close');
    expect(shortcutFor(key('x'), 'page')).toBeNull();
    expect(new Set(SHORTCUTS.map((s) => s.action)).size).toBe(SHORTCUTS.length);
  });

  it('leaves typing alone, but undoes parameter changes from the Parameters fields', () => {
    expect(shortcutFor(key('p'), 'parameter-field')).toBeNull();
    expect(shortcutFor(key('c'), 'text')).toBeNull();
    expect(shortcutFor(key('z', { ctrlKey: true }), 'parameter-field')).toBe('undo');
    expect(shortcutFor(key('Z', { ctrlKey: true, shiftKey: true }), 'parameter-field')).toBe('redo');
    expect(shortcutFor(key('y', { metaKey: true }), 'page')).toBe('redo');
    expect(shortcutFor(key('z', { ctrlKey: true }), 'text')).toBeNull();
  });

  it('steps between groups and patches, staying put at the ends', () => {
    const groups = plan().groups; // [0, 1) s and [1, 2) s
    expect(stepGroup(clip, groups, 0.2, 1)).toBe(1);
    expect(stepGroup(clip, groups, 1.2, 1)).toBe(1.2);
    expect(stepGroup(clip, groups, 1.2, -1)).toBe(0);
    expect(stepGroup(clip, groups, 0.3, -1)).toBe(0.3);
    expect(stepPatch(clip, 0.2, 1)).toBe(0.5);
    expect(stepPatch(clip, 1.6, 1)).toBe(1.6);
    expect(stepPatch(clip, 1.6, -1)).toBe(1);
  });
});
