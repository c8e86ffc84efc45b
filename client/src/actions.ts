/** What the toolbar, the shortcuts and the panels do: run, cancel, save, open, rerun (the selection's: selection-actions). */
import type { RunDetail } from '../../protocol/messages';
import type { WorkflowFile } from '../../protocol/workflow';
import { parseWorkflow, serializeWorkflow } from '../../protocol/workflow-io';
import { api, ApiCallError } from './api/http';
import {
  safetensorsHeaderLength,
  workflowInPng,
  workflowInSafetensors,
  type Embedded,
} from './graph/embedded-workflow';
import { validate } from './graph/validation';
import { setServerRefusal } from './store/serverRefusals';
import { showSaveConflict } from './store/saveConflict';
import { activeTab, closeTab, edit, editorStore, markSaved, openTab, setTabRun } from './store/editor';
import { selectedWorkflowNodes } from './selection-actions';
import { checkWorkflowPaths } from './store/pathChecks';
import { loadLogs, loadMetrics, loadRunDetail, runsStore, showSubmittedRun } from './store/runs';
import { schemasStore } from './store/schemas';
import { toast } from './store/toasts';
import { libraryChanged, openGallery, setSideTab } from './store/ui';

const isActive = (status: string | undefined): boolean => status === 'running' || status === 'queued';

/**
 * Submits the active tab's workflow (only `targets` and what they need, when given); refuses locally (same rules
 * as the server, plus the paths it reads) when it has errors. While the tab shows a live run, a new run queues
 * behind it and the tab keeps showing the live one until the new one starts.
 */
export async function runActive(targets?: string[]): Promise<void> {
  const tab = activeTab();
  const schemas = schemasStore.get().byType;
  const { errors } = validate(tab.doc, schemas);
  const problems = errors.length ? errors.map((e) => e.message) : await checkWorkflowPaths(tab.doc, schemas);
  if (problems.length) {
    toast(
      `Cannot run: ${problems.length} problem${problems.length > 1 ? 's' : ''}. ${problems[0] ?? ''}`,
      'error',
      6000,
    );
    return;
  }
  try {
    const { id } = await api.submitRun(tab.doc, targets);
    showSubmittedRun(id, tab.doc, plannedNodes(tab.doc, targets));
    const shown = tab.runId ? runsStore.get().runs[tab.runId]?.summary.status : undefined;
    if (tab.runId && tab.runId !== id && isActive(shown)) {
      followWhenStarted(tab.id, id);
      toast('Queued behind the run this tab shows; the tab switches to it when it starts.');
    } else setTabRun(tab.id, id);
  } catch (e) {
    // The server's own checks (its path policy) go on the nodes they name, as the editor's errors do.
    if (e instanceof ApiCallError && e.validation) setServerRefusal(tab.doc, e.validation.errors);
    toast(
      e instanceof ApiCallError
        ? `Run refused: ${e.message}`
        : `Cannot reach the loraflow server (${(e as Error).message}): the run was not submitted.`,
      'error',
      6000,
    );
  }
}

/** The nodes a run will consider: the targets and everything upstream of them (all of them without targets), never muted or bypassed ones. */
export function plannedNodes(doc: WorkflowFile, targets?: readonly string[]): Set<string> {
  const active = (id: string) => !doc.nodes.find((n) => n.id === id)?.mode;
  if (!targets) return new Set(doc.nodes.map((n) => n.id).filter(active));
  const needed = new Set(targets);
  const stack = [...targets];
  while (stack.length) {
    const id = stack.pop() as string;
    for (const e of doc.edges)
      if (e.to.node === id && !needed.has(e.from.node)) {
        needed.add(e.from.node);
        stack.push(e.from.node);
      }
  }
  return new Set([...needed].filter(active));
}

/** Runs only the selected nodes and what they need (the API's `targets`). */
export async function runSelected(ids = selectedWorkflowNodes()): Promise<void> {
  if (ids.length === 0) return toast('Select the nodes to run first.');
  await runActive(ids);
}

/** Tabs waiting for a queued run to start, by run id. */
const followers = new Map<string, string>();
let followerSubscription: (() => void) | undefined;

