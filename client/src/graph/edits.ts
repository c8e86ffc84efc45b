/** Edits of a workflow file as immer recipes: each is one undoable step when applied through the editor store. */
import type { Draft } from 'immer';
import type { NodeSchema, ParamValue } from '../../../protocol/schema';
import type { NodeMode, WorkflowEdge, WorkflowFile, WorkflowNode } from '../../../protocol/workflow';
import { freshId, parseFlowId } from './ids';
import { convertedParamNames, paramSocketName } from '../../../protocol/param-inputs';

type Doc = Draft<WorkflowFile>;
type XY = { x: number; y: number };

/** Every id used by a node, edge, group or note (ids must be unique across the file for pasting). */
export function takenIds(doc: WorkflowFile): Set<string> {
  return new Set([...doc.nodes, ...doc.edges, ...doc.groups, ...doc.notes].map((x) => x.id));
}

/** A new node of `schema` with its default parameters. */
export function newNode(schema: NodeSchema, position: XY, taken: ReadonlySet<string>): WorkflowNode {
  const params: Record<string, ParamValue> = {};
  for (const p of schema.params) params[p.name] = Array.isArray(p.default) ? [...p.default] : p.default;
  const prefix = schema.type.replace(/[^A-Za-z0-9]/g, '').toLowerCase() || 'node';
  return {
    id: freshId(prefix, taken),
    type: schema.type,
    params,
    position: { x: Math.round(position.x), y: Math.round(position.y) },
  };
}

export const addNode =
  (node: WorkflowNode) =>
  (doc: Doc): void => {
    doc.nodes.push(node as Draft<WorkflowNode>);
  };

export const setParam =
  (nodeId: string, name: string, value: ParamValue) =>
  (doc: Doc): void => {
    const node = doc.nodes.find((n) => n.id === nodeId);
    if (node) node.params[name] = value;
  };

export const setParams =
  (nodeId: string, values: Record<string, ParamValue>) =>
  (doc: Doc): void => {
    const node = doc.nodes.find((n) => n.id === nodeId);
    if (node) Object.assign(node.params, values);
  };

export const setNodeTitle =
  (nodeId: string, title: string) =>
  (doc: Doc): void => {
    const node = doc.nodes.find((n) => n.id === nodeId);
    if (node) {
      if (title) node.title = title;
      else delete node.title;
    }
  };

/** Moves items to new positions (flow ids); moving a group's frame moves the nodes inside it by the same amount. */
export const moveItems =
  (positions: Record<string, XY>) =>
  (doc: Doc): void => {
    for (const [flowId, pos] of Object.entries(positions)) {
      const ref = parseFlowId(flowId);
      if (ref.kind === 'node') {
        const node = doc.nodes.find((n) => n.id === ref.id);
        if (node) node.position = { x: pos.x, y: pos.y };
      } else if (ref.kind === 'note') {
        const note = doc.notes.find((n) => n.id === ref.id);
        if (note) note.position = { x: pos.x, y: pos.y };
      } else {
        const group = doc.groups.find((g) => g.id === ref.id);
        if (!group) continue;
        const dx = pos.x - group.bounds.x;
        const dy = pos.y - group.bounds.y;
        group.bounds.x = pos.x;
        group.bounds.y = pos.y;
        for (const n of doc.nodes) {
          if (n.group === ref.id && !(n.id in positions)) n.position = { x: n.position.x + dx, y: n.position.y + dy };
        }
      }
    }
  };

/** Puts each node whose position lies inside a group's frame into that group, and takes others out. */
export const regroup =
  (nodeIds: readonly string[]) =>
  (doc: Doc): void => {
    for (const id of nodeIds) {
      const node = doc.nodes.find((n) => n.id === id);
      if (!node) continue;
      const inside = doc.groups.find((g) => {
        const b = g.bounds;
        return (
          node.position.x >= b.x &&
          node.position.y >= b.y &&
          node.position.x <= b.x + b.width &&
          node.position.y <= b.y + b.height
        );
      });
      if (inside && node.group !== inside.id) node.group = inside.id;
      else if (!inside && node.group !== undefined) delete node.group;
    }
  };

/** Adds a wire; an input that is not a list keeps only its newest wire. */
export const connect =
  (edge: Omit<WorkflowEdge, 'id'>, inputIsList: boolean) =>
  (doc: Doc): void => {
    const exists = doc.edges.some(
      (e) =>
        e.from.node === edge.from.node &&
        e.from.socket === edge.from.socket &&
        e.to.node === edge.to.node &&
        e.to.socket === edge.to.socket,
    );
    if (exists) return;
    if (!inputIsList)
      doc.edges = doc.edges.filter((e) => !(e.to.node === edge.to.node && e.to.socket === edge.to.socket));
    doc.edges.push({ id: freshId('e', takenIds(doc as WorkflowFile)), from: { ...edge.from }, to: { ...edge.to } });
  };

/** Deletes items by flow id and edges by id; wires of deleted nodes go with them, a deleted group's nodes stay. */
export const deleteItems =
  (flowIds: readonly string[], edgeIds: readonly string[]) =>
  (doc: Doc): void => {
    const refs = flowIds.map(parseFlowId);
    const nodes = new Set(refs.filter((r) => r.kind === 'node').map((r) => r.id));
    const groups = new Set(refs.filter((r) => r.kind === 'group').map((r) => r.id));
    const notes = new Set(refs.filter((r) => r.kind === 'note').map((r) => r.id));
    const edges = new Set(edgeIds);
    doc.nodes = doc.nodes.filter((n) => !nodes.has(n.id));
    doc.edges = doc.edges.filter((e) => !edges.has(e.id) && !nodes.has(e.from.node) && !nodes.has(e.to.node));
    doc.groups = doc.groups.filter((g) => !groups.has(g.id));
    doc.notes = doc.notes.filter((n) => !notes.has(n.id));
    for (const n of doc.nodes) if (n.group && groups.has(n.group)) delete n.group;
  };

