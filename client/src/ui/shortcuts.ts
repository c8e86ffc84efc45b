/** Keyboard shortcuts and clipboard events of the whole editor. */
import { cancelActive, copyText, groupSelection, pasteText, runActive, saveActive } from '../actions';
import { redo, undo } from '../store/editor';
import { enlarge, openPalette, openPicker, uiStore } from '../store/ui';

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
  if (mod && key === '.') return () => void cancelActive();
  if (mod && key === 's') return () => void saveActive();
  if (mod && key === 'k')
    return () => openPalette({ screen: { x: window.innerWidth / 2 - 200, y: window.innerHeight / 2 } });
  if (key === 'escape') {
    const ui = uiStore.get();
    if (ui.palette || ui.picker || ui.enlarged)
      return () => (openPalette(undefined), openPicker(undefined), enlarge(undefined));
    return editable ? undefined : () => void cancelActive();
  }
  if (editable) return undefined;
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
