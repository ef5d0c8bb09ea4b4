/**
 * The studio's keyboard shortcuts: one table that drives both the key handler and the `?`
 * overlay, so the overlay can never list a key that does nothing. DOM-free apart from the event
 * shape it reads, and tested in shortcuts.test.ts.
 */
import type { ClipSummary, PlanGroupView } from '../../../core/protocol/contract.js';
import { groupAt, groupSpan, patchAt, patchStart } from '../plan-time.js';

export type ShortcutAction = 'next-group' | 'previous-group' | 'next-patch' | 'previous-patch' | 'pin-a' | 'toggle-compare' | 'undo' | 'redo' | 'help' | 'close';

export interface Shortcut {
  action: ShortcutAction;
  /** As shown in the overlay. */
  keys: string[];
  label: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { action: 'next-group', keys: [']'], label: 'next time group' },
  { action: 'previous-group', keys: ['['], label: 'previous time group' },
  { action: 'next-patch', keys: ['.'], label: 'next temporal patch (Frames)' },
  { action: 'previous-patch', keys: [','], label: 'previous temporal patch (Frames)' },
  { action: 'pin-a', keys: ['p'], label: 'pin the current setting as compare A' },
  { action: 'toggle-compare', keys: ['c'], label: 'compare on (pinned A vs live B) / off' },
  { action: 'undo', keys: ['Ctrl', 'Z'], label: 'undo a parameter change (also in the Parameters fields)' },
  { action: 'redo', keys: ['Ctrl', 'Shift', 'Z'], label: 'redo (also Ctrl+Y)' },
  { action: 'help', keys: ['?'], label: 'show / hide this list' },
  { action: 'close', keys: ['Esc'], label: 'close this list' },
];

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/** Where the key went: a text field keeps its own keys; the Parameters' number fields share undo/redo. */
export type FocusKind = 'page' | 'text' | 'parameter-field';

export function shortcutFor(e: KeyLike, focus: FocusKind): ShortcutAction | null {
  const mod = e.ctrlKey || e.metaKey;
  if (mod && !e.altKey) {
    if (focus === 'text') return null; // the field's own undo
    const k = e.key.toLowerCase();
    if (k === 'z') return e.shiftKey ? 'redo' : 'undo';
    if (k === 'y') return 'redo';
    return null;
  }
  if (e.key === 'Escape') return 'close';
  if (focus !== 'page' || mod || e.altKey) return null;
  switch (e.key) {
    case ']':
      return 'next-group';
    case '[':
      return 'previous-group';
    case '.':
      return 'next-patch';
    case ',':
      return 'previous-patch';
    case 'p':
      return 'pin-a';
    case 'c':
      return 'toggle-compare';
    case '?':
      return 'help';
    default:
      return null;
  }
}

/** The start of the group after (step 1) or before (-1) the one at `seconds`; unchanged at the ends. */
export function stepGroup(clip: ClipSummary, groups: PlanGroupView[], seconds: number, step: 1 | -1): number {
  const spans = groups.map((g) => groupSpan(clip, g)).filter((s): s is [number, number] => s !== null);
  if (spans.length === 0) return seconds;
  const current = groupAt(clip, groups, seconds);
  let index: number;
  if (current >= 0) index = current + step;
  else index = step > 0 ? spans.findIndex((s) => s[0] > seconds) : spans.length - 1 - [...spans].reverse().findIndex((s) => s[1] <= seconds);
  if (index < 0 || index >= spans.length) return seconds;
  return spans[index][0];
}

/** The start of the next / previous temporal patch; unchanged at the ends. */
export function stepPatch(clip: ClipSummary, seconds: number, step: 1 | -1): number {
  if (clip.temporalPatches === 0) return seconds;
  const next = patchAt(clip, seconds) + step;
  return next < 0 || next >= clip.temporalPatches ? seconds : patchStart(clip, next);
}
