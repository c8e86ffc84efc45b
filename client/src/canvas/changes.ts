/** React Flow's change events turned into edits of the active tab (undoable) or view state (not undoable). */
import type { EdgeChange, NodeChange } from '@xyflow/react';
import type { FlowEdge, FlowNode } from '../graph/mapping';
import { fitGroupsToMembers, moveItems, regroup, setGroup, setNote } from '../graph/edits';
import { parseFlowId } from '../graph/ids';
import { edit, editorStore, sealEdits, setSelection } from '../store/editor';
import { idRecord } from '../store/records';
import { uiStore } from '../store/ui';

/** Applies node changes: moves (one undo step per drag), resizes of frames and notes, selection, measured sizes. */
export function applyNodeChanges(tabId: string, changes: NodeChange<FlowNode>[]): void {
  const tab = editorStore.get().tabs[tabId];
  if (!tab) return;
  const moved = idRecord<{ x: number; y: number }>();
  let dragEnded = false;
  let selection: Set<string> | undefined;
  const sizes = idRecord<{ width: number; height: number }>();
  for (const c of changes) {
    if (c.type === 'position' && c.position) {
      moved[c.id] = { x: Math.round(c.position.x), y: Math.round(c.position.y) };
      if (c.dragging === false) dragEnded = true;
    } else if (c.type === 'position' && c.dragging === false) dragEnded = true;
    else if (c.type === 'select') {
      selection ??= new Set(tab.selectedNodes);
      if (c.selected) selection.add(c.id);
      else selection.delete(c.id);
    } else if (c.type === 'dimensions' && c.dimensions) {
      sizes[c.id] = c.dimensions;
      if (c.resizing !== undefined) resizeItem(c.id, c.dimensions, c.resizing);
    }
  }
  if (Object.keys(moved).length) edit(moveItems(moved), 'move', tabId);
  if (dragEnded) {
    const nodeIds = Object.keys(moved).filter((id) => parseFlowId(id).kind === 'node');
    if (nodeIds.length) {
      edit(regroup(nodeIds), 'move', tabId);
      edit(fitGroupsToMembers(nodeIds, uiStore.get().measured[tabId] ?? idRecord()), 'move', tabId);
    }
    sealEdits(tabId);
  }
  if (selection) setSelection(tabId, [...selection], tab.selectedEdges);
  if (Object.keys(sizes).length) {
    uiStore.update((s) => {
      s.measured[tabId] = Object.assign(idRecord(), s.measured[tabId], sizes);
    });
  }
}

function resizeItem(flowId: string, size: { width: number; height: number }, resizing: boolean): void {
  const ref = parseFlowId(flowId);
  const doc = editorStore.get().tabs[editorStore.get().activeId]?.doc;
  const width = Math.round(size.width);
  const height = Math.round(size.height);
  if (ref.kind === 'group') {
    const g = doc?.groups.find((x) => x.id === ref.id);
    if (g) edit(setGroup(ref.id, { bounds: { ...g.bounds, width, height } }), `resize:${flowId}`);
  } else if (ref.kind === 'note') edit(setNote(ref.id, { size: { width, height } }), `resize:${flowId}`);
  if (!resizing) sealEdits();
}

/** Applies edge changes: only selection (deletions go through onDelete, in one undo step with nodes). */
export function applyEdgeChanges(tabId: string, changes: EdgeChange<FlowEdge>[]): void {
  const tab = editorStore.get().tabs[tabId];
  if (!tab) return;
  let selection: Set<string> | undefined;
  for (const c of changes) {
    if (c.type !== 'select') continue;
    selection ??= new Set(tab.selectedEdges);
    if (c.selected) selection.add(c.id);
    else selection.delete(c.id);
  }
  if (selection) setSelection(tabId, tab.selectedNodes, [...selection]);
}