/** Switches the tab to `runId` once that run leaves the queue (the run it showed has ended by then). */
function followWhenStarted(tabId: string, runId: string): void {
  followers.set(runId, tabId);
  followerSubscription ??= runsStore.subscribe(() => {
    const runs = runsStore.get().runs;
    for (const [run, tab] of [...followers]) {
      const status = runs[run]?.summary.status;
      if (status === undefined || status === 'queued') continue;
      const shown = editorStore.get().tabs[tab]?.runId;
      if (shown && shown !== run && isActive(runs[shown]?.summary.status)) continue; // the live one goes on
      followers.delete(run);
      if (editorStore.get().tabs[tab]) setTabRun(tab, run);
    }
  });
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

/** Ctrl+.: cancelling hours of training deserves a question; the Cancel button is the direct way. */
export async function cancelActiveAfterConfirm(): Promise<void> {
  const runId = activeTab().runId;
  const status = runId ? runsStore.get().runs[runId]?.summary.status : undefined;
  if (status !== 'running' && status !== 'queued') return;
  if (window.confirm('Cancel the run this tab shows?')) await cancelActive();
}

/** The server's limit on a library name's length (server/http/routes/workflows.ts). */
const LIBRARY_NAME_MAX = 100;

/**
 * A file name for the library: the workflow's name in lower case with dashes, always one the server takes
 * (a letter or digit first, no "..", at most 100 characters), so that whatever "Save as" is given saves (QA S6-F3).
 */
export const libraryNameOf = (wf: WorkflowFile): string =>
  wf.name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, LIBRARY_NAME_MAX)
    .replace(/[-.]+$/, '') || 'untitled';

/** Saves the active tab into the server's workflow library; an example (read-only) is saved as a copy instead. */
export async function saveActive(): Promise<void> {
  const tab = activeTab();
  const name = tab.libraryName ?? libraryNameOf(tab.doc);
  // A tab that is not yet in the library takes the file its name maps to only if that file is free: a second
  // "Untitled" (or a template opened twice) must not silently replace the workflow saved under that name.
  if (tab.libraryName === undefined) {
    const listing = await api.workflows().catch(() => []);
    // (An example under that name answers 409 below, which asks for a copy's name in its own words.)
    if (listing.some((w) => w.name === name && !w.example))
      return saveActiveAs(`"${name}" exists in the library already. Save this workflow as:`);
  }
  // The revision it was opened or last saved at: a save by another window or a script meanwhile is a 409, which
  // asks what to do (save-conflict.ts), instead of silently replacing their changes (QA S6-F15).
  const outcome = await saveTab(tab.id, name, tab.revision);
  if (outcome === 'read-only') return saveActiveAs(`${name} is an example and stays as shipped. Save a copy as:`);
}

/**
 * Saves tab `tabId` as `name` (with `revision`: only over that revision of the file) and says so; a conflict opens
 * the save-conflict dialog. Returns what happened.
 */
export async function saveTab(
  tabId: string,
  name: string,
  revision: string | undefined,
): Promise<'saved' | 'conflict' | 'read-only' | 'failed'> {
  const doc = editorStore.get().tabs[tabId]?.doc;
  if (!doc) return 'failed';
  try {
    const saved = await api.saveWorkflow(name, doc, revision);
    markSaved(tabId, name, saved.revision, doc);
    libraryChanged();
    toast(`Saved ${name}.json`);
    return 'saved';
  } catch (e) {
    if (e instanceof ApiCallError && e.conflict) {
      showSaveConflict({ tabId, name, message: e.message, revision: e.conflict.revision });
      return 'conflict';
    }
    if (e instanceof ApiCallError && e.status === 409 && e.code === 'read-only') return 'read-only';
    toast(`Save failed: ${(e as Error).message}`, 'error');
    return 'failed';
  }
}

/** Asks for a name and saves the active tab under it (the workflow takes that name too). */
export async function saveActiveAs(question = 'Save the workflow as:'): Promise<void> {
  const tab = activeTab();
  const answer = window.prompt(question, `${tab.doc.name} (copy)`)?.trim();
  if (!answer) return;
  const name = libraryNameOf({ ...tab.doc, name: answer });
  const listing = await api.workflows().catch(() => []);
  if (listing.some((w) => w.name === name) && !window.confirm(`"${name}" exists in the library. Replace it?`)) return;
  if (tab.doc.name !== answer) edit((d) => void (d.name = answer), undefined, tab.id);
  // Replacing was confirmed just now (or the name was free): no revision to hold it to.
  const outcome = await saveTab(tab.id, name, undefined);
  if (outcome === 'read-only') toast(`Save failed: "${name}" is a shipped example and stays as shipped`, 'error');
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
  // A download is a copy, not a save: the library's version is still behind, so the unsaved marker stays.
}

/** Opens workflow JSON text in a new tab; unknown node types load and are marked on the canvas. */
export function openWorkflowText(
  text: string,
  extra: { libraryName?: string; runId?: string; revision?: string } = {},
): boolean {
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
    const { data, revision } = await api.workflowWithRevision(name);
    openWorkflowText(JSON.stringify(data), { libraryName: name, revision });
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
    text = JSON.stringify(await api.workflow(WELCOME_WORKFLOW, 'example'));
  } catch {
    return; // a server without the examples: the empty tab stays
  }
  const s = editorStore.get();
  const untouched = s.order.length === before.length && before.every((id) => s.tabs[id]?.doc.nodes.length === 0);
  if (!untouched || !openWorkflowText(text, { libraryName: WELCOME_WORKFLOW })) return;
  for (const id of before) closeTab(id);
  // The other scenarios, a click away (in the side panel: nothing covers the graph just opened).
  openGallery(true);
  setSideTab('library');
}

