/** Copy/paste as JSON text, so that a selection travels through the system clipboard between tabs and windows. */
import type { Draft } from 'immer';
import type { WorkflowEdge, WorkflowFile, WorkflowGroup, WorkflowNode, WorkflowNote } from '../../../protocol/workflow';
import { freshId, parseFlowId } from './ids';
import { takenIds } from './edits';

export interface Clip {
  format: 'loraflow.clipboard';
  nodes: WorkflowNode[];
  edges: WorkflowEdge[];
  groups: WorkflowGroup[];
  notes: WorkflowNote[];
}

/** The selected items (flow ids) and the wires between selected nodes. */
export function copySelection(doc: WorkflowFile, flowIds: readonly string[]): Clip {
  const refs = flowIds.map(parseFlowId);
  const ids = (kind: string) => new Set(refs.filter((r) => r.kind === kind).map((r) => r.id));
  const nodes = ids('node');
  const groups = ids('group');
  const notes = ids('note');
  return {
    format: 'loraflow.clipboard',
    nodes: doc.nodes.filter((n) => nodes.has(n.id)),
    edges: doc.edges.filter((e) => nodes.has(e.from.node) && nodes.has(e.to.node)),
    groups: doc.groups.filter((g) => groups.has(g.id)),
    notes: doc.notes.filter((n) => notes.has(n.id)),
  };
}

/** Parses clipboard text; undefined when it is not a loraflow selection. */
export function parseClip(text: string): Clip | undefined {
  try {
    const v = JSON.parse(text) as Partial<Clip>;
    if (v.format !== 'loraflow.clipboard' || !Array.isArray(v.nodes)) return undefined;
    return { format: v.format, nodes: v.nodes, edges: v.edges ?? [], groups: v.groups ?? [], notes: v.notes ?? [] };
  } catch {
    return undefined;
  }
}

/** Pastes a clip with fresh ids, shifted by `offset`; calls `onPasted` with the new flow ids (to select them). */
export const pasteClip =
  (clip: Clip, offset: { x: number; y: number }, onPasted?: (flowIds: string[]) => void) =>
  (doc: Draft<WorkflowFile>): void => {
    const taken = takenIds(doc as WorkflowFile);
    const rename = new Map<string, string>();
    const fresh = (old: string): string => {
      const prefix = old.replace(/\d+$/, '') || 'n';
      const id = freshId(prefix, taken);
      taken.add(id);
      rename.set(old, id);
      return id;
    };
    const shift = (p: { x: number; y: number }) => ({ x: p.x + offset.x, y: p.y + offset.y });
    const pasted: string[] = [];
    for (const g of clip.groups) {
      const id = fresh(g.id);
      doc.groups.push({ ...g, id, bounds: { ...g.bounds, ...shift(g.bounds) } });
      pasted.push(`group:${id}`);
    }
    for (const n of clip.nodes) {
      const id = fresh(n.id);
      const group = n.group !== undefined ? rename.get(n.group) : undefined;
      const copy: WorkflowNode = {
        ...(JSON.parse(JSON.stringify(n)) as WorkflowNode),
        id,
        position: shift(n.position),
      };
      if (group) copy.group = group;
      else delete copy.group;
      doc.nodes.push(copy as Draft<WorkflowNode>);
      pasted.push(id);
    }
    for (const e of clip.edges) {
      const from = rename.get(e.from.node);
      const to = rename.get(e.to.node);
      if (from && to)
        doc.edges.push({
          id: fresh(e.id),
          from: { node: from, socket: e.from.socket },
          to: { node: to, socket: e.to.socket },
        });
    }
    for (const n of clip.notes) {
      const id = fresh(n.id);
      doc.notes.push({ ...n, id, position: shift(n.position) });
      pasted.push(`note:${id}`);
    }
    onPasted?.(pasted);
  };
