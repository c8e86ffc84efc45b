/** Keeps the open tabs in localStorage so that a reload brings back the workflows and the runs they show. */
import type { WorkflowFile } from '../../../protocol/workflow';
import { editorStore, openTab, closeTab, markSaved } from './editor';

const KEY = 'loraflow.tabs.v1';

interface SavedTab {
  doc: WorkflowFile;
  savedJson: string;
  libraryName?: string;
  /** The library revision the tab last opened or saved (a save after a reload still detects others' saves). */
  revision?: string;
  runId?: string;
}

/** Restores saved tabs (replacing the initial empty one); returns whether any were restored. */
export function restoreTabs(storage: Storage = localStorage): boolean {
  let saved: { tabs: SavedTab[]; active: number } | undefined;
  try {
    saved = JSON.parse(storage.getItem(KEY) ?? 'null') as typeof saved;
  } catch {
    saved = undefined;
  }
  if (!saved?.tabs.length) return false;
  const initial = editorStore.get().order.slice();
  const ids = saved.tabs.map((t) => {
    const id = openTab(t.doc, { libraryName: t.libraryName, runId: t.runId, revision: t.revision });
    markSaved(id);
    editorStore.update((s) => void (s.tabs[id]!.savedJson = t.savedJson));
    return id;
  });
  for (const id of initial) closeTab(id);
  editorStore.update((s) => void (s.activeId = ids[saved.active] ?? ids[0] ?? s.activeId));
  return true;
}

/** Saves the tabs whenever they change (debounced); returns the unsubscribe. */
export function persistTabs(storage: Storage = localStorage): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const save = (): void => {
    const s = editorStore.get();
    const tabs: SavedTab[] = s.order.map((id) => {
      const t = s.tabs[id]!;
      return { doc: t.doc, savedJson: t.savedJson, libraryName: t.libraryName, revision: t.revision, runId: t.runId };
    });
    try {
      storage.setItem(KEY, JSON.stringify({ tabs, active: s.order.indexOf(s.activeId) }));
    } catch {
      // Storage full or disabled: tabs just will not survive a reload.
    }
  };
  const unsubscribe = editorStore.subscribe(() => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 300);
  });
  // A reload right after an edit must not lose it: write at once when the page goes away.
  const flush = (): void => {
    if (timer) clearTimeout(timer);
    save();
  };
  window.addEventListener('pagehide', flush);
  return () => {
    unsubscribe();
    window.removeEventListener('pagehide', flush);
    if (timer) clearTimeout(timer);
  };
}
