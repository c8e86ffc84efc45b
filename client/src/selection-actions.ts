/** What the toolbar, the shortcuts and the menus do to the selection: select, bypass, mute, group, copy, paste. */
import type { NodeMode } from '../../protocol/workflow';
import { copySelection, parseClip, pasteClip, type Clip } from './graph/clipboard';
import { addGroup, addNote, setNodeFlags } from './graph/edits';
import { groupFlowId, noteFlowId } from './graph/ids';
import { activeTab, edit, setSelection } from './store/editor';
import { idRecord } from './store/records';
import { toast } from './store/toasts';
import { uiStore } from './store/ui';

/** Deselects everything in the active tab. */
export function clearSelection(): void {
  const tab = activeTab();
  if (tab.selectedNodes.length || tab.selectedEdges.length) setSelection(tab.id, [], []);
}

/** Selects every node, group and note of the active tab. */
export function selectAll(): void {
  const { id, doc } = activeTab();
  setSelection(
    id,
    [
      ...doc.groups.map((g) => groupFlowId(g.id)),
      ...doc.nodes.map((n) => n.id),
      ...doc.notes.map((n) => noteFlowId(n.id)),
    ],
    doc.edges.map((e) => e.id),
  );
}

/** The workflow nodes among the active tab's selection. */
export function selectedWorkflowNodes(): string[] {
  const tab = activeTab();
  return tab.selectedNodes.filter((id) => tab.doc.nodes.some((n) => n.id === id));
}

/** Ctrl+B / Ctrl+M: bypasses or mutes the selected nodes; when all of them already are, back to normal. */
export function toggleSelectedMode(mode: NodeMode, ids = selectedWorkflowNodes()): void {
  if (ids.length === 0) return;
  const doc = activeTab().doc;
  const all = ids.every((id) => doc.nodes.find((n) => n.id === id)?.mode === mode);
  edit(setNodeFlags(ids, { mode: all ? null : mode }));
}

/** Puts the selected nodes into a new titled frame around them. */
export function groupSelection(): void {
  const tab = activeTab();
  const ids = tab.selectedNodes.filter((id) => tab.doc.nodes.some((n) => n.id === id));
  const nodes = tab.doc.nodes.filter((n) => ids.includes(n.id));
  if (nodes.length === 0) return toast('Select nodes to group first.');
  const measured = uiStore.get().measured[tab.id] ?? idRecord<{ width: number; height: number }>();
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

/** Copies the given nodes (default: the selection) with their wires between them, next to the originals. */
export function duplicateSelection(ids = activeTab().selectedNodes): void {
  const tab = activeTab();
  if (ids.length === 0) return;
  const clip = copySelection(tab.doc, ids);
  edit(pasteClip(clip, { x: 40, y: 40 }, (pasted) => setTimeout(() => setSelection(tab.id, pasted, []))));
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
