/**
 * Where nodes go on the canvas when a program places them (shipped workflows, imports): a generous estimate of each
 * node's box from its schema, and a column layout that stacks nodes so no box covers another. The sizes follow
 * client/src/canvas/WorkflowNodeView.tsx, NodeParams.tsx and the widgets' CSS (styles.css), rounded up: a node
 * that grows after a run (status bar, thumbnails) or shows a validation message must still not cover its neighbour.
 */
import type { NodeSchema, ParamSpec } from './schema';
import type { WorkflowFile, WorkflowNode, WorkflowNote } from './workflow';
import { inputSocketsOf } from './param-inputs';
import { isParamVisible } from './validate';

/** `.wf-node { max-width: 340px }`. */
export const NODE_WIDTH = 340;
/** Free space left between two boxes, across and down. */
export const NODE_GAP = 40;

const HEADER = 32;
const STATUS_BAR = 26;
const SOCKETS_PADDING = 10;
const SOCKET_ROW = 20;
const PARAMS_PADDING = 10;
/** Label (11 px font) + a one-line widget + the 4 px gap between fields. */
const PARAM_ROW = 50;
const HINT_ROW = 20;
const TEXTAREA_LINE = 17;
const ONE_LINE_WIDGET = 24;
/** Thumbnails of a node that outputs images, shown after a run. */
const PREVIEW = 90;
const NOTE_WIDTH = 300;
const NOTE_CHARS_PER_LINE = 36;

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

function paramHeight(spec: ParamSpec, value: unknown): number {
  let h = PARAM_ROW + (spec.hint ? HINT_ROW : 0);
  if (spec.kind === 'text') h += 3 * TEXTAREA_LINE + 8 - ONE_LINE_WIDGET;
  if (spec.kind === 'list') {
    const lines = Array.isArray(value) ? value.length : 0;
    h += Math.min(6, Math.max(2, lines + 1)) * TEXTAREA_LINE + 8 - ONE_LINE_WIDGET;
  }
  return h;
}

/** The estimated height in px of a node as the editor draws it (expanded, after a run); 80 for an unknown type. */
export function estimateNodeHeight(schema: NodeSchema | undefined, node: WorkflowNode): number {
  if (!schema) return 80;
  if (node.collapsed) return HEADER + STATUS_BAR;
  const sockets = Math.max(inputSocketsOf(schema, node).length, schema.outputs.length);
  let h = HEADER + STATUS_BAR + SOCKETS_PADDING + sockets * SOCKET_ROW + PARAMS_PADDING;
  for (const spec of schema.params) {
    if (isParamVisible(schema, spec, node.params)) h += paramHeight(spec, node.params[spec.name] ?? spec.default);
  }
  if (schema.outputs.some((o) => o.type === 'IMAGES')) h += PREVIEW;
  return h;
}

/** The box of a note: its stored size, else an estimate from its text. */
export function noteBox(note: WorkflowNote): Box {
  if (note.size) return { ...note.position, ...note.size };
  const lines = note.text.split('\n').reduce((n, l) => n + Math.max(1, Math.ceil(l.length / NOTE_CHARS_PER_LINE)), 0);
  return { ...note.position, width: NOTE_WIDTH, height: 16 + lines * TEXTAREA_LINE };
}

/** Every node's and note's estimated box, by id. */
export function workflowBoxes(wf: WorkflowFile, schemas: readonly NodeSchema[]): Map<string, Box> {
  const byType = new Map(schemas.map((s) => [s.type, s]));
  const boxes = new Map<string, Box>();
  for (const n of wf.nodes) {
    const height = estimateNodeHeight(byType.get(n.type), n);
    boxes.set(n.id, { ...n.position, width: NODE_WIDTH, height });
  }
  for (const note of wf.notes ?? []) boxes.set(`note:${note.id}`, noteBox(note));
  return boxes;
}

/** Whether two boxes share any area. */
export function boxesOverlap(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/**
 * Re-places the nodes in place: nodes sharing an x form a column, columns are NODE_WIDTH + NODE_GAP apart in their
 * x order, and each column is stacked in its y order, a node keeping its y unless the one above reaches it. A note
 * goes at the left, under the columns it spans.
 */
export function layOutColumns(wf: WorkflowFile, schemas: readonly NodeSchema[]): void {
  const byType = new Map(schemas.map((s) => [s.type, s]));
  const xs = [...new Set(wf.nodes.map((n) => n.position.x))].sort((a, b) => a - b);
  xs.forEach((x, column) => {
    const nodes = wf.nodes.filter((n) => n.position.x === x).sort((a, b) => a.position.y - b.position.y);
    let next = -Infinity;
    for (const n of nodes) {
      const y = Math.max(n.position.y, next);
      n.position = { x: column * (NODE_WIDTH + NODE_GAP), y };
      next = y + estimateNodeHeight(byType.get(n.type), n) + NODE_GAP;
    }
  });
  const placed: Box[] = wf.nodes.map((n) => ({
    ...n.position,
    width: NODE_WIDTH,
    height: estimateNodeHeight(byType.get(n.type), n),
  }));
  for (const note of wf.notes ?? []) {
    const width = noteBox(note).width;
    const below = placed.filter((b) => b.x < width).map((b) => b.y + b.height + NODE_GAP);
    note.position = { x: 0, y: Math.max(0, ...below) };
    placed.push(noteBox(note));
  }
}
