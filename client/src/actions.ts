/** What the toolbar, the shortcuts and the panels do: run, cancel, save, open, rerun, group, copy and paste. */
import type { Draft } from 'immer';
import type { RunDetail, RunSummary } from '../../protocol/messages';
import type { WorkflowFile } from '../../protocol/workflow';
import { parseWorkflow, serializeWorkflow } from '../../protocol/workflow-io';
import { api, ApiCallError } from './api/http';
import { addGroup, addNote } from './graph/edits';
import { copySelection, parseClip, pasteClip, type Clip } from './graph/clipboard';
import { validate } from './graph/validation';
import { activeTab, closeTab, edit, editorStore, markSaved, openTab, setSelection, setTabRun } from './store/editor';
import { loadMetrics, loadRunDetail, runsStore } from './store/runs';
import { schemasStore } from './store/schemas';
import { toast } from './store/toasts';
import { uiStore } from './store/ui';

/** Submits the active tab's workflow; refuses locally (same rules as the server) when it has errors. */
export async function runActive(): Promise<void> {
  const tab = activeTab();
  const { errors } = validate(tab.doc, schemasStore.get().byType);
  if (errors.length) {
    toast(
      `Cannot run: ${errors.length} problem${errors.length > 1 ? 's' : ''}. ${errors[0]?.message ?? ''}`,
      'error',
      6000,
    );
    return;
  }
  try {
    const { id } = await api.submitRun(tab.doc);
    const summary: RunSummary = { id, status: 'queued', name: tab.doc.name, createdAt: Date.now() };
    runsStore.update((s) => {
      // Show every node as queued until the server says otherwise (its messages may already have arrived).
      const known = s.runs[id];
      const nodes = Object.fromEntries(
        tab.doc.nodes.map((n) => [n.id, known?.nodes[n.id] ?? { nodeId: n.id, status: 'queued' as const }]),
      );
      s.runs[id] = {
        summary: known?.summary ?? summary,
        workflow: tab.doc as Draft<WorkflowFile>,
        nodes,
        metrics: known?.metrics ?? {},
        previews: known?.previews ?? {},
        logs: known?.logs ?? {},
      };
      if (!s.history.some((r) => r.id === id)) s.history.unshift(summary);
    });
    setTabRun(tab.id, id);
  } catch (e) {
    toast(
      e instanceof ApiCallError ? `Run refused: ${e.message}` : `Run failed: ${(e as Error).message}`,
      'error',
      6000,
    );
  }
}

/** Cancels the run the active tab shows, if it is still queued or running. */
export async function cancelActive(): Promise<void> {
  const runId = activeTab().runId;
  const status = runId ? runsStore.get().runs[runId]?.summary.status : undefined;
  if (!runId || (status !== 'running' && status !== 'queued')) return;
  try {
    await api.cancelRun(runId);
    toast('Cancelling…');
  } catch (e) {
    toast(`Cancel failed: ${(e as Error).message}`, 'error');
  }
}

/** A file name for the library: the workflow's name in lower case with dashes. */
export const libraryNameOf = (wf: WorkflowFile): string =>
  wf.name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '') || 'untitled';

/** Saves the active tab into the server's workflow library. */
export async function saveActive(): Promise<void> {
  const tab = activeTab();
  const name = tab.libraryName ?? libraryNameOf(tab.doc);
  try {
    await api.saveWorkflow(name, tab.doc);
    markSaved(tab.id, name);
    toast(`Saved ${name}.json`);
  } catch (e) {
    toast(`Save failed: ${(e as Error).message}`, 'error');
  }
}

