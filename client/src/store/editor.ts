/**
 * The editor's open workflows (tabs): each tab holds its workflow file, its undo history, its selection and the
 * run it shows. All edits go through `edit`, which records immer patches for undo/redo.
 */
import { applyPatches, enablePatches, produceWithPatches, type Draft } from 'immer';
import type { WorkflowFile } from '../../../protocol/workflow';
import { emptyWorkflow, serializeWorkflow } from '../../../protocol/workflow-io';
import { createStore } from './createStore';
import { emptyHistory, recordEdit, sealHistory, type History } from './history';

enablePatches();

export interface Tab {
  id: string;
  doc: WorkflowFile;
  /** The serialized file as last opened or saved: the tab is unsaved while the doc differs from it. */
  savedJson: string;
  /** Its name in the server's workflow library, once opened from or saved there. */
  libraryName?: string;
  /**
   * The library file's revision when this tab opened or last saved it: a save sends it, and the server refuses
   * (409) when someone else saved meanwhile instead of overwriting their changes. Unset: the save replaces the file.
   */
  revision?: string;
  /** The run whose node states the canvas shows. */
  runId?: string;
  history: History;
  selectedNodes: string[];
  selectedEdges: string[];
}

export interface EditorState {
  tabs: Record<string, Tab>;
  order: string[];
  activeId: string;
}

let tabCounter = 0;
const newTab = (doc: WorkflowFile, extra: Partial<Tab> = {}): Tab => ({
  id: `tab${++tabCounter}`,
  doc,
  savedJson: serializeWorkflow(doc),
  history: emptyHistory(),
  selectedNodes: [],
  selectedEdges: [],
  ...extra,
});

/** A fresh editor state with one empty tab. */
export function initialEditorState(): EditorState {
  const tab = newTab(emptyWorkflow('Untitled'));
  return { tabs: { [tab.id]: tab }, order: [tab.id], activeId: tab.id };
}

export const editorStore = createStore<EditorState>(initialEditorState());

/** The tab being edited. */
export function activeTab(s: EditorState = editorStore.get()): Tab {
  return s.tabs[s.activeId] ?? (Object.values(s.tabs)[0] as Tab);
}

const dirtyCache = new WeakMap<WorkflowFile, string>();
/** Whether a tab has changes that were not saved (compares serialized files, cached per doc object). */
export function isDirty(tab: Tab): boolean {
  let json = dirtyCache.get(tab.doc);
  if (json === undefined) {
    json = serializeWorkflow(tab.doc);
    dirtyCache.set(tab.doc, json);
  }
  return json !== tab.savedJson;
}

/** Opens a workflow in a new tab and makes it active; returns the tab id. */
export function openTab(
  doc: WorkflowFile,
  extra: Partial<Pick<Tab, 'libraryName' | 'runId' | 'revision'>> = {},
): string {
  const tab = newTab(doc, extra);
  editorStore.update((s) => {
    s.tabs[tab.id] = tab as Draft<Tab>;
    s.order.push(tab.id);
    s.activeId = tab.id;
  });
  return tab.id;
}

export function closeTab(id: string): void {
  editorStore.update((s) => {
    if (s.order.length === 1) {
      const fresh = newTab(emptyWorkflow('Untitled'));
      s.tabs[fresh.id] = fresh as Draft<Tab>;
      s.order.push(fresh.id);
    }
    delete s.tabs[id];
    const at = s.order.indexOf(id);
    s.order.splice(at, 1);
    if (s.activeId === id) s.activeId = s.order[Math.max(0, at - 1)] as string;
  });
}

export function setActiveTab(id: string): void {
  editorStore.update((s) => {
    if (s.tabs[id]) s.activeId = id;
  });
}

function updateTab(tabId: string, fn: (tab: Draft<Tab>) => void): void {
  editorStore.update((s) => {
    const tab = s.tabs[tabId];
    if (tab) fn(tab);
  });
}

