/** Keyboard shortcuts and clipboard events of the whole editor. */
import {
  cancelActiveAfterConfirm,
  clearSelection,
  copyText,
  groupSelection,
  pasteText,
  runActive,
  saveActive,
  selectAll,
  toggleSelectedMode,
} from '../actions';
import { redo, undo } from '../store/editor';
import { enlarge, openMenu, openPalette, openPicker, uiStore } from '../store/ui';

function inEditable(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return (
    !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable)
  );
}

/** What a key press does, or undefined when the editor leaves it alone. */
export function shortcutFor(
  e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey'>,
  editable: boolean,
): (() => void) | undefined {
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.toLowerCase();
  if (mod && key === 'enter') return () => void runActive();
  if (mod && key === '.') return () => void cancelActiveAfterConfirm();
  if (mod && key === 's') return () => void saveActive();
  if (mod && key === 'k')
    return () => openPalette({ screen: { x: window.innerWidth / 2 - 200, y: window.innerHeight / 2 } });
  if (key === 'escape') {
    const ui = uiStore.get();
    if (ui.palette || ui.picker || ui.enlarged || ui.menu)
      return () => (openPalette(undefined), openPicker(undefined), enlarge(undefined), openMenu(undefined));
    // Esc closes and deselects; it never cancels a run (people press it to deselect a node).
    return editable ? undefined : clearSelection;
  }
  if (editable) return undefined;
  if (mod && key === 'a') return selectAll;
  if (mod && key === 'b') return () => toggleSelectedMode('bypass');
  if (mod && key === 'm') return () => toggleSelectedMode('mute');
  if (mod && key === 'z') return e.shiftKey ? redo : undo;
  if (mod && key === 'y') return redo;
  if (mod && key === 'g') return groupSelection;
  return undefined;
}

/** Installs the listeners; returns their removal. */
export function installShortcuts(): () => void {
  const onKey = (e: KeyboardEvent): void => {
    const action = shortcutFor(e, inEditable(e.target));
    if (!action) return;
    e.preventDefault();
    action();
  };
  const onCopy = (e: ClipboardEvent): void => {
    if (inEditable(e.target) || !e.clipboardData) return;
    const text = copyText();
    if (!text) return;
    e.clipboardData.setData('text/plain', text);
    e.preventDefault();
  };
  const onPaste = (e: ClipboardEvent): void => {
    if (inEditable(e.target) || !e.clipboardData) return;
    if (pasteText(e.clipboardData.getData('text/plain'))) e.preventDefault();
  };
  window.addEventListener('keydown', onKey);
  document.addEventListener('copy', onCopy);
  document.addEventListener('paste', onPaste);
  return () => {
    window.removeEventListener('keydown', onKey);
    document.removeEventListener('copy', onCopy);
    document.removeEventListener('paste', onPaste);
  };
}