/** Adds a titled frame around `bounds`, taking in the given nodes. */
export const addGroup =
  (title: string, bounds: { x: number; y: number; width: number; height: number }, nodeIds: readonly string[]) =>
  (doc: Doc): void => {
    const id = freshId('g', takenIds(doc as WorkflowFile));
    doc.groups.push({ id, title, bounds });
    for (const n of doc.nodes) if (nodeIds.includes(n.id)) n.group = id;
  };

export const setGroup =
  (groupId: string, change: { title?: string; bounds?: { x: number; y: number; width: number; height: number } }) =>
  (doc: Doc): void => {
    const g = doc.groups.find((x) => x.id === groupId);
    if (!g) return;
    if (change.title !== undefined) g.title = change.title;
    if (change.bounds) g.bounds = change.bounds;
  };

export const addNote =
  (position: XY, text = '') =>
  (doc: Doc): void => {
    doc.notes.push({
      id: freshId('note', takenIds(doc as WorkflowFile)),
      text,
      position,
      size: { width: 220, height: 120 },
    });
  };

export const setNote =
  (noteId: string, change: { text?: string; size?: { width: number; height: number } }) =>
  (doc: Doc): void => {
    const note = doc.notes.find((n) => n.id === noteId);
    if (!note) return;
    if (change.text !== undefined) note.text = change.text;
    if (change.size) note.size = change.size;
  };

/** Puts a Reroute dot on a wire at `position`: the wire becomes two, through the dot (one undo step). */
export const insertReroute =
  (edgeId: string, position: XY) =>
  (doc: Doc): void => {
    const edge = doc.edges.find((e) => e.id === edgeId);
    if (!edge) return;
    const taken = takenIds(doc as WorkflowFile);
    const id = freshId('reroute', taken);
    doc.nodes.push({
      id,
      type: 'Reroute',
      params: {},
      position: { x: Math.round(position.x), y: Math.round(position.y) },
    });
    taken.add(id);
    const first = freshId('e', taken);
    taken.add(first);
    doc.edges = doc.edges.filter((e) => e.id !== edgeId);
    doc.edges.push({ id: first, from: { ...edge.from }, to: { node: id, socket: 'in' } });
    doc.edges.push({ id: freshId('e', taken), from: { node: id, socket: 'out' }, to: { ...edge.to } });
  };

/** Sets or clears (undefined / false) the collapsed flag and the run mode of nodes, as one step. */
export const setNodeFlags =
  (nodeIds: readonly string[], flags: { collapsed?: boolean; mode?: NodeMode | null }) =>
  (doc: Doc): void => {
    for (const n of doc.nodes) {
      if (!nodeIds.includes(n.id)) continue;
      if (flags.collapsed !== undefined) {
        if (flags.collapsed) n.collapsed = true;
        else delete n.collapsed;
      }
      if (flags.mode !== undefined) {
        if (flags.mode) n.mode = flags.mode;
        else delete n.mode;
      }
    }
  };

/** Turns a parameter into an input socket (`param:<name>`), or back into a widget: that removes the wire into it. */
export const setParamInput =
  (nodeId: string, param: string, asInput: boolean) =>
  (doc: Doc): void => {
    const node = doc.nodes.find((n) => n.id === nodeId);
    if (!node) return;
    const names = convertedParamNames(node).filter((p) => p !== param);
    if (asInput) names.push(param);
    if (names.length > 0) node.paramInputs = names;
    else delete node.paramInputs;
    if (asInput) return;
    const socket = paramSocketName(param);
    doc.edges = doc.edges.filter((e) => !(e.to.node === nodeId && e.to.socket === socket));
  };

/** Sets a group's or a node's colour (undefined clears it). */
export const setColor =
  (flowIds: readonly string[], color: string | undefined) =>
  (doc: Doc): void => {
    for (const ref of flowIds.map(parseFlowId)) {
      const item =
        ref.kind === 'node'
          ? doc.nodes.find((n) => n.id === ref.id)
          : ref.kind === 'group'
            ? doc.groups.find((g) => g.id === ref.id)
            : doc.notes.find((n) => n.id === ref.id);
      if (!item) continue;
      if (color) item.color = color;
      else delete item.color;
    }
  };

const GROUP_PAD = 20;
const GROUP_TITLE = 36;

/**
 * Grows each group of the given nodes so that the nodes fit inside it with a margin (a member dragged to the
 * frame's edge, or grown by its outputs, stays visibly inside). Groups never shrink on their own.
 */
export const fitGroupsToMembers =
  (nodeIds: readonly string[], sizes: Readonly<Record<string, { width: number; height: number }>>) =>
  (doc: Doc): void => {
    for (const n of doc.nodes) {
      if (!n.group || !nodeIds.includes(n.id)) continue;
      const g = doc.groups.find((x) => x.id === n.group);
      if (!g) continue;
      const size = sizes[n.id] ?? { width: 240, height: 160 };
      const b = g.bounds;
      const left = Math.min(b.x, n.position.x - GROUP_PAD);
      const top = Math.min(b.y, n.position.y - GROUP_TITLE);
      const right = Math.max(b.x + b.width, n.position.x + size.width + GROUP_PAD);
      const bottom = Math.max(b.y + b.height, n.position.y + size.height + GROUP_PAD);
      if (left === b.x && top === b.y && right === b.x + b.width && bottom === b.y + b.height) continue;
      g.bounds = {
        x: Math.round(left),
        y: Math.round(top),
        width: Math.round(right - left),
        height: Math.round(bottom - top),
      };
    }
  };