/** Downloads the active tab's workflow as a .json file. */
export function downloadActive(): void {
  const tab = activeTab();
  const blob = new Blob([serializeWorkflow(tab.doc)], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `${libraryNameOf(tab.doc)}.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  markSaved(tab.id);
}

/** Opens workflow JSON text in a new tab; unknown node types load and are marked on the canvas. */
export function openWorkflowText(text: string, extra: { libraryName?: string; runId?: string } = {}): boolean {
  try {
    const { workflow, warnings } = parseWorkflow(text);
    openTab(workflow, extra);
    for (const w of warnings) toast(w);
    return true;
  } catch (e) {
    toast(`Cannot open: ${(e as Error).message}`, 'error', 6000);
    return false;
  }
}

/** Opens a .json file chosen or dropped by the user. */
export async function openWorkflowFile(file: File): Promise<void> {
  openWorkflowText(await file.text());
}

/** Opens a workflow of the server's library (or focuses its tab when already open). */
export async function openFromLibrary(name: string): Promise<void> {
  const s = editorStore.get();
  const open = s.order.find((id) => s.tabs[id]?.libraryName === name);
  if (open) return void editorStore.update((d) => void (d.activeId = open));
  try {
    openWorkflowText(JSON.stringify(await api.workflow(name)), { libraryName: name });
  } catch (e) {
    toast(`Cannot open ${name}: ${(e as Error).message}`, 'error');
  }
}

/** The example a first visit opens: a new user sees a whole training graph ready to run, not an empty canvas. */
export const WELCOME_WORKFLOW = 'quickstart-style-lora';

/** Opens the welcome example in place of the empty tab a first visit starts with, unless the user was quicker. */
export async function openWelcome(): Promise<void> {
  const before = editorStore.get().order.slice();
  let text: string;
  try {
    text = JSON.stringify(await api.workflow(WELCOME_WORKFLOW));
  } catch {
    return; // a server without the examples: the empty tab stays
  }
  const s = editorStore.get();
  const untouched = s.order.length === before.length && before.every((id) => s.tabs[id]?.doc.nodes.length === 0);
  if (!untouched || !openWorkflowText(text, { libraryName: WELCOME_WORKFLOW })) return;
  for (const id of before) closeTab(id);
}

/** Fetches a run (detail + metrics) into the runs store. */
export async function fetchRun(runId: string): Promise<void> {
  const detail = await api.run(runId);
  runsStore.update((s) => loadRunDetail(s, detail));
  loadMetrics(runId, await api.metrics(runId).catch(() => []));
}

/** Opens a past run's graph in a new tab showing that run's node states and outputs. */
export async function openRun(runId: string): Promise<void> {
  try {
    await fetchRun(runId);
    const wf = runsStore.get().runs[runId]?.workflow;
    if (wf) openTab(wf, { runId });
  } catch (e) {
    toast(`Cannot open run: ${(e as Error).message}`, 'error');
  }
}

/** Submits a past run's workflow again. */
export async function rerun(runId: string): Promise<void> {
  await openRun(runId);
  await runActive();
}

/** Puts the selected nodes into a new titled frame around them. */
export function groupSelection(): void {
  const tab = activeTab();
  const ids = tab.selectedNodes.filter((id) => tab.doc.nodes.some((n) => n.id === id));
  const nodes = tab.doc.nodes.filter((n) => ids.includes(n.id));
  if (nodes.length === 0) return toast('Select nodes to group first.');
  const measured = uiStore.get().measured[tab.id] ?? {};
  const xs = nodes.flatMap((n) => [n.position.x, n.position.x + (measured[n.id]?.width ?? 240)]);
  const ys = nodes.flatMap((n) => [n.position.y, n.position.y + (measured[n.id]?.height ?? 160)]);
  const pad = 30;
  const x = Math.min(...xs) - pad;
  const y = Math.min(...ys) - pad - 20;
  edit(addGroup('Group', { x, y, width: Math.max(...xs) - x + pad, height: Math.max(...ys) - y + pad }, ids));
}

/** Adds a note at a flow position. */
export function addNoteAt(position: { x: number; y: number }): void {
  edit(addNote(position));
}

/** The selection of the active tab as clipboard text (undefined when nothing is selected). */
export function copyText(): string | undefined {
  const tab = activeTab();
  if (tab.selectedNodes.length === 0) return undefined;
  return JSON.stringify(copySelection(tab.doc, tab.selectedNodes));
}

let pasteCount = 0;
/** Pastes clipboard text into the active tab and selects what was pasted. */
export function pasteText(text: string): boolean {
  const clip: Clip | undefined = parseClip(text);
  if (!clip) return false;
  const tab = activeTab();
  const offset = 40 * (1 + (pasteCount++ % 5));
  edit(pasteClip(clip, { x: offset, y: offset }, (ids) => setTimeout(() => setSelection(tab.id, ids, []))));
  return true;
}

/**
 * After a (re)connect: a running run that no open tab shows (the browser was closed, or this is another browser)
 * opens in a tab of its own, so that reopening the editor shows it live.
 */
export function showRunningRuns(running: readonly RunDetail[]): void {
  const s = editorStore.get();
  const shown = new Set(s.order.map((id) => s.tabs[id]?.runId));
  for (const run of running) if (!shown.has(run.id)) openTab(run.workflow, { runId: run.id });
}
