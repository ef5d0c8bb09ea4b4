import { useEffect, useState } from 'react';
import { dataCache } from '../data-cache.js';
import { redo, undo } from '../parameters/Parameters.js';
import { useStudio } from '../store/index.js';
import { SHORTCUTS, shortcutFor, stepGroup, stepPatch, type FocusKind, type ShortcutAction } from './shortcuts.js';

function focusKind(target: EventTarget | null): FocusKind {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return 'page';
  const tag = el.tagName;
  const type = (el as HTMLInputElement).type;
  // Selects have no undo of their own: Ctrl+Z there is the studio's (letters still pick options).
  if (tag === 'SELECT') return 'parameter-field';
  const editable = tag === 'TEXTAREA' || el.isContentEditable || (tag === 'INPUT' && type !== 'range' && type !== 'checkbox' && type !== 'radio' && type !== 'button');
  if (!editable) return 'page';
  // The Parameters' number fields are config: Ctrl+Z there is the studio's undo.
  return tag === 'INPUT' && type === 'number' && el.closest('[data-testid=view-parameters]') ? 'parameter-field' : 'text';
}

function run(action: ShortcutAction, setOpen: (f: (open: boolean) => boolean) => void): void {
  const s = useStudio.getState();
  const plan = dataCache.getPlan(s.planKey);
  switch (action) {
    case 'undo':
      return undo();
    case 'redo':
      return redo();
    case 'help':
      return setOpen((open) => !open);
    case 'close':
      return setOpen(() => false);
    case 'pin-a':
      return s.pin(s.config);
    case 'toggle-compare':
      return s.setCompareMode(s.compareMode === 'off' ? 'pinned' : 'off');
    default:
      if (!s.clip) return;
      if (action === 'next-group' || action === 'previous-group') {
        if (plan) s.setSelectedTime(stepGroup(s.clip, plan.groups, s.selectedTime, action === 'next-group' ? 1 : -1));
      } else {
        s.setSelectedTime(stepPatch(s.clip, s.selectedTime, action === 'next-patch' ? 1 : -1));
      }
  }
}

/** The key handler for the whole window, and the `?` overlay listing the same table. */
export function Shortcuts() {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const action = shortcutFor(e, focusKind(e.target));
      if (!action) return;
      e.preventDefault();
      run(action, setOpen);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  if (!open) return null;
  return (
    <div className="shortcuts-backdrop" data-testid="shortcuts-overlay" onClick={() => setOpen(false)}>
      <div className="shortcuts" role="dialog" aria-label="Keyboard shortcuts" onClick={(e) => e.stopPropagation()}>
        <h2>Keyboard shortcuts</h2>
        <table>
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.action} data-shortcut={s.action}>
                <td>{s.keys.map((k) => <kbd key={k}>{k}</kbd>)}</td>
                <td>{s.label}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