/** Fetches a run (detail + metrics) into the runs store. */
export async function fetchRun(runId: string): Promise<void> {
  const detail = await api.run(runId);
  runsStore.update((s) => loadRunDetail(s, detail));
  const [metrics, logs] = await Promise.all([api.metrics(runId).catch(() => []), api.logs(runId).catch(() => [])]);
  loadMetrics(runId, metrics);
  loadLogs(runId, logs);
}

/**
 * Brings the runs the open tabs show up to date: after a reload (the store starts empty) and after a reconnect
 * (a run that was live may have ended, or been interrupted, while the server was away). `running` are the runs the
 * server's snapshot says are live; they need no fetch.
 */
export function refreshShownRuns(running: readonly RunDetail[] = []): void {
  const live = new Set(running.map((r) => r.id));
  const s = editorStore.get();
  const runs = runsStore.get().runs;
  const ids = new Set(s.order.map((id) => s.tabs[id]?.runId).filter((id): id is string => id !== undefined));
  for (const id of ids) {
    const known = runs[id];
    const stale = !known?.workflow || isActive(known.summary.status);
    if (!live.has(id) && stale) void fetchRun(id).catch(() => undefined);
  }
}

/** Opens a past run's graph in a new tab showing that run's node states and outputs. */
export async function openRun(runId: string): Promise<void> {
  const s = editorStore.get();
  const open = s.order.find((id) => s.tabs[id]?.runId === runId);
  if (open) return void editorStore.update((d) => void (d.activeId = open));
  try {
    await fetchRun(runId);
    const wf = runsStore.get().runs[runId]?.workflow;
    if (wf) openTab(wf, { runId });
  } catch (e) {
    toast(`Cannot open run: ${(e as Error).message}`, 'error');
  }
}

/**
 * Resumes an interrupted run (the server re-queues it under the same id) and shows it: the tab that shows it is
 * focused, or the run opens in a tab of its own, so that the resumed run is followed live as a new one is.
 */
export async function resumeRun(runId: string): Promise<void> {
  try {
    await api.resumeRun(runId);
  } catch (e) {
    return toast(`Resume failed: ${(e as Error).message}`, 'error', 6000);
  }
  const s = editorStore.get();
  const open = s.order.find((id) => s.tabs[id]?.runId === runId);
  if (open) {
    editorStore.update((d) => void (d.activeId = open));
    // The interrupted attempt's node states (cancelled, half-way progress) give way to the server's fresh ones.
    await fetchRun(runId).catch(() => undefined);
  } else await openRun(runId);
}

/** Submits a past run's workflow again. */
export async function rerun(runId: string): Promise<void> {
  await openRun(runId);
  await runActive();
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

/** Whether a dropped file may carry a workflow: a LoRA .safetensors or a PNG. */
export const mayCarryWorkflow = (f: File): boolean => /\.(safetensors|png)$/i.test(f.name) || f.type === 'image/png';

/** Opens the workflow a LoRA or a sample PNG carries; a file from another tool says what it is. */
export async function openWorkflowInFile(file: File): Promise<void> {
  let found: Embedded;
  const safetensors = /\.safetensors$/i.test(file.name);
  try {
    if (safetensors) {
      const length = safetensorsHeaderLength(new Uint8Array(await file.slice(0, 8).arrayBuffer()), file.size);
      found = workflowInSafetensors(await file.slice(8, 8 + length).text());
    } else found = workflowInPng(new Uint8Array(await file.arrayBuffer()));
  } catch (e) {
    const what = safetensors ? 'is not a safetensors file' : 'cannot be read';
    return toast(`${file.name} ${what} (${(e as Error).message}).`, 'error', 8000);
  }
  if (found.kind === 'other') return toast(`${file.name}: ${found.message}`, 'info', 8000);
  if (focusTabShowing(found.text)) return toast(`The workflow that made ${file.name} is already open.`);
  if (openWorkflowText(found.text)) toast(`Opened the workflow that made ${file.name}.`);
}

/** Focuses an open tab whose workflow equals this text's (unedited); dropping the same file twice opens one tab. */
function focusTabShowing(text: string): boolean {
  let same: string;
  try {
    same = serializeWorkflow(parseWorkflow(text).workflow);
  } catch {
    return false; // openWorkflowText says what is wrong with it
  }
  const s = editorStore.get();
  const open = s.order.find((id) => {
    const doc = s.tabs[id]?.doc;
    return doc !== undefined && serializeWorkflow(doc) === same;
  });
  if (open === undefined) return false;
  editorStore.update((d) => void (d.activeId = open));
  return true;
}

export * from './selection-actions';
