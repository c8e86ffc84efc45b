/**
 * A save the server refused because the library file changed since this tab opened it (another window or a script
 * saved): the dialog that asks what to do shows while this is set (QA S6-F15).
 */
import { createStore } from './createStore';

export interface SaveConflict {
  tabId: string;
  /** The library name (file name without .json). */
  name: string;
  /** The server's message, naming the workflow. */
  message: string;
  /** The file's revision now (null: it was deleted meanwhile); an overwrite names it, so a third save still asks. */
  revision: string | null;
}

export const saveConflictStore = createStore<{ conflict?: SaveConflict }>({});

export function showSaveConflict(conflict: SaveConflict | undefined): void {
  saveConflictStore.update((s) => void (s.conflict = conflict));
}
