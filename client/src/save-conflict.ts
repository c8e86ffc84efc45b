/**
 * What the save-conflict dialog offers when a save found the library file changed since the tab opened it (another
 * window or a script saved, QA S6-F15). Nothing is lost whichever is chosen: reloading theirs is one undo step (Ctrl+Z
 * brings this tab's version back), overwriting names the revision the server reported (a third save in between asks
 * again), and a copy leaves their file as it is.
 */
import type { Draft } from 'immer';
import type { WorkflowFile } from '../../protocol/workflow';
import { parseWorkflow } from '../../protocol/workflow-io';
import { saveActiveAs, saveTab } from './actions';
import { api } from './api/http';
import { edit, editorStore, markSaved, setActiveTab } from './store/editor';
import { saveConflictStore, showSaveConflict, type SaveConflict } from './store/saveConflict';
import { toast } from './store/toasts';

const current = (): SaveConflict | undefined => saveConflictStore.get().conflict;

/** Replaces the tab's workflow with the library's, as one undo step, and takes that revision. */
export async function reloadTheirs(): Promise<void> {
  const c = current();
  if (!c) return;
  showSaveConflict(undefined);
  let theirs: WorkflowFile;
  let revision: string | undefined;
  try {
    const got = await api.workflowWithRevision(c.name);
    theirs = parseWorkflow(JSON.stringify(got.data)).workflow;
    revision = got.revision;
  } catch (e) {
    return toast(`Cannot reload ${c.name}: ${(e as Error).message}`, 'error', 6000);
  }
  if (!editorStore.get().tabs[c.tabId]) return;
  edit(
    (d) => {
      const draft = d as unknown as Record<string, unknown>;
      for (const k of Object.keys(draft)) if (!(k in theirs)) delete draft[k];
      Object.assign(d, theirs as Draft<WorkflowFile>);
    },
    undefined,
    c.tabId,
  );
  markSaved(c.tabId, c.name, revision);
  toast(`Reloaded ${c.name}.json from the library; Ctrl+Z brings your version back.`, 'info', 6000);
}

/** Saves this tab's version over theirs (held to the revision the server reported). */
export async function overwriteTheirs(): Promise<void> {
  const c = current();
  if (!c) return;
  showSaveConflict(undefined);
  await saveTab(c.tabId, c.name, c.revision ?? undefined);
}

/** Saves this tab's version under another name; theirs stays as it is. */
export async function saveMineAsCopy(): Promise<void> {
  const c = current();
  if (!c) return;
  showSaveConflict(undefined);
  setActiveTab(c.tabId);
  await saveActiveAs(`Save your version of "${c.name}" as:`);
}

/** Closes the dialog; nothing is saved and the tab keeps its changes (still marked unsaved). */
export function keepEditing(): void {
  showSaveConflict(undefined);
}