/**
 * Applies an edit to the active tab's workflow as one undo step. Edits sharing `coalesceKey` in quick
 * succession (a drag, typing in one field) merge into a single step.
 */
export function edit(
  recipe: (doc: Draft<WorkflowFile>) => void,
  coalesceKey?: string,
  tabId = editorStore.get().activeId,
): void {
  const tab = editorStore.get().tabs[tabId];
  if (!tab) return;
  const [next, patches, inverse] = produceWithPatches(tab.doc, recipe);
  if (patches.length === 0) return;
  const history = recordEdit(tab.history, patches, inverse, coalesceKey, Date.now());
  updateTab(tabId, (t) => {
    t.doc = next as Draft<WorkflowFile>;
    t.history = history as Draft<History>;
  });
}

/** Ends the current coalesced step (e.g. when a drag stops). */
export function sealEdits(tabId = editorStore.get().activeId): void {
  const tab = editorStore.get().tabs[tabId];
  if (!tab) return;
  const history = sealHistory(tab.history);
  if (history !== tab.history) updateTab(tabId, (t) => void (t.history = history as Draft<History>));
}

/** Undoes the last step of the active tab. */
export function undo(tabId = editorStore.get().activeId): void {
  const tab = editorStore.get().tabs[tabId];
  const entry = tab?.history.past[tab.history.past.length - 1];
  if (!tab || !entry) return;
  const doc = applyPatches(tab.doc, entry.inverse);
  updateTab(tabId, (t) => {
    t.doc = doc as Draft<WorkflowFile>;
    t.history.past.pop();
    t.history.future.push({ ...entry, sealed: true } as Draft<History['past'][number]>);
  });
}

/** Redoes the last undone step of the active tab. */
export function redo(tabId = editorStore.get().activeId): void {
  const tab = editorStore.get().tabs[tabId];
  const entry = tab?.history.future[tab.history.future.length - 1];
  if (!tab || !entry) return;
  const doc = applyPatches(tab.doc, entry.patches);
  updateTab(tabId, (t) => {
    t.doc = doc as Draft<WorkflowFile>;
    t.history.future.pop();
    t.history.past.push(entry as Draft<History['past'][number]>);
  });
}

/**
 * Records that the tab's doc was saved (under `libraryName` in the library at `revision`, when given). `doc` is
 * the one sent: edits made while the save was on its way stay unsaved.
 */
export function markSaved(tabId: string, libraryName?: string, revision?: string, doc?: WorkflowFile): void {
  updateTab(tabId, (t) => {
    t.savedJson = serializeWorkflow(doc ?? (t.doc as WorkflowFile));
    if (libraryName) {
      t.libraryName = libraryName;
      t.revision = revision;
    }
  });
}

export function setSelection(tabId: string, nodes: string[], edges: string[]): void {
  updateTab(tabId, (t) => {
    t.selectedNodes = nodes;
    t.selectedEdges = edges;
  });
}

export function setTabRun(tabId: string, runId: string | undefined): void {
  updateTab(tabId, (t) => {
    t.runId = runId;
  });
}

/**
 * Tabs opened from a library workflow that was renamed (or deleted: `to` undefined) follow it; with `title`, the
 * workflow's own name too, in the doc and in the saved copy (a rename is not an unsaved change). A tab that had the
 * file at `revisions.previous` takes its new revision; a tab already behind stays behind (its save still asks).
 */
export function renameLibraryTabs(
  from: string,
  to: string | undefined,
  title?: string,
  revisions: { previous?: string; next?: string } = {},
): void {
  editorStore.update((s) => {
    for (const tab of Object.values(s.tabs)) {
      if (tab.libraryName !== from) continue;
      tab.libraryName = to;
      if (to === undefined) tab.revision = undefined;
      else if (tab.revision !== undefined && tab.revision === revisions.previous) tab.revision = revisions.next;
      if (title === undefined) continue;
      const saved = JSON.parse(tab.savedJson) as WorkflowFile;
      tab.savedJson = serializeWorkflow({ ...saved, name: title });
      tab.doc.name = title;
    }
  });
}
